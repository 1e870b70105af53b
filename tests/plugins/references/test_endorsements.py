"""Endorsements: who vouches for an entry, in what order, across versions and arrivals."""

from __future__ import annotations

import re

import pytest

from plugins.references.core import Directory, EndorsementView
from plugins.references.core.model import ENDORSE_TYPE
from smd_desktop.core import content as ct
from smd_desktop.core.errors import UserError
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import Outcome
from smd_desktop.core.testing import FeedWriter

from .conftest import Profiles
from .support import draft, sync


def endorser(name: str, clock: int) -> FeedWriter:
    """A hand-written feed of a new identity named ``name`` (cert + profile)."""
    writer = FeedWriter(RootKey.generate(), clock=clock)
    writer.cert()
    writer.append(ct.PROFILE, {"name": name})
    return writer


def endorse(writer: FeedWriter, entry: RecordId, note: str | None = None) -> RecordId:
    content: dict[str, object] = {"entry": entry}
    if note is not None:
        content["note"] = note
    return writer.append(ENDORSE_TYPE, content).id


def deliver(profile: Profile, *writers: FeedWriter) -> None:
    results = profile.store.ingest([r.raw for w in writers for r in w.records])
    assert {r.outcome for r in results} <= {Outcome.ACCEPTED, Outcome.DUPLICATE}


def who(views: tuple[EndorsementView, ...]) -> list[tuple[str | None, str, bool]]:
    return [(v.endorser_name, v.note, v.followed) for v in views]


def test_people_i_follow_come_first_then_newest_first(alice: Profile, alice_dir: Directory) -> None:
    entry = alice_dir.add(draft())
    bob, carol, dave = (endorser(n, c) for n, c in (("Bob", 1), ("Carol", 10**6), ("Dave", 10**7)))
    endorse(bob, entry.id, "solid")
    endorse(carol, entry.id)
    endorse(dave, entry.id, "great")
    deliver(alice, bob, carol, dave)
    alice.follow(IdentityKey(carol.root.public))

    assert who(alice_dir.detail(entry.id).endorsements) == [
        ("Carol", "", True),
        ("Dave", "great", False),
        ("Bob", "solid", False),
    ]


def test_the_latest_endorsement_of_each_person_counts(alice: Profile, alice_dir: Directory) -> None:
    entry = alice_dir.add(draft())
    bob = endorser("Bob", 1)
    endorse(bob, entry.id, "first take")
    latest = endorse(bob, entry.id, "second take")
    deliver(alice, bob)

    (view,) = alice_dir.detail(entry.id).endorsements
    assert (view.id, view.note) == (latest, "second take")


def test_an_endorsement_follows_the_entry_to_its_new_versions(
    alice: Profile, alice_dir: Directory
) -> None:
    v1 = alice_dir.add(draft())
    bob = endorser("Bob", 1)
    endorse(bob, v1.id, "vouch")
    deliver(alice, bob)

    v2 = alice_dir.edit(v1.id, note="updated")

    assert who(alice_dir.detail(v2.id).endorsements) == [("Bob", "vouch", False)]


def test_an_endorsement_that_arrives_before_its_entry_shows_once_the_entry_does(
    profiles: Profiles, alice: Profile, alice_dir: Directory
) -> None:
    entry = alice_dir.add(draft())
    bob = endorser("Bob", 1)
    endorse(bob, entry.id, "early")
    carol = profiles.new("Carol")
    deliver(carol, bob)

    sync(alice, carol)

    assert who(Directory(carol).detail(entry.id).endorsements) == [("Bob", "early", False)]


def test_self_endorsements_are_refused_and_ignored(alice: Profile, alice_dir: Directory) -> None:
    entry = alice_dir.add(draft())
    with pytest.raises(UserError, match=r"^you cannot endorse your own entry$"):
        alice_dir.endorse(entry.id)

    other_device = FeedWriter(alice.root)  # a second device of Alice, written by hand
    other_device.cert()
    endorse(other_device, entry.id, "I am great")
    deliver(alice, other_device)

    assert alice_dir.detail(entry.id).endorsements == ()


def test_a_blocked_persons_endorsement_is_hidden(alice: Profile, alice_dir: Directory) -> None:
    entry = alice_dir.add(draft())
    troll = endorser("Troll", 1)
    endorse(troll, entry.id, "spam")
    deliver(alice, troll)

    alice.block(IdentityKey(troll.root.public))

    assert alice_dir.detail(entry.id).endorsements == ()


def test_endorse_and_unendorse_replicate(
    alice: Profile, alice_dir: Directory, bob: Profile, bob_dir: Directory
) -> None:
    entry = alice_dir.add(draft())
    sync(alice, bob)

    endorsement = bob_dir.endorse(entry.id, "  Bought one on her advice.  ")
    sync(bob, alice)

    (view,) = alice_dir.detail(entry.id).endorsements
    assert (view.id, view.endorser, view.note, view.endorser_name) == (
        endorsement,
        bob.identity,
        "Bought one on her advice.",
        "Bob",
    )

    assert bob_dir.unendorse(entry.id) == 1
    sync(bob, alice)

    assert alice_dir.detail(entry.id).endorsements == ()
    assert bob_dir.detail(entry.id).endorsements == ()
    with pytest.raises(UserError, match=rf"^{re.escape('you have not endorsed this entry')}$"):
        bob_dir.unendorse(entry.id)
