"""The sans-IO direct-message protocol, without sockets: session pairs, limits, hostile bytes."""

from __future__ import annotations

import contextlib
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p2p.direct_protocol import (
    MAX_MESSAGES_PER_STREAM,
    MAX_PAYLOAD,
    PROTOCOL_ID,
    TRANSITIONS,
    Answered,
    ClientDone,
    DirectClientSession,
    DirectServerSession,
    LocalProtocolError,
    MessageReceived,
    RemoteAborted,
    RemoteProtocolError,
    Role,
    ServerEvent,
    State,
    check_message,
)
from p2p.framing import encode_frame

ID1, ID2 = bytes(range(16)), bytes(range(16, 32))
KIND = "ratings/offer"


def message(kind: str, *args: Any) -> bytes:
    return encode_frame(msgpack.packb([kind, *args], use_bin_type=True))


def server_events(session: DirectServerSession, data: bytes) -> list[ServerEvent]:
    session.receive_data(data)
    events = []
    while (event := session.next_event()) is not None:
        events.append(event)
    return events


def client_event(session: DirectClientSession, data: bytes) -> Answered | None:
    session.receive_data(data)
    return session.next_event()


def sent(client: DirectClientSession, message_id: bytes = ID1) -> DirectClientSession:
    client.send_message(message_id, KIND, b"payload")
    return client


def test_the_protocol_id_is_versioned() -> None:
    assert PROTOCOL_ID == "/smd/direct/1.0.0"


def test_a_session_pair_delivers_messages_and_their_answers() -> None:
    client, server = DirectClientSession(), DirectServerSession()

    wire = client.send_message(ID1, KIND, b"offer bytes")
    assert server_events(server, wire) == [MessageReceived(ID1, KIND, b"offer bytes")]
    assert client_event(client, server.send_reply(b"accepted")) == Answered(
        ID1, True, reply=b"accepted"
    )

    wire = client.send_message(ID2, "ratings/accept", b"")
    assert server_events(server, wire) == [MessageReceived(ID2, "ratings/accept", b"")]
    assert client_event(client, server.send_refusal("no plugin")) == Answered(
        ID2, False, reason="no plugin"
    )

    assert server_events(server, client.send_done()) == [ClientDone()]
    assert client.state is server.state is State.CLOSED
    assert client.messages == server.messages == 2


def test_payloads_and_replies_up_to_32_kib_pass() -> None:
    client, server = DirectClientSession(), DirectServerSession()
    big = bytes(i % 251 for i in range(MAX_PAYLOAD))
    (event,) = server_events(server, client.send_message(ID1, KIND, big))
    assert isinstance(event, MessageReceived) and event.payload == big
    assert client_event(client, server.send_reply(big)) == Answered(ID1, True, reply=big)


def test_an_oversized_payload_is_refused_before_anything_is_sent() -> None:
    client = DirectClientSession()
    with pytest.raises(
        LocalProtocolError, match=r"^a payload holds at most 32768 bytes, not 32769$"
    ):
        client.send_message(ID1, KIND, bytes(MAX_PAYLOAD + 1))
    assert client.state is State.IDLE  # nothing left, the session is still usable
    assert client.messages == 0
    sent(client)


@pytest.mark.parametrize(
    ("message_id", "kind", "payload", "error"),
    [
        (b"short", KIND, b"", r"^a message id is 16 bytes$"),
        (ID1, "offer", b"", r"^a message kind is <namespace>/<name>, not 'offer'$"),
        (ID1, "Ratings/offer", b"", r"^a message kind is <namespace>/<name>, not 'Ratings/offer'$"),
        (ID1, KIND, "text", r"^a payload is bytes$"),
    ],
)
def test_a_malformed_message_is_a_local_error(
    message_id: bytes, kind: str, payload: bytes, error: str
) -> None:
    assert check_message(message_id, kind, payload) is not None
    with pytest.raises(LocalProtocolError, match=error):
        DirectClientSession().send_message(message_id, kind, payload)


def test_sending_out_of_turn_is_a_local_error() -> None:
    client = sent(DirectClientSession())
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'msg' in state waiting$"):
        client.send_message(ID2, KIND, b"")
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'done' in state waiting$"):
        client.send_done()
    server = DirectServerSession()
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'ok' in state idle$"):
        server.send_reply(b"")
    with pytest.raises(LocalProtocolError, match=r"^cannot send 'refused' in state idle$"):
        server.send_refusal("no")


def test_a_server_reply_over_32_kib_is_a_local_error() -> None:
    client, server = DirectClientSession(), DirectServerSession()
    server_events(server, client.send_message(ID1, KIND, b""))
    with pytest.raises(LocalProtocolError, match=r"^a reply is bytes, at most 32768$"):
        server.send_reply(bytes(MAX_PAYLOAD + 1))


def test_a_refusal_reason_is_cut_to_200_characters() -> None:
    client, server = DirectClientSession(), DirectServerSession()
    server_events(server, client.send_message(ID1, KIND, b""))
    answer = client_event(client, server.send_refusal("x" * 500))
    assert answer == Answered(ID1, False, reason="x" * 200)


def test_a_stream_carries_at_most_64_messages() -> None:
    client, server = DirectClientSession(), DirectServerSession()
    for n in range(MAX_MESSAGES_PER_STREAM):
        message_id = n.to_bytes(16, "big")
        server_events(server, client.send_message(message_id, KIND, b""))
        client_event(client, server.send_reply(b""))
    with pytest.raises(LocalProtocolError, match=r"^a stream carries at most 64$"):
        client.send_message(ID1, KIND, b"")
    with pytest.raises(RemoteProtocolError, match=r"^a stream carries at most 64 messages$"):
        server_events(server, message("msg", ID1, KIND, b""))


