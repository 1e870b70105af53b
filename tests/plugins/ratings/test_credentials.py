"""Rating credentials: VC 2.0 shape, round trip, and every way a credential can fail."""

from __future__ import annotations

import copy
import re
from typing import Any

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("rfc8785")

from plugins.ratings.core.credentials import (
    TAMPERED,
    CredentialError,
    CredentialInputError,
    RatingFacts,
    add_proof,
    rating_credential,
    verification_method,
    verify_credential,
    verify_proof,
)
from plugins.ratings.core.credentials.testing import CREATED_MS, root_key, sample_facts
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import IdentityKey, did_key, identity_text

ALICE, BOB, MALLORY = root_key("alice"), root_key("bob"), root_key("mallory")


def credential(**changes: Any) -> dict[str, Any]:
    return rating_credential(
        sample_facts(ALICE, BOB, **changes), issuer=ALICE, created_ms=CREATED_MS
    )


def resigned(doc: dict[str, Any], key: RootKey = ALICE) -> dict[str, Any]:
    """``doc`` with its proof replaced by a fresh valid one: the content is then all that is
    wrong with it."""
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    return add_proof(unsecured, key=key, created_ms=CREATED_MS)


def fails(doc: object, reason: str) -> None:
    with pytest.raises(CredentialError, match=f"^{re.escape(reason)}$"):
        verify_credential(doc)


def test_a_credential_verifies_back_to_its_facts() -> None:
    facts = sample_facts(ALICE, BOB)
    doc = rating_credential(facts, issuer=ALICE, created_ms=CREATED_MS)
    verified = verify_credential(doc)
    assert verified.facts == facts
    assert verified.created_ms == CREATED_MS
    assert verified.credential_id == "urn:smd:rating:" + facts.revealed_record.hex()


def test_a_rating_without_aspects_or_text_round_trips() -> None:
    facts = sample_facts(ALICE, BOB, aspects={}, text="", overall=1)
    doc = rating_credential(facts, issuer=ALICE, created_ms=0)
    assert set(doc["credentialSubject"]["rating"]) == {"overall", "sealedRecord", "revealedRecord"}
    assert verify_credential(doc).facts == facts


def test_the_credential_has_the_vc_2_0_shape() -> None:
    facts = sample_facts(ALICE, BOB)
    doc = credential()
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        {"@vocab": "urn:smd:ratings:"},
    ]
    assert doc["type"] == ["VerifiableCredential", "SmdRatingCredential"]
    assert doc["id"] == "urn:smd:rating:" + facts.revealed_record.hex()
    assert doc["issuer"] == did_key(ALICE.public)
    assert doc["validFrom"] == "2024-05-01T12:36:40Z"
    assert doc["credentialSubject"] == {
        "id": did_key(BOB.public),
        "rating": {
            "overall": 4,
            "aspects": {"as_described": 4, "communication": 5},
            "text": facts.text,
            "sealedRecord": facts.sealed_record.hex(),
            "revealedRecord": facts.revealed_record.hex(),
        },
        "deal": {
            "id": "urn:smd:deal:" + facts.deal_id.hex(),
            "what": "A used city bike, 28 inch",
            "context": "p2p-sale",
        },
    }
    proof = doc["proof"]
    assert set(proof) == {
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "@context",
        "proofValue",
    }
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["created"] == "2024-05-01T12:51:30.123Z"
    text = identity_text(ALICE.public)
    assert proof["verificationMethod"] == f"did:key:{text}#{text}"
    assert proof["verificationMethod"] == verification_method(ALICE.public)
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["@context"] == doc["@context"]
    assert re.fullmatch(r"z[1-9A-HJ-NP-Za-km-z]{86,88}", proof["proofValue"])


def test_signing_is_deterministic_and_does_not_touch_its_input() -> None:
    facts = sample_facts(ALICE, BOB)
    first = rating_credential(facts, issuer=ALICE, created_ms=CREATED_MS)
    assert rating_credential(facts, issuer=ALICE, created_ms=CREATED_MS) == first
    unsecured = {k: v for k, v in first.items() if k != "proof"}
    before = copy.deepcopy(unsecured)
    add_proof(unsecured, key=ALICE, created_ms=CREATED_MS)
    assert unsecured == before


