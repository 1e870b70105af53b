"""``did:key`` verification methods and multibase signatures for Ed25519 keys.

An SMD identity is already shown as multibase base58btc of the multicodec ``ed25519-pub`` key
(``z6Mk...``, :func:`smd_desktop.core.ids.identity_text`); its ``did:key`` is that text after
``did:key:``, and the did:key method names the key's verification method with the same text as
the fragment: ``did:key:z6Mk...#z6Mk...``.
"""

from __future__ import annotations

from typing import Final

import base58

from smd_desktop.core.errors import MalformedId
from smd_desktop.core.ids import IdentityKey, did_key, identity_text, parse_identity

SIGNATURE_SIZE: Final = 64
_DID_KEY: Final = "did:key:"


def verification_method(key: IdentityKey) -> str:
    """``did:key:z6Mk...#z6Mk...``: the verification method of an identity's root key."""
    return f"{did_key(key)}#{identity_text(key)}"


def parse_did_key(text: object) -> IdentityKey | None:
    """The key of an Ed25519 ``did:key`` (``did:key:z6Mk...``) in its one canonical spelling,
    or ``None``."""
    if not isinstance(text, str) or not text.startswith(_DID_KEY):
        return None
    body = text[len(_DID_KEY) :]
    try:
        key = parse_identity(body)
    except MalformedId:
        return None
    # parse_identity forgives surrounding blanks; a DID is compared as a string, so it must not
    return key if identity_text(key) == body else None


def parse_verification_method(text: object) -> IdentityKey | None:
    """The key of ``did:key:z6Mk...#z6Mk...`` (the fragment names the same key), or ``None``."""
    if not isinstance(text, str):
        return None
    did, sep, fragment = text.partition("#")
    key = parse_did_key(did)
    if not sep or key is None or fragment != identity_text(key):
        return None
    return key


def encode_signature(signature: bytes) -> str:
    """Multibase base58btc (``z...``) of a signature."""
    return "z" + base58.b58encode(signature).decode("ascii")


def decode_signature(text: object) -> bytes | None:
    """The 64 bytes of a multibase base58btc Ed25519 signature, or ``None``."""
    if not isinstance(text, str) or not text.startswith("z"):
        return None
    try:
        raw = base58.b58decode(text[1:])
    except ValueError:  # a character outside the alphabet (UnicodeEncodeError is one too)
        return None
    return raw if len(raw) == SIGNATURE_SIZE else None
