"""The peer exchange protocol (``/smd/px/1.0.0``): ask a friend who else serves our groups.

One request and one answer per stream. The peer that opens the stream is the *client*:

1. the client sends ``["want", [group, ...]]``: 0 to :data:`MAX_WANTED_GROUPS` distinct
   32-byte group ids;
2. the server answers ``["peers", [[peer, [addr, ...], [group, ...]], ...]]``: at most
   :data:`~p2p.peerbook.MAX_EXCHANGE_ENTRIES` distinct peers, each an Ed25519 PeerID text, 1 to
   :data:`~p2p.peerbook.MAX_ADDRS_PER_PEER` distinct TCP multiaddrs without ``/p2p``
   (:func:`p2p.invite.check_transport_addr`) and 1 to :data:`~p2p.peerbook.MAX_GROUPS_PER_PEER`
   distinct groups, every one of them asked for; then it closes the stream.

``["error", text]`` may replace either message and ends the exchange. Each message is a msgpack
array in one length-prefixed frame (:mod:`p2p.framing`); a frame larger than the largest valid
message is refused before it is buffered (about 140 KiB for a request, 128 KiB for an answer).

The client checks the whole answer: one bad field makes it a :class:`RemoteProtocolError`, the
server's fault, rather than being silently dropped, so a peer that lies gets counted. What the
client returns is still hearsay: :meth:`p2p.peerbook.PeerBook.merge_exchange` keeps it apart from
what this device saw itself.

:class:`ExchangeClientSession` and :class:`ExchangeServerSession` are sans-IO: they turn bytes
into events and messages into bytes. :func:`exchange_peers` and :func:`serve_peer_exchange` drive
them over a :class:`~p2p.interfaces.ByteStream`.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgpack
import trio

from .errors import InvalidAddressError, P2PError, StreamBrokenError, StreamClosedError
from .framing import FrameDecoder, FrameTooLarge, encode_frame
from .interfaces import ByteStream
from .invite import check_transport_addr, device_from_peer_id
from .messages import MalformedMessage, unpack_message
from .peerbook import MAX_ADDRS_PER_PEER, MAX_EXCHANGE_ENTRIES, MAX_GROUPS_PER_PEER, ExchangeEntry
from .stream_util import close_quietly, tell

__all__ = [
    "CLIENT_MAX_FRAME",
    "EXCHANGE_TIMEOUT",
    "GROUP_SIZE",
    "IDLE_TIMEOUT",
    "MAX_WANTED_GROUPS",
    "PROTOCOL_ID",
    "SERVER_MAX_FRAME",
    "TRANSITIONS",
    "ExchangeClientSession",
    "ExchangeServerSession",
    "LocalProtocolError",
    "PeerExchangeError",
    "PeerExchangeFailed",
    "PeersOffered",
    "PeersWanted",
    "RemoteAborted",
    "RemoteProtocolError",
    "Role",
    "State",
    "exchange_peers",
    "serve_peer_exchange",
]

PROTOCOL_ID: Final = "/smd/px/1.0.0"
GROUP_SIZE: Final = 32
MAX_WANTED_GROUPS: Final = 4096
"""Most groups one request names."""
MAX_ERROR_CHARS: Final = 200

# ["want", [4096 x bin8(32)]] packs to 139,273 bytes; an answer of 64 entries with 8 addresses
# of 100 characters and 32 groups each to about 125,700.
SERVER_MAX_FRAME: Final = 140 * 1024
CLIENT_MAX_FRAME: Final = 128 * 1024

IDLE_TIMEOUT: Final = 10.0
"""Seconds a read or a send may make no progress before the exchange is given up."""
EXCHANGE_TIMEOUT: Final = 30.0
"""Seconds a whole exchange may take, so a peer trickling bytes cannot hold a task for long."""

READ_SIZE: Final = 65_536
_MAX_PEER_ID_CHARS: Final = 60  # an Ed25519 PeerID is 52 base58 characters
_LINK_ERRORS: Final = (
    trio.BrokenResourceError,
    trio.ClosedResourceError,
    ConnectionError,
    EOFError,
    StreamBrokenError,
    StreamClosedError,
)


class PeerExchangeError(P2PError):
    """Base of the peer exchange protocol's errors."""