def _set(path: str, value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[part]
        target[last] = value

    return change


def _flip_signature_bit(doc: dict[str, Any]) -> None:
    raw = bytearray(base58.b58decode(doc["proof"]["proofValue"][1:]))
    raw[40] ^= 0x01
    doc["proof"]["proofValue"] = "z" + base58.b58encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_set("credentialSubject.id", did_key(MALLORY.public)), id="subject"),
        pytest.param(_set("credentialSubject.rating.overall", 5), id="rating-value"),
        pytest.param(_set("credentialSubject.rating.overall", 6), id="rating-out-of-range"),
        pytest.param(_set("credentialSubject.rating.aspects.communication", 1), id="aspect"),
        pytest.param(_set("credentialSubject.rating.text", "Awful."), id="text"),
        pytest.param(_set("credentialSubject.deal.what", "A car"), id="deal"),
        pytest.param(_set("issuer", did_key(MALLORY.public)), id="issuer"),
        pytest.param(_set("validFrom", "2020-01-01T00:00:00Z"), id="valid-from"),
        pytest.param(_set("name", "extra"), id="added-property"),
        pytest.param(_set("proof.created", "2024-05-01T12:51:31.123Z"), id="proof-created"),
        pytest.param(
            _set("proof.verificationMethod", verification_method(MALLORY.public)),
            id="verification-method",
        ),
        pytest.param(_flip_signature_bit, id="proof-value-bit-flip"),
    ],
)
def test_a_tampered_credential_is_rejected(tamper: Any) -> None:
    doc = credential()
    tamper(doc)
    fails(doc, TAMPERED)


def test_removing_a_property_is_tampering() -> None:
    doc = credential()
    del doc["credentialSubject"]["rating"]["aspects"]
    fails(doc, TAMPERED)


def test_a_credential_signed_by_another_key_is_rejected() -> None:
    fails(resigned(credential(), MALLORY), "issuer and verification method differ")


def test_only_the_rater_can_issue_their_rating() -> None:
    with pytest.raises(
        CredentialInputError, match=r"^the issuer's key is not the rater's identity$"
    ):
        rating_credential(sample_facts(ALICE, BOB), issuer=MALLORY, created_ms=CREATED_MS)


