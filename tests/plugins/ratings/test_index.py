"""The index rules (docs/RATINGS.md, "Index rules"): receipts count only from a party, ratings
only from a party about the other, once per (rater, deal), reveals only when they open their
own commitment; whatever the arrival order, and idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import plugins.ratings.plugin as ratings_plugin
from plugins.ratings.core.deals import DealTerms, accept_offer, make_offer
from plugins.ratings.core.index import data_version
from plugins.ratings.core.records import DEAL, IMPORT, RATING, RESPONSE, TRUST, RatingBody, seal
from plugins.ratings.core.scenario import Person, World
from plugins.ratings.core.schema import DERIVED_TABLES
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import now_ms
from smd_desktop.core.testing import make_profile

DAY = 24 * 3600 * 1000


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with World(tmp_path) as made:
        yield made


def receipt(offerer: Profile, accepter: Profile, what: str = "A lamp") -> dict[str, Any]:
    """A co-signed receipt made by hand (no messages, nothing published)."""
    now = now_ms()
    terms = DealTerms(
        offerer=offerer.identity,
        accepter=accepter.identity,
        what=what,
        context="p2p-sale",
        offered=now,
        expires=now + DAY,
        nonce=now.to_bytes(16, "big"),
    )
    offer = make_offer(terms, offerer.device_certificate(), offerer.sign_detached)
    return accept_offer(offer, accepter.device_certificate(), accepter.sign_detached)


def deal_of(content: dict[str, Any]) -> bytes:
    from plugins.ratings.core.deals import deal_id

    return deal_id(content["terms"])


def rows(profile: Profile, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with profile.store.reading() as conn:
        return [tuple(r) for r in conn.execute(sql, params)]


def statuses(profile: Profile, deal: bytes) -> list[tuple[bytes, str]]:
    return [
        (bytes(r[0]), r[1])
        for r in rows(
            profile,
            "SELECT record_id, status FROM ratings_rating_records WHERE deal_id = ? "
            "ORDER BY ts, device, seq",
            deal,
        )
    ]


def sealed(rater: Person, deal: bytes, ratee: Person, overall: int = 5, salt: bytes = b"s") -> Any:
    body = RatingBody(overall)
    content = {
        "deal": deal,
        "ratee": ratee.profile.identity,
        "sealed": seal(deal, ratee.profile.identity, salt * 32, body),
    }
    return rater.profile.publish(RATING, content)


def reveal(rater: Person, deal: bytes, ratee: Person, opens: bytes, overall: int = 5) -> Any:
    content = {
        "deal": deal,
        "ratee": ratee.profile.identity,
        "opens": opens,
        "salt": b"s" * 32,
        "rating": {"overall": overall},
    }
    return rater.profile.publish(RATING, content)


def test_a_receipt_counts_only_from_a_party_and_both_copies_are_one_deal(world: World) -> None:
    alice, bob, mallory = world.person("Alice"), world.person("Bob"), world.person("Mallory")
    content = receipt(alice.profile, bob.profile)
    deal = deal_of(content)
    mallory.profile.publish(DEAL, content)  # valid signatures, but not her deal
    world.sync()
    assert rows(alice.profile, "SELECT deal_id FROM ratings_deals") == []
    alice.profile.publish(DEAL, content)
    bob.profile.publish(DEAL, content)
    world.sync()
    for who in (alice, bob, mallory):
        assert rows(who.profile, "SELECT deal_id, what FROM ratings_deals") == [(deal, "A lamp")]
        assert len(rows(who.profile, "SELECT * FROM ratings_deal_records")) == 2


def test_ratings_bind_to_a_party_the_other_party_and_the_first_seal(world: World) -> None:
    alice, bob, mallory = world.person("Alice"), world.person("Bob"), world.person("Mallory")
    content = receipt(alice.profile, bob.profile)
    deal = deal_of(content)
    alice.profile.publish(DEAL, content)
    first = sealed(alice, deal, bob, 5)
    again = sealed(alice, deal, bob, 1)  # a second rating of the same deal
    self_rating = sealed(alice, deal, mallory)  # about someone outside the deal
    stranger = sealed(mallory, deal, bob, 1)
    world.sync()
    observed = dict(statuses(bob.profile, deal))
    assert observed == {
        first.id: "counted",
        again.id: "duplicate",
        self_rating.id: "not-party",
        stranger.id: "not-party",
    }
    assert rows(bob.profile, "SELECT rater, sealed_id FROM ratings_ratings") == [
        (alice.profile.identity, first.id)
    ]


def test_a_reveal_must_open_its_own_commitment(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    content = receipt(alice.profile, bob.profile)
    deal = deal_of(content)
    alice.profile.publish(DEAL, content)
    alices = sealed(alice, deal, bob, 4)
    bobs = sealed(bob, deal, alice, 2)
    wrong_body = reveal(alice, deal, bob, alices.id, overall=5)  # commitment was to 4
    someone_elses = reveal(alice, deal, bob, bobs.id, overall=2)
    honest = reveal(alice, deal, bob, alices.id, overall=4)
    world.sync()
    observed = dict(statuses(bob.profile, deal))
    assert (observed[wrong_body.id], observed[someone_elses.id], observed[honest.id]) == (
        "bad-reveal",
        "bad-reveal",
        "counted",
    )
    assert rows(
        bob.profile, "SELECT rater, reveal_id, overall FROM ratings_ratings ORDER BY overall"
    ) == [(bob.profile.identity, None, None), (alice.profile.identity, honest.id, 4)]


def test_a_rating_that_arrives_before_its_deal_waits_and_then_counts(
    world: World, tmp_path: Path
) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    content = receipt(alice.profile, bob.profile)
    deal = deal_of(content)
    alice.profile.publish(DEAL, content)  # only Alice publishes the receipt
    rating = sealed(bob, deal, alice)
    carol = make_profile(tmp_path / "carol", "Carol", plugins=[ratings_plugin])
    try:
        carol.store.ingest(bob.profile.store.identity_records(bob.profile.identity))
        assert statuses(carol, deal) == [(rating.id, "waiting")]
        assert rows(carol, "SELECT * FROM ratings_ratings") == []
        carol.store.ingest(alice.profile.store.identity_records(alice.profile.identity))
        assert statuses(carol, deal) == [(rating.id, "counted")]
    finally:
        carol.close()


def test_deleting_every_copy_of_a_receipt_unbinds_its_ratings(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    alice.ratings.rate(deal, 5)
    world.sync()
    copies = rows(bob.profile, "SELECT record_id, author FROM ratings_deal_records")
    assert len(copies) == 2
    for record_id, author in copies:
        owner = alice if author == alice.profile.identity else bob
        owner.profile.retract(record_id)
    world.sync()
    assert rows(bob.profile, "SELECT * FROM ratings_deals") == []
    assert [s for _, s in statuses(bob.profile, deal)] == ["waiting"]


def test_indexing_is_idempotent_across_a_rebuild(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    alice.ratings.rate(deal, 5, text="Fine.")
    world.sync()
    bob.ratings.rate(deal, 3)
    world.sync()
    alice.ratings.reveal_due()
    alice.ratings.trust(bob.profile.identity, 2, context="p2p-sale")
    world.sync()

    def dump() -> dict[str, list[tuple[Any, ...]]]:
        return {t: sorted(rows(bob.profile, f"SELECT * FROM {t}")) for t in DERIVED_TABLES}

    before, version = dump(), rows(bob.profile, "SELECT n FROM ratings_version")[0][0]
    bob.profile.plugins.set_enabled("ratings", False)
    bob.profile.plugins.set_enabled("ratings", True)
    assert dump() == before
    with bob.profile.store.reading() as conn:
        assert data_version(conn) > version  # the reputation service will rebuild


def test_responses_count_once_from_the_ratee(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    alice.ratings.rate(deal, 2)
    world.sync()
    bob.ratings.rate(deal, 5)
    world.sync()
    alice.ratings.reveal_due()
    world.sync()
    (rating,) = bob.ratings.ratings_about(bob.profile.identity)
    alice.profile.publish(RESPONSE, {"rating": rating.id, "text": "By the rater: ignored."})
    first = bob.profile.publish(RESPONSE, {"rating": rating.id, "text": "First answer."})
    bob.profile.publish(RESPONSE, {"rating": rating.id, "text": "Second answer."})
    world.sync()
    assert alice.ratings.rating(rating.id).response == "First answer."
    bob.profile.retract(first.id)  # deleting the first lets the next one count
    world.sync()
    assert alice.ratings.rating(rating.id).response == "Second answer."


def test_statements_about_oneself_and_foreign_link_tokens_are_ignored(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    alice.profile.publish(TRUST, {"trustee": alice.profile.identity, "weight": 3})
    world.sync()
    assert rows(bob.profile, "SELECT * FROM ratings_trust") == []
    url = "https://www.ebay.com/usr/bob_bikes"
    samples = Path(__file__).resolve().parents[3] / "plugins" / "ratings" / "samples"
    imported = bob.ratings.import_file(samples / "ebay_feedback.csv", "ebay", url, link=True)
    stolen = record_content(bob.profile, imported.id)  # Bob's summary, token and all
    alice.profile.publish(IMPORT, stolen)
    world.sync()
    assert [r[0] for r in rows(bob.profile, "SELECT subject FROM ratings_imports")] == [
        bob.profile.identity
    ]


def record_content(profile: Profile, record_id: bytes) -> dict[str, Any]:
    from smd_desktop.core.records import parse_record

    raw = profile.store.record(record_id)  # type: ignore[arg-type]
    assert raw is not None
    content = parse_record(raw).content
    assert content is not None
    return dict(content)


def test_a_receipt_signed_by_a_device_revoked_before_the_offer_is_ignored(
    world: World, tmp_path: Path
) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    laptop = make_profile(
        tmp_path / "alice-laptop", None, root=alice.profile.root, plugins=[ratings_plugin]
    )
    try:
        alice.profile.store.ingest(laptop.store.identity_records(laptop.identity))
        alice.profile.revoke_device(laptop.device_key)
        world.sync()
        content = receipt(laptop, bob.profile)  # offered after the revocation
        bob.profile.publish(DEAL, content)
        world.sync()
        assert rows(alice.profile, "SELECT * FROM ratings_deals") == []
    finally:
        laptop.close()
