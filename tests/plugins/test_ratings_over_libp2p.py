"""The Ratings flow over real libp2p hosts on 127.0.0.1: a deal offered and accepted by direct
message, rated both ways (sealed, then revealed once both sealed), and the revealed ratings
visible to a third node that met only one of the parties, counted in its reputation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import trio

import plugins.ratings.plugin as ratings_plugin
from p2p.node import Node
from plugins.ratings.core.facade import Ratings
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import make_profile
from smd_desktop.replication import ProfileDirect, ProfileLogStore

LOOPBACK = "/ip4/127.0.0.1/tcp/0"


@asynccontextmanager
async def running(profile: Profile) -> AsyncIterator[Node]:
    logs = ProfileLogStore(profile)
    direct = ProfileDirect(profile)
    node = Node(
        seed=profile.device_seed,
        store=logs,
        inspector=logs,
        listen=[LOOPBACK],
        lan_discovery=False,
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


async def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    try:
        with trio.fail_after(timeout):
            while not await trio.to_thread.run_sync(condition):
                await trio.sleep(0.05)
    except trio.TooSlowError:
        raise AssertionError(f"never true: {condition.__code__.co_firstlineno}") from None


def status(profile: Profile, deal_id: bytes) -> str:
    return Ratings(profile).deal(deal_id).status


def revealed(viewer: Profile, about: Profile) -> list[tuple[str | None, int, str]]:
    Ratings(viewer).reveal_due()  # what the app does after records change
    return sorted(
        (r.rater_name, r.overall, r.text) for r in Ratings(viewer).ratings_about(about.identity)
    )


async def test_a_deal_is_offered_accepted_rated_revealed_and_seen_by_a_third_node(
    tmp_path: Path,
) -> None:
    alice = make_profile(tmp_path / "alice", "Alice", plugins=[ratings_plugin])
    bob = make_profile(tmp_path / "bob", "Bob", plugins=[ratings_plugin])
    carol = make_profile(tmp_path / "carol", "Carol", plugins=[ratings_plugin])
    alice.follow(bob.identity)
    bob.follow(alice.identity)
    carol.follow(alice.identity)
    carol.follow(bob.identity)

    async with running(alice) as a, running(bob) as b:
        await b.connect(a.listen_addrs[0])
        await until(lambda: alice.store.identity_of(bob.device_key) is not None)
        await until(lambda: bob.store.identity_of(alice.device_key) is not None)

        offer = await trio.to_thread.run_sync(
            lambda: Ratings(alice).offer_deal(
                bob.identity, "A road bike, 56 cm", amount="250.00", currency="EUR"
            )
        )
        deal = offer.deal_id
        assert offer.status == "offered"
        await until(lambda: any(d.deal_id == deal for d in Ratings(bob).deals()))
        assert status(bob, deal) == "received"

        await trio.to_thread.run_sync(lambda: Ratings(bob).accept(deal))
        await until(lambda: status(alice, deal) == "active")

        await trio.to_thread.run_sync(
            lambda: Ratings(alice).rate(deal, 5, text="Bike as described, friendly.")
        )
        assert revealed(bob, alice) == [] and revealed(alice, bob) == []  # sealed: nothing yet
        await trio.to_thread.run_sync(
            lambda: Ratings(bob).rate(deal, 4, aspects={"timeliness": 3}, text="Paid late.")
        )
        expected_about_bob = [("Alice", 5, "Bike as described, friendly.")]
        expected_about_alice = [("Bob", 4, "Paid late.")]

        def both_revealed() -> bool:
            # Each app reveals once it sees the other side's sealed rating.
            return (
                revealed(bob, alice) == expected_about_alice
                and revealed(alice, bob) == expected_about_bob
            )

        await until(both_revealed)
        await until(lambda: revealed(alice, alice) == expected_about_alice)
        await until(lambda: revealed(bob, bob) == expected_about_bob)

    # Alice is offline; Carol meets only Bob, who serves both feeds.
    async with running(bob) as b, running(carol) as c:
        await c.connect(b.listen_addrs[0])
        await until(lambda: revealed(carol, bob) == expected_about_bob)
        await until(lambda: revealed(carol, alice) == expected_about_alice)
    reputation = Ratings(carol).reputation(bob.identity)
    assert reputation.in_network == 1  # Carol follows Alice: Alice's rating counts
    assert reputation.score > reputation.prior
    for p in (alice, bob, carol):
        p.close()
