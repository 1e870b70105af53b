"""Plugin records travel like every record: over real libp2p hosts on 127.0.0.1, an entry of
the References Directory reaches a friend's directory and search, live and through a relay
that does not have the plugin at all (it stores and serves the type it cannot read)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import trio

import plugins.references.plugin as references_plugin
from p2p.node import Node
from plugins.references.core import Directory, EntryDraft
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import make_profile
from smd_desktop.replication import ProfileLogStore

LOOPBACK = "/ip4/127.0.0.1/tcp/0"


@asynccontextmanager
async def running(profile: Profile) -> AsyncIterator[Node]:
    logs = ProfileLogStore(profile)
    node = Node(
        seed=profile.device_seed,
        store=logs,
        inspector=logs,
        listen=[LOOPBACK],
        lan_discovery=False,
        poll_interval=0.05,
    )
    async with trio.open_nursery() as nursery:
        nursery.start_soon(node.run)
        await node.ready.wait()
        try:
            yield node
        finally:
            nursery.cancel_scope.cancel()


async def until(condition: Callable[[], bool], timeout: float = 20) -> None:
    with trio.fail_after(timeout):
        while not condition():
            await trio.sleep(0.02)


def titles(profile: Profile, author: Profile) -> list[str]:
    return [e.title for e in Directory(profile).entries(author.identity)]


async def test_an_entry_reaches_a_friends_directory_and_search_live(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "alice", "Alice", plugins=[references_plugin])
    bob = make_profile(tmp_path / "bob", "Bob", plugins=[references_plugin])
    bob.follow(alice.identity)
    Directory(alice).add(
        EntryDraft(
            title="Shure SM7B",
            url="https://www.shure.com/en-US/products/microphones/sm7b",
            category=("Audio", "Microphones"),
            note="My podcast mic for six years.",
            disclosures=frozenset({"free"}),
        )
    )

    async with running(alice) as a, running(bob) as b:
        await b.connect(a.listen_addrs[0])
        await until(lambda: titles(bob, alice) == ["Shure SM7B"])
        found = bob.search("podcast")
        assert [(h.plugin, h.title, h.author) for h in found] == [
            ("references", "Shure SM7B", alice.identity)
        ]
        entry = Directory(bob).entries(alice.identity)[0]
        assert entry.disclosures == ("free",)

        # Live, while connected: a new entry arrives without reconnecting.
        await trio.to_thread.run_sync(
            lambda: Directory(alice).add(EntryDraft(title="Reaper", url="https://www.reaper.fm/"))
        )
        await until(lambda: sorted(titles(bob, alice)) == ["Reaper", "Shure SM7B"])
    alice.close()
    bob.close()


async def test_a_peer_without_the_plugin_relays_its_records(tmp_path: Path) -> None:
    alice = make_profile(tmp_path / "alice", "Alice", plugins=[references_plugin])
    carol = make_profile(tmp_path / "carol", "Carol")  # no plugin: an unknown type to her
    dave = make_profile(tmp_path / "dave", "Dave", plugins=[references_plugin])
    carol.follow(alice.identity)
    dave.follow(alice.identity)
    entry = Directory(alice).add(EntryDraft(title="Framework Laptop", url="https://frame.work/"))

    async with running(alice) as a, running(carol) as c:
        await c.connect(a.listen_addrs[0])
        await until(lambda: carol.store.record(entry.id) is not None)
    # Alice is offline now; Dave meets only Carol.
    async with running(carol) as c, running(dave) as d:
        await d.connect(c.listen_addrs[0])
        await until(lambda: titles(dave, alice) == ["Framework Laptop"])
    for p in (alice, carol, dave):
        p.close()