def _without(path: str) -> Any:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[part]
        del target[last]

    return change


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ([], "not a JSON object"),
        ("did:key:z6Mk", "not a JSON object"),
        (None, "not a JSON object"),
        ({"issuer": "x"}, "the credential has no proof"),
    ],
)
def test_what_is_not_a_credential_is_rejected(doc: object, reason: str) -> None:
    fails(doc, reason)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_set("proof", [{}]), "the credential has a proof set; exactly one proof is supported"),
        (_set("proof", "z3N8"), "proof is not a JSON object"),
        (
            _set("proof.cryptosuite", "eddsa-rdfc-2022"),
            "unknown cryptosuite 'eddsa-rdfc-2022' (expected eddsa-jcs-2022)",
        ),
        (_without("proof.cryptosuite"), "unknown cryptosuite None (expected eddsa-jcs-2022)"),
        (
            _set("proof.type", "Ed25519Signature2020"),
            "unknown proof type 'Ed25519Signature2020' (expected DataIntegrityProof)",
        ),
        (
            _set("proof.proofPurpose", "authentication"),
            "proof purpose is 'authentication', expected assertionMethod",
        ),
        (_without("proof.created"), "the proof has no created date"),
        (
            _set("proof.created", "2024-05-01 12:51:30"),
            "proof created is not an RFC 3339 date-time: '2024-05-01 12:51:30'",
        ),
        (
            _set("proof.created", "2024-02-30T00:00:00Z"),
            "proof created is not an RFC 3339 date-time: '2024-02-30T00:00:00Z'",
        ),
        (
            _set("proof.verificationMethod", "https://example.com/keys#1"),
            "verification method is not an Ed25519 did:key (did:key:z6Mk...#z6Mk...): "
            "'https://example.com/keys#1'",
        ),
        (
            _set("proof.verificationMethod", did_key(ALICE.public)),
            "verification method is not an Ed25519 did:key (did:key:z6Mk...#z6Mk...): "
            f"'{did_key(ALICE.public)}'",
        ),
        (
            _set(
                "proof.verificationMethod",
                f"{did_key(ALICE.public)}#{identity_text(BOB.public)}",
            ),
            "verification method is not an Ed25519 did:key (did:key:z6Mk...#z6Mk...): "
            f"'{did_key(ALICE.public)}#{identity_text(BOB.public)}'",
        ),
        (_without("proof.proofValue"), "the proof has no proofValue"),
        (
            _set("proof.proofValue", "uAAAA"),
            "proofValue is not a multibase base58btc Ed25519 signature",
        ),
        (
            _set("proof.proofValue", "z3N83oEykXs2ngeLNTCZNDAFo8BrWL5yXk"),
            "proofValue is not a multibase base58btc Ed25519 signature",
        ),
        (
            _set("proof.proofValue", "z0OIl"),
            "proofValue is not a multibase base58btc Ed25519 signature",
        ),
        (_set("proof.expires", "2030-01-01T00:00:00Z"), "unsupported proof property 'expires'"),
        (
            _set("proof.@context", ["https://www.w3.org/ns/credentials/v2", "https://x.example"]),
            "the proof's @context does not match the credential's",
        ),
    ],
)
def test_a_malformed_proof_is_rejected_with_its_reason(change: Any, reason: str) -> None:
    doc = credential()
    change(doc)
    fails(doc, reason)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            _set("type", ["VerifiableCredential"]),
            "not an SMD rating credential: type must be "
            "['VerifiableCredential', 'SmdRatingCredential'], not ['VerifiableCredential']",
        ),
        (
            _set("@context", ["https://www.w3.org/ns/credentials/v2"]),
            "unexpected @context: expected "
            "['https://www.w3.org/ns/credentials/v2', {'@vocab': 'urn:smd:ratings:'}]",
        ),
        (
            _set("issuer", "https://ratings.example/alice"),
            "issuer is not an Ed25519 did:key: 'https://ratings.example/alice'",
        ),
        (_set("name", "A rating"), "the credential has an unexpected property 'name'"),
        (_without("validFrom"), "the credential has no 'validFrom'"),
        (_set("validFrom", "yesterday"), "validFrom is not an RFC 3339 date-time: 'yesterday'"),
        (_set("credentialSubject", "bob"), "credentialSubject is not a JSON object"),
        (
            _set("credentialSubject.id", "did:example:bob"),
            "credentialSubject.id is not an Ed25519 did:key: 'did:example:bob'",
        ),
        (_without("credentialSubject.deal"), "credentialSubject has no 'deal'"),
        (
            _set("credentialSubject.rating.stars", 5),
            "credentialSubject.rating has an unexpected property 'stars'",
        ),
        (
            _set("credentialSubject.rating.overall", 6),
            "invalid rating: overall must be 1..5, not 6",
        ),
        (
            _set("credentialSubject.rating.overall", "4"),
            "credentialSubject.rating.overall must be an integer",
        ),
        (
            _set("credentialSubject.rating.overall", True),
            "credentialSubject.rating.overall must be an integer",
        ),
        (
            _set("credentialSubject.rating.overall", 4.5),
            "credentialSubject.rating.overall must be an integer",
        ),
        (
            _set("credentialSubject.rating.aspects.timeliness", 0),
            "invalid rating: aspect 'timeliness' must be 1..5, not 0",
        ),
        (
            _set("credentialSubject.rating.aspects.Speed", 3),
            "invalid rating: aspect name 'Speed' must match [a-z][a-z0-9_]*",
        ),
        (
            _set("credentialSubject.rating.text", ""),
            "credentialSubject.rating.text must be non-empty text",
        ),
        (
            _set("credentialSubject.rating.sealedRecord", "AB" * 32),
            "credentialSubject.rating.sealedRecord must be 64 lowercase hex digits",
        ),
        (
            _set("id", "urn:smd:rating:" + "00" * 32),
            "id must be urn:smd:rating:<revealedRecord>, not 'urn:smd:rating:" + "00" * 32 + "'",
        ),
        (
            _set("credentialSubject.deal.id", "00" * 32),
            "credentialSubject.deal.id must be urn:smd:deal:<64 hex digits>",
        ),
        (
            _set("credentialSubject.deal.context", "P2P sale"),
            "invalid rating: context must match [a-z0-9][a-z0-9-]* (at most 32 characters)",
        ),
        (_set("credentialSubject.deal.what", ""), "invalid rating: what must be 1..500 characters"),
        (
            _set("credentialSubject.id", did_key(ALICE.public)),
            "invalid rating: rater and ratee must be different people",
        ),
    ],
)
def test_a_validly_signed_but_malformed_credential_is_rejected(change: Any, reason: str) -> None:
    doc = credential()
    change(doc)
    fails(resigned(doc), reason)


