"""Direct messages in the core: the outbox, the receiving rules, dedupe, replies, isolation.

The network is replaced by hand-offs between two profiles (what the node does: claim, deliver,
report back); tests/p2p/test_direct_node.py runs the same over libp2p.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smd_desktop.core.errors import UserError
from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.plugins import (
    MAX_DIRECT_PAYLOAD,
    DirectAnswer,
    DirectMessage,
    OutgoingMessage,
    PluginHost,
    PluginInfo,
    hookimpl,
)
from smd_desktop.core.plugins._direct import RETRY_BASE_MS
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records, make_profile

PING = "pinger/ping"
PONG = object()


class Pinger:
    """A tiny plugin: answers ``pong:<payload>`` and remembers what it got and heard back."""

    def __init__(self) -> None:
        self.received: list[DirectMessage] = []
        self.replies: list[tuple[OutgoingMessage, bytes]] = []
        self.fail_message = False
        self.fail_reply = False
        self.answer: object = PONG  # what the hook returns instead of pong:<payload>

    @hookimpl
    def smd_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="pinger", version="1.0.0", title="Pinger")

    @hookimpl
    def smd_direct_message(self, profile: Profile, message: DirectMessage) -> object:
        if self.fail_message:
            raise RuntimeError("ping exploded")
        self.received.append(message)
        return b"pong:" + message.payload if self.answer is PONG else self.answer

    @hookimpl
    def smd_direct_reply(self, profile: Profile, message: OutgoingMessage, reply: bytes) -> None:
        if self.fail_reply:
            raise RuntimeError("reply exploded")
        self.replies.append((message, reply))


class Mute:
    """A plugin that takes no direct messages."""

    @hookimpl
    def smd_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="mute", version="1.0.0", title="Mute")


def pair(tmp_path: Path, *, know: bool = True) -> tuple[Profile, Pinger, Profile, Pinger]:
    """Alice and Bob with a Pinger each; with ``know``, each holds the other's feed."""
    a, b = Pinger(), Pinger()
    alice = make_profile(tmp_path / "a", "Alice", plugins=[a, Mute()])
    bob = make_profile(tmp_path / "b", "Bob", plugins=[b, Mute()])
    copy_records(bob.store, alice.store)  # the sender must know the recipient's devices
    if know:
        copy_records(alice.store, bob.store)
    return alice, a, bob, b


def deliver(sender: Profile, recipient: Profile) -> list[DirectAnswer]:
    """What the node does for one connection: claim, hand over, report back."""
    answers = []
    for message in sender.plugins.direct.claim(recipient.device_key):
        answer = recipient.plugins.direct.receive(
            recipient, sender.device_key, message.id, message.kind, message.payload
        )
        answers.append(answer)
        if answer.accepted:
            sender.plugins.direct.deliver_reply(sender, message.id, answer.reply)
        else:
            sender.plugins.direct.record_failure(message.id, answer.reason)
    return answers


def test_a_message_reaches_the_recipients_plugin_and_the_reply_the_senders(
    tmp_path: Path,
) -> None:
    alice, a, bob, b = pair(tmp_path)
    message_id = alice.plugins.direct.send(bob.identity, PING, b"hello")
    (waiting,) = alice.plugins.direct.pending(bob.identity)
    assert (waiting.id, waiting.to, waiting.kind, waiting.payload) == (
        message_id,
        bob.identity,
        PING,
        b"hello",
    )
    assert (waiting.attempts, waiting.last_error) == (0, None)

    assert deliver(alice, bob) == [DirectAnswer(True, b"pong:hello")]

    (got,) = b.received
    assert (got.id, got.sender, got.device, got.kind, got.payload) == (
        message_id,
        alice.identity,
        alice.device_key,
        PING,
        b"hello",
    )
    ((sent, reply),) = a.replies
    assert (sent.id, reply) == (message_id, b"pong:hello")
    assert alice.plugins.direct.pending() == []
    alice.close()
    bob.close()


def test_a_repeated_message_gets_the_same_reply_without_a_second_call(tmp_path: Path) -> None:
    alice, _, bob, b = pair(tmp_path)
    message_id = alice.plugins.direct.send(bob.identity, PING, b"once")
    first = bob.plugins.direct.receive(bob, alice.device_key, message_id, PING, b"once")
    again = bob.plugins.direct.receive(bob, alice.device_key, message_id, PING, b"once")
    assert first == again == DirectAnswer(True, b"pong:once")
    assert len(b.received) == 1
    alice.close()
    bob.close()


def test_a_hook_returning_none_replies_empty(tmp_path: Path) -> None:
    alice, a, bob, b = pair(tmp_path)
    b.answer = None
    alice.plugins.direct.send(bob.identity, PING, b"x")
    assert deliver(alice, bob) == [DirectAnswer(True, b"")]
    assert [reply for _, reply in a.replies] == [b""]
    alice.close()
    bob.close()


