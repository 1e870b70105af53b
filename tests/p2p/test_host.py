"""The libp2p host (p2p.host), the buffered stream adapter (p2p.streams) and log routing.

Hosts run for real on 127.0.0.1 (fixtures in conftest.py); BufferedStream's batching rules are
also checked against an in-memory fake so the exact chunking is visible.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import struct
import threading
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import base58
import multiaddr  # type: ignore[import-untyped]
import nacl.signing
import pytest
import trio
import trio.testing
from libp2p import new_host
from libp2p.abc import IHost, INetStream
from libp2p.crypto.ed25519 import Ed25519PrivateKey
from libp2p.crypto.keys import KeyPair, PublicKey
from libp2p.custom_types import TProtocol
from libp2p.network.exceptions import SwarmException
from libp2p.peer.peerinfo import info_from_p2p_addr
from libp2p.security.insecure.transport import PLAINTEXT_PROTOCOL_ID, InsecureTransport
from libp2p.stream_muxer.yamux.yamux import PROTOCOL_ID as YAMUX_PROTOCOL_ID
from libp2p.stream_muxer.yamux.yamux import Yamux

from p2p.errors import (
    DialError,
    InvalidAddressError,
    ListenError,
    StreamBrokenError,
    StreamClosedError,
    StreamOpenError,
)
from p2p.host import P2PHost, open_host, peer_id_from_public_key, peer_id_from_seed
from p2p.logging_setup import route_libp2p_logging
from p2p.streams import DEFAULT_WRITE_CHUNK, BufferedStream

LOOPBACK = "/ip4/127.0.0.1/tcp/0"
HELLO = "/smd-test/hello/1"
ECHO = "/smd-test/echo/1"
HOLD = "/smd-test/hold/1"
BROKEN = "/smd-test/broken/1"


# --- helpers ---------------------------------------------------------------------------------


def expected_peer_id(seed: bytes) -> str:
    """The PeerID of a seed, computed without libp2p: base58(00 24 08 01 12 20 || public key)."""
    public_key = nacl.signing.SigningKey(seed).verify_key.encode()
    return base58.b58encode(bytes.fromhex("002408011220") + public_key).decode()


def message(i: int) -> bytes:
    """The i-th test message: about 200 bytes (150 to 249), unique, checkable."""
    return struct.pack(">I", i) + bytes([i % 251]) * (146 + i % 100)


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def unframe(buffer: bytearray) -> Iterator[bytes]:
    """Pop every complete length-prefixed frame off the front of ``buffer``."""
    while len(buffer) >= 4:
        (size,) = struct.unpack_from(">I", buffer)
        if len(buffer) < 4 + size:
            return
        yield bytes(buffer[4 : 4 + size])
        del buffer[: 4 + size]


async def echo(stream: INetStream) -> None:
    async with BufferedStream(stream) as buffered:
        while data := await buffered.read_some():
            await buffered.send_all(data)  # write + flush: the dialer may be waiting for it


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds; callers bound the wait with trio.fail_after."""
    while not condition():
        await trio.sleep(0.01)


@asynccontextmanager
async def running(host: IHost) -> AsyncIterator[IHost]:
    """Run a raw py-libp2p host on loopback, closing its connections at the end."""
    async with host.run([multiaddr.Multiaddr(LOOPBACK)]):
        try:
            yield host
        finally:
            await host.close()


class KeyClaimingAnotherIdentity(Ed25519PrivateKey):
    """A private key that presents someone else's public key: /plaintext/2.0.0 never checks."""

    def __init__(self, claimed: PublicKey) -> None:
        super().__init__(Ed25519PrivateKey.new().impl)
        self._claimed = claimed

    def get_public_key(self) -> PublicKey:
        return self._claimed


