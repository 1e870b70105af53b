"""Identities, devices, certificates and revocations (docs/PROTOCOL.md, "Identity").

An identity is an Ed25519 root key made from a 32-byte seed, which a BIP39 24-word recovery
phrase encodes. Each device has its own random key and feed; the first record of every device
feed carries a certificate the root key signed. The root key signs nothing else but
certificates and revocations, so one identity can write from several machines without any
chain forking.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import nacl.bindings
import nacl.exceptions
import nacl.signing
from mnemonic import Mnemonic

from . import canonical
from .errors import CodecError, InvalidRecord, UserError
from .ids import KEY_SIZE, DeviceKey, IdentityKey

CERT_DOMAIN = b"smd-device-cert-v1:"
REVOCATION_DOMAIN = b"smd-device-revocation-v1:"
MAX_DEVICE_NAME = 64
MAX_REASON = 200
_MNEMONIC = Mnemonic("english")
BIP39_WORDS: frozenset[str] = frozenset(_MNEMONIC.wordlist)
"""The 2048 words a recovery phrase is made of (BIP39 English)."""


class InvalidPhrase(UserError):
    """The recovery phrase is not 24 valid BIP39 English words with a correct checksum."""


@dataclass(frozen=True, slots=True)
class RootKey:
    """An identity's root signing key. Keep it inside the encrypted store only."""

    seed: bytes

    @classmethod
    def generate(cls) -> RootKey:
        """A new identity from 32 random bytes."""
        return cls(os.urandom(32))

    @classmethod
    def from_phrase(cls, phrase: str) -> RootKey:
        """The identity a 24-word recovery phrase encodes.

        Raises:
            InvalidPhrase: wrong word count, unknown word or bad checksum.
        """
        words = " ".join(phrase.lower().split())
        if len(words.split()) != 24 or not _MNEMONIC.check(words):
            raise InvalidPhrase("not a valid 24-word recovery phrase")
        return cls(bytes(_MNEMONIC.to_entropy(words)))

    def phrase(self) -> str:
        """The BIP39 24-word English recovery phrase of the seed."""
        return str(_MNEMONIC.to_mnemonic(self.seed))

    @property
    def signing_key(self) -> nacl.signing.SigningKey:
        """The Ed25519 signing key derived from the seed."""
        return nacl.signing.SigningKey(self.seed)

    @property
    def public(self) -> IdentityKey:
        """The identity's public key: what ``identity_text`` and ``did_key`` render."""
        return IdentityKey(bytes(self.signing_key.verify_key))

    def certify(self, device: DeviceKey, *, name: str, issued: int) -> dict[str, Any]:
        """The content of an ``smd/cert/1`` record certifying ``device`` for this identity."""
        body = canonical.encode(
            {"device": device, "identity": self.public, "issued": issued, "name": name}
        )
        sig = self.signing_key.sign(CERT_DOMAIN + body).signature
        return {"cert": body, "sig": sig}

    def revoke(
        self, device: DeviceKey, *, after_seq: int, issued: int, reason: str = ""
    ) -> dict[str, Any]:
        """The content of an ``smd/revoke/1`` record: ``device``'s records after ``after_seq``
        are invalid."""
        body = canonical.encode(
            {
                "after_seq": after_seq,
                "device": device,
                "identity": self.public,
                "issued": issued,
                "reason": reason,
            }
        )
        sig = self.signing_key.sign(REVOCATION_DOMAIN + body).signature
        return {"revocation": body, "sig": sig}


@dataclass(frozen=True, slots=True)
class DeviceCert:
    """A verified certificate: ``identity`` vouches that ``device`` is one of its devices."""

    identity: IdentityKey
    device: DeviceKey
    name: str
    issued: int


@dataclass(frozen=True, slots=True)
class Revocation:
    """A verified revocation: records of ``device`` with seq > ``after_seq`` are invalid."""

    identity: IdentityKey
    device: DeviceKey
    after_seq: int
    issued: int
    reason: str


def _signed_body(
    content: dict[str, Any], body_key: str, domain: bytes, fields: set[str]
) -> dict[str, Any]:
    if set(content) != {body_key, "sig"}:
        raise InvalidRecord(f"content must have exactly {body_key!r} and 'sig'")
    body, sig = content[body_key], content["sig"]
    if not isinstance(body, bytes) or not isinstance(sig, bytes) or len(sig) != 64:
        raise InvalidRecord(f"malformed {body_key}")
    try:
        decoded = canonical.decode(body, max_size=1024)
    except CodecError as exc:
        raise InvalidRecord(f"{body_key}: {exc}") from exc
    if not isinstance(decoded, dict) or set(decoded) != fields:
        raise InvalidRecord(f"{body_key} must have exactly the fields {sorted(fields)}")
    identity = decoded["identity"]
    if not isinstance(identity, bytes) or len(identity) != KEY_SIZE:
        raise InvalidRecord("identity must be a 32-byte key")
    if not isinstance(decoded["device"], bytes) or len(decoded["device"]) != KEY_SIZE:
        raise InvalidRecord("device must be a 32-byte key")
    if not isinstance(decoded["issued"], int) or isinstance(decoded["issued"], bool):
        raise InvalidRecord("issued must be a timestamp")
    try:
        nacl.bindings.crypto_sign_open(sig + domain + body, identity)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError) as exc:
        raise InvalidRecord(f"{body_key} is not signed by its identity") from exc
    return decoded


def validate_cert(content: dict[str, Any]) -> DeviceCert:
    """Check the content of an ``smd/cert/1`` record.

    Raises:
        InvalidRecord: malformed, or not signed by the identity it names.
    """
    d = _signed_body(content, "cert", CERT_DOMAIN, {"device", "identity", "issued", "name"})
    name = d["name"]
    if not isinstance(name, str) or len(name) > MAX_DEVICE_NAME:
        raise InvalidRecord(f"device name must be text of at most {MAX_DEVICE_NAME} characters")
    return DeviceCert(IdentityKey(d["identity"]), DeviceKey(d["device"]), name, d["issued"])


def validate_revocation(content: dict[str, Any]) -> Revocation:
    """Check the content of an ``smd/revoke/1`` record.

    Raises:
        InvalidRecord: malformed, or not signed by the identity it names.
    """
    d = _signed_body(
        content,
        "revocation",
        REVOCATION_DOMAIN,
        {"after_seq", "device", "identity", "issued", "reason"},
    )
    after_seq, reason = d["after_seq"], d["reason"]
    if not isinstance(after_seq, int) or isinstance(after_seq, bool) or after_seq < 0:
        raise InvalidRecord("after_seq must be a non-negative integer")
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise InvalidRecord(f"reason must be text of at most {MAX_REASON} characters")
    return Revocation(
        IdentityKey(d["identity"]), DeviceKey(d["device"]), after_seq, d["issued"], reason
    )
