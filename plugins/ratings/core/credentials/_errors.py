"""Errors of the credentials package; each says whose fault it is."""

from __future__ import annotations

from smd_desktop.core.errors import SmdError, UserError


class CredentialError(SmdError):
    """A credential is malformed or its proof does not hold.

    The fault of whoever issued or altered the credential; permanent: the same document will
    never verify. The message is one line that says why (shown by ``verify-credential``).
    """


class CredentialFileError(UserError):
    """A credential file or directory cannot be read or written (missing, a directory, no
    permission, disk full). The environment's fault, not the credential's; the message names the
    path."""


class CredentialInputError(SmdError, ValueError):
    """A value handed to the credential builder is outside its model (a rating of 7, a deal id
    of 31 bytes, a rater who is not the signing identity, a document that already has a proof).

    The caller's fault: a bug in the code that builds the facts, never a peer's doing.
    """


def shown(value: object, limit: int = 160) -> str:
    """``repr(value)`` cut to ``limit`` characters: error messages quote untrusted values and
    must stay one short line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
