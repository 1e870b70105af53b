"""The cryptosuite against the W3C spec's published eddsa-jcs-2022 test vector, JCS edge
cases through the library, and a frozen SMD credential that must keep verifying."""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import base58
import pytest

pytest.importorskip("rfc8785")

from plugins.ratings.core.credentials import (
    TAMPERED,
    CredentialError,
    add_proof,
    canonicalize,
    rating_credential,
    read_credential,
    verify_credential,
    verify_proof,
)
from plugins.ratings.core.credentials.testing import CREATED_MS, root_key, sample_facts
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import parse_identity

DATA = Path(__file__).resolve().parents[2] / "data" / "credentials"
VECTOR: dict[str, Any] = json.loads((DATA / "eddsa-jcs-2022-vector.json").read_text("utf-8"))
# 2023-02-24T23:36:38Z, the vector's proof "created"
VECTOR_CREATED_MS = 1_677_281_798_000


def vector_key() -> RootKey:
    raw = base58.b58decode(VECTOR["keyPair"]["secretKeyMultibase"][1:])
    assert raw[:2] == b"\x80\x26"  # multicodec ed25519-priv
    return RootKey(raw[2:])


def vector_signed() -> dict[str, Any]:
    """The vector's secured document (a fresh deep copy: tests may edit it)."""
    proof = {**VECTOR["proofOptions"], "proofValue": VECTOR["proofValue"]}
    return copy.deepcopy({**VECTOR["unsecuredDocument"], "proof": proof})


def test_the_vector_key_pair_is_consistent() -> None:
    public = parse_identity(VECTOR["keyPair"]["publicKeyMultibase"])
    assert vector_key().public == public


def test_jcs_and_hashes_match_the_vector() -> None:
    doc = canonicalize(VECTOR["unsecuredDocument"])
    config = canonicalize(VECTOR["proofOptions"])
    assert doc.decode() == VECTOR["canonicalDocument"]
    assert config.decode() == VECTOR["canonicalProofConfig"]
    assert hashlib.sha256(doc).hexdigest() == VECTOR["documentHashHex"]
    assert hashlib.sha256(config).hexdigest() == VECTOR["proofConfigHashHex"]


def test_the_signer_produces_the_spec_proof_value() -> None:
    signed = add_proof(VECTOR["unsecuredDocument"], key=vector_key(), created_ms=VECTOR_CREATED_MS)
    assert signed["proof"]["proofValue"] == VECTOR["proofValue"]
    assert base58.b58decode(VECTOR["proofValue"][1:]).hex() == VECTOR["signatureHex"]
    assert signed == vector_signed()


def test_the_verifier_accepts_the_spec_vector() -> None:
    proof = verify_proof(vector_signed())
    assert proof.key == parse_identity(VECTOR["keyPair"]["publicKeyMultibase"])
    assert proof.verification_method == VECTOR["proofOptions"]["verificationMethod"]
    assert proof.created_ms == VECTOR_CREATED_MS


def test_the_spec_vector_tampered_is_rejected() -> None:
    doc = vector_signed()
    doc["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    with pytest.raises(CredentialError, match=f"^{re.escape(TAMPERED)}$"):
        verify_proof(doc)


def test_the_spec_vector_is_not_an_smd_rating_credential() -> None:
    with pytest.raises(CredentialError, match=r"^not an SMD rating credential: type must be"):
        verify_credential(vector_signed())


def test_extra_contexts_after_the_proofs_are_allowed_as_the_spec_says() -> None:
    # Verify Proof, step 4: the document's @context need only start with the proof's
    doc = vector_signed()
    doc["@context"] = [*doc["@context"], "https://extra.example/v1"]
    assert verify_proof(doc).created_ms == VECTOR_CREATED_MS


# RFC 8785, section 3.2.3: properties sort by UTF-16 code units, not by code points, so the
# emoji (surrogates D83D DE00) sorts before U+FB33.
def test_jcs_sorts_keys_by_utf16_code_units() -> None:
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = re.findall(r'"([^"]*)":', canonicalize(value).decode())
    assert keys == ["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (333333333.33333329, "333333333.3333333"),
        (1e30, "1e+30"),
        (4.50, "4.5"),
        (2e-3, "0.002"),
        (0.000000000000000000000000001, "1e-27"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (-0.0, "0"),
        (4.0, "4"),
        (9007199254740991, "9007199254740991"),
    ],
)
def test_jcs_writes_numbers_as_ecmascript_does(number: float, text: str) -> None:
    assert canonicalize(number) == text.encode()


def test_jcs_escapes_only_what_json_requires() -> None:
    value = {"s": 'é€😀\u007f\u001f"\\/\n'}
    assert canonicalize(value) == '{"s":"é€😀\u007f\\u001f\\"\\\\/\\n"}'.encode()


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(2**53, id="integer-past-2**53"),
        pytest.param(math.nan, id="nan"),
        pytest.param(math.inf, id="infinity"),
        pytest.param("\ud800", id="lone-surrogate"),
        pytest.param({1: "x"}, id="non-string-key"),
    ],
)
def test_values_without_a_canonical_form_are_credential_errors(value: Any) -> None:
    with pytest.raises(CredentialError, match=r"^cannot canonicalize the JSON: "):
        canonicalize(value)


def test_a_credential_reserialized_any_way_still_verifies() -> None:
    doc = rating_credential(
        sample_facts(root_key("a"), root_key("b")), issuer=root_key("a"), created_ms=CREATED_MS
    )
    for text in (
        json.dumps(doc, ensure_ascii=True, sort_keys=True),
        json.dumps(doc, ensure_ascii=False, indent=4),
        json.dumps(doc, separators=(",", ":")).replace('"overall": 4', '"overall": 4.0'),
    ):
        assert verify_credential(json.loads(text)) == verify_credential(doc)


def test_a_huge_integer_in_a_signed_document_is_rejected_cleanly() -> None:
    doc = rating_credential(
        sample_facts(root_key("a"), root_key("b")), issuer=root_key("a"), created_ms=CREATED_MS
    )
    doc["credentialSubject"]["rating"]["overall"] = 2**64
    with pytest.raises(CredentialError, match=r"^cannot canonicalize the JSON: "):
        verify_credential(doc)


GOLDEN = DATA / "smd-rating-credential.json"


def test_the_credential_format_has_not_changed() -> None:
    # Credentials live on in other people's hands: a change here must be deliberate (then
    # rewrite the file with write_credentials and keep accepting the old form).
    doc = rating_credential(
        sample_facts(root_key("alice"), root_key("bob")),
        issuer=root_key("alice"),
        created_ms=CREATED_MS,
    )
    assert doc == read_credential(GOLDEN)
    assert GOLDEN.read_text("utf-8") == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def test_the_stored_credential_verifies() -> None:
    verified = verify_credential(read_credential(GOLDEN))
    assert verified.facts == sample_facts(root_key("alice"), root_key("bob"))
    assert verified.created_ms == CREATED_MS