def test_an_integral_float_is_the_same_signed_number() -> None:
    doc = credential()
    doc["credentialSubject"]["rating"]["overall"] = 4.0  # JCS writes it as 4, as it was signed
    assert verify_credential(doc).facts.overall == 4


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"rater": b"\x01" * 31}, "rater must be 32 bytes"),
        ({"deal_id": "ab" * 32}, "deal_id must be 32 bytes"),
        ({"overall": 0}, "overall must be 1..5, not 0"),
        ({"overall": True}, "overall must be an integer 1..5"),
        ({"aspects": {"communication": 6}}, "aspect 'communication' must be 1..5, not 6"),
        ({"aspects": {"as described": 3}}, "aspect name 'as described' must match [a-z][a-z0-9_]*"),
        ({"text": "x" * 2001}, "text must be at most 2000 characters"),
        ({"what": "x" * 501}, "what must be 1..500 characters"),
        ({"context": "general!"}, "context must match [a-z0-9][a-z0-9-]* (at most 32 characters)"),
        ({"revealed_at": -1}, "revealed_at must be an integer in 0..253402300799999"),
    ],
)
def test_facts_outside_the_model_are_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(CredentialInputError, match=f"^{re.escape(reason)}$"):
        sample_facts(ALICE, BOB, **changes)


def test_facts_are_frozen_including_their_aspects() -> None:
    aspects = {"communication": 5}
    facts = sample_facts(ALICE, BOB, aspects=aspects)
    aspects["communication"] = 1
    assert facts.aspects == {"communication": 5}
    with pytest.raises(TypeError):
        facts.aspects["communication"] = 1  # type: ignore[index]
    assert isinstance(facts, RatingFacts)


@pytest.mark.parametrize("created_ms", [-1, 253_402_300_800_000])
def test_a_signing_time_outside_four_digit_years_is_refused(created_ms: int) -> None:
    with pytest.raises(CredentialInputError, match=r"^created_ms must be in 0\.\.253402300799999$"):
        rating_credential(sample_facts(ALICE, BOB), issuer=ALICE, created_ms=created_ms)


def test_a_document_that_already_has_a_proof_is_not_signed_again() -> None:
    with pytest.raises(CredentialInputError, match=r"^the document already has a proof$"):
        add_proof(credential(), key=ALICE, created_ms=CREATED_MS)


def test_verification_reports_the_signing_key() -> None:
    proof = verify_proof(credential())
    assert proof.key == IdentityKey(ALICE.public)
    assert proof.did == did_key(ALICE.public)
    assert proof.created_ms == CREATED_MS


_ids = st.binary(min_size=32, max_size=32)
_scores = st.integers(1, 5)


@st.composite
def _facts(draw: st.DrawFn) -> RatingFacts:
    return sample_facts(
        ALICE,
        BOB,
        deal_id=draw(_ids),
        overall=draw(_scores),
        aspects=draw(
            st.dictionaries(
                st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), _scores, max_size=4
            )
        ),
        text=draw(st.text(max_size=50)),
        what=draw(st.text(min_size=1, max_size=50)),
        context=draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,31}", fullmatch=True)),
        sealed_record=draw(_ids),
        revealed_record=draw(_ids),
        revealed_at=draw(st.integers(0, 253_402_300_799_999)),
    )


@settings(max_examples=60, deadline=None)
@given(facts=_facts(), created_ms=st.integers(0, 253_402_300_799_999))
def test_any_facts_round_trip(facts: RatingFacts, created_ms: int) -> None:
    verified = verify_credential(rating_credential(facts, issuer=ALICE, created_ms=created_ms))
    assert verified.facts == facts
    assert verified.created_ms == created_ms


@settings(max_examples=60, deadline=None)
@given(bit=st.integers(0, 64 * 8 - 1))
def test_any_flipped_signature_bit_fails(bit: int) -> None:
    doc = credential()
    raw = bytearray(base58.b58decode(doc["proof"]["proofValue"][1:]))
    raw[bit // 8] ^= 1 << (bit % 8)
    doc["proof"]["proofValue"] = "z" + base58.b58encode(bytes(raw)).decode()
    fails(doc, TAMPERED)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    path=st.sampled_from(["", "proof", "credentialSubject", "credentialSubject.rating"]),
    key=st.sampled_from(["proof", "proofValue", "created", "@context", "id", "rating", "x"]),
    value=_json,
)
def test_any_json_in_any_place_raises_only_credential_errors(
    path: str, key: str, value: Any
) -> None:
    doc = credential()
    target = doc
    for part in filter(None, path.split(".")):
        target = target[part]
    target[key] = value
    with pytest.raises(CredentialError):
        verify_credential(doc)


def test_a_huge_quoted_value_is_cut_in_the_reason() -> None:
    doc = credential()
    doc["proof"]["cryptosuite"] = "x" * 10_000
    with pytest.raises(CredentialError, match=r"^unknown cryptosuite 'x{156}\.\.\. \(expected"):
        verify_credential(doc)
