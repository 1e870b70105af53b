"""The sync protocol (``/smd/sync/1.0.0``), sans-IO.

Both peers run the same :class:`SyncSession`; the protocol is symmetric. Each side sends, in
order (docs/PROTOCOL.md, "Sync protocol"):

1. ``["hello", 1]``;
2. any number of ``["want", [group, ...]]`` (the groups, i.e. identities, it replicates) and
   ``["have", [[log, seq], ...]]`` (its latest seq of every log it holds in those groups);
3. ``["ready"]``;
4. ``["plan", n]``: how many records it is about to send, once it has the other side's
   wants and heads;
5. any number of ``["records", [record, ...]]``: for every log of a group the other side
   wants, the records after the other side's head, in seq order;
6. ``["done"]``.

``["error", text]`` may replace any message and ends the session. Each message is a msgpack
array inside one length-prefixed frame (:mod:`p2p.framing`). The session turns bytes into
events (:meth:`SyncSession.receive_data`, :meth:`SyncSession.next_event`) and events into bytes
(the ``send_*`` methods); it never touches a socket.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgpack

from .errors import P2PError
from .framing import DEFAULT_MAX_FRAME, FrameDecoder, FrameTooLarge, encode_frame
from .messages import MalformedMessage, unpack_message

PROTOCOL_ID = "/smd/sync/1.0.0"
VERSION = 1
MAX_IDS_PER_FRAME = 4096
MAX_WANTS = 100_000
MAX_HEADS = 250_000
MAX_RECORDS_PER_FRAME = 1024
SEND_BATCH = 256
MAX_RECORD_SIZE = 65_536
ID_SIZE = 32


class SyncProtocolError(P2PError):
    """Base of the sync protocol's errors."""


class RemoteProtocolError(SyncProtocolError):
    """The remote broke the protocol (malformed, oversized or out-of-order message).

    The remote's fault: end the stream and count it against the peer.
    """


class LocalProtocolError(SyncProtocolError):
    """We tried to send something the protocol does not allow now: a bug on our side."""


class RemoteAborted(SyncProtocolError):
    """The remote ended the session with an ``error`` message (its text is the message)."""


@dataclass(frozen=True, slots=True)
class Ready:
    """The remote finished saying what it wants and what it has."""

    wants: frozenset[bytes]
    heads: Mapping[bytes, int]


@dataclass(frozen=True, slots=True)
class Plan:
    """The remote will send this many records."""

    count: int


@dataclass(frozen=True, slots=True)
class Records:
    """A batch of record bytes, unverified: the receiver's store checks every one."""

    records: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Done:
    """The remote sent everything it had for us."""


type Event = Ready | Plan | Records | Done


class Phase(enum.Enum):
    """Where one direction of the session stands."""

    START = "start"
    HELLO = "hello"  # hello sent/received; wants and haves may follow
    READY = "ready"  # ready sent/received; waiting to plan
    STREAMING = "streaming"  # plan sent/received; records follow
    DONE = "done"
    ERROR = "error"


# Which message may follow which phase, and the phase it leads to (the literal table).
TRANSITIONS: dict[tuple[Phase, str], Phase] = {
    (Phase.START, "hello"): Phase.HELLO,
    (Phase.HELLO, "want"): Phase.HELLO,
    (Phase.HELLO, "have"): Phase.HELLO,
    (Phase.HELLO, "ready"): Phase.READY,
    (Phase.READY, "plan"): Phase.STREAMING,
    (Phase.STREAMING, "records"): Phase.STREAMING,
    (Phase.STREAMING, "done"): Phase.DONE,
}


@dataclass(frozen=True, slots=True)
class Transfer:
    """Records ``start..end`` (inclusive) of ``log`` that the remote lacks."""

    log: bytes
    start: int
    end: int

    @property
    def count(self) -> int:
        """How many records the transfer moves."""
        return self.end - self.start + 1


def plan_transfers(local_heads: Mapping[bytes, int], remote: Ready) -> list[Transfer]:
    """What to send: the records after the remote's head of every log in ``local_heads``.

    Rule: ``local_heads`` holds only the logs of groups the remote wants.
    """
    transfers = []
    for log, head in sorted(local_heads.items()):
        theirs = remote.heads.get(log, 0)
        if head > theirs:
            transfers.append(Transfer(log, theirs + 1, head))
    return transfers


