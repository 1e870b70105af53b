"""Direct messages between whole nodes: real libp2p hosts on 127.0.0.1, real encrypted stores,
and a tiny plugin on each side."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import trio

from p2p.node import Node, NodeEvent
from smd_desktop.core.plugins import DirectMessage, OutgoingMessage, PluginInfo, hookimpl
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records, make_profile
from smd_desktop.replication import ProfileDirect, ProfileLogStore

LOOPBACK = "/ip4/127.0.0.1/tcp/0"
PING = "pinger/ping"


class Pinger:
    """Answers ``pong:<payload>``; remembers what it got and the replies it heard."""

    def __init__(self) -> None:
        self.received: list[DirectMessage] = []
        self.replies: list[tuple[OutgoingMessage, bytes]] = []
        self.fail = False

    @hookimpl
    def smd_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="pinger", version="1.0.0", title="Pinger")

    @hookimpl
    def smd_direct_message(self, profile: Profile, message: DirectMessage) -> bytes:
        if self.fail:
            raise RuntimeError("ping exploded")
        self.received.append(message)
        return b"pong:" + message.payload

    @hookimpl
    def smd_direct_reply(self, profile: Profile, message: OutgoingMessage, reply: bytes) -> None:
        self.replies.append((message, reply))


@asynccontextmanager
async def running(profile: Profile, events: list[NodeEvent] | None = None) -> AsyncIterator[Node]:
    logs = ProfileLogStore(profile)
    direct = ProfileDirect(profile)
    node = Node(
        seed=profile.device_seed,
        store=logs,
        listen=[LOOPBACK],
        on_event=events.append if events is not None else None,
        poll_interval=0.05,
        direct_inbox=direct,
        direct_outbox=direct,
    )
    async with trio.open_nursery() as nursery:
        nursery.start_soon(node.run)
        await node.ready.wait()
        try:
            yield node
        finally:
            nursery.cancel_scope.cancel()


async def until(condition: Callable[[], bool], timeout: float = 15) -> None:
    with trio.fail_after(timeout):
        while not condition():
            await trio.sleep(0.02)


def two(tmp_path: Path, *, bob_knows_alice: bool = True) -> tuple[Profile, Pinger, Profile, Pinger]:
    a, b = Pinger(), Pinger()
    alice = make_profile(tmp_path / "alice", "Alice", plugins=[a])
    bob = make_profile(tmp_path / "bob", "Bob", plugins=[b])
    copy_records(bob.store, alice.store)
    if bob_knows_alice:
        copy_records(alice.store, bob.store)
    return alice, a, bob, b


def last_error(profile: Profile) -> str | None:
    waiting = profile.plugins.direct.pending()
    return waiting[0].last_error if waiting else None


async def test_a_message_queued_offline_is_delivered_on_connect_and_replied(
    tmp_path: Path,
) -> None:
    alice, a, bob, b = two(tmp_path)
    first = alice.plugins.direct.send(bob.identity, PING, b"while you were away")
    events: list[NodeEvent] = []

    async with running(alice, events) as alice_node, running(bob) as bob_node:
        await alice_node.connect(bob_node.listen_addrs[0])
        await until(lambda: len(a.replies) == 1)
        ((sent, reply),) = a.replies
        assert (sent.id, reply) == (first, b"pong:while you were away")
        ((got),) = b.received
        assert (got.sender, got.device, got.payload) == (
            alice.identity,
            alice.device_key,
            b"while you were away",
        )

        # Queued while connected: the outbox's revision changes, the node tries at once.
        second = await trio.to_thread.run_sync(
            alice.plugins.direct.send, bob.identity, PING, b"now"
        )
        await until(lambda: len(a.replies) == 2)
        assert (a.replies[1][0].id, a.replies[1][1]) == (second, b"pong:now")

    assert alice.plugins.direct.pending() == []
    assert any(e.kind == "direct-delivered" for e in events)
    alice.close()
    bob.close()


async def test_a_message_from_a_device_with_no_known_certificate_is_refused(
    tmp_path: Path,
) -> None:
    alice, a, bob, b = two(tmp_path, bob_knows_alice=False)  # Bob does not replicate Alice
    alice.plugins.direct.send(bob.identity, PING, b"who am I?")

    async with running(alice) as alice_node, running(bob) as bob_node:
        await alice_node.connect(bob_node.listen_addrs[0])
        await until(lambda: last_error(alice) is not None)

    assert last_error(alice) == (
        "the recipient holds no certificate for your device (it does not replicate your feed yet)"
    )
    assert b.received == []
    assert a.replies == []
    alice.close()
    bob.close()


async def test_an_oversized_payload_is_refused_before_sending(tmp_path: Path) -> None:
    alice, _, bob, b = two(tmp_path)
    with alice.store.writing() as conn:  # e.g. queued by a build with another limit
        conn.execute(
            "INSERT INTO direct_outbox (id, to_identity, kind, payload, created) "
            "VALUES (?, ?, ?, ?, 0)",
            (bytes(16), bob.identity, PING, bytes(32 * 1024 + 1)),
        )
    bob_events: list[NodeEvent] = []

    async with running(alice) as alice_node, running(bob, bob_events) as bob_node:
        await alice_node.connect(bob_node.listen_addrs[0])
        await until(lambda: last_error(alice) is not None)

    assert last_error(alice) == "a payload holds at most 32768 bytes, not 32769"
    assert b.received == []
    assert [e for e in bob_events if e.kind == "violation"] == []  # nothing reached Bob
    alice.close()
    bob.close()


async def test_a_hook_that_raises_refuses_turns_the_plugin_off_and_the_node_runs_on(
    tmp_path: Path,
) -> None:
    alice, a, bob, b = two(tmp_path)
    bob.follow(alice.identity)
    b.fail = True
    alice.plugins.direct.send(bob.identity, PING, b"boom")

    async with running(alice) as alice_node, running(bob) as bob_node:
        await alice_node.connect(bob_node.listen_addrs[0])
        await until(lambda: last_error(alice) is not None)
        assert last_error(alice) == "the plugin pinger failed on this message"
        status = bob.plugins.status("pinger")
        assert (status.active, status.error) == (
            False,
            "failed while handling a direct message: RuntimeError: ping exploded",
        )

        # Bob's node keeps serving: a new post of Alice's still reaches him.
        await trio.to_thread.run_sync(alice.post, "still here")
        await until(lambda: "still here" in [p.text for p in bob.timeline()])

    assert a.replies == []
    (waiting,) = alice.plugins.direct.pending()
    assert waiting.attempts == 1
    alice.close()
    bob.close()
