"""Deal receipts: terms both sign; a missing, forged or misattributed second signature is
invalid; the rating, response and trust validators."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plugins.ratings.core.deals import (
    ACCEPT_DOMAIN,
    DealTerms,
    accept_offer,
    deal_id,
    decode_terms,
    make_offer,
    parse_offer,
    validate_deal,
)
from plugins.ratings.core.records import (
    RatingBody,
    seal,
    validate_rating,
    validate_response,
    validate_trust,
)
from smd_desktop.core.errors import InvalidRecord
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import make_profile

DAY = 24 * 3600 * 1000
T0 = 1_760_000_000_000


@pytest.fixture
def parties(tmp_path: Path) -> Iterator[tuple[Profile, Profile, Profile]]:
    people = (
        make_profile(tmp_path / "a", "Alice"),
        make_profile(tmp_path / "b", "Bob"),
        make_profile(tmp_path / "m", "Mallory"),
    )
    yield people
    for p in people:
        p.close()


def terms(alice: Profile, bob: Profile, **changes: Any) -> DealTerms:
    fields: dict[str, Any] = {
        "offerer": alice.identity,
        "accepter": bob.identity,
        "what": "A used road bike, 56 cm frame",
        "context": "p2p-sale",
        "offered": T0,
        "expires": T0 + 7 * DAY,
        "nonce": b"n" * 16,
        "amount": "250.00",
        "currency": "EUR",
    }
    fields.update(changes)
    return DealTerms(**fields)


def test_an_offer_accepted_is_a_valid_receipt_both_can_publish(
    parties: tuple[Profile, Profile, Profile],
) -> None:
    alice, bob, _ = parties
    offer = make_offer(terms(alice, bob), alice.device_certificate(), alice.sign_detached)
    received = parse_offer(offer.encode())  # what Bob's app checks
    assert received.terms == offer.terms
    receipt = accept_offer(received, bob.device_certificate(), bob.sign_detached)
    assert validate_deal(receipt) == offer.terms
    assert deal_id(receipt["terms"]) == offer.deal_id
    alice.publish("ratings/deal/1", receipt)  # no plugin here: stored as an unknown type
    bob.publish("ratings/deal/1", receipt)


def test_a_receipt_without_a_real_second_signature_is_invalid(
    parties: tuple[Profile, Profile, Profile],
) -> None:
    alice, bob, mallory = parties
    offer = make_offer(terms(alice, bob), alice.device_certificate(), alice.sign_detached)
    receipt = accept_offer(offer, bob.device_certificate(), bob.sign_detached)

    missing = {k: v for k, v in receipt.items() if k != "accept"}
    with pytest.raises(InvalidRecord, match=r"^a deal receipt: missing field\(s\): accept$"):
        validate_deal(missing)

    forged = dict(receipt, accept={"cert": bob.device_certificate(), "sig": b"\0" * 64})
    with pytest.raises(InvalidRecord, match=r"^the accepter's signature does not verify$"):
        validate_deal(forged)

    # Mallory signs with her own device, claiming to be Bob's acceptance.
    stolen = dict(
        receipt,
        accept={
            "cert": mallory.device_certificate(),
            "sig": mallory.sign_detached(ACCEPT_DOMAIN, offer.deal_id),
        },
    )
    with pytest.raises(InvalidRecord, match=r"^the accepter's signature is by another"):
        validate_deal(stolen)

    # Changing the terms after signing breaks both signatures.
    other = terms(alice, bob, amount="25.00")
    changed = dict(receipt, terms=other.encode())
    with pytest.raises(InvalidRecord, match=r"^the offerer's signature does not verify$"):
        validate_deal(changed)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"accepter": None}, "a deal needs two different people"),
        ({"expires": T0}, "an offer expires after it is made, within 90 days"),
        ({"expires": T0 + 91 * DAY}, "an offer expires after it is made, within 90 days"),
        ({"currency": None}, "amount and currency go together"),
        ({"amount": "12,50"}, "amount must be a decimal number like 12.50"),
        ({"currency": "euro"}, "currency must be a code like EUR or BTC"),
        ({"context": "General"}, "context must be 1-32 lowercase letters, digits or '-'"),
        ({"context": "general"}, "leave context out for 'general'"),
        ({"what": " "}, "what must be text, not blank"),
        ({"link": "ftp://example.org/x"}, "link must be an http(s) address"),
        ({"start": T0, "until": T0 - 1}, "a deal cannot end before it starts"),
        ({"nonce": b"short"}, "nonce must be 16 bytes"),
    ],
)
def test_terms_rules(
    parties: tuple[Profile, Profile, Profile], changes: dict[str, Any], error: str
) -> None:
    alice, bob, _ = parties
    if changes.get("accepter", 1) is None:
        changes["accepter"] = alice.identity
    if changes.get("currency", 1) is None:
        changes["currency"] = None
    bad = terms(alice, bob, **changes)
    with pytest.raises(InvalidRecord, match=f"^{error}$".replace("(", r"\(").replace(")", r"\)")):
        decode_terms(bad.encode())


def test_a_sealed_rating_commits_to_the_revealed_one() -> None:
    body = RatingBody(4, (("communication", 5),), "Smooth and friendly.")
    commitment = seal(b"d" * 32, b"r" * 32, b"s" * 32, body)
    assert commitment != seal(b"d" * 32, b"r" * 32, b"s" * 32, RatingBody(5))
    assert commitment != seal(b"d" * 32, b"r" * 32, b"t" * 32, body)
    validate_rating({"deal": b"d" * 32, "ratee": b"r" * 32, "sealed": commitment})
    validate_rating(
        {
            "deal": b"d" * 32,
            "ratee": b"r" * 32,
            "opens": b"o" * 32,
            "salt": b"s" * 32,
            "rating": body.content(),
        }
    )


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (
            {"deal": b"d" * 32, "ratee": b"r" * 32},
            "a revealed rating: missing field(s): opens, rating, salt",
        ),
        (
            {"deal": b"d" * 32, "ratee": b"r" * 32, "sealed": b"x" * 32, "rating": {}},
            "a sealed rating: unknown field(s): rating",
        ),
        (
            {
                "deal": b"d" * 32,
                "ratee": b"r" * 32,
                "opens": b"o" * 32,
                "salt": b"s" * 32,
                "rating": {"overall": 6},
            },
            "overall must be from 1 to 5",
        ),
        (
            {
                "deal": b"d" * 32,
                "ratee": b"r" * 32,
                "opens": b"o" * 32,
                "salt": b"s" * 32,
                "rating": {"overall": 3, "aspects": {"price": 2}},
            },
            "aspects: unknown field(s): price",
        ),
        (
            {
                "deal": b"d" * 32,
                "ratee": b"r" * 32,
                "opens": b"o" * 32,
                "salt": b"s" * 32,
                "rating": {"overall": True},
            },
            "overall must be a whole number from 1 to 5",
        ),
    ],
)
def test_rating_rules(content: dict[str, Any], error: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        validate_rating(content)
    assert str(caught.value) == error


def test_response_and_trust_rules() -> None:
    validate_response({"rating": b"r" * 32, "text": "Thanks, it was a pleasure."})
    with pytest.raises(InvalidRecord, match=r"^text is longer than 2000 characters$"):
        validate_response({"rating": b"r" * 32, "text": "x" * 2001})
    validate_trust({"trustee": b"t" * 32, "weight": -2, "context": "p2p-sale", "note": "scam"})
    with pytest.raises(InvalidRecord, match=r"^weight must be one of \[-2, -1, 1, 2, 3\]$"):
        validate_trust({"trustee": b"t" * 32, "weight": 0})
    with pytest.raises(InvalidRecord, match=r"^leave context out for 'general'$"):
        validate_trust({"trustee": b"t" * 32, "weight": 1, "context": "general"})


def test_detached_signatures_only_under_a_plugin_domain(
    parties: tuple[Profile, Profile, Profile],
) -> None:
    alice = parties[0]
    with pytest.raises(ValueError, match=r"is not smd-<plugin>"):
        alice.sign_detached(b"smd-record-v1:", b"anything")
    assert len(alice.sign_detached(b"smd-ratings/deal-offer/1\0", b"x")) == 64
