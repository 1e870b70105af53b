"""The blob protocol (``/smd/blob/1.0.0``), sans-IO.

Blobs (images, avatars) are content-addressed by BLAKE2b-256 and fetched by hash from any peer
that has them. The peer that opens the stream is the *client*; the other is the *server*. The
conversation is strict request/response, so one state, shared by both sides, describes it:

1. the client sends ``["get", [hash, ...], max_size]``: 1 to 64 distinct 32-byte hashes and the
   largest blob it accepts, in bytes;
2. the server answers every hash of the request exactly once, in any order: either
   ``["missing", hash]``, or ``["blob", hash, mime, size]``, then the bytes in
   ``["chunk", bytes]`` messages of 1 to 65 536 bytes each, then ``["end", hash]``. A blob it
   holds but that is larger than ``max_size`` is answered ``missing`` (the client cannot take it);
3. once every hash is answered, the client may send another ``get``, or ``["done"]`` to end.

``["error", text]`` may replace any message and ends the session. Each message is a msgpack
array inside one length-prefixed frame (:mod:`p2p.framing`).

The client checks what it receives before it buffers it: an announced size over its limit, a
hash it did not ask for, a malformed MIME type, or more bytes than announced are
:class:`RemoteProtocolError`; bytes that do not hash to the requested hash are
:class:`WrongBlob` (a :class:`RemoteProtocolError`): the peer sent a wrong blob, so fetch it
elsewhere and count it against this peer. The client holds at most one blob in progress.

The max_size in ``get`` (not strictly needed: the client could just refuse large blobs) keeps an
honest server with a large blob from being blamed for breaking the protocol when a client asks
with a small limit (an avatar, say).
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import msgpack

from .errors import P2PError
from .framing import FrameDecoder, FrameTooLarge, encode_frame
from .messages import MalformedMessage, unpack_message

__all__ = [
    "AUTOMATIC",
    "DEFAULT_MAX_BLOB_SIZE",
    "HASH_SIZE",
    "MAX_CHUNK",
    "MAX_HASHES_PER_REQUEST",
    "MAX_MIME_CHARS",
    "PROTOCOL_ID",
    "TRANSITIONS",
    "BlobClientSession",
    "BlobMissing",
    "BlobProtocolError",
    "BlobReceived",
    "BlobServerSession",
    "ClientDone",
    "ClientEvent",
    "LocalProtocolError",
    "RemoteAborted",
    "RemoteProtocolError",
    "Requested",
    "Role",
    "ServerEvent",
    "State",
    "WrongBlob",
    "blob_hash",
    "is_valid_mime",
]

PROTOCOL_ID: Final = "/smd/blob/1.0.0"
HASH_SIZE: Final = 32
"""Bytes of a blob hash (BLAKE2b-256)."""
MAX_HASHES_PER_REQUEST: Final = 64
MAX_CHUNK: Final = 65_536
"""Most blob bytes in one ``chunk`` message."""
MAX_MIME_CHARS: Final = 100
DEFAULT_MAX_BLOB_SIZE: Final = 8 * 1024 * 1024
"""The client's default limit: the largest blob a blob reference may name (8 MiB)."""
MAX_SIZE_FIELD: Final = 2**53
"""Largest size or limit a message may carry (any real blob is far below)."""
MAX_ERROR_CHARS: Final = 200

# A chunk frame is the chunk plus a few bytes of msgpack; every other server message is small.
CLIENT_MAX_FRAME: Final = MAX_CHUNK + 1024
# A full get is about 2.2 KiB: a server never buffers more than this per client.
SERVER_MAX_FRAME: Final = 4096

# RFC 6838 "type/subtype" restricted names, without parameters.
_MIME = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*")


class BlobProtocolError(P2PError):
    """Base of the blob protocol's errors."""


class RemoteProtocolError(BlobProtocolError):
    """The remote broke the protocol (malformed, oversized, unrequested or out-of-order message).

    The remote's fault: end the stream and count it against the peer.
    """


