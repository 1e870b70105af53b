"""Double-blind ratings: nothing shows until both rated or 14 days passed, a reveal opens its
commitment and carries the rater's credential proof, and the secret survives a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import plugins.ratings.plugin as ratings_plugin
from plugins.ratings.core import Ratings
from plugins.ratings.core.credentials import verify_credential
from plugins.ratings.core.records import RATING, REVEAL_AFTER_MS
from plugins.ratings.core.scenario import World
from smd_desktop.core.plugins import PluginHost
from smd_desktop.core.profile import Profile
from smd_desktop.core.records import parse_record

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with World(tmp_path) as made:
        yield made


def revealed_records(profile: Profile) -> list[dict[str, object]]:
    records = [parse_record(raw) for raw in profile.store.identity_records(profile.identity)]
    return [r.content for r in records if r.type == RATING and r.content and "opens" in r.content]


def test_a_lone_rating_stays_sealed_until_the_other_side_rates(world: World) -> None:
    alice, bob, carol = world.person("Alice"), world.person("Bob"), world.person("Carol")
    deal = world.make_deal(alice, bob)
    alice.ratings.rate(deal, 1, text="Never again.")
    world.sync()
    assert bob.ratings.deal(deal).their_rating.state == "sealed"
    assert bob.ratings.ratings_about(bob.profile.identity) == []
    assert carol.ratings.sealed_count_about(bob.profile.identity) == 1
    assert alice.ratings.reveal_due() == 0  # Bob has not rated: nothing due
    assert revealed_records(alice.profile) == []

    bob.ratings.rate(deal, 4)  # Alice's seal is known: Bob's rating is revealed at once
    world.sync()
    assert alice.ratings.reveal_due() == 1
    world.sync()
    (about_bob,) = carol.ratings.ratings_about(bob.profile.identity)
    (about_alice,) = carol.ratings.ratings_about(alice.profile.identity)
    assert (about_bob.overall, about_bob.text, about_alice.overall) == (1, "Never again.", 4)
    assert carol.ratings.sealed_count_about(bob.profile.identity) == 0
    assert not about_bob.written_after_seeing and not about_alice.written_after_seeing
    assert alice.ratings.reveal_due() == 0  # idempotent


def test_a_sealed_rating_is_revealed_after_fourteen_days(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    sealed_at = alice.ratings.rate(deal, 5).my_rating.sealed_at
    assert sealed_at is not None
    assert alice.ratings.reveal_due(sealed_at + REVEAL_AFTER_MS - 1) == 0
    assert alice.ratings.reveal_due(sealed_at + REVEAL_AFTER_MS) == 1
    world.sync()
    state = bob.ratings.deal(deal).their_rating
    assert state.state == "revealed" and state.rating is not None
    assert (state.rating.overall, state.rating.sealed_at) == (5, sealed_at)


def test_a_rating_written_after_the_other_reveal_is_marked(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    sealed_at = alice.ratings.rate(deal, 2).my_rating.sealed_at
    assert sealed_at is not None
    alice.ratings.reveal_due(sealed_at + REVEAL_AFTER_MS)  # Bob waited past 14 days
    world.sync()
    bob.ratings.rate(deal, 1)
    world.sync()
    (by_bob,) = alice.ratings.ratings_about(alice.profile.identity)
    (by_alice,) = alice.ratings.ratings_about(bob.profile.identity)
    assert (by_bob.written_after_seeing, by_alice.written_after_seeing) == (True, False)


def test_a_reveal_carries_a_proof_the_ratee_can_check_without_the_rater(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob, "Bike repair", context="service")
    alice.ratings.rate(deal, 4, aspects={"timeliness": 3}, text="Good work.")
    world.sync()
    bob.ratings.rate(deal, 5)
    world.sync()
    alice.ratings.reveal_due()
    world.sync()
    (content,) = revealed_records(alice.profile)
    assert set(content) == {"deal", "ratee", "opens", "salt", "rating", "vc"}
    vc = content["vc"]
    assert isinstance(vc, dict) and len(vc["proof"]) == 64

    (credential,) = bob.ratings.credentials()
    verified = verify_credential(credential)
    facts = verified.facts
    assert (facts.rater, facts.ratee, facts.deal_id) == (
        alice.profile.identity,
        bob.profile.identity,
        deal,
    )
    assert (facts.overall, dict(facts.aspects), facts.text) == (4, {"timeliness": 3}, "Good work.")
    assert (facts.context, facts.what) == ("service", "Bike repair")
    assert facts.sealed_record == content["opens"]
    assert verified.created_ms == vc["created"]
    (for_alice,) = alice.ratings.credentials()  # Bob's rating of her, revealed with a proof
    assert verify_credential(for_alice).facts.rater == bob.profile.identity


def test_the_secret_survives_a_restart_and_is_revealed_then(world: World, tmp_path: Path) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    sealed_at = alice.ratings.rate(deal, 3).my_rating.sealed_at
    assert sealed_at is not None
    data_dir = alice.profile.store.data_dir
    alice.profile.close()
    world.people.remove(alice)
    host = PluginHost()
    host.add(ratings_plugin)
    reopened = Profile.open(data_dir, PASSPHRASE, plugins=host)
    try:
        assert Ratings(reopened).reveal_due(sealed_at + REVEAL_AFTER_MS) == 1
        (content,) = revealed_records(reopened)
        assert content["rating"] == {"overall": 3}
    finally:
        reopened.close()


def test_rebuilding_the_index_keeps_the_secrets_and_the_revealed_ratings(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    alice.ratings.rate(deal, 5)
    world.sync()
    bob.ratings.rate(deal, 4)
    world.sync()
    before = alice.ratings.deal(deal)
    alice.profile.plugins.set_enabled("ratings", False)
    alice.profile.plugins.set_enabled("ratings", True)  # reset + re-index from the records
    after = Ratings(alice.profile).deal(deal)
    assert (after.my_rating.state, after.their_rating.state) == ("sealed", "revealed")
    assert after.their_rating == before.their_rating
    assert Ratings(alice.profile).reveal_due() == 1