def impersonating_plaintext_host(victim_seed: bytes) -> IHost:
    """A host built the library's default way, but offering only plaintext and claiming to be
    the owner of ``victim_seed`` while knowing only its public key."""
    victim_public = Ed25519PrivateKey.new(victim_seed).get_public_key()
    claimed = KeyPair(KeyClaimingAnotherIdentity(victim_public), victim_public)
    return new_host(
        sec_opt={TProtocol(PLAINTEXT_PROTOCOL_ID): InsecureTransport(claimed)},
        muxer_opt={TProtocol(YAMUX_PROTOCOL_ID): Yamux},
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- identity --------------------------------------------------------------------------------


async def test_the_remote_peer_id_a_handler_sees_is_the_dialers_device_key(
    listener: P2PHost, dialer: P2PHost, dialer_seed: bytes
) -> None:
    seen: list[str] = []

    async def hello(stream: INetStream) -> None:
        seen.append(stream.muxed_conn.peer_id.to_base58())
        await stream.write(b"hi")
        await stream.close()

    listener.set_stream_handler(HELLO, hello)
    with trio.fail_after(10):
        assert await dialer.connect(listener.listen_addrs[0]) == listener.peer_id
        async with BufferedStream(await dialer.new_stream(listener.peer_id, HELLO)) as stream:
            assert await stream.read_some() == b"hi"
            assert await stream.read_some() == b""

    assert seen == [expected_peer_id(dialer_seed)]
    assert dialer.peer_id == expected_peer_id(dialer_seed)
    assert dialer.peer_id.startswith("12D3KooW")
    assert listener.peer_id in dialer.connected_peers()


def test_peer_id_helpers_inline_the_ed25519_public_key() -> None:
    seed = os.urandom(32)
    public_key = nacl.signing.SigningKey(seed).verify_key.encode()
    assert peer_id_from_seed(seed) == expected_peer_id(seed)
    assert peer_id_from_public_key(public_key) == expected_peer_id(seed)
    with pytest.raises(ValueError, match=r"^an Ed25519 seed is 32 bytes, got 31$"):
        peer_id_from_seed(seed[:31])


async def test_listen_addrs_carry_the_chosen_port_and_the_peer_id(listener: P2PHost) -> None:
    [addr] = listener.listen_addrs
    assert addr.startswith("/ip4/127.0.0.1/tcp/")
    assert not addr.startswith("/ip4/127.0.0.1/tcp/0/")
    assert addr.endswith(f"/p2p/{listener.peer_id}")


# --- security: Noise only --------------------------------------------------------------------


async def test_a_plaintext_impersonator_cannot_connect_to_our_host(listener: P2PHost) -> None:
    victim_seed = os.urandom(32)
    reached_by: list[str] = []

    async def hello(stream: INetStream) -> None:
        reached_by.append(stream.muxed_conn.peer_id.to_base58())
        await stream.close()

    # Control: the impersonator does get through to a host built the default way, which also
    # offers plaintext, and its handler believes the victim is calling. So the attack is real.
    default_host = new_host()
    default_host.set_stream_handler(TProtocol(HELLO), hello)
    listener.set_stream_handler(HELLO, hello)
    with trio.fail_after(10):
        async with (
            running(impersonating_plaintext_host(victim_seed)) as attacker,
            running(default_host),
        ):
            victim_addr = info_from_p2p_addr(default_host.get_addrs()[0])
            await attacker.connect(victim_addr)
            stream = await attacker.new_stream(victim_addr.peer_id, [TProtocol(HELLO)])
            with pytest.raises(EOFError):
                await stream.read(1)  # the handler ran and closed the stream
            assert reached_by == [expected_peer_id(victim_seed)]

            ours = info_from_p2p_addr(multiaddr.Multiaddr(listener.listen_addrs[0]))
            with pytest.raises(SwarmException, match=r"^unable to connect"):
                await attacker.connect(ours)
            with pytest.raises(SwarmException, match=r"unable to connect|negative cache"):
                await attacker.new_stream(ours.peer_id, [TProtocol(HELLO)])

    assert reached_by == [expected_peer_id(victim_seed)]  # our handler never ran
    assert listener.connected_peers() == []


async def test_dialing_a_plaintext_only_host_fails_with_a_plain_reason(dialer: P2PHost) -> None:
    with trio.fail_after(10):
        async with running(impersonating_plaintext_host(os.urandom(32))) as plaintext:
            addr = str(plaintext.get_addrs()[0])
            with pytest.raises(DialError) as failure:
                await dialer.connect(addr)
    assert str(failure.value) == (
        f"could not connect to {plaintext.get_id()} at {addr}: the remote does not offer Noise"
    )
    assert dialer.connected_peers() == []


async def test_an_address_with_the_wrong_peer_id_is_refused(
    listener: P2PHost, dialer: P2PHost
) -> None:
    someone_else = peer_id_from_seed(os.urandom(32))
    wrong = listener.listen_addrs[0].replace(listener.peer_id, someone_else)
    with trio.fail_after(10), pytest.raises(DialError) as failure:
        await dialer.connect(wrong)
    assert failure.value.reason == "the remote proved a different peer id"
    assert failure.value.peer_id == someone_else


# --- dialing errors --------------------------------------------------------------------------


async def test_dialing_a_closed_port_raises_dial_error_quickly(dialer: P2PHost) -> None:
    nobody = peer_id_from_seed(os.urandom(32))
    addr = f"/ip4/127.0.0.1/tcp/{closed_port()}/p2p/{nobody}"
    with trio.fail_after(3), pytest.raises(DialError) as failure:
        await dialer.connect(addr)
    assert str(failure.value) == f"could not connect to {nobody} at {addr}: connection refused"
    assert (failure.value.peer_id, failure.value.address) == (nobody, addr)


async def test_a_failed_dial_does_not_block_the_next_attempt(
    listener: P2PHost, dialer: P2PHost
) -> None:
    # py-libp2p refuses to redial a peer for 60 s after a failed dial, even at a new address
    stale = f"/ip4/127.0.0.1/tcp/{closed_port()}/p2p/{listener.peer_id}"
    with trio.fail_after(10):
        with pytest.raises(DialError, match=r": connection refused$"):
            await dialer.connect(stale)
        assert await dialer.connect(listener.listen_addrs[0]) == listener.peer_id


@pytest.mark.parametrize(
    ("address", "complaint"),
    [
        ("junk", r"^'junk' is not a valid multiaddr: .*"),
        (
            "/ip4/127.0.0.1/tcp/4001",
            r"^'/ip4/127\.0\.0\.1/tcp/4001' does not end in /p2p/<peer id>$",
        ),
        (f"/p2p/{peer_id_from_seed(bytes(32))}", r"^'/p2p/\w+' has a peer id but no transport"),
    ],
)
async def test_malformed_addresses_are_the_callers_fault(
    dialer: P2PHost, address: str, complaint: str
) -> None:
    with pytest.raises(InvalidAddressError, match=complaint):
        await dialer.connect(address)


async def test_dialing_itself_is_refused(dialer: P2PHost) -> None:
    with pytest.raises(InvalidAddressError, match=r"is this host's own address$"):
        await dialer.connect(dialer.listen_addrs[0])


async def test_a_bad_peer_id_text_is_refused(dialer: P2PHost) -> None:
    with pytest.raises(InvalidAddressError, match=r"^'xyz' is not a libp2p peer id$"):
        await dialer.new_stream("xyz", HELLO)


async def test_a_protocol_the_peer_lacks_fails_to_open(listener: P2PHost, dialer: P2PHost) -> None:
    with trio.fail_after(10):
        await dialer.connect(listener.listen_addrs[0])
        with pytest.raises(StreamOpenError, match=r"^could not open a /nope/1 stream to 12D3"):
            await dialer.new_stream(listener.peer_id, "/nope/1")
    assert listener.peer_id in dialer.connected_peers()


async def test_a_taken_port_raises_listen_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            ListenError, match=r"^could listen on only 0 of: /ip4/127\.0\.0\.1/tcp/"
        ):
            async with open_host(os.urandom(32), [f"/ip4/127.0.0.1/tcp/{port}"]):
                pass


