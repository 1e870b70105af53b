"""The ``eddsa-jcs-2022`` Data Integrity cryptosuite, for Ed25519 ``did:key`` signers.

W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3 (eddsa-jcs-2022):

* proof options: ``type`` ``DataIntegrityProof``, ``cryptosuite``, ``created``,
  ``verificationMethod``, ``proofPurpose``, and the document's ``@context`` when it has one;
* proof configuration: the options with ``@context`` set to the document's;
* ``hashData = SHA-256(JCS(proof configuration)) || SHA-256(JCS(document without proof))``;
* ``proofValue``: multibase base58btc of the Ed25519 signature of ``hashData``.

JCS works on the parsed JSON, so a verifier does not depend on how the file was spelled (key
order, blanks, escapes); what is signed is exactly what JCS makes of the values.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import nacl.bindings
import nacl.exceptions

from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import IdentityKey, did_key

from ._did_key import (
    decode_signature,
    encode_signature,
    parse_verification_method,
    verification_method,
)
from ._errors import CredentialError, CredentialInputError, shown
from ._jcs import canonicalize
from ._time import MAX_MS, format_ms, parse_ms

PROOF_TYPE: Final = "DataIntegrityProof"
CRYPTOSUITE: Final = "eddsa-jcs-2022"
PROOF_PURPOSE: Final = "assertionMethod"
TAMPERED: Final = "the proof does not match the credential (tampered?)"
_PROOF_OPTIONS: Final = frozenset(
    {"type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "@context"}
)


@dataclass(frozen=True, slots=True)
class VerifiedProof:
    """An ``eddsa-jcs-2022`` proof that holds: ``key`` signed the document at ``created_ms``."""

    key: IdentityKey
    """The Ed25519 key that signed (the verification method's)."""
    did: str
    """The ``did:key`` that controls the verification method."""
    verification_method: str
    created_ms: int
    """The proof's ``created`` time, milliseconds since the epoch."""


def _hash_data(proof_config: Mapping[str, Any], document: Mapping[str, Any]) -> bytes:
    return (
        hashlib.sha256(canonicalize(proof_config)).digest()
        + hashlib.sha256(canonicalize(document)).digest()
    )


def add_proof(document: Mapping[str, Any], *, key: RootKey, created_ms: int) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-jcs-2022`` proof by ``key`` (purpose
    ``assertionMethod``, verification method ``did:key:z6Mk...#z6Mk...``).

    Deterministic: Ed25519 signatures are, so the same document, key and time give the same
    bytes.

    Raises:
        CredentialInputError: the document already has a proof, or ``created_ms`` is outside
            the years 1970..9999.
        CredentialError: the document has no canonical JSON form (e.g. an integer past 2**53).
    """
    if "proof" in document:
        raise CredentialInputError("the document already has a proof")
    if isinstance(created_ms, bool) or not isinstance(created_ms, int):
        raise CredentialInputError("created_ms must be an integer")
    if not 0 <= created_ms <= MAX_MS:
        raise CredentialInputError(f"created_ms must be in 0..{MAX_MS}")
    unsecured = copy.deepcopy(dict(document))
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_ms(created_ms),
        "verificationMethod": verification_method(key.public),
        "proofPurpose": PROOF_PURPOSE,
    }
    if "@context" in unsecured:
        # the spec's Create Proof copies the document's @context into the proof, and its Proof
        # Configuration signs it there too
        options["@context"] = copy.deepcopy(unsecured["@context"])
    signature = key.signing_key.sign(_hash_data(options, unsecured)).signature
    return {**unsecured, "proof": {**options, "proofValue": encode_signature(signature)}}


def _as_list(context: object) -> list[Any]:
    return context if isinstance(context, list) else [context]


def _split(document: object) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document and its one proof object."""
    if not isinstance(document, dict):
        raise CredentialError("not a JSON object")
    if "proof" not in document:
        raise CredentialError("the credential has no proof")
    proof = document["proof"]
    if isinstance(proof, list):
        raise CredentialError("the credential has a proof set; exactly one proof is supported")
    if not isinstance(proof, dict):
        raise CredentialError("proof is not a JSON object")
    return document, proof


def verify_proof(document: object) -> VerifiedProof:
    """Check the one ``eddsa-jcs-2022`` proof of a secured document whose verification method
    is an Ed25519 ``did:key``; offline, no JSON-LD processing.

    Only ``type``, ``cryptosuite``, ``created``, ``verificationMethod``, ``proofPurpose``,
    ``@context`` and ``proofValue`` may appear in the proof (no ``expires``, ``domain``,
    ``challenge`` or ``previousProof``: nothing here could check them), and the purpose must be
    ``assertionMethod``. This says who signed; whether that signer may say what the document
    says is the caller's question.

    Raises:
        CredentialError: malformed, or the signature does not hold; the message says which.
    """
    secured, proof = _split(document)
    unexpected = sorted(set(proof) - _PROOF_OPTIONS - {"proofValue"})
    if unexpected:
        raise CredentialError(f"unsupported proof property {shown(unexpected[0])}")
    if proof.get("type") != PROOF_TYPE:
        raise CredentialError(
            f"unknown proof type {shown(proof.get('type'))} (expected {PROOF_TYPE})"
        )
    if proof.get("cryptosuite") != CRYPTOSUITE:
        raise CredentialError(
            f"unknown cryptosuite {shown(proof.get('cryptosuite'))} (expected {CRYPTOSUITE})"
        )
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise CredentialError(
            f"proof purpose is {shown(proof.get('proofPurpose'))}, expected {PROOF_PURPOSE}"
        )
    if "created" not in proof:
        raise CredentialError("the proof has no created date")
    created_ms = parse_ms(proof["created"])
    if created_ms is None:
        raise CredentialError(
            f"proof created is not an RFC 3339 date-time: {shown(proof['created'])}"
        )
    method = proof.get("verificationMethod")
    key = parse_verification_method(method)
    if key is None or not isinstance(method, str):
        raise CredentialError(
            "verification method is not an Ed25519 did:key (did:key:z6Mk...#z6Mk...): "
            + shown(method)
        )
    if "proofValue" not in proof:
        raise CredentialError("the proof has no proofValue")
    signature = decode_signature(proof["proofValue"])
    if signature is None:
        raise CredentialError("proofValue is not a multibase base58btc Ed25519 signature")

    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in config:
        # spec, Verify Proof step 4: the document's @context must start with the proof's, and
        # the proof's is what gets verified
        wanted = _as_list(config["@context"])
        if "@context" not in unsecured or _as_list(unsecured["@context"])[: len(wanted)] != wanted:
            raise CredentialError("the proof's @context does not match the credential's")
        unsecured["@context"] = config["@context"]
    # Proof Configuration: the configuration carries the (unsecured) document's @context
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    hash_data = _hash_data(config, unsecured)
    try:
        nacl.bindings.crypto_sign_open(signature + hash_data, key)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError) as exc:
        raise CredentialError(TAMPERED) from exc
    return VerifiedProof(key, did_key(key), method, created_ms)
