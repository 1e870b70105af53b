"""The sans-IO sync protocol, without sockets: session pairs, limits, hostile bytes."""

from __future__ import annotations

import contextlib

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p2p.framing import FrameDecoder, FrameTooLarge, encode_frame
from p2p.sync_protocol import (
    MAX_RECORDS_PER_FRAME,
    Done,
    Event,
    LocalProtocolError,
    Phase,
    Plan,
    Ready,
    Records,
    RemoteAborted,
    RemoteProtocolError,
    SyncSession,
    Transfer,
    plan_transfers,
)

A, B, C = b"a" * 32, b"b" * 32, b"c" * 32
LOG1, LOG2, LOG3 = b"1" * 32, b"2" * 32, b"3" * 32


def drain(session: SyncSession, data: bytes) -> list[Event]:
    session.receive_data(data)
    events = []
    while (event := session.next_event()) is not None:
        events.append(event)
    return events


def test_frames_split_at_every_boundary_decode_to_the_same_payloads() -> None:
    payloads = [b"", b"x", b"hello" * 100]
    wire = b"".join(encode_frame(p) for p in payloads)
    for cut in range(len(wire) + 1):
        decoder = FrameDecoder()
        assert decoder.feed(wire[:cut]) + decoder.feed(wire[cut:]) == payloads
        assert decoder.buffered == 0


def test_an_oversized_frame_is_refused_from_its_header_alone() -> None:
    decoder = FrameDecoder(max_frame=100)
    with pytest.raises(FrameTooLarge, match=r"^frame of 101 bytes exceeds 100$"):
        decoder.feed(b"\x00\x00\x00\x65")
    assert decoder.buffered == 4
    with pytest.raises(FrameTooLarge):
        decoder.feed(b"more")


def test_a_full_session_pair_exchanges_wants_heads_plan_records_and_done() -> None:
    left, right = SyncSession(), SyncSession()
    to_right = left.send_hello([A, B], {LOG1: 3})
    to_left = right.send_hello([A], {LOG1: 5, LOG2: 1})

    (ready_at_right,) = drain(right, to_right)
    (ready_at_left,) = drain(left, to_left)
    assert ready_at_right == Ready(frozenset({A, B}), {LOG1: 3})
    assert ready_at_left == Ready(frozenset({A}), {LOG1: 5, LOG2: 1})

    records = [bytes([i]) * 100 for i in range(5)]
    wire = right.send_plan(2) + right.send_records(records[:2]) + right.send_done()
    assert drain(left, wire) == [Plan(2), Records(tuple(records[:2])), Done()]
    assert drain(right, left.send_plan(0) + left.send_done()) == [Plan(0), Done()]
    assert left.finished
    assert right.finished


def test_many_wants_and_heads_are_split_into_frames_and_reassembled() -> None:
    wants = [i.to_bytes(32, "big") for i in range(10_000)]
    heads = {i.to_bytes(32, "big"): i for i in range(9_000)}
    receiver = SyncSession()
    (ready,) = drain(receiver, SyncSession().send_hello(wants, heads))
    assert ready == Ready(frozenset(wants), heads)


def test_records_are_batched_within_the_count_and_size_limits() -> None:
    sender = SyncSession(max_frame=10_000)
    receiver = SyncSession(max_frame=10_000)
    drain(receiver, sender.send_hello([], {}) + sender.send_plan(3000))
    small = [b"s" * 10] * 3000
    events = drain(receiver, sender.send_records(small))
    assert all(isinstance(e, Records) for e in events)
    batches = [e.records for e in events if isinstance(e, Records)]
    assert sum(len(b) for b in batches) == 3000
    assert max(len(b) for b in batches) <= MAX_RECORDS_PER_FRAME
    big = [b"B" * 3000] * 10
    sizes = [
        len(e.records) for e in drain(receiver, sender.send_records(big)) if isinstance(e, Records)
    ]
    assert sizes == [3, 3, 3, 1]


def test_sending_out_of_order_is_a_local_error() -> None:
    session = SyncSession()
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'records' in phase start$"):
        session.send_records([b"x"])
    session.send_hello([], {})
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'done' in phase ready$"):
        session.send_done()


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (["records", [b"x"]], r"^unexpected 'records' in phase start$"),
        (["hello", 2], r"^unsupported sync version \[2\]$"),
        ({"hello": 1}, r"^a message is an array starting with its kind$"),
        (["nonsense"], r"^unexpected 'nonsense' in phase start$"),
    ],
)
def test_a_remote_that_breaks_the_protocol_is_a_remote_error(message: object, error: str) -> None:
    session = SyncSession()
    with pytest.raises(RemoteProtocolError, match=error):
        drain(session, encode_frame(msgpack.packb(message)))
    assert session.remote is Phase.ERROR


@pytest.mark.parametrize(
    "message",
    [
        ["want", [b"short"]],
        ["want", b"not a list"],
        ["have", [[b"x" * 32, -1]]],
        ["have", [[b"x" * 32, True]]],
        ["have", [[b"x" * 32]]],
        ["ready", 1],
    ],
)
def test_malformed_hello_contents_are_remote_errors(message: list[object]) -> None:
    session = SyncSession()
    with pytest.raises(RemoteProtocolError):
        drain(
            session,
            encode_frame(msgpack.packb(["hello", 1])) + encode_frame(msgpack.packb(message)),
        )


def test_oversized_and_empty_record_batches_are_remote_errors() -> None:
    prefix = SyncSession().send_hello([], {}) + SyncSession(local=Phase.READY).send_plan(1)
    for batch in ([], [b"x"] * (MAX_RECORDS_PER_FRAME + 1), [b"x" * 65_537], ["text"]):
        session = SyncSession(max_frame=1 << 22)
        with pytest.raises(RemoteProtocolError):
            drain(session, prefix + encode_frame(msgpack.packb(["records", batch])))


def test_an_error_message_aborts_with_the_remote_text() -> None:
    session = SyncSession()
    with pytest.raises(RemoteAborted, match=r"^store full$"):
        drain(session, SyncSession().send_error("store full"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_protocol_errors(data: bytes) -> None:
    session = SyncSession(max_frame=4096)
    with contextlib.suppress(RemoteProtocolError, RemoteAborted):
        drain(session, data)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=30))
def test_any_chunking_of_a_session_yields_the_same_events(cuts: list[int]) -> None:
    sender = SyncSession()
    wire = (
        sender.send_hello([A, B], {LOG1: 7})
        + sender.send_plan(2)
        + sender.send_records([b"r1" * 40, b"r2" * 40])
        + sender.send_done()
    )
    receiver = SyncSession()
    events: list[Event] = []
    pos = 0
    for cut in cuts:
        events.extend(drain(receiver, wire[pos : pos + cut]))
        pos += cut
    events.extend(drain(receiver, wire[pos:]))
    assert events == [
        Ready(frozenset({A, B}), {LOG1: 7}),
        Plan(2),
        Records((b"r1" * 40, b"r2" * 40)),
        Done(),
    ]


def test_plan_sends_what_the_remote_lacks_after_its_heads() -> None:
    local = {LOG1: 10, LOG2: 4, LOG3: 2}
    remote = Ready(frozenset({A}), {LOG1: 10, LOG2: 1, LOG3: 5})
    assert plan_transfers(local, remote) == [Transfer(LOG2, 2, 4)]
    assert plan_transfers(local, Ready(frozenset({A}), {})) == [
        Transfer(LOG1, 1, 10),
        Transfer(LOG2, 1, 4),
        Transfer(LOG3, 1, 2),
    ]