# --- handlers and shutdown -------------------------------------------------------------------


async def test_a_failing_handler_resets_its_stream_but_keeps_the_connection(
    listener: P2PHost, dialer: P2PHost
) -> None:
    async def broken(stream: INetStream) -> None:
        raise RuntimeError("bug in a handler")

    listener.set_stream_handler(BROKEN, broken)
    listener.set_stream_handler(ECHO, echo)
    with trio.fail_after(10):
        await dialer.connect(listener.listen_addrs[0])
        failing = BufferedStream(await dialer.new_stream(listener.peer_id, BROKEN))
        with pytest.raises(
            StreamBrokenError,
            match=r"^the stream was reset, by the remote or by a lost connection, while reading$",
        ):
            await failing.read_some()
        async with BufferedStream(await dialer.new_stream(listener.peer_id, ECHO)) as working:
            await working.send_all(b"still here")
            assert await working.read_some() == b"still here"


async def test_an_exception_in_the_block_comes_out_unwrapped() -> None:
    # BasicHost.run() nests nurseries: without unwrapping, this would be an ExceptionGroup.
    with pytest.raises(KeyError, match="mine"):
        async with open_host(os.urandom(32), [LOOPBACK]):
            raise KeyError("mine")


@pytest.mark.parametrize("how", ["block ends", "block is cancelled"])
async def test_leaving_a_host_disconnects_its_peers_and_leaks_nothing(
    listener: P2PHost, how: str
) -> None:
    outcome: list[bytes | str] = []
    handler_done = trio.Event()

    async def hold(stream: INetStream) -> None:
        try:
            outcome.append(await BufferedStream(stream).read_some())
        except StreamBrokenError:
            outcome.append("broken")
        handler_done.set()

    listener.set_stream_handler(HOLD, hold)
    threads_before = threading.active_count()
    with trio.fail_after(10):
        with trio.CancelScope() as scope:
            async with open_host(os.urandom(32), [LOOPBACK]) as leaving:
                await leaving.connect(listener.listen_addrs[0])
                await leaving.new_stream(listener.peer_id, HOLD)  # left open on purpose
                leaving_id = leaving.peer_id
                if how == "block is cancelled":
                    scope.cancel()
                    await trio.sleep_forever()
        await handler_done.wait()  # the remote noticed: its blocked read ended
        await wait_until(lambda: leaving_id not in listener.connected_peers())
    assert outcome in ([b""], ["broken"])
    assert threading.active_count() == threads_before
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