class RemoteProtocolError(PeerExchangeError):
    """The remote broke the protocol: a malformed, oversized, unexpected or lying message.

    The remote's fault: end the stream and count it against the peer.
    """


class LocalProtocolError(PeerExchangeError):
    """We tried to send something the protocol does not allow now, or a malformed answer.

    Our fault (a bug, or bad entries from the answer callback); the remote is not to blame.
    """


class RemoteAborted(PeerExchangeError):
    """The remote ended the exchange with an ``error`` message (its text is the message).

    Nobody's fault as far as we can tell: the peer declined or failed on its side.
    """


class PeerExchangeFailed(P2PError):
    """An exchange did not complete.

    ``remote_fault`` is True when the peer broke the protocol (count it against the peer), and
    False when the link, a timeout or the peer's explicit ``error`` ended it (retry later).

    Attributes:
        remote_fault: Whether the peer is to blame.
    """

    def __init__(self, message: str, *, remote_fault: bool) -> None:
        super().__init__(message)
        self.remote_fault = remote_fault


# -- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeersWanted:
    """(Server side) the client asks for peers serving any of these groups.

    Rule: answer with :meth:`ExchangeServerSession.send_answer`, or with ``send_error``.
    """

    groups: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class PeersOffered:
    """(Client side) the server's answer, every field checked."""

    entries: tuple[ExchangeEntry, ...]


# -- the state machine ----------------------------------------------------------------------


class Role(enum.Enum):
    """Which end of the stream a session is."""

    CLIENT = "client"
    SERVER = "server"


class State(enum.Enum):
    """Where the exchange stands (both sides track the same state)."""

    IDLE = "idle"  # the client speaks first
    ANSWERING = "answering"  # the request is out; the server speaks
    DONE = "done"  # answered: nothing more may be sent
    ERROR = "error"


# (state, message) -> (who may send it, the state it leads to): the literal table.
TRANSITIONS: Final[dict[tuple[State, str], tuple[Role, State]]] = {
    (State.IDLE, "want"): (Role.CLIENT, State.ANSWERING),
    (State.ANSWERING, "peers"): (Role.SERVER, State.DONE),
}