def test_a_device_with_no_known_certificate_is_refused_and_retried_later(tmp_path: Path) -> None:
    alice, _, bob, b = pair(tmp_path, know=False)
    alice.plugins.direct.send(bob.identity, PING, b"hi")
    (answer,) = deliver(alice, bob)
    assert not answer.accepted
    assert answer.reason == (
        "the recipient holds no certificate for your device (it does not replicate your feed yet)"
    )
    assert b.received == []
    (waiting,) = alice.plugins.direct.pending()
    assert (waiting.attempts, waiting.last_error) == (1, answer.reason)
    assert alice.plugins.direct.claim(bob.device_key) == []  # backing off

    copy_records(alice.store, bob.store)
    with alice.store.writing() as conn:  # the delay has passed
        conn.execute("UPDATE direct_outbox SET next_attempt = 0")
    assert deliver(alice, bob) == [DirectAnswer(True, b"pong:hi")]
    alice.close()
    bob.close()


def test_messages_from_revoked_or_blocked_senders_are_refused(tmp_path: Path) -> None:
    alice, _, bob, b = pair(tmp_path)
    bob.block(alice.identity)
    message_id = alice.plugins.direct.send(bob.identity, PING, b"let me in")
    answer = bob.plugins.direct.receive(bob, alice.device_key, message_id, PING, b"let me in")
    assert answer == DirectAnswer(False, b"", "the recipient does not accept messages from you")

    carol = make_profile(tmp_path / "c", "Carol", plugins=[Pinger()])
    laptop = make_profile(tmp_path / "c2", "Carol", root=carol.root, plugins=[Pinger()])
    copy_records(laptop.store, carol.store)
    carol.revoke_device(laptop.device_key)
    copy_records(carol.store, bob.store)
    answer = bob.plugins.direct.receive(bob, laptop.device_key, message_id, PING, b"x")
    assert answer == DirectAnswer(False, b"", "your device is revoked")
    assert b.received == []
    for profile in (alice, bob, carol, laptop):
        profile.close()


def test_a_kind_no_active_plugin_takes_is_refused(tmp_path: Path) -> None:
    alice, _, bob, _ = pair(tmp_path)
    direct = bob.plugins.direct
    some_id = alice.plugins.direct.send(bob.identity, PING, b"")
    assert direct.receive(bob, alice.device_key, some_id, "mute/x", b"") == DirectAnswer(
        False, b"", "the plugin mute here takes no direct messages"
    )
    assert direct.receive(bob, alice.device_key, some_id, "absent/x", b"") == DirectAnswer(
        False, b"", "no active plugin here takes absent/x messages"
    )
    bob.plugins.set_enabled("pinger", False)
    assert direct.receive(bob, alice.device_key, some_id, PING, b"") == DirectAnswer(
        False, b"", "no active plugin here takes pinger/ping messages"
    )
    assert direct.receive(bob, alice.device_key, some_id, "Bad kind", b"") == DirectAnswer(
        False, b"", "malformed direct message"
    )
    alice.close()
    bob.close()


def test_a_hook_that_raises_refuses_the_message_and_turns_the_plugin_off(tmp_path: Path) -> None:
    alice, _, bob, b = pair(tmp_path)
    heard: list[str] = []
    bob.plugins.listeners.append(lambda status: heard.append(status.error))
    b.fail_message = True
    alice.plugins.direct.send(bob.identity, PING, b"boom")
    assert deliver(alice, bob) == [
        DirectAnswer(False, b"", "the plugin pinger failed on this message")
    ]
    status = bob.plugins.status("pinger")
    assert not status.active
    assert status.error == "failed while handling a direct message: RuntimeError: ping exploded"
    assert heard == [status.error]
    (waiting,) = alice.plugins.direct.pending()
    assert waiting.last_error == "the plugin pinger failed on this message"
    alice.close()
    bob.close()


def test_a_reply_that_is_not_bytes_turns_the_plugin_off(tmp_path: Path) -> None:
    alice, _, bob, b = pair(tmp_path)
    b.answer = "a str"
    alice.plugins.direct.send(bob.identity, PING, b"x")
    assert deliver(alice, bob) == [
        DirectAnswer(False, b"", "the plugin pinger failed on this message")
    ]
    assert bob.plugins.status("pinger").error == (
        "smd_direct_message must return bytes of at most 32768, not str"
    )
    alice.close()
    bob.close()


def test_a_failing_reply_hook_keeps_the_message_and_the_retry_brings_the_same_reply(
    tmp_path: Path,
) -> None:
    alice, a, bob, b = pair(tmp_path)
    a.fail_reply = True
    message_id = alice.plugins.direct.send(bob.identity, PING, b"again")
    deliver(alice, bob)
    assert not alice.plugins.is_active("pinger")
    (waiting,) = alice.plugins.direct.pending()
    assert (waiting.id, waiting.attempts, waiting.last_error) == (
        message_id,
        1,
        "the plugin pinger failed on the reply",
    )
    assert alice.plugins.direct.claim(bob.device_key) == []  # its plugin is off

    a.fail_reply = False
    alice.plugins.set_enabled("pinger", True)
    with alice.store.writing() as conn:
        conn.execute("UPDATE direct_outbox SET next_attempt = 0")
    assert deliver(alice, bob) == [DirectAnswer(True, b"pong:again")]
    assert [(m.id, r) for m, r in a.replies] == [(message_id, b"pong:again")]
    assert len(b.received) == 1  # the retry was answered from memory
    assert alice.plugins.direct.pending() == []
    alice.close()
    bob.close()