class WrongBlob(RemoteProtocolError):
    """The remote sent bytes whose BLAKE2b-256 is not the hash they were sent for.

    The remote's fault: the blob may still be fetched from another peer.

    Attributes:
        hash: The requested hash.
    """

    def __init__(self, digest: bytes) -> None:
        super().__init__(f"the peer sent a wrong blob for {digest.hex()}: its bytes hash otherwise")
        self.hash = digest


class LocalProtocolError(BlobProtocolError):
    """We tried to send something the protocol does not allow now: a bug on our side."""


class RemoteAborted(BlobProtocolError):
    """The remote ended the session with an ``error`` message (its text is the message)."""


def blob_hash(data: bytes) -> bytes:
    """The hash a blob is addressed by: BLAKE2b with a 32-byte digest, no key."""
    return hashlib.blake2b(data, digest_size=HASH_SIZE).digest()


def is_valid_mime(value: object) -> bool:
    """Whether ``value`` is a MIME type the protocol carries: ``type/subtype`` (RFC 6838
    characters, no parameters), at most 100 characters."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_MIME_CHARS
        and _MIME.fullmatch(value) is not None
    )


# -- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requested:
    """(Server side) the client asks for these blobs, none larger than ``max_size`` bytes.

    Rule: answer every hash (in any order) before anything else.
    """

    hashes: tuple[bytes, ...]
    max_size: int


@dataclass(frozen=True, slots=True)
class ClientDone:
    """(Server side) the client wants nothing more: close the stream."""


@dataclass(frozen=True, slots=True)
class BlobReceived:
    """(Client side) a requested blob, complete, its size and hash checked."""

    hash: bytes
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class BlobMissing:
    """(Client side) the server does not hold this blob (or not within our size limit)."""

    hash: bytes


type ServerEvent = Requested | ClientDone
type ClientEvent = BlobReceived | BlobMissing


# -- the state machine ----------------------------------------------------------------------


class Role(enum.Enum):
    """Which end of the stream a session is."""

    CLIENT = "client"
    SERVER = "server"


class State(enum.Enum):
    """Where the conversation stands (both sides track the same state)."""

    IDLE = "idle"  # nothing asked; the client speaks next
    ANSWERING = "answering"  # a request has hashes not yet answered; the server speaks
    TRANSFER = "transfer"  # the server is sending one blob's chunks
    CLOSED = "closed"  # the client sent done
    ERROR = "error"


# (state, message) -> (who may send it, the state it leads to): the literal table.
TRANSITIONS: Final[dict[tuple[State, str], tuple[Role, State]]] = {
    (State.IDLE, "get"): (Role.CLIENT, State.ANSWERING),
    (State.IDLE, "done"): (Role.CLIENT, State.CLOSED),
    (State.ANSWERING, "missing"): (Role.SERVER, State.ANSWERING),
    (State.ANSWERING, "blob"): (Role.SERVER, State.TRANSFER),
    (State.TRANSFER, "chunk"): (Role.SERVER, State.TRANSFER),
    (State.TRANSFER, "end"): (Role.SERVER, State.ANSWERING),
}

# Taken as soon as the request has no unanswered hash left (no message of its own).
AUTOMATIC: Final[dict[State, State]] = {
    State.ANSWERING: State.IDLE,
}


@dataclass
class _Transfer:
    """The blob being sent or received."""

    hash: bytes
    mime: str
    size: int
    done: int = 0
    buffer: bytearray = field(default_factory=bytearray)
    hasher: hashlib.blake2b = field(default_factory=lambda: hashlib.blake2b(digest_size=HASH_SIZE))


class _BlobSession:
    """What both ends share: framing, the state table, the unanswered hashes, errors."""

    role: Role

    def __init__(self, max_frame: int) -> None:
        self.state = State.IDLE
        self._decoder = FrameDecoder(max_frame)
        self._frames: deque[bytes] = deque()
        self._outstanding: dict[bytes, None] = {}  # an ordered set
        self._current: _Transfer | None = None

    @property
    def outstanding(self) -> tuple[bytes, ...]:
        """Hashes of the current request not answered yet (excluding one in transfer)."""
        return tuple(self._outstanding)

    @property
    def idle(self) -> bool:
        """No request is in progress: the client may ask again or say done."""
        return self.state is State.IDLE

    @property
    def buffered(self) -> int:
        """Bytes received but not yet handed out as events (a partial frame, mostly)."""
        return self._decoder.buffered + sum(len(f) for f in self._frames)

    def _advance(self, kind: str) -> None:
        """Apply the table to ``kind``; the caller checked that its sender may send it now."""
        _, after = TRANSITIONS[(self.state, kind)]
        if after in AUTOMATIC and not self._outstanding:
            after = AUTOMATIC[after]
        self.state = after

    def _allowed(self, kind: str, sender: Role) -> bool:
        rule = TRANSITIONS.get((self.state, kind))
        return rule is not None and rule[0] is sender

    # -- sending ---------------------------------------------------------------------------

    def _check_send(self, kind: str) -> None:
        if not self._allowed(kind, self.role):
            raise LocalProtocolError(f"cannot send {kind!r} in state {self.state.value}")

    def _frame(self, kind: str, *args: Any) -> bytes:
        self._advance(kind)
        return encode_frame(msgpack.packb([kind, *args], use_bin_type=True))

    def send_error(self, text: str) -> bytes:
        """End the session, telling the remote why (``text`` is cut to 200 characters)."""
        self.state = State.ERROR
        payload = msgpack.packb(["error", text[:MAX_ERROR_CHARS]], use_bin_type=True)
        return encode_frame(payload)

    # -- receiving -------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the stream (``b""`` is not EOF here; the driver handles EOF).

        Raises:
            RemoteProtocolError: an oversized frame.
        """
        try:
            self._frames.extend(self._decoder.feed(data))
        except FrameTooLarge as exc:
            raise self._fail(str(exc)) from exc

    def _fail(self, why: str) -> RemoteProtocolError:
        self.state = State.ERROR
        return RemoteProtocolError(why)

    def _next_message(self) -> tuple[str, list[Any]] | None:
        """The next allowed message from the remote, state not yet advanced."""
        if not self._frames:
            return None
        try:
            kind, args = unpack_message(self._frames.popleft())
        except MalformedMessage as exc:
            raise self._fail(str(exc)) from exc
        if kind == "error":
            self.state = State.ERROR
            raise RemoteAborted(str(args[0])[:MAX_ERROR_CHARS] if args else "no reason given")
        remote = Role.SERVER if self.role is Role.CLIENT else Role.CLIENT
        if not self._allowed(kind, remote):
            raise self._fail(f"unexpected {kind!r} in state {self.state.value}")
        return kind, args

    def _hash_arg(self, value: Any) -> bytes:
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise self._fail("a blob hash is 32 bytes")
        return value


