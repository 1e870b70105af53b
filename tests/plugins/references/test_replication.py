"""Entries crossing stores: replication, rejection on ingest, late plugins, revocations and
the order versions arrive in."""

from __future__ import annotations

from plugins.references.core import Directory
from smd_desktop.core import content as ct
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.profile import Profile
from smd_desktop.core.records import parse_record
from smd_desktop.core.store import Outcome, now_ms
from smd_desktop.core.testing import FeedWriter

from .conftest import Profiles
from .support import ENTRY_TYPE, draft, entry_content, sync

BAD = entry_content(
    slug="bad",
    title="Sneaky",
    affiliate=[{"network": "Amazon", "url": "https://amzn.example/x?tag=me-20"}],
)
"""An affiliate link without the affiliate disclosure: invalid."""


def test_an_entry_replicates_into_the_other_directory_and_its_search(
    alice: Profile, alice_dir: Directory, bob: Profile, bob_dir: Directory
) -> None:
    entry = alice_dir.add(draft(category=("Audio", "Microphones"), tags=("podcast",)))

    sync(alice, bob)

    assert bob_dir.entries(alice.identity) == [entry]
    assert bob_dir.entries() == []
    (found,) = bob_dir.search("shure", category="audio", tag="podcast", author=alice.identity)
    assert found.entry == entry
    (hit,) = bob.search("sm7b")
    assert (hit.plugin, hit.kind, hit.record_id, hit.author, hit.title) == (
        "references",
        "entry",
        entry.id,
        alice.identity,
        "Shure SM7B",
    )


def test_a_removal_replicates_and_purges_at_the_peer(
    alice: Profile, alice_dir: Directory, bob: Profile, bob_dir: Directory
) -> None:
    v1 = alice_dir.add(draft())
    v2 = alice_dir.edit(v1.id, note="v2")
    sync(alice, bob)
    assert bob_dir.entries(alice.identity) == [v2]

    alice_dir.remove(v1.id)
    sync(alice, bob)

    assert bob_dir.entries(alice.identity) == []
    assert bob_dir.search("shure") == []
    for version in (v1.id, v2.id):
        raw = bob.store.record(version)
        assert raw is not None and parse_record(raw).content is None


def test_an_invalid_entry_from_a_peer_is_rejected_on_ingest(alice: Profile) -> None:
    peer = FeedWriter(RootKey.generate())
    cert = peer.cert()
    good = peer.append(ENTRY_TYPE, entry_content())
    bad = peer.append(ENTRY_TYPE, BAD)

    results = alice.store.ingest([cert.raw, good.raw, bad.raw])

    assert [(r.record_id, r.outcome) for r in results] == [
        (cert.id, Outcome.ACCEPTED),
        (good.id, Outcome.ACCEPTED),
        (bad.id, Outcome.REJECTED),
    ]
    assert results[2].reason == "affiliate links require the affiliate disclosure"
    assert alice.store.record(bad.id) is None


def test_without_the_plugin_it_is_stored_and_later_skipped_by_indexing(
    profiles: Profiles,
) -> None:
    bare = profiles.new("Bare", plugin=False)
    peer = FeedWriter(RootKey.generate())
    records = [peer.cert(), peer.append(ENTRY_TYPE, entry_content()), peer.append(ENTRY_TYPE, BAD)]

    results = bare.store.ingest([r.raw for r in records])

    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 3
    with_plugin = profiles.reopen(bare)
    (entry,) = Directory(with_plugin).entries(IdentityKey(peer.root.public))
    assert entry.id == records[1].id
    assert with_plugin.store.record(records[2].id) == records[2].raw  # still stored, unshown


def test_the_latest_version_wins_by_timestamp_then_id_whatever_the_arrival(
    alice: Profile, alice_dir: Directory
) -> None:
    root = RootKey.generate()
    late, early, tie = (FeedWriter(root, clock=c) for c in (5_000_000, 1_000_000, 5_000_000))
    for writer, note in ((late, "late"), (early, "early"), (tie, "tie")):
        writer.cert()
        writer.append(ENTRY_TYPE, entry_content(note=note))
    author = IdentityKey(root.public)

    alice.store.ingest([r.raw for r in late.records])
    alice.store.ingest([r.raw for r in early.records])  # arrives last, but older
    (current,) = alice_dir.entries(author)
    assert current.note == "late"

    alice.store.ingest([r.raw for r in tie.records])  # same timestamp: the larger id wins
    winner = max((late.records[1], tie.records[1]), key=lambda r: r.id)
    (current,) = alice_dir.entries(author)
    assert current.id == winner.id
    assert alice_dir.detail(current.id).versions == 3


def test_a_revoked_devices_entries_leave_the_directory(
    alice: Profile, alice_dir: Directory
) -> None:
    laptop = FeedWriter(alice.root)  # another device of Alice
    laptop.cert()
    laptop.append(ENTRY_TYPE, entry_content(note="written on the laptop"))
    alice.store.ingest([r.raw for r in laptop.records])
    assert [e.note for e in alice_dir.entries()] == ["written on the laptop"]

    alice.publish(
        ct.REVOKE, alice.root.revoke(laptop.device, after_seq=1, issued=now_ms(), reason="lost")
    )

    assert alice_dir.entries() == []
    assert alice_dir.search("laptop") == []
