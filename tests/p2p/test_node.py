"""Whole nodes over real libp2p hosts on 127.0.0.1 with real encrypted stores."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import trio

from p2p.node import Node, NodeEvent
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import make_profile
from smd_desktop.replication import ProfileLogStore

LOOPBACK = "/ip4/127.0.0.1/tcp/0"


@asynccontextmanager
async def running(profile: Profile, events: list[NodeEvent] | None = None) -> AsyncIterator[Node]:
    node = Node(
        seed=profile.device_seed,
        store=ProfileLogStore(profile),
        listen=[LOOPBACK],
        on_event=events.append if events is not None else None,
        poll_interval=0.05,
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


def texts(profile: Profile) -> list[str]:
    return sorted(p.text for p in profile.timeline(limit=10_000))


async def test_two_nodes_sync_fully_on_connect_and_keep_up(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "alice", "Alice")
    bob = make_profile(tmp_path / "bob", "Bob")
    alice.follow(bob.identity)
    bob.follow(alice.identity)
    for i in range(500):
        alice.post(f"alice {i}")
    bob.post("bob says hi")
    events: list[NodeEvent] = []

    async with running(alice, events) as a, running(bob) as b:
        assert a.peer_id != b.peer_id
        peer = await a.connect(b.listen_addrs[0])
        assert peer == b.peer_id
        await until(lambda: texts(alice) == texts(bob) and len(texts(bob)) == 501)

        # Live: a post made while connected arrives without a new connection.
        await trio.to_thread.run_sync(bob.post, "later")
        await until(lambda: "later" in texts(alice))

    kinds = {e.kind for e in events}
    assert {"connected", "sync-done"} <= kinds
    alice.close()
    bob.close()


async def test_a_node_relays_a_friends_posts_while_the_author_is_offline(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "alice", "Alice")
    bob = make_profile(tmp_path / "bob", "Bob")
    carol = make_profile(tmp_path / "carol", "Carol")
    bob.follow(carol.identity)
    alice.follow(bob.identity)
    alice.follow(carol.identity)
    carol.post("carol was here")

    async with running(bob) as b:
        async with running(carol) as c:
            await c.connect(b.listen_addrs[0])
            await until(
                lambda: "carol was here" in [p.text for p in bob.store.author_posts(carol.identity)]
            )
        # carol is offline now
        async with running(alice) as a:
            await a.connect(b.listen_addrs[0])
            await until(lambda: "carol was here" in texts(alice))
    for p in (alice, bob, carol):
        p.close()
