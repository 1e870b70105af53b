"""The direct-message protocol (``/smd/direct/1.0.0``), sans-IO.

A direct message is a small opaque payload that one device hands to another, which answers
with a reply or a refusal; it is not a record and is never relayed. The device that opens the
stream is the *client* (the sender); the other is the *server*. Strict request/response, so
one state, shared by both sides, describes the conversation:

1. the client sends ``["msg", id, kind, payload]``: a 16-byte message id, the kind (a str,
   ``<namespace>/<name>``, see :data:`KIND_PATTERN`) and at most 32 KiB of payload;
2. the server answers that message: ``["ok", id, reply]`` (at most 32 KiB of reply) or
   ``["refused", id, reason]`` (at most 200 characters: the message was not handled, the
   client may try again later);
3. the client may send another ``msg``, or ``["done"]`` to end.

``["error", text]`` may replace any message and ends the session. Each message is a msgpack
array inside one length-prefixed frame (:mod:`p2p.framing`); a frame announcing more than a
full ``msg`` or ``ok`` is refused from its header.

The authenticated sender is the stream's Noise peer (the device key); the protocol carries no
other identity. Who may send what is the app's decision (:class:`p2p.interfaces.DirectInbox`).
"""

from __future__ import annotations

import enum
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Final

import msgpack

from .errors import P2PError
from .framing import FrameDecoder, FrameTooLarge, encode_frame
from .messages import MalformedMessage, unpack_message

__all__ = [
    "KIND_PATTERN",
    "MAX_MESSAGES_PER_STREAM",
    "MAX_PAYLOAD",
    "MAX_REASON_CHARS",
    "MESSAGE_ID_SIZE",
    "PROTOCOL_ID",
    "TRANSITIONS",
    "Answered",
    "ClientDone",
    "DirectClientSession",
    "DirectProtocolError",
    "DirectServerSession",
    "LocalProtocolError",
    "MessageReceived",
    "RemoteAborted",
    "RemoteProtocolError",
    "Role",
    "State",
    "check_message",
]

PROTOCOL_ID: Final = "/smd/direct/1.0.0"
MESSAGE_ID_SIZE: Final = 16
MAX_PAYLOAD: Final = 32 * 1024
"""Most bytes of a payload, and of a reply."""
MAX_KIND_CHARS: Final = 63
MAX_REASON_CHARS: Final = 200
"""Most characters of a refusal's reason, and of an ``error`` text."""
MAX_MESSAGES_PER_STREAM: Final = 64
"""Most messages one stream carries (a server refuses more as a protocol violation)."""
KIND_PATTERN: Final = re.compile(r"[a-z][a-z0-9]{1,30}/[a-z][a-z0-9-]{0,30}")
"""A kind: namespace (the plugin's name at the app level) ``/`` name, whole string."""

# A msg or ok frame: the payload plus id, kind and msgpack headers (well under 256 bytes).
MAX_FRAME: Final = MAX_PAYLOAD + 256


class DirectProtocolError(P2PError):
    """Base of the direct protocol's errors."""


class RemoteProtocolError(DirectProtocolError):
    """The remote broke the protocol (malformed, oversized or out-of-turn message, an answer
    to another message). The remote's fault: end the stream and count it against the peer."""


class LocalProtocolError(DirectProtocolError):
    """We tried to send something the protocol does not allow (out of turn, oversized, a
    malformed id or kind). Our caller's fault: nothing was sent."""


class RemoteAborted(DirectProtocolError):
    """The remote ended the session with an ``error`` message (its text is the message)."""


def check_message(message_id: bytes, kind: str, payload: bytes) -> str | None:
    """Why a message cannot be sent (a sentence), or None if it can."""
    if not isinstance(message_id, bytes) or len(message_id) != MESSAGE_ID_SIZE:
        return f"a message id is {MESSAGE_ID_SIZE} bytes"
    if not _is_kind(kind):
        return f"a message kind is <namespace>/<name>, not {str(kind)[:MAX_KIND_CHARS]!r}"
    if not isinstance(payload, bytes):
        return "a payload is bytes"
    if len(payload) > MAX_PAYLOAD:
        return f"a payload holds at most {MAX_PAYLOAD} bytes, not {len(payload)}"
    return None