def _is_size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SIZE_FIELD


class BlobClientSession(_BlobSession):
    """The fetching end of one blob stream. Feed it bytes; send with its ``send_*`` methods.

    Args:
        max_blob_size: The largest blob accepted; a larger announcement is refused before any of
            its bytes are buffered.
    """

    role = Role.CLIENT

    def __init__(self, max_blob_size: int = DEFAULT_MAX_BLOB_SIZE) -> None:
        if not _is_size(max_blob_size):
            raise ValueError(f"max_blob_size must be from 0 to {MAX_SIZE_FIELD}")
        super().__init__(CLIENT_MAX_FRAME)
        self.max_blob_size = max_blob_size

    def send_request(self, hashes: Sequence[bytes]) -> bytes:
        """Ask for 1 to 64 distinct blobs.

        Raises:
            LocalProtocolError: a request is still being answered, the session ended, or the
                hashes are not 1 to 64 distinct 32-byte values.
        """
        self._check_send("get")
        wanted = list(hashes)
        if not 1 <= len(wanted) <= MAX_HASHES_PER_REQUEST:
            raise LocalProtocolError(f"a request holds 1 to {MAX_HASHES_PER_REQUEST} hashes")
        if any(not isinstance(h, bytes) or len(h) != HASH_SIZE for h in wanted):
            raise LocalProtocolError("a blob hash is 32 bytes")
        if len(set(wanted)) != len(wanted):
            raise LocalProtocolError("a request names each hash once")
        self._outstanding = dict.fromkeys(wanted)
        return self._frame("get", wanted, self.max_blob_size)

    def send_done(self) -> bytes:
        """End the session politely: we want nothing more.

        Raises:
            LocalProtocolError: a request is still being answered, or the session ended.
        """
        self._check_send("done")
        return self._frame("done")

    def next_event(self) -> ClientEvent | None:
        """The next complete event, or None when more bytes are needed.

        Raises:
            WrongBlob: a blob's bytes do not hash to its hash.
            RemoteProtocolError: the remote broke the protocol otherwise.
            RemoteAborted: the remote sent ``error``.
        """
        while (message := self._next_message()) is not None:
            kind, args = message
            event = self._parse(kind, args)
            self._advance(kind)
            if event is not None:
                return event
        return None

    def _answer_for(self, value: Any) -> bytes:
        digest = self._hash_arg(value)
        if digest not in self._outstanding:
            raise self._fail(f"answer for {digest.hex()}, which was not requested or was answered")
        del self._outstanding[digest]
        return digest

    def _parse(self, kind: str, args: list[Any]) -> ClientEvent | None:
        if kind == "missing":
            if len(args) != 1:
                raise self._fail("missing takes a hash")
            return BlobMissing(self._answer_for(args[0]))
        if kind == "blob":
            if len(args) != 3:
                raise self._fail("blob takes a hash, a MIME type and a size")
            digest, mime, size = args
            if not is_valid_mime(mime):
                raise self._fail("a MIME type is type/subtype, at most 100 characters")
            if not _is_size(size):
                raise self._fail("a blob size is a non-negative integer")
            if size > self.max_blob_size:
                raise self._fail(f"announced blob of {size} bytes exceeds {self.max_blob_size}")
            self._current = _Transfer(self._answer_for(digest), mime, size)
            return None
        current = self._current
        assert current is not None  # the table allows chunk and end only in TRANSFER
        if kind == "chunk":
            if len(args) != 1 or not isinstance(args[0], bytes):
                raise self._fail("chunk takes bytes")
            chunk = args[0]
            if not 1 <= len(chunk) <= MAX_CHUNK:
                raise self._fail(f"a chunk holds 1 to {MAX_CHUNK} bytes")
            if current.done + len(chunk) > current.size:
                raise self._fail(f"chunks exceed the announced size of {current.size} bytes")
            current.buffer += chunk
            current.hasher.update(chunk)
            current.done += len(chunk)
            return None
        # end
        if len(args) != 1 or self._hash_arg(args[0]) != current.hash:
            raise self._fail(f"end does not name the blob in transfer, {current.hash.hex()}")
        if current.done != current.size:
            raise self._fail(f"blob ended after {current.done} of {current.size} bytes")
        self._current = None
        if current.hasher.digest() != current.hash:
            self.state = State.ERROR
            raise WrongBlob(current.hash)
        return BlobReceived(current.hash, current.mime, bytes(current.buffer))


