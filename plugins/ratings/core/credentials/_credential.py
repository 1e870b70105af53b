"""The W3C Verifiable Credential 2.0 form of a revealed rating.

A credential looks like this (the proof is ``eddsa-jcs-2022``, see :mod:`._eddsa_jcs_2022`)::

    {"@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": "urn:smd:ratings:"}],
     "id": "urn:smd:rating:<revealed record id, hex>",
     "type": ["VerifiableCredential", "SmdRatingCredential"],
     "issuer": "did:key:z6Mk...(rater)",
     "validFrom": "<revealed at, RFC 3339 UTC>",
     "credentialSubject": {
       "id": "did:key:z6Mk...(ratee)",
       "rating": {"overall": 4, "aspects"?: {"communication": 5}, "text"?: "...",
                  "sealedRecord": "<hex>", "revealedRecord": "<hex>"},
       "deal": {"id": "urn:smd:deal:<hex>", "what": "...", "context": "p2p-sale"}},
     "proof": {...}}

The second ``@context`` entry is inline, so nothing is fetched: JSON-only verifiers check that
the first entry is the VC 2.0 context and ignore the rest; JSON-LD processors expand the SMD
terms under ``urn:smd:ratings:`` instead of the VC context's "issuer-dependent" fallback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import IdentityKey, did_key

from ._did_key import parse_did_key
from ._eddsa_jcs_2022 import add_proof, verify_proof
from ._errors import CredentialError, CredentialInputError, shown
from ._facts import RatingFacts, VerifiedRating
from ._time import format_ms, parse_ms

VC_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
SMD_VOCAB: Final = "urn:smd:ratings:"
CREDENTIAL_TYPE: Final = "SmdRatingCredential"
TYPES: Final = ("VerifiableCredential", CREDENTIAL_TYPE)
RATING_URN: Final = "urn:smd:rating:"
DEAL_URN: Final = "urn:smd:deal:"
_HEX_ID: Final = re.compile(r"^[0-9a-f]{64}$")
_MAX_SAFE: Final = 2**53 - 1


def _context() -> list[Any]:
    """The credential's ``@context``, a fresh list each time so no caller can edit a shared one."""
    return [VC_CONTEXT, {"@vocab": SMD_VOCAB}]


def rating_credential(facts: RatingFacts, *, issuer: RootKey, created_ms: int) -> dict[str, Any]:
    """The signed VC 2.0 credential of a revealed rating, issued by the rater's root key.

    Pure and deterministic: the same facts, key and time give the same document.

    Raises:
        CredentialInputError: ``issuer`` is not the rater's key, or ``created_ms`` is outside
            the years 1970..9999.
    """
    if issuer.public != facts.rater:
        raise CredentialInputError("the issuer's key is not the rater's identity")
    rating: dict[str, Any] = {"overall": facts.overall}
    if facts.aspects:
        rating["aspects"] = dict(facts.aspects)
    if facts.text:
        rating["text"] = facts.text
    rating["sealedRecord"] = facts.sealed_record.hex()
    rating["revealedRecord"] = facts.revealed_record.hex()
    document = {
        "@context": _context(),
        "id": RATING_URN + facts.revealed_record.hex(),
        "type": list(TYPES),
        "issuer": did_key(IdentityKey(facts.rater)),
        "validFrom": format_ms(facts.revealed_at),
        "credentialSubject": {
            "id": did_key(IdentityKey(facts.ratee)),
            "rating": rating,
            "deal": {
                "id": DEAL_URN + facts.deal_id.hex(),
                "what": facts.what,
                "context": facts.context,
            },
        },
    }
    return add_proof(document, key=issuer, created_ms=created_ms)


