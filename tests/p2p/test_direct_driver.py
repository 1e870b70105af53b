"""The Trio direct-message driver over in-memory streams, against fake handlers and peers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgpack
import pytest
import trio
import trio.testing

from p2p.direct_driver import DirectSendFailed, DirectServeFailed, send_direct, serve_direct
from p2p.direct_protocol import MAX_PAYLOAD, DirectServerSession, MessageReceived
from p2p.framing import encode_frame
from p2p.interfaces import DirectAnswer, OutgoingDirect

type Peer = Callable[[trio.abc.Stream], Awaitable[None]]

M1 = OutgoingDirect(bytes(16), "pinger/ping", b"one")
M2 = OutgoingDirect(bytes(range(16)), "pinger/ping", b"two")
M3 = OutgoingDirect(bytes(range(1, 17)), "pinger/nope", b"three")


async def echo(message: MessageReceived) -> DirectAnswer:
    if message.kind == "pinger/nope":
        return DirectAnswer(False, reason="not taken")
    return DirectAnswer(True, b"pong:" + message.payload)


async def send_to_server(
    messages: list[OutgoingDirect], handler: Callable[[MessageReceived], Awaitable[DirectAnswer]]
) -> tuple[dict[bytes, DirectAnswer], int]:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    served: list[int] = []

    async def serve() -> None:
        served.append(await serve_direct(server_stream, handler))

    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve)
            answers = await send_direct(client_stream, messages)
    return answers, served[0]


async def read_message(stream: trio.abc.Stream, session: DirectServerSession) -> MessageReceived:
    while True:
        session.receive_data(await stream.receive_some())
        if (event := session.next_event()) is not None:
            assert isinstance(event, MessageReceived)
            return event


async def send_to_fake(
    peer: Peer, messages: list[OutgoingDirect], *, answer_timeout: float = 30.0
) -> DirectSendFailed:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(peer, server_stream)
        with pytest.raises(DirectSendFailed) as failed:
            await send_direct(client_stream, messages, answer_timeout=answer_timeout)
        nursery.cancel_scope.cancel()
    return failed.value


async def test_messages_are_answered_in_order_over_one_stream() -> None:
    answers, served = await send_to_server([M1, M2, M3], echo)
    assert list(answers.items()) == [
        (M1.id, DirectAnswer(True, b"pong:one")),
        (M2.id, DirectAnswer(True, b"pong:two")),
        (M3.id, DirectAnswer(False, reason="not taken")),
    ]
    assert served == 3


async def test_a_zero_buffer_stream_does_not_deadlock() -> None:
    client_stream, server_stream = trio.testing.lockstep_stream_pair()
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve_direct, server_stream, echo)
            answers = await send_direct(client_stream, [M1, M2])
    assert answers[M2.id] == DirectAnswer(True, b"pong:two")


async def test_an_oversized_message_is_refused_before_anything_is_sent() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    big = OutgoingDirect(bytes(16), "pinger/ping", bytes(MAX_PAYLOAD + 1))
    with pytest.raises(ValueError, match=r"^a payload holds at most 32768 bytes, not 32769$"):
        await send_direct(client_stream, [M1, big])
    assert await server_stream.receive_some() == b""  # closed without a byte


async def test_a_reply_too_large_for_the_protocol_becomes_a_refusal() -> None:
    async def huge(message: MessageReceived) -> DirectAnswer:
        return DirectAnswer(True, bytes(MAX_PAYLOAD + 1))

    answers, _ = await send_to_server([M1], huge)
    assert answers == {
        M1.id: DirectAnswer(False, reason="the recipient's reply was too large to send")
    }


async def test_a_server_answering_another_message_is_blamed_and_told_why() -> None:
    told: list[object] = []

    async def liar(stream: trio.abc.Stream) -> None:
        session = DirectServerSession()
        await read_message(stream, session)
        await stream.send_all(encode_frame(msgpack.packb(["ok", M2.id, b""])))
        told.append(msgpack.unpackb((await stream.receive_some())[4:]))

    failed = await send_to_fake(liar, [M1])
    assert failed.remote_fault
    assert failed.answered == {}
    assert str(failed) == (
        "peer broke the direct protocol: ok must name the message in flight and carry one value"
    )
    assert told == [["error", "ok must name the message in flight and carry one value"]]


async def test_answers_before_a_failure_count() -> None:
    async def one_then_gone(stream: trio.abc.Stream) -> None:
        session = DirectServerSession()
        await read_message(stream, session)
        await stream.send_all(session.send_reply(b"first"))
        await read_message(stream, session)
        await stream.aclose()

    failed = await send_to_fake(one_then_gone, [M1, M2])
    assert not failed.remote_fault
    assert failed.answered == {M1.id: DirectAnswer(True, b"first")}
    assert str(failed).startswith("connection lost while sending direct messages")


async def test_a_silent_server_times_out_without_blame() -> None:
    async def silent(stream: trio.abc.Stream) -> None:
        await trio.sleep_forever()

    failed = await send_to_fake(silent, [M1], answer_timeout=0.2)
    assert not failed.remote_fault
    assert str(failed) == "no answer within 0.2 s"


async def test_a_client_sending_garbage_is_blamed_and_the_server_ends() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.send_all(encode_frame(b"\xc1"))
    with trio.fail_after(5), pytest.raises(DirectServeFailed) as failed:
        await serve_direct(server_stream, echo)
    assert failed.value.remote_fault
    assert str(failed.value).startswith("peer broke the direct protocol: malformed message")


async def test_a_client_closing_between_messages_ends_the_session_normally() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.aclose()
    with trio.fail_after(5):
        assert await serve_direct(server_stream, echo) == 0
