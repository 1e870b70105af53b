"""Names for keys and records, and their text forms (docs/PROTOCOL.md, "Identifiers").

* An identity is shown as multibase base58btc of the multicodec ``ed25519-pub`` key
  (``z6Mk...``); its DID is ``did:key:`` followed by the same text.
* A device is shown as its libp2p PeerID (``12D3KooW...``): base58btc of the identity
  multihash of the protobuf-encoded Ed25519 public key. The device key *is* the libp2p host key.
* A record id is the BLAKE2b-256 of its signed header, shown as 64 lowercase hex digits.
"""

from __future__ import annotations

import hashlib
from typing import NewType

import base58

from .errors import MalformedId

IdentityKey = NewType("IdentityKey", bytes)
"""The 32-byte Ed25519 public key of an identity's root key."""
DeviceKey = NewType("DeviceKey", bytes)
"""The 32-byte Ed25519 public key of one device; it authors that device's feed."""
RecordId = NewType("RecordId", bytes)
"""BLAKE2b-256 of a record's signed header bytes."""
BlobHash = NewType("BlobHash", bytes)
"""BLAKE2b-256 of a blob's bytes."""
Seq = NewType("Seq", int)
"""Position of a record in its device feed, from 1."""

KEY_SIZE = 32
HASH_SIZE = 32
_ED25519_MULTICODEC = b"\xed\x01"
# identity multihash (0x00, length 36) of the libp2p PublicKey protobuf {Type: Ed25519, Data: key}
_PEER_ID_PREFIX = b"\x00\x24\x08\x01\x12\x20"
_DID_PREFIX = "did:key:"


def blake2b256(data: bytes) -> bytes:
    """The hash SMD uses everywhere: BLAKE2b with a 32-byte digest, no key."""
    return hashlib.blake2b(data, digest_size=HASH_SIZE).digest()


def identity_text(key: IdentityKey) -> str:
    """``z6Mk...``: multibase base58btc of the multicodec ed25519-pub key."""
    return "z" + base58.b58encode(_ED25519_MULTICODEC + key).decode("ascii")


def did_key(key: IdentityKey) -> str:
    """The ``did:key`` of an identity."""
    return _DID_PREFIX + identity_text(key)


def parse_identity(text: str) -> IdentityKey:
    """Parse an identity id (``z6Mk...`` or ``did:key:z6Mk...``).

    Raises:
        MalformedId: the text is not an Ed25519 identity id.
    """
    body = text.strip()
    body = body.removeprefix(_DID_PREFIX)
    if not body.startswith("z"):
        raise MalformedId(f"not an identity id: {text!r}")
    try:
        raw = base58.b58decode(body[1:])
    except ValueError as exc:
        raise MalformedId(f"not an identity id: {text!r}") from exc
    if len(raw) != 2 + KEY_SIZE or not raw.startswith(_ED25519_MULTICODEC):
        raise MalformedId(f"not an identity id: {text!r}")
    return IdentityKey(raw[2:])


def peer_id_text(key: DeviceKey) -> str:
    """The libp2p PeerID text (``12D3KooW...``) of a device key."""
    return base58.b58encode(_PEER_ID_PREFIX + key).decode("ascii")


def parse_device(text: str) -> DeviceKey:
    """Parse a device id (its PeerID text).

    Raises:
        MalformedId: the text is not an Ed25519 PeerID.
    """
    try:
        raw = base58.b58decode(text.strip())
    except ValueError as exc:
        raise MalformedId(f"not a device id: {text!r}") from exc
    if len(raw) != len(_PEER_ID_PREFIX) + KEY_SIZE or not raw.startswith(_PEER_ID_PREFIX):
        raise MalformedId(f"not a device id: {text!r}")
    return DeviceKey(raw[len(_PEER_ID_PREFIX) :])


def record_id_text(record_id: bytes) -> str:
    """A record id as 64 lowercase hex digits."""
    return record_id.hex()


def parse_record_id(text: str) -> RecordId:
    """Parse a record id (64 hex digits).

    Raises:
        MalformedId: the text is not 64 hex digits.
    """
    body = text.strip().lower()
    if len(body) != 2 * HASH_SIZE or not all(ch in "0123456789abcdef" for ch in body):
        raise MalformedId(f"not a record id: {text!r}")
    return RecordId(bytes.fromhex(body))