# --- bulk transfer through BufferedStream ----------------------------------------------------


async def test_ten_thousand_messages_echo_back_complete_and_in_order(
    listener: P2PHost, dialer: P2PHost
) -> None:
    count = 10_000
    sent = [message(i) for i in range(count)]
    received: list[bytes] = []
    listener.set_stream_handler(ECHO, echo)

    with trio.fail_after(15):
        await dialer.connect(listener.listen_addrs[0])
        stream = BufferedStream(await dialer.new_stream(listener.peer_id, ECHO))

        async def send_all_messages() -> None:
            for payload in sent:
                await stream.write(frame(payload))
            await stream.send_eof()

        async def receive_all_messages() -> None:
            buffer = bytearray()
            while data := await stream.read_some():
                buffer += data
                received.extend(unframe(buffer))
            assert buffer == b""

        async with trio.open_nursery() as nursery:
            nursery.start_soon(send_all_messages)
            nursery.start_soon(receive_all_messages)
        await stream.close()

    assert len(received) == count
    assert received == sent


# --- BufferedStream rules, against an in-memory fake ------------------------------------------


class FakeRawStream:
    """Records writes; serves reads from a script of chunks, then end of stream."""

    def __init__(self, incoming: list[bytes] | None = None) -> None:
        self.incoming = list(incoming or [])
        self.writes: list[bytes] = []
        self.events: list[str] = []

    async def read(self, n: int | None = None) -> bytes:
        await trio.lowlevel.checkpoint()
        if not self.incoming:
            raise EOFError
        chunk = self.incoming.pop(0)
        if n is not None and len(chunk) > n:
            chunk, rest = chunk[:n], chunk[n:]
            self.incoming.insert(0, rest)
        return chunk

    async def write(self, data: bytes) -> None:
        await trio.lowlevel.checkpoint()
        self.writes.append(data)

    async def close(self) -> None:
        self.events.append("close")

    async def reset(self) -> None:
        self.events.append("reset")


async def test_small_writes_leave_in_full_chunks_and_flush_sends_the_rest() -> None:
    raw = FakeRawStream()
    stream = BufferedStream(raw)
    for _ in range(1000):
        await stream.write(b"x" * 200)  # 200 000 bytes
    assert [len(w) for w in raw.writes] == [DEFAULT_WRITE_CHUNK] * 3
    assert stream.pending_write_bytes == 200_000 - 3 * DEFAULT_WRITE_CHUNK
    await stream.flush()
    assert [len(w) for w in raw.writes] == [DEFAULT_WRITE_CHUNK] * 3 + [3_479]
    assert b"".join(raw.writes) == b"x" * 200_000
    await stream.flush()
    assert len(raw.writes) == 4  # nothing pending: no empty write


async def test_reads_return_at_most_max_bytes_and_keep_the_rest() -> None:
    stream = BufferedStream(FakeRawStream([b"abcdef", b"gh"]))
    assert await stream.read_some(4) == b"abcd"
    assert await stream.read_some(4) == b"ef"
    assert await stream.read_some(4) == b"gh"
    assert await stream.read_some(4) == b""
    assert await stream.read_some(4) == b""


