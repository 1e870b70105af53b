"""The Trio sync driver over in-memory streams, with real encrypted stores on both sides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trio
import trio.testing

from p2p.framing import encode_frame
from p2p.interfaces import IngestCounts
from p2p.sync_driver import SyncFailed, SyncProgress, run_sync
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import make_profile
from smd_desktop.replication import ProfileLogStore


@pytest.fixture
def alice(tmp_path: Path) -> Iterator[Profile]:
    p = make_profile(tmp_path / "alice", "Alice")
    yield p
    p.close()


@pytest.fixture
def bob(tmp_path: Path) -> Iterator[Profile]:
    p = make_profile(tmp_path / "bob", "Bob")
    yield p
    p.close()


async def sync_pair(a: Profile, b: Profile) -> tuple[SyncProgress, SyncProgress]:
    left, right = trio.testing.memory_stream_pair()
    results: dict[str, SyncProgress] = {}

    async def side(name: str, stream: trio.abc.Stream, profile: Profile) -> None:
        results[name] = await run_sync(stream, ProfileLogStore(profile))

    with trio.fail_after(20):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(side, "a", left, a)
            nursery.start_soon(side, "b", right, b)
    return results["a"], results["b"]


def texts(profile: Profile) -> list[str]:
    return [p.text for p in profile.timeline(limit=1000)]


async def test_two_followers_converge_in_both_directions(alice: Profile, bob: Profile) -> None:
    alice.follow(bob.identity)
    bob.follow(alice.identity)
    for i in range(300):
        alice.post(f"alice {i}")
    bob.post("bob 0")

    at_alice, at_bob = await sync_pair(alice, bob)

    # Bob gets Alice's cert, profile, follow and 300 posts; Alice gets Bob's 4 records.
    assert at_bob.counts == IngestCounts(accepted=303)
    assert at_bob.expected == 303
    assert at_alice.counts == IngestCounts(accepted=4)
    assert texts(alice) == texts(bob)
    assert len(texts(bob)) == 301


async def test_a_second_sync_moves_nothing(alice: Profile, bob: Profile) -> None:
    bob.follow(alice.identity)
    alice.post("once")
    await sync_pair(alice, bob)

    again_alice, again_bob = await sync_pair(alice, bob)

    assert (again_alice.expected, again_bob.expected) == (0, 0)
    assert again_bob.counts == IngestCounts()


async def test_only_wanted_identities_are_sent(alice: Profile, bob: Profile) -> None:
    alice.post("not followed, not sent")

    _, at_bob = await sync_pair(alice, bob)

    assert at_bob.expected == 0
    assert texts(bob) == []


async def test_friends_of_friends_travel_through_a_mutual_friend(
    tmp_path: Path, alice: Profile, bob: Profile
) -> None:
    carol = make_profile(tmp_path / "carol", "Carol")
    carol.post("carol's news")
    bob.follow(carol.identity)
    alice.follow(bob.identity)  # carol is two hops from alice
    await sync_pair(bob, carol)  # bob holds carol's feed

    await sync_pair(alice, bob)  # carol is offline now; alice learns whom bob follows
    assert alice.store.count_records(carol.identity) == 0
    await sync_pair(alice, bob)  # the node re-syncs when its wanted set grew

    assert alice.store.count_records(carol.identity) == carol.store.count_records()
    alice.follow(carol.identity)
    assert "carol's news" in texts(alice)
    carol.close()


class CutAfter(trio.abc.Stream):
    """Passes bytes through until ``limit`` were received, then the link dies."""

    def __init__(self, inner: trio.abc.Stream, limit: int) -> None:
        self.inner, self.left = inner, limit

    async def send_all(self, data: bytes | memoryview) -> None:
        await self.inner.send_all(data)

    async def wait_send_all_might_not_block(self) -> None:
        await self.inner.wait_send_all_might_not_block()

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        if self.left <= 0:
            await self.inner.aclose()
            raise trio.BrokenResourceError("link cut")
        data = await self.inner.receive_some(min(max_bytes or 65536, self.left))
        self.left -= len(data)
        return bytes(data)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_sync_cut_mid_stream_resumes_without_gaps_or_duplicates(
    alice: Profile, bob: Profile
) -> None:
    bob.follow(alice.identity)
    for i in range(1500):
        alice.post(f"p{i}")
    total = alice.store.count_records()
    # lockstep: a send waits for the reader, as over a real network with flow control
    left, right = trio.testing.lockstep_stream_pair()

    async def side(stream: trio.abc.Stream, profile: Profile) -> None:
        with pytest.raises(SyncFailed) as failed:
            await run_sync(stream, ProfileLogStore(profile))
        assert failed.value.remote_fault is False

    with trio.fail_after(20):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(side, left, alice)
            nursery.start_soon(side, CutAfter(right, 120_000), bob)

    partial = bob.store.count_records(alice.identity)
    assert 0 < partial < total

    _, at_bob = await sync_pair(alice, bob)

    assert at_bob.expected == total - partial
    assert at_bob.counts == IngestCounts(accepted=total - partial)
    assert bob.store.count_records(alice.identity) == total
    assert texts(bob) == texts(alice)


async def test_a_peer_sending_junk_is_a_remote_fault(alice: Profile) -> None:
    left, right = trio.testing.memory_stream_pair()

    async def junk_peer() -> None:
        await right.send_all(encode_frame(b"\xc1 this is not msgpack"))
        await right.receive_some(65536)  # our hello, then our error frame
        with trio.move_on_after(2):
            while await right.receive_some(65536):
                pass

    async with trio.open_nursery() as nursery:
        nursery.start_soon(junk_peer)
        with pytest.raises(SyncFailed, match=r"^peer broke the sync protocol") as failed:
            await run_sync(left, ProfileLogStore(alice))
    assert failed.value.remote_fault is True


async def test_a_silent_peer_times_out(alice: Profile) -> None:
    left, _right = trio.testing.memory_stream_pair()
    with pytest.raises(SyncFailed, match=r"^sync stalled") as failed:
        await run_sync(left, ProfileLogStore(alice), idle_timeout=0.3)
    assert failed.value.remote_fault is False