@dataclass
class SyncSession:
    """One side of one sync stream. Feed it bytes; send with its ``send_*`` methods."""

    max_frame: int = DEFAULT_MAX_FRAME
    local: Phase = Phase.START
    remote: Phase = Phase.START
    _decoder: FrameDecoder = field(init=False)
    _wants: set[bytes] = field(default_factory=set)
    _heads: dict[bytes, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._decoder = FrameDecoder(self.max_frame)
        self._frames: deque[bytes] = deque()

    @property
    def finished(self) -> bool:
        """Both sides sent ``done``."""
        return self.local is Phase.DONE and self.remote is Phase.DONE

    # -- sending ---------------------------------------------------------------------------

    def _send(self, kind: str, *args: Any) -> bytes:
        after = TRANSITIONS.get((self.local, kind))
        if after is None:
            raise LocalProtocolError(f"cannot send {kind!r} in phase {self.local.value}")
        self.local = after
        return encode_frame(msgpack.packb([kind, *args], use_bin_type=True))

    def send_hello(self, wants: Iterable[bytes], heads: Mapping[bytes, int]) -> bytes:
        """hello, want and have frames, then ready: all we want and all we hold of it."""
        out = [self._send("hello", VERSION)]
        want_list = sorted(wants)
        for i in range(0, len(want_list), MAX_IDS_PER_FRAME):
            out.append(self._send("want", want_list[i : i + MAX_IDS_PER_FRAME]))
        head_list = sorted(heads.items())
        for i in range(0, len(head_list), MAX_IDS_PER_FRAME):
            out.append(self._send("have", [list(h) for h in head_list[i : i + MAX_IDS_PER_FRAME]]))
        out.append(self._send("ready"))
        return b"".join(out)

    def send_plan(self, count: int) -> bytes:
        """Announce how many records follow."""
        return self._send("plan", count)

    def send_records(self, records: Iterable[bytes], batch_size: int = SEND_BATCH) -> bytes:
        """Records frames, each within the frame limit and at most ``batch_size`` records.

        Small frames (about 60 KiB) let the receiver verify one batch while the next arrives.
        """
        batch_size = min(batch_size, MAX_RECORDS_PER_FRAME)
        out: list[bytes] = []
        batch: list[bytes] = []
        size = 16
        for record in records:
            if len(record) > MAX_RECORD_SIZE:
                raise LocalProtocolError("record larger than the protocol allows")
            if batch and (len(batch) >= batch_size or size + len(record) + 8 > self.max_frame):
                out.append(self._send("records", batch))
                batch, size = [], 16
            batch.append(record)
            size += len(record) + 8
        if batch:
            out.append(self._send("records", batch))
        return b"".join(out)

    def send_done(self) -> bytes:
        """We sent everything."""
        return self._send("done")

    def send_error(self, text: str) -> bytes:
        """End the session, telling the remote why."""
        self.local = Phase.ERROR
        return encode_frame(msgpack.packb(["error", text[:200]], use_bin_type=True))

    # -- receiving -------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the stream (``b""`` is not EOF here; the driver handles EOF).

        Raises:
            RemoteProtocolError: an oversized frame.
        """
        try:
            self._frames.extend(self._decoder.feed(data))
        except FrameTooLarge as exc:
            self.remote = Phase.ERROR
            raise RemoteProtocolError(str(exc)) from exc

    def next_event(self) -> Event | None:
        """The next complete event, or None when more bytes are needed.

        Raises:
            RemoteProtocolError: the remote broke the protocol.
            RemoteAborted: the remote sent ``error``.
        """
        while self._frames:
            event = self._handle(self._frames.popleft())
            if event is not None:
                return event
        return None

    def _fail(self, why: str) -> RemoteProtocolError:
        self.remote = Phase.ERROR
        return RemoteProtocolError(why)

    def _handle(self, frame: bytes) -> Event | None:
        try:
            kind, args = unpack_message(frame)
        except MalformedMessage as exc:
            raise self._fail(str(exc)) from exc
        if kind == "error":
            self.remote = Phase.ERROR
            raise RemoteAborted(str(args[0])[:200] if args else "no reason given")
        after = TRANSITIONS.get((self.remote, kind))
        if after is None:
            raise self._fail(f"unexpected {kind!r} in phase {self.remote.value}")
        event = self._parse(kind, args)
        self.remote = after
        return event

    def _parse(self, kind: str, args: list[Any]) -> Event | None:
        if kind == "hello":
            if args != [VERSION]:
                raise self._fail(f"unsupported sync version {args!r}")
            return None
        if kind == "want":
            ids = _one_list(args, self._fail)
            if len(ids) > MAX_IDS_PER_FRAME or len(self._wants) + len(ids) > MAX_WANTS:
                raise self._fail("too many wants")
            for group in ids:
                if not isinstance(group, bytes) or len(group) != ID_SIZE:
                    raise self._fail("a want is a 32-byte id")
                self._wants.add(group)
            return None
        if kind == "have":
            pairs = _one_list(args, self._fail)
            if len(pairs) > MAX_IDS_PER_FRAME or len(self._heads) + len(pairs) > MAX_HEADS:
                raise self._fail("too many heads")
            for pair in pairs:
                if (
                    not isinstance(pair, list)
                    or len(pair) != 2
                    or not isinstance(pair[0], bytes)
                    or len(pair[0]) != ID_SIZE
                    or not _is_count(pair[1])
                ):
                    raise self._fail("a head is [32-byte id, seq]")
                self._heads[pair[0]] = pair[1]
            return None
        if kind == "ready":
            if args:
                raise self._fail("ready takes no arguments")
            return Ready(frozenset(self._wants), dict(self._heads))
        if kind == "plan":
            if len(args) != 1 or not _is_count(args[0]):
                raise self._fail("plan takes a record count")
            return Plan(args[0])
        if kind == "records":
            batch = _one_list(args, self._fail)
            if not batch or len(batch) > MAX_RECORDS_PER_FRAME:
                raise self._fail("a records message holds 1 to 1024 records")
            for record in batch:
                if not isinstance(record, bytes) or len(record) > MAX_RECORD_SIZE:
                    raise self._fail("a record is at most 65536 bytes")
            return Records(tuple(batch))
        if args:
            raise self._fail("done takes no arguments")
        return Done()


def _one_list(args: list[Any], fail: Callable[[str], RemoteProtocolError]) -> list[Any]:
    if len(args) != 1 or not isinstance(args[0], list):
        raise fail("expected one list argument")
    return args[0]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2**53
