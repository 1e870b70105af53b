"""Trust statements and the reputation from my seat: the latest statement is in force, the
engine is fed from the index (trust, follows, my blocks, deals, revealed ratings only) and is
rebuilt only when its inputs change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.ratings.core.scenario import Person, World
from plugins.ratings.core.service import service_for
from smd_desktop.core.errors import UserError


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with World(tmp_path) as made:
        yield made


def rated(world: World, rater: Person, ratee: Person, overall: int) -> None:
    """A deal between them, rated by ``rater`` and revealed (the ratee rates 3)."""
    deal = world.make_deal(rater, ratee)
    rater.ratings.rate(deal, overall)
    world.sync()
    ratee.ratings.rate(deal, 3)
    world.sync()
    rater.ratings.reveal_due()
    world.sync()


def test_the_latest_statement_is_in_force_and_withdrawing_removes_it(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    first = alice.ratings.trust(bob.profile.identity, 1, note="  seems fine  ")
    assert (first.weight, first.context, first.note, first.trustee_name) == (
        1,
        "general",
        "seems fine",
        "Bob",
    )
    alice.ratings.trust(bob.profile.identity, 3)
    alice.ratings.trust(bob.profile.identity, -1, context="rental")
    world.sync()
    in_force = {(t.context, t.weight) for t in bob.ratings.trust_about(bob.profile.identity)}
    assert in_force == {("general", 3), ("rental", -1)}
    assert {(t.context, t.weight) for t in alice.ratings.trust_statements()} == in_force
    assert bob.ratings.trust_statements() == []

    assert alice.ratings.withdraw_trust(bob.profile.identity) == 2  # both general statements
    assert [(t.context, t.weight) for t in alice.ratings.trust_statements()] == [("rental", -1)]
    with pytest.raises(UserError, match=r"^you have made no general trust statement about them$"):
        alice.ratings.withdraw_trust(bob.profile.identity)


def test_trust_mistakes_are_sentences(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    with pytest.raises(UserError, match=r"^you cannot state trust in yourself$"):
        alice.ratings.trust(alice.profile.identity, 2)
    with pytest.raises(UserError, match=r"^weight must be one of \[-2, -1, 1, 2, 3\]$"):
        alice.ratings.trust(bob.profile.identity, 0)
    with pytest.raises(UserError, match=r"^context must be 1-32 lowercase letters"):
        alice.ratings.trust(bob.profile.identity, 1, context="Car Sales")
    with pytest.raises(UserError, match=r"^context must match"):
        alice.ratings.reputation(bob.profile.identity, "Car Sales")
    assert alice.ratings.trust(bob.profile.identity, 2, context="general").context == "general"


def test_ratings_count_by_the_trust_the_viewer_gives_their_authors(world: World) -> None:
    viewer, friend, stranger, seller = (world.person(n) for n in ("V", "Friend", "X", "Seller"))
    rated(world, friend, seller, 5)
    rated(world, stranger, seller, 1)
    # From the viewer's seat nobody is trusted yet: both ratings are "from outside".
    before = viewer.ratings.reputation(seller.profile.identity)
    assert (before.score, before.in_network, before.outside) == (3.0, 0, 2)

    viewer.ratings.trust(friend.profile.identity, 3)
    after = viewer.ratings.reputation(seller.profile.identity)
    (by_friend, by_stranger) = after.counted
    assert (by_friend.rater_name, by_friend.weight, by_friend.mean) == ("Friend", 1.0, 5.0)
    # The stranger is reached only through the seller's deal with them: less than a vote.
    assert by_stranger.rater_name == "X" and 0 < by_stranger.weight < by_friend.weight
    assert after.in_network == 2

    viewer.ratings.trust(stranger.profile.identity, -2)  # my distrust is absolute
    final = viewer.ratings.reputation(seller.profile.identity)
    assert (final.in_network, final.outside) == (1, 1)
    assert [(c.rater_name, c.weight) for c in final.counted] == [("Friend", 1.0), ("X", 0.0)]
    assert final.score == pytest.approx((2 * 3 + 5) / 3)

    why = viewer.ratings.explain(seller.profile.identity)
    assert [name for _, name in why.paths[0].people] == ["V", "Friend", "Seller"]
    assert why.contributions[0].share == pytest.approx(1 / 3)


def test_my_block_is_distrust_and_my_follow_is_weak_trust(world: World) -> None:
    viewer, friend, seller = world.person("V"), world.person("Friend"), world.person("Seller")
    rated(world, friend, seller, 5)
    viewer.profile.follow(friend.profile.identity)
    followed = viewer.ratings.reputation(seller.profile.identity)
    assert followed.in_network == 1 and followed.score > 3.0
    viewer.profile.block(friend.profile.identity)
    blocked = viewer.ratings.reputation(seller.profile.identity)
    assert (blocked.in_network, blocked.score) == (0, 3.0)
    # My own explicit statement wins over my block.
    viewer.ratings.trust(friend.profile.identity, 2)
    assert viewer.ratings.reputation(seller.profile.identity).in_network == 1


def test_only_revealed_ratings_count(world: World) -> None:
    viewer, friend, seller = world.person("V"), world.person("Friend"), world.person("Seller")
    viewer.ratings.trust(friend.profile.identity, 3)
    deal = world.make_deal(friend, seller)
    friend.ratings.rate(deal, 1)
    world.sync()
    sealed = viewer.ratings.reputation(seller.profile.identity)
    assert (sealed.score, sealed.in_network, sealed.sealed) == (3.0, 0, 1)


def test_the_engine_is_rebuilt_only_when_its_inputs_change(world: World) -> None:
    viewer, friend, seller = world.person("V"), world.person("Friend"), world.person("Seller")
    service = service_for(viewer.profile)
    viewer.ratings.reputation(seller.profile.identity)
    built = service.rebuilds
    viewer.ratings.reputation(seller.profile.identity)
    viewer.ratings.explain(seller.profile.identity)
    viewer.ratings.deals()
    assert service.rebuilds == built  # nothing changed: cached
    viewer.ratings.trust(friend.profile.identity, 2)  # a plugin record: the version moves
    viewer.ratings.reputation(seller.profile.identity)
    assert service.rebuilds == built + 1
    viewer.profile.follow(seller.profile.identity)  # a core record: the relations' fingerprint
    viewer.ratings.reputation(seller.profile.identity)
    assert service.rebuilds == built + 2
    viewer.profile.post("hello")  # unrelated: no rebuild
    viewer.ratings.reputation(seller.profile.identity)
    assert service.rebuilds == built + 2