class _ExchangeSession:
    """What both ends share: framing, the state table, the groups asked for, errors."""

    role: Role

    def __init__(self, max_frame: int) -> None:
        self.state = State.IDLE
        self._decoder = FrameDecoder(max_frame)
        self._frames: deque[bytes] = deque()
        self._wanted: frozenset[bytes] = frozenset()

    @property
    def wanted(self) -> frozenset[bytes]:
        """The groups of the request (empty before it)."""
        return self._wanted

    @property
    def buffered(self) -> int:
        """Bytes received but not yet handed out as events (a partial frame, mostly)."""
        return self._decoder.buffered + sum(len(frame) for frame in self._frames)

    def send_error(self, text: str) -> bytes:
        """End the exchange, telling the remote why (``text`` is cut to 200 characters)."""
        self.state = State.ERROR
        return encode_frame(msgpack.packb(["error", text[:MAX_ERROR_CHARS]], use_bin_type=True))

    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the stream (``b""`` is not EOF here; the driver handles EOF).

        Raises:
            RemoteProtocolError: a frame larger than any valid message.
        """
        try:
            self._frames.extend(self._decoder.feed(data))
        except FrameTooLarge as exc:
            raise self._fail(str(exc)) from exc

    def _send(self, kind: str, payload: Any) -> bytes:
        rule = TRANSITIONS.get((self.state, kind))
        if rule is None or rule[0] is not self.role:
            raise LocalProtocolError(f"cannot send {kind!r} in state {self.state.value}")
        self.state = rule[1]
        return encode_frame(msgpack.packb([kind, payload], use_bin_type=True))

    def _fail(self, why: str) -> RemoteProtocolError:
        self.state = State.ERROR
        return RemoteProtocolError(why)

    def _next_message(self) -> tuple[str, Any] | None:
        """The next message from the remote, checked against the table; state advanced."""
        if not self._frames:
            return None
        try:
            kind, args = unpack_message(self._frames.popleft(), max_map_len=0, max_ext_len=0)
        except MalformedMessage as exc:
            raise self._fail(str(exc)) from exc
        if kind == "error":
            self.state = State.ERROR
            text = args[0] if len(args) == 1 and isinstance(args[0], str) else ""
            raise RemoteAborted(text[:MAX_ERROR_CHARS] or "no reason given")
        remote = Role.SERVER if self.role is Role.CLIENT else Role.CLIENT
        rule = TRANSITIONS.get((self.state, kind))
        if rule is None or rule[0] is not remote:
            raise self._fail(f"unexpected {kind[:40]!r} in state {self.state.value}")
        if len(args) != 1:
            raise self._fail(f"{kind} takes exactly one argument")
        self.state = rule[1]
        return kind, args[0]


class ExchangeClientSession(_ExchangeSession):
    """The asking end of one peer exchange stream."""

    role = Role.CLIENT

    def __init__(self) -> None:
        super().__init__(CLIENT_MAX_FRAME)

    def send_request(self, groups: Sequence[bytes]) -> bytes:
        """Ask for peers serving any of ``groups``.

        Raises:
            LocalProtocolError: the request was already sent, or ``groups`` are not at most
                :data:`MAX_WANTED_GROUPS` distinct 32-byte values.
        """
        wanted = list(groups)
        problem = _groups_problem(wanted)
        if problem is not None:
            raise LocalProtocolError(problem)
        frame = self._send("want", wanted)
        self._wanted = frozenset(wanted)
        return frame

    def next_event(self) -> PeersOffered | None:
        """The answer once it has arrived whole, else None.

        Raises:
            RemoteProtocolError: the remote broke the protocol (malformed or lying answer,
                anything sent after it).
            RemoteAborted: the remote sent ``error``.
        """
        message = self._next_message()
        if message is None:
            return None
        _, payload = message
        entries, problem = _check_answer(payload, self._wanted)
        if problem is not None:
            raise self._fail(problem)
        return PeersOffered(entries)


class ExchangeServerSession(_ExchangeSession):
    """The answering end of one peer exchange stream."""

    role = Role.SERVER

    def __init__(self) -> None:
        super().__init__(SERVER_MAX_FRAME)

    def next_event(self) -> PeersWanted | None:
        """The request once it has arrived whole, else None.

        Raises:
            RemoteProtocolError: the remote broke the protocol (malformed request, a second
                message).
            RemoteAborted: the remote sent ``error``.
        """
        message = self._next_message()
        if message is None:
            return None
        _, payload = message
        if not isinstance(payload, list):
            raise self._fail("want takes a list of groups")
        problem = _groups_problem(payload)
        if problem is not None:
            raise self._fail(problem)
        self._wanted = frozenset(payload)
        return PeersWanted(tuple(payload))

    def send_answer(self, entries: Sequence[ExchangeEntry]) -> bytes:
        """Answer the request with ``entries``.

        Raises:
            LocalProtocolError: no request is waiting for an answer, or ``entries`` break the
                rules the client checks (too many, malformed, repeated, or naming a group that
                was not asked for).
        """
        wire = [[e.peer, list(e.addrs), list(e.groups)] for e in entries]
        _, problem = _check_answer(wire, self._wanted)
        if problem is not None:
            raise LocalProtocolError(problem)
        return self._send("peers", wire)


def _groups_problem(groups: list[Any]) -> str | None:
    if len(groups) > MAX_WANTED_GROUPS:
        return f"a request names at most {MAX_WANTED_GROUPS} groups"
    if any(not isinstance(g, bytes) or len(g) != GROUP_SIZE for g in groups):
        return f"a group id is {GROUP_SIZE} bytes"
    if len(set(groups)) != len(groups):
        return "a request names each group once"
    return None


def _check_answer(
    payload: Any, wanted: frozenset[bytes]
) -> tuple[tuple[ExchangeEntry, ...], str | None]:
    """The answer's entries, or the first rule it breaks."""
    if not isinstance(payload, list):
        return (), "peers takes a list of entries"
    if len(payload) > MAX_EXCHANGE_ENTRIES:
        return (), f"an answer holds at most {MAX_EXCHANGE_ENTRIES} entries"
    entries: list[ExchangeEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(payload):
        entry = _check_entry(item, wanted)
        if isinstance(entry, str):
            return (), f"entry {index}: {entry}"
        if entry.peer in seen:
            return (), f"entry {index}: repeats peer {entry.peer}"
        seen.add(entry.peer)
        entries.append(entry)
    return tuple(entries), None


def _check_entry(item: Any, wanted: frozenset[bytes]) -> ExchangeEntry | str:
    """The entry, or what is wrong with it."""
    if not (isinstance(item, list) and len(item) == 3):
        return "an entry is [peer, addrs, groups]"
    peer, addrs, groups = item
    if not isinstance(peer, str):
        return "a peer is a PeerID text"
    if len(peer) > _MAX_PEER_ID_CHARS:
        # checked before decoding: base58-decoding 100 KiB of text takes seconds of CPU
        return f"{peer[:60]!r}... is not an Ed25519 PeerID"
    try:
        device_from_peer_id(peer)
    except InvalidAddressError:
        return f"{peer[:60]!r} is not an Ed25519 PeerID"
    if not (isinstance(addrs, list) and 1 <= len(addrs) <= MAX_ADDRS_PER_PEER):
        return f"a peer has 1 to {MAX_ADDRS_PER_PEER} addresses"
    canonical: dict[str, None] = {}
    for addr in addrs:
        if not isinstance(addr, str):
            return "an address is multiaddr text"
        try:
            canonical[check_transport_addr(addr)] = None
        except InvalidAddressError as exc:
            return str(exc)
    if len(canonical) != len(addrs):
        return "an entry names each address once"
    if not (isinstance(groups, list) and 1 <= len(groups) <= MAX_GROUPS_PER_PEER):
        return f"a peer has 1 to {MAX_GROUPS_PER_PEER} groups"
    if any(not isinstance(g, bytes) or len(g) != GROUP_SIZE for g in groups):
        return f"a group id is {GROUP_SIZE} bytes"
    if len(set(groups)) != len(groups):
        return "an entry names each group once"
    if not wanted.issuperset(groups):
        return "an entry names a group that was not asked for"
    return ExchangeEntry(peer, tuple(canonical), tuple(groups))


# -- drivers --------------------------------------------------------------------------------


async def exchange_peers(
    stream: ByteStream,
    groups: Iterable[bytes],
    *,
    idle_timeout: float = IDLE_TIMEOUT,
    timeout: float = EXCHANGE_TIMEOUT,
) -> list[ExchangeEntry]:
    """Ask the peer at the other end of ``stream`` for peers serving any of ``groups``.

    The stream is closed in every case. Every returned entry passed the checks of the module
    docstring; hand them to :meth:`p2p.peerbook.PeerBook.merge_exchange` (with this device in
    ``skip``).

    Args:
        stream: A fresh ``/smd/px/1.0.0`` stream; this call owns it.
        groups: 32-byte group ids; repeats are asked once.
        idle_timeout: Seconds a read or send may make no progress.
        timeout: Seconds the whole exchange may take.

    Raises:
        ValueError: a group is not 32 bytes, or there are more than :data:`MAX_WANTED_GROUPS`
            (nothing is sent then).
        PeerExchangeFailed: the exchange did not complete (see ``remote_fault``).
    """
    wanted = list(dict.fromkeys(groups))
    session = ExchangeClientSession()
    deadline = trio.current_time() + timeout
    try:
        try:
            request = session.send_request(wanted)
        except LocalProtocolError as exc:
            raise ValueError(str(exc)) from None
        with trio.fail_at(deadline):
            await _send(stream, request, idle_timeout)
            while (event := session.next_event()) is None:
                data = await _receive(stream, idle_timeout)
                if not data:
                    raise EOFError("the peer closed the stream before answering")
                session.receive_data(data)
        return list(event.entries)
    except RemoteProtocolError as exc:
        await tell(stream, session.send_error(str(exc)))
        message = f"peer broke the peer exchange protocol: {exc}"
        raise PeerExchangeFailed(message, remote_fault=True) from exc
    except RemoteAborted as exc:
        raise PeerExchangeFailed(f"peer declined the exchange: {exc}", remote_fault=False) from exc
    except trio.TooSlowError as exc:
        message = _timeout_reason(deadline, timeout, idle_timeout)
        raise PeerExchangeFailed(message, remote_fault=False) from exc
    except _LINK_ERRORS as exc:
        message = f"connection lost during peer exchange: {exc}"
        raise PeerExchangeFailed(message, remote_fault=False) from exc
    finally:
        await close_quietly(stream)


async def serve_peer_exchange(
    stream: ByteStream,
    answer: Callable[[list[bytes]], Sequence[ExchangeEntry]],
    *,
    idle_timeout: float = IDLE_TIMEOUT,
    timeout: float = EXCHANGE_TIMEOUT,
) -> int:
    """Read one request from ``stream``, answer it with ``answer(groups)``, close the stream.

    Only the first :data:`~p2p.peerbook.MAX_EXCHANGE_ENTRIES` entries ``answer`` returns are
    sent. The stream is closed in every case.

    Args:
        stream: An inbound ``/smd/px/1.0.0`` stream; this call owns it.
        answer: Called in this task with the groups asked for; returns the entries to send
            (:meth:`p2p.peerbook.PeerBook.export_for` with the asking peer excluded). It must
            not block.
        idle_timeout: Seconds a read or send may make no progress.
        timeout: Seconds the whole exchange may take.

    Returns:
        How many entries were sent.

    Raises:
        PeerExchangeFailed: the exchange did not complete (see ``remote_fault``).
        LocalProtocolError: ``answer`` returned entries the client would reject (our bug; the
            client is told "internal error").
    """
    session = ExchangeServerSession()
    deadline = trio.current_time() + timeout
    try:
        with trio.fail_at(deadline):
            while (event := session.next_event()) is None:
                data = await _receive(stream, idle_timeout)
                if not data:
                    raise EOFError("the peer closed the stream before asking")
                session.receive_data(data)
            entries = list(answer(list(event.groups))[:MAX_EXCHANGE_ENTRIES])
            try:
                reply = session.send_answer(entries)
            except LocalProtocolError:
                await tell(stream, session.send_error("internal error"))
                raise
            await _send(stream, reply, idle_timeout)
        return len(entries)
    except RemoteProtocolError as exc:
        await tell(stream, session.send_error(str(exc)))
        message = f"peer broke the peer exchange protocol: {exc}"
        raise PeerExchangeFailed(message, remote_fault=True) from exc
    except RemoteAborted as exc:
        raise PeerExchangeFailed(f"peer ended the exchange: {exc}", remote_fault=False) from exc
    except trio.TooSlowError as exc:
        message = _timeout_reason(deadline, timeout, idle_timeout)
        raise PeerExchangeFailed(message, remote_fault=False) from exc
    except _LINK_ERRORS as exc:
        message = f"connection lost during peer exchange: {exc}"
        raise PeerExchangeFailed(message, remote_fault=False) from exc
    finally:
        await close_quietly(stream)


def _timeout_reason(deadline: float, timeout: float, idle_timeout: float) -> str:
    if trio.current_time() >= deadline:
        return f"peer exchange took longer than {timeout:g} s"
    return f"peer exchange stalled: no progress for {idle_timeout:g} s"


async def _receive(stream: ByteStream, idle_timeout: float) -> bytes:
    with trio.fail_after(idle_timeout):
        return await stream.receive_some(READ_SIZE)


async def _send(stream: ByteStream, data: bytes, idle_timeout: float) -> None:
    with trio.fail_after(idle_timeout):
        await stream.send_all(data)