def _is_kind(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= MAX_KIND_CHARS
        and KIND_PATTERN.fullmatch(value) is not None
    )


# -- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageReceived:
    """(Server side) the client delivers a message. Rule: answer it before anything else."""

    id: bytes
    kind: str
    payload: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class ClientDone:
    """(Server side) the client has nothing more: close the stream."""


@dataclass(frozen=True, slots=True)
class Answered:
    """(Client side) the server's answer to the message in flight: ``accepted`` with a
    ``reply``, or refused with a ``reason``."""

    id: bytes
    accepted: bool
    reply: bytes = field(default=b"", repr=False)
    reason: str = ""


type ServerEvent = MessageReceived | ClientDone


# -- the state machine ----------------------------------------------------------------------


class Role(enum.Enum):
    """Which end of the stream a session is."""

    CLIENT = "client"
    SERVER = "server"


class State(enum.Enum):
    """Where the conversation stands (both sides track the same state)."""

    IDLE = "idle"  # the client speaks next
    WAITING = "waiting"  # a message is in flight; the server speaks
    CLOSED = "closed"  # the client sent done
    ERROR = "error"


# (state, message) -> (who may send it, the state it leads to): the literal table.
TRANSITIONS: Final[dict[tuple[State, str], tuple[Role, State]]] = {
    (State.IDLE, "msg"): (Role.CLIENT, State.WAITING),
    (State.IDLE, "done"): (Role.CLIENT, State.CLOSED),
    (State.WAITING, "ok"): (Role.SERVER, State.IDLE),
    (State.WAITING, "refused"): (Role.SERVER, State.IDLE),
}


class _DirectSession:
    """What both ends share: framing, the state table, the message in flight, errors."""

    role: Role

    def __init__(self) -> None:
        self.state = State.IDLE
        self._decoder = FrameDecoder(MAX_FRAME)
        self._frames: deque[bytes] = deque()
        self._in_flight: bytes | None = None
        self.messages = 0
        """Messages sent (client) or received (server) on this stream."""

    @property
    def idle(self) -> bool:
        """No message is in flight: the client may send another or say done."""
        return self.state is State.IDLE

    @property
    def buffered(self) -> int:
        """Bytes received but not yet handed out as events."""
        return self._decoder.buffered + sum(len(f) for f in self._frames)

    def _allowed(self, kind: str, sender: Role) -> bool:
        rule = TRANSITIONS.get((self.state, kind))
        return rule is not None and rule[0] is sender

    def _advance(self, kind: str) -> None:
        self.state = TRANSITIONS[(self.state, kind)][1]

    def _check_send(self, kind: str) -> None:
        if not self._allowed(kind, self.role):
            raise LocalProtocolError(f"cannot send {kind!r} in state {self.state.value}")

    def _frame(self, kind: str, *args: Any) -> bytes:
        self._advance(kind)
        return encode_frame(msgpack.packb([kind, *args], use_bin_type=True))

    def send_error(self, text: str) -> bytes:
        """End the session, telling the remote why (``text`` is cut to 200 characters)."""
        self.state = State.ERROR
        return encode_frame(msgpack.packb(["error", text[:MAX_REASON_CHARS]], use_bin_type=True))

    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the stream (``b""`` is not EOF here; the driver handles EOF).

        Raises:
            RemoteProtocolError: a frame larger than any message.
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
            raise RemoteAborted(str(args[0])[:MAX_REASON_CHARS] if args else "no reason given")
        remote = Role.SERVER if self.role is Role.CLIENT else Role.CLIENT
        if not self._allowed(kind, remote):
            raise self._fail(f"unexpected {kind[:20]!r} in state {self.state.value}")
        return kind, args