def test_the_transition_table_names_the_sender_of_every_message() -> None:
    assert {k: v[0] for k, v in TRANSITIONS.items()} == {
        (State.IDLE, "msg"): Role.CLIENT,
        (State.IDLE, "done"): Role.CLIENT,
        (State.WAITING, "ok"): Role.SERVER,
        (State.WAITING, "refused"): Role.SERVER,
    }


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (message("ok", ID2, b""), r"^ok must name the message in flight and carry one value$"),
        (message("ok", ID1), r"^ok must name the message in flight and carry one value$"),
        (message("ok", ID1, "text"), r"^a reply is at most 32768 bytes$"),
        (message("ok", ID1, bytes(MAX_PAYLOAD + 1)), r"^a reply is at most 32768 bytes$"),
        (message("refused", ID1, "x" * 201), r"^a refusal's reason is text of at most 200$"),
        (message("refused", ID1, b"bytes"), r"^a refusal's reason is text of at most 200$"),
        (message("msg", ID1, KIND, b""), r"^unexpected 'msg' in state waiting$"),
        (encode_frame(b"\xc1"), r"^malformed message"),
        (encode_frame(msgpack.packb({"ok": 1})), r"^a message is an array starting with its kind$"),
        (b"\xff\xff\xff\xff", r"^frame of 4294967295 bytes exceeds 33024$"),
    ],
)
def test_a_server_that_breaks_the_protocol_is_a_remote_error(wire: bytes, error: str) -> None:
    client = sent(DirectClientSession())
    with pytest.raises(RemoteProtocolError, match=error):
        client_event(client, wire)
    assert client.state is State.ERROR


def test_an_answer_before_any_message_is_a_remote_error() -> None:
    with pytest.raises(RemoteProtocolError, match=r"^unexpected 'ok' in state idle$"):
        client_event(DirectClientSession(), message("ok", ID1, b""))


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (message("msg", ID1, KIND), r"^msg takes an id, a kind and a payload$"),
        (message("msg", b"short", KIND, b""), r"^a message id is 16 bytes$"),
        (message("msg", ID1, "x" * 64, b""), r"^a message kind is <namespace>/<name>"),
        (message("msg", ID1, KIND, bytes(MAX_PAYLOAD + 1)), r"^a payload holds at most 32768"),
        (message("done", 1), r"^done takes no arguments$"),
        (message("ok", ID1, b""), r"^unexpected 'ok' in state idle$"),
        (message("x" * 1000), r"^unexpected 'xxxxxxxxxxxxxxxxxxxx' in state idle$"),
    ],
)
def test_a_client_that_breaks_the_protocol_is_a_remote_error(wire: bytes, error: str) -> None:
    server = DirectServerSession()
    with pytest.raises(RemoteProtocolError, match=error):
        server_events(server, wire)
    assert server.state is State.ERROR


def test_a_second_message_before_the_answer_is_a_remote_error() -> None:
    server = DirectServerSession()
    with pytest.raises(RemoteProtocolError, match=r"^unexpected 'msg' in state waiting$"):
        server_events(server, message("msg", ID1, KIND, b"") + message("msg", ID2, KIND, b""))


def test_an_error_message_aborts_with_the_remote_text() -> None:
    client = sent(DirectClientSession())
    with pytest.raises(RemoteAborted, match=r"^busy$"):
        client_event(client, DirectServerSession().send_error("busy"))
    with pytest.raises(RemoteAborted, match=r"^no reason given$"):
        server_events(DirectServerSession(), message("error"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=300), max_size=20))
def test_any_chunking_yields_the_same_events(cuts: list[int]) -> None:
    client, server = DirectClientSession(), DirectServerSession()
    wire = client.send_message(ID1, KIND, b"p" * 700)
    events: list[ServerEvent] = []
    pos = 0
    for cut in [*cuts, len(wire)]:
        events += server_events(server, wire[pos : pos + cut])
        pos += cut
    assert events == [MessageReceived(ID1, KIND, b"p" * 700)]
    reply = server.send_reply(b"r" * 500)
    answers = []
    pos = 0
    for cut in [*cuts, len(reply)]:
        if (answer := client_event(client, reply[pos : pos + cut])) is not None:
            answers.append(answer)
        pos += cut
    assert answers == [Answered(ID1, True, reply=b"r" * 500)]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_protocol_errors(data: bytes) -> None:
    with contextlib.suppress(RemoteProtocolError, RemoteAborted):
        client_event(sent(DirectClientSession()), data)
    with contextlib.suppress(RemoteProtocolError, RemoteAborted):
        server_events(DirectServerSession(), data)


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.text(max_size=80)
    | st.binary(max_size=40)
    | st.sampled_from([ID1, ID2, KIND, b"", "", 0, "a/b", "ab/c"]),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)
_messages = st.lists(
    st.tuples(
        st.sampled_from(["msg", "ok", "refused", "done", "error", "x"]),
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
        client = sent(DirectClientSession())
        client.receive_data(wire)
        while client.next_event() is not None:
            if client.idle:
                client.send_message(ID1, KIND, b"")
    with contextlib.suppress(RemoteProtocolError, RemoteAborted):
        server = DirectServerSession()
        server.receive_data(wire)
        while (event := server.next_event()) is not None:
            if isinstance(event, MessageReceived):
                server.send_reply(b"")