def test_send_refuses_oversized_payloads_foreign_kinds_and_inactive_plugins(
    tmp_path: Path,
) -> None:
    alice, _, bob, _ = pair(tmp_path)
    direct = alice.plugins.direct
    direct.send(bob.identity, PING, bytes(MAX_DIRECT_PAYLOAD))  # the limit itself is fine
    with pytest.raises(UserError, match=r"^a direct message holds at most 32768 bytes, not 32769$"):
        direct.send(bob.identity, PING, bytes(MAX_DIRECT_PAYLOAD + 1))
    with pytest.raises(ValueError, match=r"^a direct message kind is <plugin>/<name>, not 'ping'$"):
        direct.send(bob.identity, "ping", b"")
    with pytest.raises(ValueError, match=r"^a recipient is a 32-byte identity key$"):
        direct.send(IdentityKey(b"short"), PING, b"")
    with pytest.raises(UserError, match=r"^the plugin absent is not installed$"):
        direct.send(bob.identity, "absent/ping", b"")
    alice.plugins.set_enabled("pinger", False)
    with pytest.raises(UserError, match=r"^the plugin pinger is disabled"):
        direct.send(bob.identity, PING, b"")
    assert len(direct.pending()) == 1
    alice.close()
    bob.close()


def test_pending_filters_and_cancel_drops(tmp_path: Path) -> None:
    alice, a, bob, _ = pair(tmp_path)
    direct = alice.plugins.direct
    first = direct.send(bob.identity, PING, b"1")
    second = direct.send(alice.identity, PING, b"2")  # our other devices
    assert [m.id for m in direct.pending()] == [first, second]
    assert [m.id for m in direct.pending(bob.identity)] == [first]
    assert [m.id for m in direct.pending(plugin="pinger")] == [first, second]
    assert direct.pending(plugin="ping") == []
    assert direct.cancel(first) is True
    assert direct.cancel(first) is False
    assert [m.id for m in direct.pending()] == [second]
    assert deliver(alice, bob) == []
    assert a.replies == []
    alice.close()
    bob.close()


def test_a_claimed_message_is_not_handed_out_twice_and_a_reply_after_cancel_is_dropped(
    tmp_path: Path,
) -> None:
    alice, a, bob, _ = pair(tmp_path)
    direct = alice.plugins.direct
    message_id = direct.send(bob.identity, PING, b"x")
    assert [m.id for m in direct.claim(bob.device_key)] == [message_id]
    assert direct.claim(bob.device_key) == []  # another device of Bob's at the same time
    direct.cancel(message_id)
    assert direct.deliver_reply(alice, message_id, b"late") is False
    assert a.replies == []
    alice.close()
    bob.close()


def test_a_link_failure_retries_at_once_and_a_refusal_backs_off(tmp_path: Path) -> None:
    alice, _, bob, _ = pair(tmp_path)
    direct = alice.plugins.direct
    message_id = direct.send(bob.identity, PING, b"x")
    direct.claim(bob.device_key)
    direct.record_failure(message_id, "connection lost", backoff=False)
    assert [m.id for m in direct.claim(bob.device_key)] == [message_id]
    direct.record_failure(message_id, "busy")
    assert direct.claim(bob.device_key) == []
    (waiting,) = direct.pending()
    assert (waiting.attempts, waiting.last_error) == (2, "busy")
    with alice.store.reading() as conn:
        (next_attempt,) = conn.execute("SELECT next_attempt FROM direct_outbox").fetchone()
    assert next_attempt >= waiting.created + RETRY_BASE_MS
    alice.close()
    bob.close()


def test_the_revision_changes_when_a_message_is_queued(tmp_path: Path) -> None:
    alice, _, bob, _ = pair(tmp_path)
    before = alice.plugins.direct.revision()
    assert alice.plugins.direct.revision() == before
    alice.plugins.direct.send(bob.identity, PING, b"x")
    assert alice.plugins.direct.revision() != before
    alice.close()
    bob.close()


def test_the_outbox_survives_a_restart(tmp_path: Path) -> None:
    alice, _, bob, _ = pair(tmp_path)
    message_id = alice.plugins.direct.send(bob.identity, PING, b"later")
    data_dir = alice.store.data_dir
    alice.close()
    host = PluginHost()
    host.add(Pinger())
    again = Profile.open(data_dir, "correct horse battery staple", plugins=host)
    assert [m.id for m in again.plugins.direct.pending()] == [message_id]
    again.close()
    bob.close()
