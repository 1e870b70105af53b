"""What p2p needs from the rest of the app: a store of signed logs, grouped, and mailboxes.

p2p knows *logs* (a device feed, named by its 32-byte key), *groups* of logs (an identity and
its devices) and opaque record bytes with a seq. It knows nothing of posts or follows. The app
implements :class:`LogStore` with the core and passes it in; likewise :class:`DirectInbox` and
:class:`DirectOutbox` for direct messages between devices (whose payloads p2p never reads).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class IngestCounts:
    """What became of a batch of records handed to :meth:`LogStore.ingest`."""

    accepted: int = 0
    """New records stored and chained."""
    duplicate: int = 0
    """Records we already had."""
    pending: int = 0
    """Verified records waiting for a predecessor: a gap the sync should fill."""
    fork: int = 0
    """Valid records that prove a fork (kept as evidence)."""
    rejected: int = 0
    """Invalid records: the sender's fault."""

    def __add__(self, other: IngestCounts) -> IngestCounts:
        return IngestCounts(
            self.accepted + other.accepted,
            self.duplicate + other.duplicate,
            self.pending + other.pending,
            self.fork + other.fork,
            self.rejected + other.rejected,
        )


class LogStore(Protocol):
    """The store as p2p sees it. Every method blocks: drivers call them in a worker thread.

    Rule: :meth:`ingest` returns only after what it accepted is durable.
    """

    def wanted_groups(self) -> set[bytes]:
        """The groups (identities) this node replicates."""
        ...

    def heads(self, groups: Collection[bytes]) -> dict[bytes, int]:
        """Latest chained seq of every log we hold in ``groups``."""
        ...

    def group_of(self, log: bytes) -> bytes | None:
        """The group a log belongs to, if we know the log."""
        ...

    def read_range(self, log: bytes, start: int, limit: int) -> list[bytes]:
        """Up to ``limit`` records of ``log`` from seq ``start`` on, in order."""
        ...

    def ingest(self, records: Sequence[bytes]) -> IngestCounts:
        """Verify and store records; durable when this returns."""
        ...


class RecordInspector(Protocol):
    """What gossip needs to know about record bytes, supplied by the app (p2p cannot parse
    records). Both calls are pure and fast (one signature check at most)."""

    def record_id(self, record: bytes) -> bytes:
        """The record's id (the gossip message id); any stable hash for unparseable bytes."""
        ...

    def acceptable(self, group: bytes, record: bytes) -> bool:
        """Whether to accept and forward a record gossiped on ``group``'s topic: authentic,
        valid, and from a device of ``group`` (or of a device not known yet)."""
        ...


@dataclass(frozen=True, slots=True)
class DirectAnswer:
    """A receiver's answer to one direct message (``/smd/direct/1.0.0``).

    ``accepted`` with a ``reply`` (at most 32 KiB), or refused with a ``reason`` (a sentence,
    at most 200 characters, that the sender sees): refused means *not handled*, and the sender
    may try again later.
    """

    accepted: bool
    reply: bytes = b""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OutgoingDirect:
    """A direct message to deliver: a 16-byte id, a ``namespace/name`` kind, a payload."""

    id: bytes
    kind: str
    payload: bytes


class DirectInbox(Protocol):
    """Where the node hands the direct messages peers deliver. Blocks: the node calls it in a
    worker thread, one message at a time per stream."""

    def handle(self, device: bytes, message_id: bytes, kind: str, payload: bytes) -> DirectAnswer:
        """Answer a message from ``device`` (the 32-byte key Noise authenticated).

        Rule: the same ``(device's owner, message_id)`` again gets the same answer once
        accepted (senders retry when a reply is lost). Refuse, with a reason, what the app
        does not take (an unknown device, say).
        """
        ...


class DirectOutbox(Protocol):
    """The direct messages waiting for delivery. Blocks: the node calls it in a worker thread.

    Rule: every message :meth:`due` hands out is reported back once, with :meth:`delivered`
    or :meth:`failed` (a node stopped mid-attempt reports nothing: the app must offer such
    messages again after a while).
    """

    def revision(self) -> int:
        """A number that changes when messages may have been queued (polled often: cheap)."""
        ...

    def due(self, device: bytes) -> list[OutgoingDirect]:
        """Messages to try on the connected ``device`` now (at most 64), reserved for this
        attempt; none for a device the app cannot place."""
        ...

    def delivered(self, message_id: bytes, device: bytes, reply: bytes) -> None:
        """``device`` accepted the message and answered ``reply``."""
        ...

    def failed(self, message_id: bytes, device: bytes, reason: str, *, refused: bool) -> None:
        """The attempt failed: ``refused`` by the receiver (or by our own checks before
        sending), or not (the link, a timeout, a protocol violation): retry at the next
        chance."""
        ...


class ByteStream(Protocol):
    """A reliable, ordered byte stream (``trio.abc.Stream`` fits, so does a libp2p stream
    adapter)."""

    async def send_all(self, data: bytes) -> None:
        """Send every byte of ``data``."""
        ...

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        """Some bytes, or ``b""`` at end of stream."""
        ...

    async def aclose(self) -> None:
        """Close the stream."""
        ...