class BlobServerSession(_BlobSession):
    """The serving end of one blob stream. Feed it bytes; answer with its ``send_*`` methods."""

    role = Role.SERVER

    def __init__(self) -> None:
        super().__init__(SERVER_MAX_FRAME)
        self.max_size = 0
        """The client's size limit in the current request."""

    def send_missing(self, digest: bytes) -> bytes:
        """Answer that we do not hold ``digest`` (or not within the client's limit).

        Raises:
            LocalProtocolError: ``digest`` is not an unanswered hash of the current request, or a
                blob is in transfer.
        """
        self._check_send("missing")
        self._take(digest)
        return self._frame("missing", digest)

    def send_blob_start(self, digest: bytes, mime: str, size: int) -> bytes:
        """Announce the blob ``digest``: ``size`` bytes of ``mime`` follow in chunks.

        Raises:
            LocalProtocolError: ``digest`` is not an unanswered hash of the current request, a
                blob is in transfer, ``mime`` is not a valid MIME type, or ``size`` is over the
                client's limit (answer missing then).
        """
        self._check_send("blob")
        if not is_valid_mime(mime):
            raise LocalProtocolError("a MIME type is type/subtype, at most 100 characters")
        if not _is_size(size) or size > self.max_size:
            raise LocalProtocolError(f"a blob of {size} bytes exceeds the client's {self.max_size}")
        self._take(digest)
        self._current = _Transfer(digest, mime, size)
        return self._frame("blob", digest, mime, size)

    def send_chunk(self, data: bytes) -> bytes:
        """The next 1 to 65 536 bytes of the blob in transfer.

        Raises:
            LocalProtocolError: no blob is in transfer, or ``data`` is empty, too large, or
                goes past the announced size.
        """
        self._check_send("chunk")
        current = self._current
        assert current is not None
        if not 1 <= len(data) <= MAX_CHUNK:
            raise LocalProtocolError(f"a chunk holds 1 to {MAX_CHUNK} bytes")
        if current.done + len(data) > current.size:
            raise LocalProtocolError(f"chunks exceed the announced size of {current.size} bytes")
        current.done += len(data)
        return self._frame("chunk", data)

    def send_blob_end(self) -> bytes:
        """End the blob in transfer.

        Raises:
            LocalProtocolError: no blob is in transfer, or fewer bytes than announced were sent.
        """
        self._check_send("end")
        current = self._current
        assert current is not None
        if current.done != current.size:
            raise LocalProtocolError(f"sent {current.done} of {current.size} announced bytes")
        self._current = None
        return self._frame("end", current.hash)

    def send_blob(self, digest: bytes, mime: str, data: bytes) -> Iterator[bytes]:
        """The frames of one whole blob, made as they are taken (one chunk in memory at a time).

        Rule: consume the iterator fully before sending anything else.

        Raises:
            LocalProtocolError: as :meth:`send_blob_start`.
        """
        yield self.send_blob_start(digest, mime, len(data))
        for offset in range(0, len(data), MAX_CHUNK):
            yield self.send_chunk(data[offset : offset + MAX_CHUNK])
        yield self.send_blob_end()

    def _take(self, digest: bytes) -> None:
        if digest not in self._outstanding:
            raise LocalProtocolError("answer for a hash not requested or already answered")
        del self._outstanding[digest]

    def next_event(self) -> ServerEvent | None:
        """The next complete event, or None when more bytes are needed.

        Raises:
            RemoteProtocolError: the remote broke the protocol.
            RemoteAborted: the remote sent ``error``.
        """
        message = self._next_message()
        if message is None:
            return None
        kind, args = message
        event = self._parse(kind, args)
        self._advance(kind)
        return event

    def _parse(self, kind: str, args: list[Any]) -> ServerEvent:
        if kind == "done":
            if args:
                raise self._fail("done takes no arguments")
            return ClientDone()
        # get
        if len(args) != 2 or not isinstance(args[0], list) or not _is_size(args[1]):
            raise self._fail("get takes a list of hashes and a size limit")
        hashes = [self._hash_arg(h) for h in args[0]]
        if not 1 <= len(hashes) <= MAX_HASHES_PER_REQUEST:
            raise self._fail(f"a request holds 1 to {MAX_HASHES_PER_REQUEST} hashes")
        if len(set(hashes)) != len(hashes):
            raise self._fail("a request names each hash once")
        self._outstanding = dict.fromkeys(hashes)
        self.max_size = args[1]
        return Requested(tuple(hashes), args[1])