class DirectClientSession(_DirectSession):
    """The sending end of one direct stream. Feed it bytes; send with its ``send_*`` methods."""

    role = Role.CLIENT

    def send_message(self, message_id: bytes, kind: str, payload: bytes) -> bytes:
        """The frame delivering one message; then wait for its answer.

        Raises:
            LocalProtocolError: a message is in flight, the session ended, this stream carried
                :data:`MAX_MESSAGES_PER_STREAM` already, or the message is malformed or too
                large (see :func:`check_message`).
        """
        self._check_send("msg")
        if self.messages >= MAX_MESSAGES_PER_STREAM:
            raise LocalProtocolError(f"a stream carries at most {MAX_MESSAGES_PER_STREAM}")
        if (why := check_message(message_id, kind, payload)) is not None:
            raise LocalProtocolError(why)
        self._in_flight = message_id
        self.messages += 1
        return self._frame("msg", message_id, kind, payload)

    def send_done(self) -> bytes:
        """End the session politely.

        Raises:
            LocalProtocolError: a message is in flight, or the session ended.
        """
        self._check_send("done")
        return self._frame("done")

    def next_event(self) -> Answered | None:
        """The answer to the message in flight, or None when more bytes are needed.

        Raises:
            RemoteProtocolError: the remote broke the protocol.
            RemoteAborted: the remote sent ``error``.
        """
        message = self._next_message()
        if message is None:
            return None
        kind, args = message
        if len(args) != 2 or args[0] != self._in_flight:
            raise self._fail(f"{kind} must name the message in flight and carry one value")
        message_id, value = args
        if kind == "ok":
            if not isinstance(value, bytes) or len(value) > MAX_PAYLOAD:
                raise self._fail(f"a reply is at most {MAX_PAYLOAD} bytes")
            event = Answered(message_id, True, reply=value)
        else:
            if not isinstance(value, str) or len(value) > MAX_REASON_CHARS:
                raise self._fail(f"a refusal's reason is text of at most {MAX_REASON_CHARS}")
            event = Answered(message_id, False, reason=value)
        self._in_flight = None
        self._advance(kind)
        return event


class DirectServerSession(_DirectSession):
    """The receiving end of one direct stream. Feed it bytes; answer with ``send_*``."""

    role = Role.SERVER

    def next_event(self) -> ServerEvent | None:
        """The next message or the client's ``done``, or None when more bytes are needed.

        Raises:
            RemoteProtocolError: the remote broke the protocol.
            RemoteAborted: the remote sent ``error``.
        """
        message = self._next_message()
        if message is None:
            return None
        kind, args = message
        if kind == "done":
            if args:
                raise self._fail("done takes no arguments")
            self._advance(kind)
            return ClientDone()
        if len(args) != 3:
            raise self._fail("msg takes an id, a kind and a payload")
        message_id, msg_kind, payload = args
        if (why := check_message(message_id, msg_kind, payload)) is not None:
            raise self._fail(why)
        if self.messages >= MAX_MESSAGES_PER_STREAM:
            raise self._fail(f"a stream carries at most {MAX_MESSAGES_PER_STREAM} messages")
        self.messages += 1
        self._in_flight = message_id
        self._advance(kind)
        return MessageReceived(message_id, msg_kind, payload)

    def send_reply(self, reply: bytes) -> bytes:
        """Accept the message in flight, answering ``reply`` (at most 32 KiB).

        Raises:
            LocalProtocolError: no message is in flight, or the reply is too large.
        """
        self._check_send("ok")
        if not isinstance(reply, bytes) or len(reply) > MAX_PAYLOAD:
            raise LocalProtocolError(f"a reply is bytes, at most {MAX_PAYLOAD}")
        message_id, self._in_flight = self._in_flight, None
        return self._frame("ok", message_id, reply)

    def send_refusal(self, reason: str) -> bytes:
        """Refuse the message in flight (``reason`` is cut to 200 characters).

        Raises:
            LocalProtocolError: no message is in flight.
        """
        self._check_send("refused")
        message_id, self._in_flight = self._in_flight, None
        return self._frame("refused", message_id, str(reason)[:MAX_REASON_CHARS])
