"""The Trio blob driver over in-memory streams, against an in-memory blob source and fake peers."""

from __future__ import annotations

import random
import threading
from collections.abc import Awaitable, Callable, Iterable

import msgpack
import pytest
import trio
import trio.testing

from p2p.blob_driver import (
    BlobFetchFailed,
    BlobServeFailed,
    ServeStats,
    fetch_blobs,
    serve_blobs,
)
from p2p.blob_protocol import (
    BlobClientSession,
    BlobServerSession,
    RemoteAborted,
    Requested,
    blob_hash,
)
from p2p.framing import encode_frame

type Blobs = dict[bytes, tuple[str, bytes]]
type Peer = Callable[[trio.abc.Stream], Awaitable[None]]

AVATAR = b"\x89PNG avatar" * 100
PHOTO = random.Random(7).randbytes(3 * 1024 * 1024)
SMALL = b"GIF89a tiny"
ABSENT = blob_hash(b"nobody has this")


def h(data: bytes) -> bytes:
    return blob_hash(data)


class DictSource:
    """Blobs in a dict; remembers whether each lookup ran off the Trio thread."""

    def __init__(self, blobs: Blobs) -> None:
        self.blobs = blobs
        self.in_worker_thread: list[bool] = []

    def get_blob(self, digest: bytes) -> tuple[str, bytes] | None:
        self.in_worker_thread.append(threading.current_thread() is not threading.main_thread())
        return self.blobs.get(digest)


def source_of(*items: tuple[str, bytes]) -> DictSource:
    return DictSource({h(data): (mime, data) for mime, data in items})


async def fetch_with_server(
    source: DictSource,
    hashes: Iterable[bytes],
    *,
    max_blob_size: int = 8 << 20,
    lockstep: bool = False,
) -> tuple[Blobs, ServeStats]:
    pair = trio.testing.lockstep_stream_pair if lockstep else trio.testing.memory_stream_pair
    client_stream, server_stream = pair()
    stats: list[ServeStats] = []

    async def serve() -> None:
        stats.append(await serve_blobs(server_stream, source))

    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve)
            found = await fetch_blobs(client_stream, hashes, max_blob_size=max_blob_size)
    return found, stats[0]


async def fetch_from_fake(
    peer: Peer, hashes: list[bytes], *, idle_timeout: float = 30.0
) -> BlobFetchFailed:
    """Run ``peer`` as the server; return how the fetch failed."""
    client_stream, server_stream = trio.testing.memory_stream_pair()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(peer, server_stream)
        with pytest.raises(BlobFetchFailed) as failed:
            await fetch_blobs(client_stream, hashes, idle_timeout=idle_timeout)
        nursery.cancel_scope.cancel()
    return failed.value


async def read_request(stream: trio.abc.Stream, session: BlobServerSession) -> Requested:
    while True:
        session.receive_data(await stream.receive_some())
        if (event := session.next_event()) is not None:
            assert isinstance(event, Requested)
            return event


async def test_several_blobs_including_a_3_mib_one_are_fetched_and_verified() -> None:
    source = source_of(("image/png", AVATAR), ("image/jpeg", PHOTO), ("image/gif", SMALL))

    found, stats = await fetch_with_server(source, [h(AVATAR), h(PHOTO), h(SMALL)])

    assert found == {
        h(AVATAR): ("image/png", AVATAR),
        h(PHOTO): ("image/jpeg", PHOTO),
        h(SMALL): ("image/gif", SMALL),
    }
    assert stats == ServeStats(
        requests=1, sent=3, missing=0, bytes_sent=len(AVATAR) + len(PHOTO) + len(SMALL)
    )
    assert source.in_worker_thread == [True, True, True]


async def test_missing_blobs_are_absent_from_the_result() -> None:
    source = source_of(("image/png", AVATAR))

    found, stats = await fetch_with_server(source, [ABSENT, h(AVATAR), ABSENT])

    assert found == {h(AVATAR): ("image/png", AVATAR)}
    assert (stats.sent, stats.missing) == (1, 1)


