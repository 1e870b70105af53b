"""Peer exchange: the sans-IO sessions, hostile input, the Trio drivers, and two real hosts."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgpack
import pytest
import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st
from libp2p.abc import INetStream

from p2p.framing import HEADER, encode_frame
from p2p.host import P2PHost
from p2p.invite import peer_id_from_device
from p2p.peer_exchange import (
    CLIENT_MAX_FRAME,
    MAX_WANTED_GROUPS,
    PROTOCOL_ID,
    SERVER_MAX_FRAME,
    TRANSITIONS,
    ExchangeClientSession,
    ExchangeServerSession,
    LocalProtocolError,
    PeerExchangeFailed,
    PeersOffered,
    PeersWanted,
    RemoteAborted,
    RemoteProtocolError,
    Role,
    State,
    exchange_peers,
    serve_peer_exchange,
)
from p2p.peerbook import (
    MAX_ADDRS_PER_PEER,
    MAX_EXCHANGE_ENTRIES,
    MAX_GROUPS_PER_PEER,
    ExchangeEntry,
    PeerBook,
)
from p2p.streams import BufferedStream

G1, G2, G3 = (bytes([n]) * 32 for n in (1, 2, 3))
ALICE = peer_id_from_device(bytes([0xA1]) * 32)
BOB = peer_id_from_device(bytes([0xB0]) * 32)
ENTRY_ALICE = ExchangeEntry(ALICE, ("/ip4/192.168.1.20/tcp/4001",), (G1,))
ENTRY_BOB = ExchangeEntry(BOB, ("/ip4/10.0.0.7/tcp/9", "/dns4/bob.example/tcp/9"), (G1, G2))

type Wire = list[Any]


def pack(message: Any) -> bytes:
    return encode_frame(msgpack.packb(message, use_bin_type=True))


def asked(groups: Sequence[bytes]) -> tuple[ExchangeClientSession, ExchangeServerSession]:
    """A client that sent a request for ``groups`` and a server that read it."""
    client, server = ExchangeClientSession(), ExchangeServerSession()
    server.receive_data(client.send_request(groups))
    assert server.next_event() == PeersWanted(tuple(groups))
    return client, server


def client_reading(wire: Wire, groups: Sequence[bytes] = (G1, G2)) -> PeersOffered | None:
    """What a client that asked for ``groups`` makes of the answer ``["peers", wire]``."""
    client = ExchangeClientSession()
    client.send_request(groups)
    client.receive_data(pack(["peers", wire]))
    return client.next_event()


# -- sans-IO: the happy path ----------------------------------------------------------------


def test_request_and_answer_round_trip() -> None:
    client, server = asked([G1, G2, G3])
    client.receive_data(server.send_answer([ENTRY_ALICE, ENTRY_BOB]))

    assert client.next_event() == PeersOffered((ENTRY_ALICE, ENTRY_BOB))
    assert client.state is server.state is State.DONE


def test_an_empty_request_gets_an_empty_answer() -> None:
    client, server = asked([])
    client.receive_data(server.send_answer([]))
    assert client.next_event() == PeersOffered(())


def test_the_answer_arrives_byte_by_byte() -> None:
    client, server = asked([G1])
    wire = server.send_answer([ENTRY_ALICE])
    for index in range(len(wire) - 1):
        client.receive_data(wire[index : index + 1])
        assert client.next_event() is None
    client.receive_data(wire[-1:])
    assert client.next_event() == PeersOffered((ENTRY_ALICE,))


def test_addresses_come_back_canonical() -> None:
    offered = client_reading([[ALICE, ["/ip6/FD00:0:0:0:0:0:0:2/tcp/9"], [G1]]])
    assert offered == PeersOffered((ExchangeEntry(ALICE, ("/ip6/fd00::2/tcp/9",), (G1,)),))


def test_the_table_is_one_request_then_one_answer() -> None:
    assert TRANSITIONS == {
        (State.IDLE, "want"): (Role.CLIENT, State.ANSWERING),
        (State.ANSWERING, "peers"): (Role.SERVER, State.DONE),
    }
    assert PROTOCOL_ID == "/smd/px/1.0.0"


def test_the_largest_valid_messages_fit_their_frames() -> None:
    groups = [i.to_bytes(32, "big") for i in range(MAX_WANTED_GROUPS)]
    client, server = ExchangeClientSession(), ExchangeServerSession()
    request = client.send_request(groups)
    assert len(request) - HEADER.size <= SERVER_MAX_FRAME
    server.receive_data(request)
    assert server.next_event() == PeersWanted(tuple(groups))

    # "/dns4/" + an 84-character name + "/tcp/65535" is the longest address: 100 characters
    host = "h" * 40 + "." + "h" * 40 + ".x"
    addrs = tuple(f"/dns4/{host}{n}/tcp/65535" for n in range(MAX_ADDRS_PER_PEER))
    entries = [
        ExchangeEntry(
            peer_id_from_device(i.to_bytes(32, "big")), addrs, tuple(groups[:MAX_GROUPS_PER_PEER])
        )
        for i in range(MAX_EXCHANGE_ENTRIES)
    ]
    assert all(len(a) == 100 for a in addrs)
    answer = server.send_answer(entries)
    assert len(answer) - HEADER.size <= CLIENT_MAX_FRAME
    client.receive_data(answer)
    assert client.next_event() == PeersOffered(tuple(entries))


# -- sans-IO: our own mistakes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "reason"),
    [
        ([b"short"], "a group id is 32 bytes"),
        ([G1, G1], "a request names each group once"),
        ([bytes(32)] * (MAX_WANTED_GROUPS + 1), "a request names at most 4096 groups"),
    ],
)
def test_a_malformed_request_is_a_local_error(groups: list[bytes], reason: str) -> None:
    with pytest.raises(LocalProtocolError, match=rf"^{reason}$"):
        ExchangeClientSession().send_request(groups)


def test_the_client_asks_once() -> None:
    client = ExchangeClientSession()
    client.send_request([G1])
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'want' in state answering$"):
        client.send_request([G1])


def test_the_server_answers_only_a_request_and_only_once() -> None:
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'peers' in state idle$"):
        ExchangeServerSession().send_answer([])
    _, server = asked([G1])
    server.send_answer([])
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'peers' in state done$"):
        server.send_answer([])


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ([ENTRY_ALICE] * 2, f"entry 1: repeats peer {ALICE}"),
        ([ExchangeEntry(ALICE, ENTRY_ALICE.addrs, (G3,))], "entry 0: an entry names a group"),
        ([ExchangeEntry(ALICE, (), (G1,))], "entry 0: a peer has 1 to 8 addresses"),
        ([ExchangeEntry("QmNope", ENTRY_ALICE.addrs, (G1,))], "entry 0: 'QmNope' is not an"),
    ],
)
def test_the_server_refuses_to_send_what_the_client_would_reject(
    entries: list[ExchangeEntry], reason: str
) -> None:
    _, server = asked([G1, G2])
    with pytest.raises(LocalProtocolError, match=rf"^{reason}"):
        server.send_answer(entries)
    assert server.state is State.ANSWERING  # still free to answer properly


# -- sans-IO: the remote's mistakes ----------------------------------------------------------

ADDR = "/ip4/192.168.1.20/tcp/4001"
GOOD: Wire = [ALICE, [ADDR], [G1]]


@pytest.mark.parametrize(
    ("wire", "reason"),
    [
        ("nope", "peers takes a list of entries"),
        ([GOOD] * 2, f"entry 1: repeats peer {ALICE}"),
        ([GOOD[:2]], "entry 0: an entry is \\[peer, addrs, groups\\]"),
        ([[7, GOOD[1], GOOD[2]]], "entry 0: a peer is a PeerID text"),
        ([["QmNope", GOOD[1], GOOD[2]]], "entry 0: 'QmNope' is not an Ed25519 PeerID"),
        ([["z" * 100_000, GOOD[1], GOOD[2]]], "entry 0: 'zzzz.*\\.\\.\\. is not an Ed25519"),
        ([[ALICE, [], GOOD[2]]], "entry 0: a peer has 1 to 8 addresses"),
        ([[ALICE, [ADDR] * 9, GOOD[2]]], "entry 0: a peer has 1 to 8 addresses"),
        ([[ALICE, [b"/ip4/1.2.3.4/tcp/1"], GOOD[2]]], "entry 0: an address is multiaddr text"),
        ([[ALICE, ["/ip4/1.2.3.4/udp/1/quic-v1"], GOOD[2]]], "entry 0: '/ip4/1.2.3.4/udp/1/qu"),
        ([[ALICE, ["/ip4/0.0.0.0/tcp/1"], GOOD[2]]], "entry 0: '/ip4/0.0.0.0/tcp/1' is a list"),
        ([[ALICE, [ADDR] * 2, GOOD[2]]], "entry 0: an entry names each address once"),
        ([[ALICE, GOOD[1], []]], "entry 0: a peer has 1 to 32 groups"),
        ([[ALICE, GOOD[1], ["g" * 32]]], "entry 0: a group id is 32 bytes"),
        ([[ALICE, GOOD[1], [G1, G1]]], "entry 0: an entry names each group once"),
        ([[ALICE, GOOD[1], [G3]]], "entry 0: an entry names a group that was not asked for"),
    ],
)
def test_a_malformed_answer_is_the_servers_fault(wire: Any, reason: str) -> None:
    with pytest.raises(RemoteProtocolError, match=rf"^{reason}"):
        client_reading(wire)


def test_more_than_64_entries_is_the_servers_fault() -> None:
    wire = [[peer_id_from_device(i.to_bytes(32, "big")), GOOD[1], GOOD[2]] for i in range(65)]
    with pytest.raises(RemoteProtocolError, match=r"^an answer holds at most 64 entries$"):
        client_reading(wire)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (["want", [G1]], "unexpected 'want' in state answering"),
        (["peers"], "peers takes exactly one argument"),
        (["peers", [], "extra"], "peers takes exactly one argument"),
        ({"peers": []}, "malformed message: "),
        ([], "a message is an array starting with its kind"),
        ([1, 2], "a message is an array starting with its kind"),
    ],
)
def test_an_unexpected_message_is_the_servers_fault(message: Any, reason: str) -> None:
    client = ExchangeClientSession()
    client.send_request([G1])
    client.receive_data(pack(message))
    with pytest.raises(RemoteProtocolError, match=rf"^{reason}"):
        client.next_event()
    assert client.state is State.ERROR


def test_anything_after_the_answer_is_the_servers_fault() -> None:
    client, server = asked([G1])
    client.receive_data(server.send_answer([ENTRY_ALICE]) + pack(["peers", []]))
    assert client.next_event() == PeersOffered((ENTRY_ALICE,))
    with pytest.raises(RemoteProtocolError, match=r"^unexpected 'peers' in state done$"):
        client.next_event()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("nope", "want takes a list of groups"),
        ([G1, b"short"], "a group id is 32 bytes"),
        ([G1, G1], "a request names each group once"),
    ],
)
def test_a_malformed_request_is_the_clients_fault(payload: Any, reason: str) -> None:
    server = ExchangeServerSession()
    server.receive_data(pack(["want", payload]))
    with pytest.raises(RemoteProtocolError, match=rf"^{reason}$"):
        server.next_event()


def test_too_many_groups_is_the_clients_fault() -> None:
    server = ExchangeServerSession()
    server.receive_data(pack(["want", [bytes(32)] * (MAX_WANTED_GROUPS + 1)]))
    with pytest.raises(RemoteProtocolError, match=r"^a request names at most 4096 groups$"):
        server.next_event()


def test_a_server_speaking_first_is_at_fault() -> None:
    server_first = ExchangeClientSession()
    server_first.receive_data(pack(["peers", []]))
    with pytest.raises(RemoteProtocolError, match=r"^unexpected 'peers' in state idle$"):
        server_first.next_event()


@pytest.mark.parametrize(
    ("session", "limit"),
    [(ExchangeClientSession, CLIENT_MAX_FRAME), (ExchangeServerSession, SERVER_MAX_FRAME)],
)
def test_an_oversized_frame_is_refused_before_it_is_buffered(
    session: type[ExchangeClientSession | ExchangeServerSession], limit: int
) -> None:
    receiver = session()
    with pytest.raises(RemoteProtocolError, match=rf"^frame of {limit + 1} bytes exceeds {limit}$"):
        receiver.receive_data(HEADER.pack(limit + 1))
    assert receiver.state is State.ERROR
    with pytest.raises(RemoteProtocolError, match=r"already sent an oversized frame$"):
        receiver.receive_data(b"\0" * 100)


def test_an_error_message_aborts_with_its_text() -> None:
    client, server = asked([G1])
    client.receive_data(server.send_error("busy " * 100))
    with pytest.raises(RemoteAborted, match=r"^(busy ){40}$"):
        client.next_event()
    assert client.state is server.state is State.ERROR


# -- sans-IO: hypothesis ---------------------------------------------------------------------

devices = st.binary(min_size=32, max_size=32).map(peer_id_from_device)
ipv4 = st.tuples(*[st.integers(1, 254)] * 4).map(lambda t: ".".join(map(str, t)))
tcp_addrs = st.builds(lambda ip, port: f"/ip4/{ip}/tcp/{port}", ipv4, st.integers(1, 65535))
group_ids = st.binary(min_size=32, max_size=32)


@st.composite
def exchanges(draw: st.DrawFn) -> tuple[list[bytes], list[ExchangeEntry]]:
    wanted = draw(st.lists(group_ids, min_size=1, max_size=40, unique=True))
    peers = draw(st.lists(devices, max_size=MAX_EXCHANGE_ENTRIES, unique=True))
    entries = [
        ExchangeEntry(
            peer,
            tuple(draw(st.lists(tcp_addrs, min_size=1, max_size=MAX_ADDRS_PER_PEER, unique=True))),
            tuple(draw(st.lists(st.sampled_from(wanted), min_size=1, max_size=5, unique=True))),
        )
        for peer in peers
    ]
    return wanted, entries


@given(exchanges())
@settings(max_examples=50, deadline=None)
def test_any_valid_answer_round_trips(exchange: tuple[list[bytes], list[ExchangeEntry]]) -> None:
    wanted, entries = exchange
    client, server = asked(wanted)
    client.receive_data(server.send_answer(entries))
    assert client.next_event() == PeersOffered(tuple(entries))


def drain(session: ExchangeClientSession | ExchangeServerSession, data: bytes) -> None:
    """Feed ``data`` and pull events until the session wants more bytes or fails."""
    session.receive_data(data)
    while session.next_event() is not None:
        pass


PROTOCOL_ERRORS = (RemoteProtocolError, RemoteAborted)

msgpack_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.binary(max_size=40)
    | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=6),
    max_leaves=30,
)
messages = st.one_of(
    msgpack_values,
    st.tuples(st.sampled_from(["want", "peers", "error", "done"]), msgpack_values).map(list),
    st.builds(
        lambda entries: ["peers", entries],
        st.lists(st.lists(msgpack_values | devices | st.lists(tcp_addrs), max_size=4)),
    ),
)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_protocol_errors_in_the_client(data: bytes) -> None:
    client = ExchangeClientSession()
    client.send_request([G1, G2])
    with contextlib.suppress(*PROTOCOL_ERRORS):
        drain(client, data)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_protocol_errors_in_the_server(data: bytes) -> None:
    with contextlib.suppress(*PROTOCOL_ERRORS):
        drain(ExchangeServerSession(), data)


@given(st.lists(messages, min_size=1, max_size=3))
@settings(max_examples=200)
def test_arbitrary_messages_raise_only_protocol_errors(batch: list[Any]) -> None:
    data = b"".join(pack(message) for message in batch)
    client = ExchangeClientSession()
    client.send_request([G1, G2])
    for session in (client, ExchangeServerSession()):
        with contextlib.suppress(*PROTOCOL_ERRORS):
            drain(session, data)


# -- the drivers -----------------------------------------------------------------------------

type Fake = Callable[[trio.abc.Stream], Awaitable[None]]


async def ask_fake(
    fake: Fake, groups: list[bytes], *, idle_timeout: float = 10, timeout: float = 30
) -> PeerExchangeFailed:
    """Ask ``fake`` (playing the server); return how the exchange failed."""
    client_stream, server_stream = trio.testing.memory_stream_pair()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(fake, server_stream)
        with pytest.raises(PeerExchangeFailed) as failed:
            await exchange_peers(client_stream, groups, idle_timeout=idle_timeout, timeout=timeout)
        nursery.cancel_scope.cancel()
    return failed.value


async def read_request(stream: trio.abc.Stream, session: ExchangeServerSession) -> PeersWanted:
    while (event := session.next_event()) is None:
        session.receive_data(await stream.receive_some())
    return event


async def test_the_client_gets_what_the_answer_callback_returns() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    asks: list[list[bytes]] = []

    def answer(groups: list[bytes]) -> list[ExchangeEntry]:
        asks.append(groups)
        return [ENTRY_ALICE, ENTRY_BOB]

    sent: list[int] = []

    async def serve() -> None:
        sent.append(await serve_peer_exchange(server_stream, answer))

    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve)
            entries = await exchange_peers(client_stream, [G1, G2, G1, G3])

    assert entries == [ENTRY_ALICE, ENTRY_BOB]
    assert asks == [[G1, G2, G3]]  # repeats asked once
    assert sent == [2]


async def test_answers_past_64_entries_are_cut() -> None:
    many = [
        ExchangeEntry(peer_id_from_device(i.to_bytes(32, "big")), ENTRY_ALICE.addrs, (G1,))
        for i in range(100)
    ]
    client_stream, server_stream = trio.testing.memory_stream_pair()
    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve_peer_exchange, server_stream, lambda _groups: many)
            entries = await exchange_peers(client_stream, [G1])
    assert entries == many[:MAX_EXCHANGE_ENTRIES]


async def test_a_peer_book_export_merges_into_another_book() -> None:
    now = 1_000_000
    theirs = PeerBook(random=lambda: 0.0)
    theirs.record_success(ALICE, now, "/ip4/192.168.1.20/tcp/4001")
    theirs.record_serving(ALICE, [G1, G3], now)
    ours = PeerBook(random=lambda: 0.0)
    client_stream, server_stream = trio.testing.memory_stream_pair()

    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(
                serve_peer_exchange, server_stream, lambda groups: theirs.export_for(groups, now)
            )
            entries = await exchange_peers(client_stream, [G1, G2])
    result = ours.merge_exchange(entries, now)

    assert entries == [ExchangeEntry(ALICE, ("/ip4/192.168.1.20/tcp/4001",), (G1,))]
    assert (result.new_peers, result.new_addrs, result.rejected) == (1, 1, 0)
    assert ours.addresses(ALICE) == ["/ip4/192.168.1.20/tcp/4001"]


async def test_a_lying_server_is_blamed_and_told_why() -> None:
    told: list[bytes] = []

    async def liar(stream: trio.abc.Stream) -> None:
        session = ExchangeServerSession()
        await read_request(stream, session)
        await stream.send_all(pack(["peers", [[ALICE, GOOD[1], [G3]]]]))
        told.append(await stream.receive_some())

    with trio.fail_after(5):
        failed = await ask_fake(liar, [G1])

    assert failed.remote_fault is True
    assert str(failed) == (
        "peer broke the peer exchange protocol: "
        "entry 0: an entry names a group that was not asked for"
    )
    assert told == [pack(["error", "entry 0: an entry names a group that was not asked for"])]


async def test_a_server_that_declines_is_not_blamed() -> None:
    async def busy(stream: trio.abc.Stream) -> None:
        session = ExchangeServerSession()
        await read_request(stream, session)
        await stream.send_all(session.send_error("busy"))

    with trio.fail_after(5):
        failed = await ask_fake(busy, [G1])
    assert failed.remote_fault is False
    assert str(failed) == "peer declined the exchange: busy"


async def test_a_server_that_hangs_up_is_a_lost_link() -> None:
    async def hang_up(stream: trio.abc.Stream) -> None:
        await read_request(stream, ExchangeServerSession())
        await stream.aclose()

    with trio.fail_after(5):
        failed = await ask_fake(hang_up, [G1])
    assert failed.remote_fault is False
    assert str(failed) == (
        "connection lost during peer exchange: the peer closed the stream before answering"
    )


async def test_a_silent_server_times_out_without_blame(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async def silent(stream: trio.abc.Stream) -> None:
        await trio.sleep_forever()

    start = trio.current_time()
    failed = await ask_fake(silent, [G1], idle_timeout=10)
    assert failed.remote_fault is False
    assert str(failed) == "peer exchange stalled: no progress for 10 s"
    assert trio.current_time() - start == pytest.approx(10)


async def test_a_trickling_server_hits_the_overall_timeout(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async def trickle(stream: trio.abc.Stream) -> None:
        session = ExchangeServerSession()
        await read_request(stream, session)
        with contextlib.suppress(trio.BrokenResourceError):  # the client gives up first
            for byte in session.send_answer([ENTRY_ALICE]):
                await stream.send_all(bytes([byte]))
                await trio.sleep(5)

    start = trio.current_time()
    failed = await ask_fake(trickle, [G1], idle_timeout=10, timeout=30)
    assert str(failed) == "peer exchange took longer than 30 s"
    assert trio.current_time() - start == pytest.approx(30)


async def test_a_malformed_group_is_refused_before_anything_is_sent() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    with pytest.raises(ValueError, match=r"^a group id is 32 bytes$"):
        await exchange_peers(client_stream, [b"short"])
    assert await server_stream.receive_some() == b""  # closed, nothing sent


async def test_a_cancelled_exchange_still_closes_its_stream() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    with trio.move_on_after(0.1) as scope:
        await exchange_peers(client_stream, [G1])
    assert scope.cancelled_caught
    assert await server_stream.receive_some() == ExchangeClientSession().send_request([G1])
    assert await server_stream.receive_some() == b""


async def test_a_client_sending_junk_is_blamed_and_told_why() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.send_all(pack(["want", [b"short"]]))

    with trio.fail_after(5), pytest.raises(PeerExchangeFailed) as failed:
        await serve_peer_exchange(server_stream, lambda _groups: [])

    assert failed.value.remote_fault is True
    assert str(failed.value) == "peer broke the peer exchange protocol: a group id is 32 bytes"
    assert await client_stream.receive_some() == pack(["error", "a group id is 32 bytes"])
    assert await client_stream.receive_some() == b""


async def test_a_client_that_hangs_up_without_asking_is_a_lost_link() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.aclose()
    with trio.fail_after(5), pytest.raises(PeerExchangeFailed) as failed:
        await serve_peer_exchange(server_stream, lambda _groups: [])
    assert failed.value.remote_fault is False
    assert str(failed.value) == (
        "connection lost during peer exchange: the peer closed the stream before asking"
    )


async def test_a_bad_answer_callback_is_our_bug_and_the_client_is_not_blamed() -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    bad = [ExchangeEntry(ALICE, ENTRY_ALICE.addrs, (G3,))]  # G3 was not asked for
    outcome: list[PeerExchangeFailed] = []

    async def ask() -> None:
        with pytest.raises(PeerExchangeFailed) as failed:
            await exchange_peers(client_stream, [G1])
        outcome.append(failed.value)

    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(ask)
            with pytest.raises(LocalProtocolError, match=r"^entry 0: an entry names a group"):
                await serve_peer_exchange(server_stream, lambda _groups: bad)

    assert outcome[0].remote_fault is False
    assert str(outcome[0]) == "peer declined the exchange: internal error"


# -- two real hosts --------------------------------------------------------------------------


async def test_peer_exchange_between_two_real_hosts(listener: P2PHost, dialer: P2PHost) -> None:
    def answer(groups: list[bytes]) -> list[ExchangeEntry]:
        return [e for e in (ENTRY_ALICE, ENTRY_BOB) if set(e.groups) <= set(groups)]

    served: list[tuple[str, int]] = []
    finished = trio.Event()

    async def handler(raw: INetStream) -> None:
        asker = raw.muxed_conn.peer_id.to_base58()
        served.append((asker, await serve_peer_exchange(BufferedStream(raw), answer)))
        finished.set()

    listener.set_stream_handler(PROTOCOL_ID, handler)
    with trio.fail_after(10):
        await dialer.connect(listener.listen_addrs[0])
        raw = await dialer.new_stream(listener.peer_id, PROTOCOL_ID)
        entries = await exchange_peers(BufferedStream(raw), [G1, G2, os.urandom(32)])
        await finished.wait()

    assert entries == [ENTRY_ALICE, ENTRY_BOB]
    assert served == [(dialer.peer_id, 2)]
