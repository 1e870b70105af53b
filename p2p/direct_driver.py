"""Sends and serves direct messages over a byte stream (the Trio side of
:mod:`p2p.direct_protocol`).

Strict request/response, so each side is one task: the client writes a message, then reads its
answer; the server reads a message, asks its handler, writes the answer. At most one message is
in memory per stream on either side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Final

import trio

from .direct_protocol import (
    MAX_MESSAGES_PER_STREAM,
    MAX_PAYLOAD,
    ClientDone,
    DirectClientSession,
    DirectServerSession,
    MessageReceived,
    RemoteAborted,
    RemoteProtocolError,
    check_message,
)
from .errors import P2PError, StreamBrokenError, StreamClosedError
from .interfaces import ByteStream, DirectAnswer, OutgoingDirect
from .stream_util import close_quietly, tell

__all__ = [
    "ANSWER_TIMEOUT",
    "IDLE_TIMEOUT",
    "DirectSendFailed",
    "DirectServeFailed",
    "send_direct",
    "serve_direct",
]

READ_SIZE: Final = 65_536
ANSWER_TIMEOUT: Final = 30.0
"""Seconds a client waits for an answer (the server's app may be slow) or a send to finish."""
IDLE_TIMEOUT: Final = 30.0
"""Seconds a server waits for the client's next message, or for a send to finish."""
LINK_ERRORS: Final = (
    trio.BrokenResourceError,
    trio.ClosedResourceError,
    ConnectionError,
    EOFError,
    StreamBrokenError,
    StreamClosedError,
)

type Handler = Callable[[MessageReceived], Awaitable[DirectAnswer]]


class DirectSendFailed(P2PError):
    """Sending ended early.

    Attributes:
        remote_fault: Whether the peer broke the protocol (count it against the peer) rather
            than the link, a timeout or the peer's ``error`` ending it (just retry later).
        answered: Answers received before the failure, by message id: they count.
    """

    def __init__(
        self, message: str, *, remote_fault: bool, answered: dict[bytes, DirectAnswer]
    ) -> None:
        super().__init__(message)
        self.remote_fault = remote_fault
        self.answered = answered


class DirectServeFailed(P2PError):
    """Serving a client ended early; ``remote_fault`` is True when the client broke the
    protocol (count it against the peer), False for a lost link, a timeout or an ``error``."""

    def __init__(self, message: str, *, remote_fault: bool) -> None:
        super().__init__(message)
        self.remote_fault = remote_fault


# -- client ---------------------------------------------------------------------------------


async def send_direct(
    stream: ByteStream,
    messages: Sequence[OutgoingDirect],
    *,
    answer_timeout: float = ANSWER_TIMEOUT,
) -> dict[bytes, DirectAnswer]:
    """Deliver ``messages`` one after the other over ``stream``, then close it.

    Args:
        stream: A fresh ``/smd/direct/1.0.0`` stream; this call owns it (closed in every case).
        messages: At most :data:`MAX_MESSAGES_PER_STREAM`, each passing
            :func:`~p2p.direct_protocol.check_message`.
        answer_timeout: Seconds to wait for each answer (and for each send).

    Returns:
        The answer to every message, by message id, in the order sent.

    Raises:
        ValueError: a message is malformed or too large, or there are too many: nothing was
            sent (check each message with ``check_message`` first).
        DirectSendFailed: delivery did not finish (see ``remote_fault`` and ``answered``).
    """
    if len(messages) > MAX_MESSAGES_PER_STREAM:
        await close_quietly(stream)
        raise ValueError(f"at most {MAX_MESSAGES_PER_STREAM} messages per stream")
    for message in messages:
        if (why := check_message(message.id, message.kind, message.payload)) is not None:
            await close_quietly(stream)
            raise ValueError(why)
    session = DirectClientSession()
    answered: dict[bytes, DirectAnswer] = {}
    try:
        for message in messages:
            frame = session.send_message(message.id, message.kind, message.payload)
            with trio.fail_after(answer_timeout):
                await stream.send_all(frame)
            answer = await _read_answer(stream, session, answer_timeout)
            answered[message.id] = answer
        with trio.fail_after(answer_timeout):
            await stream.send_all(session.send_done())
    except RemoteProtocolError as exc:
        await tell(stream, session.send_error(str(exc)))
        text = f"peer broke the direct protocol: {exc}"
        raise DirectSendFailed(text, remote_fault=True, answered=answered) from exc
    except RemoteAborted as exc:
        text = f"peer ended the direct session: {exc}"
        raise DirectSendFailed(text, remote_fault=False, answered=answered) from exc
    except trio.TooSlowError as exc:
        text = f"no answer within {answer_timeout:g} s"
        raise DirectSendFailed(text, remote_fault=False, answered=answered) from exc
    except LINK_ERRORS as exc:
        text = f"connection lost while sending direct messages: {exc}"
        raise DirectSendFailed(text, remote_fault=False, answered=answered) from exc
    finally:
        await close_quietly(stream)
    return answered


async def _read_answer(
    stream: ByteStream, session: DirectClientSession, timeout: float
) -> DirectAnswer:
    with trio.fail_after(timeout):
        while (event := session.next_event()) is None:
            data = await stream.receive_some(READ_SIZE)
            if not data:
                raise EOFError("the peer closed the stream without answering")
            session.receive_data(data)
    if session.buffered:  # the server speaks only to answer: anything more is a violation
        raise RemoteProtocolError("the peer sent more than one answer")
    return DirectAnswer(event.accepted, event.reply, event.reason)


# -- server ---------------------------------------------------------------------------------


async def serve_direct(
    stream: ByteStream, handler: Handler, *, idle_timeout: float = IDLE_TIMEOUT
) -> int:
    """Answer a client's messages with ``handler`` until it is done, then close ``stream``.

    A client that closes the stream between messages instead of sending ``done`` ends the
    session normally too.

    Args:
        stream: An inbound ``/smd/direct/1.0.0`` stream; this call owns it.
        handler: Decides each message's answer (the app's inbox, typically in a worker thread).
            Its refusal reason is cut to 200 characters, a reply over 32 KiB becomes a
            refusal. An exception it raises propagates (the stream is closed).
        idle_timeout: Seconds the client may stay silent, or leave a send blocked.

    Returns:
        How many messages were answered.

    Raises:
        DirectServeFailed: the session did not finish (see ``remote_fault``).
    """
    session = DirectServerSession()
    answered = 0
    try:
        while isinstance(
            event := await _next_message(stream, session, idle_timeout), MessageReceived
        ):
            answer = await handler(event)
            if not answer.accepted:
                frame = session.send_refusal(answer.reason)
            elif len(answer.reply) > MAX_PAYLOAD:
                frame = session.send_refusal("the recipient's reply was too large to send")
            else:
                frame = session.send_reply(answer.reply)
            with trio.fail_after(idle_timeout):
                await stream.send_all(frame)
            answered += 1
    except RemoteProtocolError as exc:
        await tell(stream, session.send_error(str(exc)))
        raise DirectServeFailed(
            f"peer broke the direct protocol: {exc}", remote_fault=True
        ) from exc
    except RemoteAborted as exc:
        raise DirectServeFailed(
            f"peer ended the direct session: {exc}", remote_fault=False
        ) from exc
    except trio.TooSlowError as exc:
        message = f"direct session stalled: no progress for {idle_timeout:g} s"
        raise DirectServeFailed(message, remote_fault=False) from exc
    except LINK_ERRORS as exc:
        message = f"connection lost while serving direct messages: {exc}"
        raise DirectServeFailed(message, remote_fault=False) from exc
    finally:
        await close_quietly(stream)
    return answered


async def _next_message(
    stream: ByteStream, session: DirectServerSession, idle_timeout: float
) -> MessageReceived | ClientDone | None:
    """The client's next message, ClientDone, or None (it closed the stream between messages)."""
    while (event := session.next_event()) is None:
        with trio.fail_after(idle_timeout):
            data = await stream.receive_some(READ_SIZE)
        if not data:
            if session.buffered:
                raise EOFError("the peer closed the stream in the middle of a message")
            return None
        session.receive_data(data)
    return event