async def test_more_than_64_hashes_go_out_in_several_requests() -> None:
    blobs = [f"blob {i}".encode() for i in range(150)]
    source = source_of(*(("image/webp", b) for b in blobs))
    absent = [blob_hash(f"absent {i}".encode()) for i in range(10)]

    found, stats = await fetch_with_server(source, [h(b) for b in blobs] + absent)

    assert found == {h(b): ("image/webp", b) for b in blobs}
    assert stats == ServeStats(
        requests=3, sent=150, missing=10, bytes_sent=sum(len(b) for b in blobs)
    )


async def test_a_zero_buffer_stream_does_not_deadlock() -> None:
    blobs = [bytes([i]) * (1000 * i + 1) for i in range(100)]
    source = source_of(*(("image/png", b) for b in blobs), ("image/jpeg", PHOTO))

    found, _ = await fetch_with_server(source, [h(PHOTO), *(h(b) for b in blobs)], lockstep=True)

    assert len(found) == 101


async def test_a_blob_over_the_clients_limit_is_answered_missing_without_blame() -> None:
    source = source_of(("image/png", AVATAR), ("image/gif", SMALL))

    found, stats = await fetch_with_server(source, [h(AVATAR), h(SMALL)], max_blob_size=100)

    assert found == {h(SMALL): ("image/gif", SMALL)}
    assert stats.missing == 1


async def test_the_server_never_sends_a_blob_its_store_damaged_or_cannot_label() -> None:
    source = DictSource(
        {h(AVATAR): ("image/png", AVATAR[:-1] + b"?"), h(SMALL): ("image/gif; x=1", SMALL)}
    )

    found, stats = await fetch_with_server(source, [h(AVATAR), h(SMALL)])

    assert found == {}
    assert stats.missing == 2


async def test_no_hashes_fetch_nothing() -> None:
    found, stats = await fetch_with_server(source_of(), [])

    assert found == {}
    assert stats == ServeStats()


class Untouchable:
    """A stream that fails the test when used."""

    async def send_all(self, data: bytes) -> None:
        raise AssertionError("sent")

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        raise AssertionError("received")

    async def aclose(self) -> None:
        raise AssertionError("closed")


async def test_a_malformed_hash_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match=r"^a blob hash is 32 bytes$"):
        await fetch_blobs(Untouchable(), [h(SMALL), b"short"])


async def test_a_server_sending_wrong_bytes_is_blamed_and_told_why() -> None:
    told: list[str] = []

    async def liar(stream: trio.abc.Stream) -> None:
        session = BlobServerSession()
        await read_request(stream, session)
        honest = b"".join(session.send_blob(h(SMALL), "image/gif", SMALL))
        lie = b"".join(session.send_blob(h(AVATAR), "image/png", b"not the avatar"))
        await stream.send_all(honest + lie)
        with pytest.raises(RemoteAborted) as aborted:
            while True:
                session.receive_data(await stream.receive_some())
                session.next_event()
        told.append(str(aborted.value))

    with trio.fail_after(5):
        failed = await fetch_from_fake(liar, [h(SMALL), h(AVATAR)])

    assert failed.remote_fault is True
    assert (
        str(failed) == f"the peer sent a wrong blob for {h(AVATAR).hex()}: its bytes hash otherwise"
    )
    assert failed.received == {h(SMALL): ("image/gif", SMALL)}
    assert told == [str(failed)]


async def test_a_server_answering_what_was_not_asked_is_blamed() -> None:
    async def confused(stream: trio.abc.Stream) -> None:
        await stream.receive_some()
        await stream.send_all(encode_frame(msgpack.packb(["missing", ABSENT])))
        await trio.sleep_forever()

    with trio.fail_after(5):
        failed = await fetch_from_fake(confused, [h(SMALL)])

    assert failed.remote_fault is True
    assert str(failed) == (
        f"peer broke the blob protocol: answer for {ABSENT.hex()}, "
        "which was not requested or was answered"
    )


