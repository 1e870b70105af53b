"""Portable rating credentials: W3C Verifiable Credentials 2.0 with ``eddsa-jcs-2022`` proofs.

When a rating is revealed, the rater's root key also signs a VC 2.0 form of it, so the person
rated can export the ratings they received and anyone can check them offline, with any VC
verifier, without the raters being online (issue 6, "Portable credentials").

* :func:`rating_credential` builds and signs one from :class:`RatingFacts`;
* :func:`verify_credential` checks one and returns a :class:`VerifiedRating`, or raises
  :class:`CredentialError` with a one-line reason;
* :func:`write_credentials` and :func:`read_credential` move them to and from files;
* :func:`add_proof` and :func:`verify_proof` are the bare cryptosuite, for any JSON document
  signed by an Ed25519 ``did:key`` (the spec's test vector is one).

Pure: no store, no network, no Qt. JCS (RFC 8785) comes from the ``rfc8785`` package, imported
only when something is signed or verified.
"""

from ._credential import (
    CREDENTIAL_TYPE,
    DEAL_URN,
    RATING_URN,
    SMD_VOCAB,
    VC_CONTEXT,
    rating_credential,
    verify_credential,
)
from ._did_key import parse_did_key, parse_verification_method, verification_method
from ._eddsa_jcs_2022 import (
    CRYPTOSUITE,
    PROOF_PURPOSE,
    PROOF_TYPE,
    TAMPERED,
    VerifiedProof,
    add_proof,
    verify_proof,
)
from ._errors import CredentialError, CredentialFileError, CredentialInputError
from ._facts import RatingFacts, VerifiedRating
from ._files import MAX_FILE_SIZE, credential_file_name, read_credential, write_credentials
from ._jcs import canonicalize

__all__ = [
    "CREDENTIAL_TYPE",
    "CRYPTOSUITE",
    "DEAL_URN",
    "MAX_FILE_SIZE",
    "PROOF_PURPOSE",
    "PROOF_TYPE",
    "RATING_URN",
    "SMD_VOCAB",
    "TAMPERED",
    "VC_CONTEXT",
    "CredentialError",
    "CredentialFileError",
    "CredentialInputError",
    "RatingFacts",
    "VerifiedProof",
    "VerifiedRating",
    "add_proof",
    "canonicalize",
    "credential_file_name",
    "parse_did_key",
    "parse_verification_method",
    "rating_credential",
    "read_credential",
    "verification_method",
    "verify_credential",
    "verify_proof",
    "write_credentials",
]
