"""The Ratings facade: deals offered, accepted and declined through SMD's direct messages,
rating rules, responses, imports and witnesses, credentials exported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.ratings.core import Ratings
from plugins.ratings.core.credentials import CredentialError
from plugins.ratings.core.scenario import World
from smd_desktop.core.errors import NotFound, UserError
from smd_desktop.core.ids import RecordId, did_key
from smd_desktop.core.testing import make_profile

DAY = 24 * 3600 * 1000
SAMPLES = Path(__file__).resolve().parents[3] / "plugins" / "ratings" / "samples"


class Clock:
    """A settable clock (ms)."""

    def __init__(self, now: int = 1_780_000_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    with World(tmp_path, clock=clock) as made:
        yield made


def test_an_offer_travels_by_direct_message_and_acceptance_makes_it_active_on_both_sides(
    world: World,
) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    offered = alice.ratings.offer_deal(
        bob.profile.identity, "A used road bike", amount="250.00", currency="eur", ttl_days=3
    )
    assert (offered.status, offered.role, offered.other_name) == ("offered", "offerer", "Bob")
    assert offered.terms.currency == "EUR"
    assert bob.ratings.deals() == []

    assert world.deliver() == 1
    (received,) = bob.ratings.deals()
    assert (received.deal_id, received.status, received.role) == (
        offered.deal_id,
        "received",
        "accepter",
    )
    assert received.other_name == "Alice"

    accepted = bob.ratings.accept(offered.deal_id)
    assert accepted.status == "active"
    assert world.deliver() == 1  # the acceptance reaches Alice, who publishes her copy too
    assert alice.ratings.deal(offered.deal_id).status == "active"
    assert (
        alice.profile.store.count_records(alice.profile.identity),
        bob.profile.store.count_records(bob.profile.identity),
    ) == (3, 3)  # certificate, profile, receipt each
    world.sync()
    assert alice.ratings.deal(offered.deal_id).status == "active"
    assert alice.profile.plugins.direct.pending() == bob.profile.plugins.direct.pending() == []


def test_a_declined_offer_is_declined_on_both_sides_and_cannot_be_accepted(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = alice.ratings.offer_deal(bob.profile.identity, "Two hours of garden work").deal_id
    world.deliver()
    assert bob.ratings.decline(deal).status == "declined"
    world.deliver()
    assert alice.ratings.deal(deal).status == "declined"
    with pytest.raises(UserError, match=r"^this offer was already declined$"):
        bob.ratings.accept(deal)
    with pytest.raises(UserError, match=r"^this offer was already declined$"):
        bob.ratings.decline(deal)


def test_an_offer_expires_and_can_no_longer_be_accepted(world: World, clock: Clock) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = alice.ratings.offer_deal(bob.profile.identity, "A tent", ttl_days=2).deal_id
    world.deliver()
    clock.now += 2 * DAY
    assert bob.ratings.deal(deal).status == alice.ratings.deal(deal).status == "expired"
    with pytest.raises(UserError, match=r"^this offer has expired$"):
        bob.ratings.accept(deal)


def test_offer_mistakes_are_sentences(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    with pytest.raises(UserError, match=r"^you cannot make a deal with yourself$"):
        alice.ratings.offer_deal(alice.profile.identity, "Nothing")
    with pytest.raises(UserError, match=r"^amount and currency go together$"):
        alice.ratings.offer_deal(bob.profile.identity, "A lamp", amount="10")
    with pytest.raises(UserError, match=r"^what must be text, not blank$"):
        alice.ratings.offer_deal(bob.profile.identity, "  ")
    with pytest.raises(UserError, match=r"^an offer stays open from 1 to 90 days$"):
        alice.ratings.offer_deal(bob.profile.identity, "A lamp", ttl_days=91)
    with pytest.raises(NotFound, match=r"^no deal 00+$"):
        alice.ratings.deal(b"\0" * 32)
    assert alice.ratings.deals() == []
    assert alice.profile.plugins.direct.pending() == []


def test_only_the_person_offered_accepts(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = alice.ratings.offer_deal(bob.profile.identity, "A chair").deal_id
    with pytest.raises(UserError, match=r"^you can only accept an offer made to you$"):
        alice.ratings.accept(deal)
    with pytest.raises(NotFound, match=r"^no offer "):
        bob.ratings.accept(deal)  # not delivered yet


def test_a_forged_or_misdirected_message_is_answered_not_stored(world: World) -> None:
    alice, bob, mallory = world.person("Alice"), world.person("Bob"), world.person("Mallory")
    offer_to_bob = alice.ratings.offer_deal(bob.profile.identity, "A chair")
    (message,) = alice.profile.plugins.direct.pending()
    # Mallory forwards Alice's offer to Bob as if it were hers.
    reply = bob.ratings.receive(mallory.profile.identity, message.kind, message.payload)
    assert reply == b"\x82\xa2ok\xc2\xa3why\xd9%the offer is not signed by its sender"
    # Alice's offer reaching Carol is not for her.
    carol = world.person("Carol")
    assert b"not for this person" in carol.ratings.receive(
        alice.profile.identity, message.kind, message.payload
    )
    assert b"malformed" in bob.ratings.receive(alice.profile.identity, "ratings/offer", b"\xc1")
    assert b"unknown message kind" in bob.ratings.receive(
        alice.profile.identity, "ratings/hello", b"\x80"
    )
    assert b"no such offer" in bob.ratings.receive(
        alice.profile.identity, "ratings/decline", b"\x81\xa4deal\xc4\x20" + b"\0" * 32
    )
    assert bob.ratings.deals() == carol.ratings.deals() == []
    assert offer_to_bob.status == "offered"


def test_rating_needs_an_active_deal_once_and_valid_values(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    pending = alice.ratings.offer_deal(bob.profile.identity, "A chair").deal_id
    with pytest.raises(UserError, match=r"^only an active deal \(accepted by both\) can be rated$"):
        alice.ratings.rate(pending, 5)
    deal = world.make_deal(alice, bob)
    with pytest.raises(UserError, match=r"^overall must be from 1 to 5$"):
        alice.ratings.rate(deal, 6)
    with pytest.raises(UserError, match=r"^aspects: unknown field\(s\): price$"):
        alice.ratings.rate(deal, 4, aspects={"price": 3})
    view = alice.ratings.rate(deal, 4, aspects={"communication": 5}, text="  Smooth.  ")
    assert (view.my_rating.state, view.their_rating.state) == ("sealed", "none")
    with pytest.raises(UserError, match=r"^you have already rated this deal$"):
        alice.ratings.rate(deal, 5)


def test_responses_are_by_the_ratee_once(world: World) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob)
    alice.ratings.rate(deal, 2, text="Arrived late.")
    world.sync()
    bob.ratings.rate(deal, 5)
    world.sync()
    alice.ratings.reveal_due()
    world.sync()
    (about_bob,) = bob.ratings.ratings_about(bob.profile.identity)
    assert (about_bob.overall, about_bob.text, about_bob.response) == (2, "Arrived late.", None)
    with pytest.raises(UserError, match=r"^only the person rated can respond to a rating$"):
        alice.ratings.respond(about_bob.id, "Me too")
    answered = bob.ratings.respond(about_bob.id, "The courier lost a day, sorry.")
    assert answered.response == "The courier lost a day, sorry."
    with pytest.raises(UserError, match=r"^you have already responded to this rating$"):
        bob.ratings.respond(about_bob.id, "Again")
    with pytest.raises(NotFound, match=r"^no revealed rating "):
        bob.ratings.respond(RecordId(deal), "Wrong id")
    world.sync()
    assert alice.ratings.rating(about_bob.id).response == "The courier lost a day, sorry."


def test_imports_show_their_assurance_and_a_trusted_witness_raises_it(world: World) -> None:
    alice, bob, carol = world.person("Alice"), world.person("Bob"), world.person("Carol")
    url = "https://www.ebay.com/usr/bob_bikes"
    imported = bob.ratings.import_file(SAMPLES / "ebay_feedback.csv", "ebay", url, link=True)
    assert imported.link_token == bob.ratings.link_token("ebay", url)
    assert (imported.assurance, imported.witnesses) == ("account-linked", 0)
    world.sync()
    (seen_by_alice,) = alice.ratings.imports_of(bob.profile.identity)
    assert seen_by_alice.assurance == "account-linked"

    with pytest.raises(UserError, match=r"^you cannot witness your own import$"):
        bob.ratings.witness(imported.id, token_seen=True)
    carol.ratings.witness(imported.id, token_seen=True, figures_seen={"count": 3}, note="Seen.")
    world.sync()
    # Carol is outside Alice's network: her word does not count from Alice's seat.
    assert alice.ratings.imports_of(bob.profile.identity)[0].assurance == "account-linked"
    alice.ratings.trust(carol.profile.identity, 2)
    (witnessed,) = alice.ratings.imports_of(bob.profile.identity)
    assert (witnessed.assurance, witnessed.witnesses) == ("witnessed", 1)
    assert alice.ratings.reputation(bob.profile.identity).imported == (witnessed,)


def test_an_import_without_a_link_is_self_asserted(world: World) -> None:
    bob = world.person("Bob")
    view = bob.ratings.import_file(
        SAMPLES / "etsy_reviews.csv", "etsy", "https://www.etsy.com/shop/BobBikes", link=False
    )
    assert (view.assurance, view.link_token, view.platform) == ("self-asserted", None, "etsy")
    with pytest.raises(UserError):
        bob.ratings.import_file(SAMPLES / "etsy_reviews.csv", "ebay", "https://x.org", link=False)


def test_received_ratings_export_as_credentials_that_verify_offline(
    world: World, tmp_path: Path
) -> None:
    alice, bob = world.person("Alice"), world.person("Bob")
    deal = world.make_deal(alice, bob, "A used road bike", context="p2p-sale")
    alice.ratings.rate(deal, 4, aspects={"as_described": 5}, text="Great bike.")
    world.sync()
    bob.ratings.rate(deal, 5)
    world.sync()
    alice.ratings.reveal_due()
    world.sync()
    alice.profile.close()  # the rater is offline from here on
    world.people.remove(next(p for p in world.people if p.name == "Alice"))

    (path,) = bob.ratings.export_credentials(tmp_path / "vc")
    summary = bob.ratings.verify_credential_file(path)
    assert summary.startswith("valid: 4/5 by Alice (did:key:z6Mk")
    doc = json.loads(path.read_text())
    assert doc["credentialSubject"]["id"] == did_key(bob.profile.identity)
    assert doc["credentialSubject"]["deal"] == {
        "id": f"urn:smd:deal:{deal.hex()}",
        "what": "A used road bike",
        "context": "p2p-sale",
    }
    doc["credentialSubject"]["rating"]["overall"] = 5
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    with pytest.raises(CredentialError, match=r"tampered"):
        bob.ratings.verify_credential_file(tampered)


def test_the_facade_says_when_the_plugin_is_not_there(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "plain", "Plain")
    try:
        with pytest.raises(UserError, match=r"^the plugin ratings is not installed$"):
            Ratings(profile)
    finally:
        profile.close()