async def test_a_stalling_server_times_out_without_blame(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async def staller(stream: trio.abc.Stream) -> None:
        await read_request(stream, BlobServerSession())
        await trio.sleep_forever()

    start = trio.current_time()
    failed = await fetch_from_fake(staller, [h(SMALL)], idle_timeout=30)

    assert failed.remote_fault is False
    assert str(failed) == "blob fetch stalled: no progress for 30 s"
    assert trio.current_time() - start == pytest.approx(30)


async def test_a_link_lost_mid_blob_is_not_blamed_and_keeps_the_verified_blobs() -> None:
    async def cut(stream: trio.abc.Stream) -> None:
        session = BlobServerSession()
        await read_request(stream, session)
        wire = b"".join(session.send_blob(h(SMALL), "image/gif", SMALL))
        wire += b"".join(session.send_blob(h(PHOTO), "image/jpeg", PHOTO))
        await stream.send_all(wire[: len(wire) // 2])
        await stream.aclose()

    with trio.fail_after(5):
        failed = await fetch_from_fake(cut, [h(SMALL), h(PHOTO)])

    assert failed.remote_fault is False
    assert str(failed) == (
        "connection lost during blob fetch: the peer closed the stream before answering every hash"
    )
    assert failed.received == {h(SMALL): ("image/gif", SMALL)}


async def test_a_cancelled_fetch_still_closes_its_stream() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()

    with trio.move_on_after(0.1) as scope:
        await fetch_blobs(client_stream, [h(SMALL)])

    assert scope.cancelled_caught
    request = await server_stream.receive_some()
    assert request == BlobClientSession().send_request([h(SMALL)])
    assert await server_stream.receive_some() == b""  # end of stream: the client closed


async def test_a_server_error_message_ends_the_fetch_without_blame() -> None:
    async def busy(stream: trio.abc.Stream) -> None:
        await read_request(stream, session := BlobServerSession())
        await stream.send_all(session.send_error("busy"))

    with trio.fail_after(5):
        failed = await fetch_from_fake(busy, [h(SMALL)])

    assert failed.remote_fault is False
    assert str(failed) == "peer ended the blob session: busy"


async def test_a_client_that_breaks_the_protocol_is_blamed_and_told_why() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.send_all(encode_frame(msgpack.packb(["missing", ABSENT])))

    with trio.fail_after(5), pytest.raises(BlobServeFailed) as failed:
        await serve_blobs(server_stream, source_of())

    assert failed.value.remote_fault is True
    assert str(failed.value) == "peer broke the blob protocol: unexpected 'missing' in state idle"
    client = BlobClientSession()
    client.receive_data(await client_stream.receive_some())
    with pytest.raises(RemoteAborted, match=r"^unexpected 'missing' in state idle$"):
        client.next_event()


async def test_a_client_that_closes_between_requests_ends_the_session_normally() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    stats: list[ServeStats] = []

    async def serve() -> None:
        stats.append(await serve_blobs(server_stream, source_of(("image/gif", SMALL))))

    client = BlobClientSession()
    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve)
            await client_stream.send_all(client.send_request([h(SMALL)]))
            while not client.idle:
                client.receive_data(await client_stream.receive_some())
                while client.next_event() is not None:
                    pass
            await client_stream.aclose()  # without sending done

    assert stats == [ServeStats(requests=1, sent=1, missing=0, bytes_sent=len(SMALL))]


async def test_a_client_that_closes_mid_request_is_a_lost_link() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.send_all(BlobClientSession().send_request([h(SMALL)])[:-3])
    await client_stream.aclose()

    with trio.fail_after(5), pytest.raises(BlobServeFailed) as failed:
        await serve_blobs(server_stream, source_of())

    assert failed.value.remote_fault is False
    assert str(failed.value) == (
        "connection lost while serving blobs: the peer closed the stream in the middle of a message"
    )


async def test_a_silent_client_times_out_without_blame(
    autojump_clock: trio.testing.MockClock,
) -> None:
    _client_stream, server_stream = trio.testing.memory_stream_pair()

    with pytest.raises(BlobServeFailed) as failed:
        await serve_blobs(server_stream, source_of(), idle_timeout=5)

    assert failed.value.remote_fault is False
    assert str(failed.value) == "blob session stalled: no progress for 5 s"