async def test_closing_flushes_and_an_exception_resets_instead() -> None:
    raw = FakeRawStream()
    async with BufferedStream(raw) as stream:
        await stream.write(b"last words")
    assert (raw.writes, raw.events) == ([b"last words"], ["close"])
    with pytest.raises(StreamClosedError, match=r"^write to a stream this side already closed$"):
        await stream.write(b"more")

    raw = FakeRawStream()
    with pytest.raises(RuntimeError):
        async with BufferedStream(raw) as stream:
            await stream.write(b"half a message")
            raise RuntimeError("sender failed midway")
    assert (raw.writes, raw.events) == ([], ["reset"])


async def test_after_a_cancelled_write_close_resets_rather_than_ending_cleanly() -> None:
    class StallingRawStream(FakeRawStream):
        async def write(self, data: bytes) -> None:
            await trio.sleep_forever()

    raw = StallingRawStream()
    stream = BufferedStream(raw, write_chunk_size=4)
    with trio.move_on_after(0.01):
        await stream.write(b"12345678")  # the first chunk never finishes
    with pytest.raises(StreamBrokenError, match=r"^the stream can no longer be written: "):
        await stream.write(b"more")
    await stream.close()
    assert raw.events == ["reset"]


async def test_two_concurrent_readers_are_refused() -> None:
    class SlowRawStream(FakeRawStream):
        async def read(self, n: int | None = None) -> bytes:
            await trio.sleep_forever()
            raise AssertionError("unreachable")

    stream = BufferedStream(SlowRawStream())
    async with trio.open_nursery() as nursery:
        nursery.start_soon(stream.read_some)
        await trio.testing.wait_all_tasks_blocked()
        with pytest.raises(trio.BusyResourceError):
            await stream.read_some()
        nursery.cancel_scope.cancel()


# --- log routing -----------------------------------------------------------------------------


class RecordList(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_records() -> Iterator[list[logging.LogRecord]]:
    """What reaches the root logger's handlers; libp2p's logger setup is restored afterwards.

    (Not caplog: pytest also hangs its handlers directly on non-propagating loggers such as
    ``libp2p``, which would show records the router never passed on.)
    """
    libp2p_logger = logging.getLogger("libp2p")
    multiaddr_logger = logging.getLogger("multiaddr")
    saved = (list(libp2p_logger.handlers), libp2p_logger.level, libp2p_logger.propagate)
    saved_multiaddr_level = multiaddr_logger.level
    collector = RecordList()
    logging.getLogger().addHandler(collector)
    yield collector.records
    logging.getLogger().removeHandler(collector)
    libp2p_logger.handlers[:] = saved[0]
    libp2p_logger.setLevel(saved[1])
    libp2p_logger.propagate = saved[2]
    multiaddr_logger.setLevel(saved_multiaddr_level)


def test_routine_disconnect_errors_are_demoted_and_the_rest_reach_the_root(
    root_records: list[logging.LogRecord],
) -> None:
    route_libp2p_logging(logging.DEBUG)
    yamux = logging.getLogger("libp2p.stream_muxer.yamux.yamux")
    yamux.warning(  # seen when the remote process was killed mid-transfer
        "Yamux connection closed unexpectedly for peer 12D3KooWx: Connection closed during "
        "read operation: expected 65535 bytes but received 65481 bytes. Transport: unknown."
    )
    logging.getLogger("libp2p.transport.tcp.tcp").error("Failed to open TCP stream: refused")
    logging.getLogger("libp2p.identity.identify").error("Failed to parse identify response")

    assert [(r.name, r.levelname) for r in root_records] == [
        ("libp2p.stream_muxer.yamux.yamux", "DEBUG"),
        ("libp2p.transport.tcp.tcp", "DEBUG"),
        ("libp2p.identity.identify", "ERROR"),
    ]
    assert logging.getLogger("multiaddr").getEffectiveLevel() == logging.INFO  # no parse traces


def test_records_below_the_level_are_dropped_after_demotion(
    root_records: list[logging.LogRecord],
) -> None:
    route_libp2p_logging(logging.WARNING)
    route_libp2p_logging(logging.WARNING)  # a second call replaces the first router
    logging.getLogger("libp2p.network.auto_connector").info("AUTO_CONNECTOR_STATE: ...")
    logging.getLogger("libp2p.network.swarm").error("Error closing secured_conn for peer x")
    logging.getLogger("libp2p.network.swarm").warning("something odd")
    assert [(r.levelname, r.getMessage()) for r in root_records] == [("WARNING", "something odd")]