def verify_credential(doc: object) -> VerifiedRating:
    """Check an SMD rating credential offline and return what it states.

    In order: the proof (one ``eddsa-jcs-2022`` proof by an Ed25519 ``did:key``, whose
    signature holds over the document as JCS sees it), then that the issuer is the DID of the
    verification method, then the document's shape, strictly: no property outside the format.

    Raises:
        CredentialError: with a one-line reason, e.g. "not a JSON object", "unknown
            cryptosuite 'x' ...", "the proof does not match the credential (tampered?)",
            "issuer and verification method differ".
    """
    if not isinstance(doc, dict):
        raise CredentialError("not a JSON object")
    proof = verify_proof(doc)
    if doc.get("type") != list(TYPES):
        raise CredentialError(
            f"not an SMD rating credential: type must be {list(TYPES)}, "
            f"not {shown(doc.get('type'))}"
        )
    if doc.get("@context") != _context():
        raise CredentialError(f"unexpected @context: expected {_context()}")
    if doc.get("issuer") != proof.did:
        if parse_did_key(doc.get("issuer")) is None:
            raise CredentialError(f"issuer is not an Ed25519 did:key: {shown(doc.get('issuer'))}")
        raise CredentialError("issuer and verification method differ")
    _exact(
        doc,
        "the credential",
        {"@context", "id", "type", "issuer", "validFrom", "credentialSubject", "proof"},
        set(),
    )
    revealed_at = parse_ms(doc["validFrom"])
    if revealed_at is None:
        raise CredentialError(f"validFrom is not an RFC 3339 date-time: {shown(doc['validFrom'])}")

    subject = _object(doc["credentialSubject"], "credentialSubject")
    _exact(subject, "credentialSubject", {"id", "rating", "deal"}, set())
    ratee = parse_did_key(subject["id"])
    if ratee is None:
        raise CredentialError(
            f"credentialSubject.id is not an Ed25519 did:key: {shown(subject['id'])}"
        )

    rating = _object(subject["rating"], "credentialSubject.rating")
    _exact(
        rating,
        "credentialSubject.rating",
        {"overall", "sealedRecord", "revealedRecord"},
        {"aspects", "text"},
    )
    aspects_json = _object(rating.get("aspects", {}), "credentialSubject.rating.aspects")
    aspects = {
        name: _integer(score, f"credentialSubject.rating.aspects.{name}")
        for name, score in aspects_json.items()
    }
    text = rating.get("text", "")
    if not isinstance(text, str) or (text == "" and "text" in rating):
        raise CredentialError("credentialSubject.rating.text must be non-empty text")
    sealed = _hex_id(rating["sealedRecord"], "credentialSubject.rating.sealedRecord")
    revealed = _hex_id(rating["revealedRecord"], "credentialSubject.rating.revealedRecord")
    if doc["id"] != RATING_URN + revealed.hex():
        raise CredentialError(f"id must be {RATING_URN}<revealedRecord>, not {shown(doc['id'])}")

    deal = _object(subject["deal"], "credentialSubject.deal")
    _exact(deal, "credentialSubject.deal", {"id", "what", "context"}, set())
    deal_id_text = deal["id"]
    if not isinstance(deal_id_text, str) or not deal_id_text.startswith(DEAL_URN):
        raise CredentialError(f"credentialSubject.deal.id must be {DEAL_URN}<64 hex digits>")
    deal_id = _hex_id(deal_id_text[len(DEAL_URN) :], "credentialSubject.deal.id")
    if not isinstance(deal["what"], str) or not isinstance(deal["context"], str):
        raise CredentialError("credentialSubject.deal.what and .context must be text")

    try:
        facts = RatingFacts(
            rater=proof.key,
            ratee=ratee,
            deal_id=deal_id,
            overall=_integer(rating["overall"], "credentialSubject.rating.overall"),
            aspects=aspects,
            text=text,
            context=deal["context"],
            what=deal["what"],
            sealed_record=sealed,
            revealed_record=revealed,
            revealed_at=revealed_at,
        )
    except CredentialInputError as exc:
        raise CredentialError(f"invalid rating: {exc}") from exc
    return VerifiedRating(facts, proof.created_ms, doc["id"])


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CredentialError(f"{where} is not a JSON object")
    return value


def _exact(obj: Mapping[str, Any], where: str, required: set[str], optional: set[str]) -> None:
    missing = sorted(required - set(obj))
    if missing:
        raise CredentialError(f"{where} has no {shown(missing[0])}")
    unexpected = sorted(set(obj) - required - optional)
    if unexpected:
        raise CredentialError(f"{where} has an unexpected property {shown(unexpected[0])}")


def _integer(value: object, where: str) -> int:
    # JCS writes 4.0 as 4, so a re-serialized "4.0" was signed as 4: accept integral floats
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) <= _MAX_SAFE:
        return int(value)
    raise CredentialError(f"{where} must be an integer")


def _hex_id(value: object, where: str) -> bytes:
    if not isinstance(value, str) or not _HEX_ID.match(value):
        raise CredentialError(f"{where} must be 64 lowercase hex digits")
    return bytes.fromhex(value)
