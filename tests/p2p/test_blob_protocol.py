"""The sans-IO blob protocol, without sockets: session pairs, limits, lies and hostile bytes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p2p.blob_protocol import (
    AUTOMATIC,
    MAX_CHUNK,
    MAX_HASHES_PER_REQUEST,
    PROTOCOL_ID,
    TRANSITIONS,
    BlobClientSession,
    BlobMissing,
    BlobReceived,
    BlobServerSession,
    ClientDone,
    ClientEvent,
    LocalProtocolError,
    RemoteAborted,
    RemoteProtocolError,
    Requested,
    Role,
    ServerEvent,
    State,
    WrongBlob,
    blob_hash,
    is_valid_mime,
)
from p2p.framing import encode_frame

PNG = b"\x89PNG" + bytes(range(256)) * 10
BIG = bytes(i % 251 for i in range(3 * MAX_CHUNK + 17))  # four chunks, the last one short
H_PNG, H_BIG = blob_hash(PNG), blob_hash(BIG)
ABSENT = blob_hash(b"nobody has this")
STORE = {H_PNG: ("image/png", PNG), H_BIG: ("image/webp", BIG)}


def client_events(session: BlobClientSession, data: bytes) -> list[ClientEvent]:
    session.receive_data(data)
    events = []
    while (event := session.next_event()) is not None:
        events.append(event)
    return events


def server_events(session: BlobServerSession, data: bytes) -> list[ServerEvent]:
    session.receive_data(data)
    events = []
    while (event := session.next_event()) is not None:
        events.append(event)
    return events


def request_at(server: BlobServerSession, wire: bytes) -> Requested:
    """Feed ``server`` one request; return it."""
    (event,) = server_events(server, wire)
    assert isinstance(event, Requested)
    return event


def answer(server: BlobServerSession, hashes: Iterable[bytes]) -> bytes:
    """What an honest server with STORE sends for ``hashes``."""
    out: list[bytes] = []
    for digest in hashes:
        if digest in STORE:
            mime, data = STORE[digest]
            out.extend(server.send_blob(digest, mime, data))
        else:
            out.append(server.send_missing(digest))
    return b"".join(out)


def message(*parts: Any) -> bytes:
    return encode_frame(msgpack.packb(list(parts), use_bin_type=True))


def asking(*hashes: bytes, max_blob_size: int = 8 << 20) -> BlobClientSession:
    """A client that has just requested ``hashes``."""
    client = BlobClientSession(max_blob_size)
    client.send_request(list(hashes))
    return client


def test_the_protocol_id_is_versioned() -> None:
    assert PROTOCOL_ID == "/smd/blob/1.0.0"


def test_a_session_pair_fetches_present_and_missing_blobs_over_two_requests() -> None:
    client, server = BlobClientSession(), BlobServerSession()

    request = request_at(server, client.send_request([H_PNG, ABSENT, H_BIG]))
    assert request == Requested((H_PNG, ABSENT, H_BIG), 8 << 20)
    assert client.state is State.ANSWERING
    assert client_events(client, answer(server, request.hashes)) == [
        BlobReceived(H_PNG, "image/png", PNG),
        BlobMissing(ABSENT),
        BlobReceived(H_BIG, "image/webp", BIG),
    ]
    assert client.idle
    assert server.idle

    again = request_at(server, client.send_request([ABSENT]))
    assert client_events(client, answer(server, again.hashes)) == [BlobMissing(ABSENT)]
    assert server_events(server, client.send_done()) == [ClientDone()]
    assert (client.state, server.state) == (State.CLOSED, State.CLOSED)


def test_answers_may_come_in_any_order_and_an_empty_blob_is_a_blob() -> None:
    empty = blob_hash(b"")
    client = asking(H_PNG, empty)
    server = BlobServerSession()
    server_events(server, BlobClientSession().send_request([H_PNG, empty]))
    wire = b"".join(server.send_blob(empty, "text/plain", b"")) + answer(server, [H_PNG])
    assert client_events(client, wire) == [
        BlobReceived(empty, "text/plain", b""),
        BlobReceived(H_PNG, "image/png", PNG),
    ]


def test_chunks_are_at_most_64_kib() -> None:
    server = BlobServerSession()
    server_events(server, BlobClientSession().send_request([H_BIG]))
    frames = list(server.send_blob(H_BIG, "image/webp", BIG))
    chunks = [msgpack.unpackb(f[4:])[1] for f in frames[1:-1]]
    assert [len(c) for c in chunks] == [MAX_CHUNK, MAX_CHUNK, MAX_CHUNK, 17]
    assert b"".join(chunks) == BIG


def test_the_transition_table_names_the_sender_of_every_message() -> None:
    client_kinds = {kind for (_, kind), (role, _) in TRANSITIONS.items() if role is Role.CLIENT}
    server_kinds = {kind for (_, kind), (role, _) in TRANSITIONS.items() if role is Role.SERVER}
    assert client_kinds == {"get", "done"}
    assert server_kinds == {"missing", "blob", "chunk", "end"}
    assert AUTOMATIC == {State.ANSWERING: State.IDLE}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40_000), max_size=30))
def test_any_chunking_of_the_answers_yields_the_same_events(cuts: list[int]) -> None:
    server = BlobServerSession()
    request = request_at(server, BlobClientSession().send_request([H_BIG, ABSENT, H_PNG]))
    wire = answer(server, request.hashes)
    client = asking(H_BIG, ABSENT, H_PNG)
    events: list[ClientEvent] = []
    pos = 0
    for cut in cuts:
        events.extend(client_events(client, wire[pos : pos + cut]))
        pos += cut
    events.extend(client_events(client, wire[pos:]))
    assert events == [
        BlobReceived(H_BIG, "image/webp", BIG),
        BlobMissing(ABSENT),
        BlobReceived(H_PNG, "image/png", PNG),
    ]
    assert client.idle


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=200), max_size=30))
def test_any_chunking_of_the_requests_yields_the_same_events(cuts: list[int]) -> None:
    many = [blob_hash(bytes([i])) for i in range(MAX_HASHES_PER_REQUEST)]
    # what a client sends over a whole session, its answers aside
    wire = (
        BlobClientSession(1234).send_request(many)
        + BlobClientSession(1234).send_request([ABSENT])
        + BlobClientSession().send_done()
    )
    server = BlobServerSession()
    events: list[ServerEvent] = []
    pos = 0
    for cut in [*cuts, len(wire)]:
        server.receive_data(wire[pos : pos + cut])
        pos += cut
        while (event := server.next_event()) is not None:
            events.append(event)
            if isinstance(event, Requested):
                for digest in event.hashes:
                    server.send_missing(digest)
    assert events == [Requested(tuple(many), 1234), Requested((ABSENT,), 1234), ClientDone()]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_raise_only_protocol_errors(data: bytes) -> None:
    with contextlib.suppress(RemoteProtocolError, RemoteAborted):
        client_events(asking(H_PNG, ABSENT), data)
    with contextlib.suppress(RemoteProtocolError, RemoteAborted):
        server_events(BlobServerSession(), data)


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.text(max_size=120)
    | st.binary(max_size=40)
    | st.sampled_from([H_PNG, ABSENT, b"", "image/png", 0, 1, PNG[:7]]),
    lambda inner: st.lists(inner, max_size=5),
    max_leaves=10,
)
_messages = st.lists(
    st.tuples(
        st.sampled_from(["get", "done", "missing", "blob", "chunk", "end", "error", "x"]),
        st.lists(_values, max_size=4),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(_messages)
def test_arbitrary_messages_raise_only_protocol_errors(
    messages: list[tuple[str, list[Any]]],
) -> None:
    wire = b"".join(message(kind, *args) for kind, args in messages)
    with contextlib.suppress(RemoteProtocolError, RemoteAborted):
        client_events(asking(H_PNG, ABSENT, max_blob_size=10), wire)
    with contextlib.suppress(RemoteProtocolError, RemoteAborted):
        server_events(BlobServerSession(), wire)


def test_an_oversized_announcement_is_refused_before_any_chunk_arrives() -> None:
    client = asking(H_PNG, max_blob_size=1000)
    with pytest.raises(RemoteProtocolError, match=r"^announced blob of 1001 bytes exceeds 1000$"):
        client_events(client, message("blob", H_PNG, "image/png", 1001))
    assert client.state is State.ERROR
    assert client.buffered == 0


def test_a_frame_larger_than_a_chunk_is_refused_from_its_header() -> None:
    client = asking(H_PNG)
    with pytest.raises(RemoteProtocolError, match=r"^frame of 1048576 bytes exceeds 66560$"):
        client.receive_data((1 << 20).to_bytes(4, "big"))


def test_wrong_bytes_for_a_hash_are_a_wrong_blob() -> None:
    server = BlobServerSession()
    server_events(server, BlobClientSession().send_request([H_PNG]))
    lie = b"".join(server.send_blob(H_PNG, "image/png", PNG[:-1] + b"!"))
    client = asking(H_PNG)
    with pytest.raises(WrongBlob, match=rf"^the peer sent a wrong blob for {H_PNG.hex()}: ") as e:
        client_events(client, lie)
    assert e.value.hash == H_PNG
    assert isinstance(e.value, RemoteProtocolError)
    assert client.state is State.ERROR


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (message("missing", ABSENT), rf"^answer for {ABSENT.hex()}, which was not requested"),
        (message("blob", ABSENT, "image/png", 1), rf"^answer for {ABSENT.hex()}, which was not"),
        (message("missing", H_PNG) + message("missing", H_PNG), r"^unexpected 'missing' in state"),
        (message("missing", b"short"), r"^a blob hash is 32 bytes$"),
        (message("chunk", b"x"), r"^unexpected 'chunk' in state answering$"),
        (message("end", H_PNG), r"^unexpected 'end' in state answering$"),
        (message("get", [H_PNG], 10), r"^unexpected 'get' in state answering$"),
        (message("done"), r"^unexpected 'done' in state answering$"),
        (message("blob", H_PNG, "image/png"), r"^blob takes a hash, a MIME type and a size$"),
        (message("blob", H_PNG, "image/png", -1), r"^a blob size is a non-negative integer$"),
        (message("blob", H_PNG, "image/png", True), r"^a blob size is a non-negative integer$"),
        ({"missing": H_PNG}, r"^a message is an array starting with its kind$"),
    ],
)
def test_a_server_that_breaks_the_protocol_is_a_remote_error(wire: Any, error: str) -> None:
    if isinstance(wire, dict):
        wire = encode_frame(msgpack.packb(wire))
    client = asking(H_PNG)
    with pytest.raises(RemoteProtocolError, match=error):
        client_events(client, wire)
    assert client.state is State.ERROR


def test_an_answer_after_the_last_one_is_a_remote_error() -> None:
    client = asking(H_PNG)
    with pytest.raises(RemoteProtocolError, match=r"^unexpected 'missing' in state idle$"):
        client_events(client, message("missing", H_PNG) + message("missing", H_PNG))


@pytest.mark.parametrize(
    "mime",
    [
        "image",
        "image/",
        "/png",
        "image/png; charset=x",
        "image/png\n",
        "image/pñg",
        "image/" + "p" * 95,
        "",
        5,
        None,
        b"image/png",
    ],
)
def test_a_malformed_mime_type_is_a_remote_error(mime: object) -> None:
    client = asking(H_PNG)
    with pytest.raises(
        RemoteProtocolError, match=r"^a MIME type is type/subtype, at most 100 characters$"
    ):
        client_events(client, message("blob", H_PNG, mime, 1))


def test_mime_types_up_to_100_characters_in_rfc_6838_form_are_valid() -> None:
    assert is_valid_mime("image/png")
    assert is_valid_mime("application/vnd.smd+msgpack")
    assert is_valid_mime("image/" + "p" * 94)
    assert not is_valid_mime("image/" + "p" * 95)


def test_fewer_bytes_than_announced_are_a_size_mismatch() -> None:
    client = asking(H_PNG)
    wire = message("blob", H_PNG, "image/png", 5) + message("chunk", b"abc") + message("end", H_PNG)
    with pytest.raises(RemoteProtocolError, match=r"^blob ended after 3 of 5 bytes$"):
        client_events(client, wire)


def test_more_bytes_than_announced_are_refused_before_they_are_kept() -> None:
    client = asking(H_PNG)
    wire = message("blob", H_PNG, "image/png", 5) + message("chunk", b"abc")
    assert client_events(client, wire + message("chunk", b"de")) == []
    with pytest.raises(RemoteProtocolError, match=r"^chunks exceed the announced size of 5 bytes$"):
        client_events(client, message("chunk", b"f"))


@pytest.mark.parametrize(
    ("chunk", "error"),
    [
        (b"", r"^a chunk holds 1 to 65536 bytes$"),
        (b"x" * (MAX_CHUNK + 1), r"^a chunk holds 1 to 65536 bytes$"),
        ("text", r"^chunk takes bytes$"),
    ],
)
def test_empty_oversized_and_non_byte_chunks_are_remote_errors(chunk: object, error: str) -> None:
    client = asking(H_PNG)
    wire = message("blob", H_PNG, "image/png", 10) + message("chunk", chunk)
    with pytest.raises(RemoteProtocolError, match=error):
        client_events(client, wire)


def test_an_end_naming_another_blob_is_a_remote_error() -> None:
    client = asking(H_PNG, ABSENT)
    wire = message("blob", H_PNG, "image/png", 1) + message("chunk", b"x") + message("end", ABSENT)
    with pytest.raises(
        RemoteProtocolError, match=rf"^end does not name the blob in transfer, {H_PNG.hex()}$"
    ):
        client_events(client, wire)


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (message("get", [H_PNG] * 2, 10), r"^a request names each hash once$"),
        (message("get", [], 10), r"^a request holds 1 to 64 hashes$"),
        (
            message("get", [blob_hash(bytes([i])) for i in range(65)], 10),
            r"^a request holds 1 to 64 hashes$",
        ),
        (message("get", [b"short"], 10), r"^a blob hash is 32 bytes$"),
        (message("get", [H_PNG]), r"^get takes a list of hashes and a size limit$"),
        (message("get", [H_PNG], -1), r"^get takes a list of hashes and a size limit$"),
        (message("get", H_PNG, 10), r"^get takes a list of hashes and a size limit$"),
        (message("done", 1), r"^done takes no arguments$"),
        (message("missing", H_PNG), r"^unexpected 'missing' in state idle$"),
        (message("get", [H_PNG], 10) * 2, r"^unexpected 'get' in state answering$"),
    ],
)
def test_a_client_that_breaks_the_protocol_is_a_remote_error(wire: bytes, error: str) -> None:
    server = BlobServerSession()
    with pytest.raises(RemoteProtocolError, match=error):
        server_events(server, wire)
    assert server.state is State.ERROR


def test_a_request_frame_larger_than_any_request_is_refused() -> None:
    with pytest.raises(RemoteProtocolError, match=r"^frame of 4097 bytes exceeds 4096$"):
        BlobServerSession().receive_data((4097).to_bytes(4, "big"))


def test_an_error_message_aborts_with_the_remote_text() -> None:
    client, server = asking(H_PNG), BlobServerSession()
    with pytest.raises(RemoteAborted, match=r"^store closed$"):
        client_events(client, server.send_error("store closed"))
    with pytest.raises(RemoteAborted, match=r"^no reason given$"):
        server_events(server, message("error"))
    assert (client.state, server.state) == (State.ERROR, State.ERROR)


def test_the_client_cannot_ask_again_before_every_hash_is_answered() -> None:
    client = asking(H_PNG)
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'get' in state answering$"):
        client.send_request([ABSENT])
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'done' in state answering$"):
        client.send_done()


@pytest.mark.parametrize(
    ("hashes", "error"),
    [
        ([], r"^a request holds 1 to 64 hashes$"),
        ([H_PNG] * 65, r"^a request holds 1 to 64 hashes$"),
        ([H_PNG, H_PNG], r"^a request names each hash once$"),
        ([b"short"], r"^a blob hash is 32 bytes$"),
    ],
)
def test_a_malformed_request_is_a_local_error(hashes: list[bytes], error: str) -> None:
    client = BlobClientSession()
    with pytest.raises(LocalProtocolError, match=error):
        client.send_request(hashes)
    assert client.idle


def test_the_server_may_answer_only_what_was_asked_within_the_clients_limit() -> None:
    server = BlobServerSession()
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'missing' in state idle$"):
        server.send_missing(H_PNG)
    server_events(server, BlobClientSession(100).send_request([H_PNG, ABSENT]))
    with pytest.raises(LocalProtocolError, match=r"^a blob of 101 bytes exceeds the client's 100$"):
        server.send_blob_start(H_PNG, "image/png", 101)
    with pytest.raises(LocalProtocolError, match=r"^a MIME type is type/subtype"):
        server.send_blob_start(H_PNG, "png", 1)
    with pytest.raises(LocalProtocolError, match=r"^answer for a hash not requested or already"):
        server.send_missing(H_BIG)
    server.send_blob_start(H_PNG, "image/png", 3)
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'missing' in state transfer$"):
        server.send_missing(ABSENT)
    with pytest.raises(LocalProtocolError, match=r"^chunks exceed the announced size of 3 bytes$"):
        server.send_chunk(b"abcd")
    server.send_chunk(b"ab")
    with pytest.raises(LocalProtocolError, match=r"^sent 2 of 3 announced bytes$"):
        server.send_blob_end()
    server.send_chunk(b"c")
    server.send_blob_end()
    server.send_missing(ABSENT)
    assert server.idle
