"""The error hierarchy. Every error SMD raises on purpose is an :class:`SmdError`.

Subclasses say whose fault it is:

* :class:`InvalidRecord` and :class:`CodecError`: the sender's. Permanent: the same bytes will
  never become valid, so they are dropped and never retried.
* :class:`StoreError`: ours (disk full, database locked). Retryable.
* :class:`UserError` and its subclasses: the person at the keyboard (wrong passphrase, a
  malformed id, a missing file). Shown as one plain sentence.
"""

from __future__ import annotations


class SmdError(Exception):
    """Root of every error SMD raises on purpose."""


class CodecError(SmdError):
    """Bytes are not canonical SMD msgpack (malformed, non-canonical, too large, too deep).

    The sender's fault; permanent.
    """


class InvalidRecord(SmdError):
    """A record (or certificate, revocation, content map) breaks the protocol.

    The sender's fault; permanent: never store, show or forward the record.
    """


class StoreError(SmdError):
    """The local store failed (I/O, locking, disk full). Ours; the operation may be retried."""


class UserError(SmdError):
    """Something the user asked for cannot be done as asked; the message says why."""


class WrongPassphrase(UserError):
    """The passphrase does not open this profile. Nothing on disk was changed."""

    def __init__(self) -> None:
        super().__init__("wrong passphrase")


class NoProfile(UserError):
    """There is no profile in the data directory yet."""


class ProfileExists(UserError):
    """A profile already exists where a new one was to be created."""


class MalformedId(UserError):
    """A text id (identity, device or record) could not be parsed."""


class CorruptBackup(UserError):
    """A backup file is damaged, truncated, or not an SMD backup."""


class NotFound(UserError):
    """A record, person or device the user named is not known locally."""
