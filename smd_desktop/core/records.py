"""Signed records: the bytes every peer verifies (docs/PROTOCOL.md, "Records").

A record is the canonical msgpack array ``[signature, header, content]``:

* ``header`` (bin): canonical msgpack ``[version, author, seq, prev, timestamp, type,
  content_hash, content_size]``;
* ``signature`` (bin, 64): Ed25519 by ``author`` over ``SIGNING_DOMAIN + header``;
* ``content`` (bin or nil): the canonical msgpack map the header's hash commits to; nil when
  the content was purged (deleted) or withheld, which leaves the signed chain intact.

The record id is BLAKE2b-256 of the header bytes. Verification always runs over the bytes as
received; nothing is re-encoded before a signature check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import nacl.bindings
import nacl.exceptions
import nacl.signing

from . import canonical
from .errors import CodecError, InvalidRecord
from .ids import HASH_SIZE, KEY_SIZE, DeviceKey, RecordId, blake2b256

RECORD_VERSION = 1
SIGNING_DOMAIN = b"smd-record-v1:"
SIGNATURE_SIZE = 64
MAX_RECORD_SIZE = 65_536
MAX_CONTENT_SIZE = 60_000
MAX_HEADER_SIZE = 256
MAX_SEQ = 2**53
MAX_TIMESTAMP = 2**53
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,30}/[a-z][a-z0-9-]{0,30}/[1-9][0-9]{0,3}$")

type Content = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Header:
    """The signed fields of a record."""

    author: DeviceKey
    seq: int
    prev: RecordId | None
    timestamp: int
    """Milliseconds since the Unix epoch, as the author's clock claimed."""
    type: str
    content_hash: bytes
    content_size: int
    version: int = RECORD_VERSION


@dataclass(frozen=True, slots=True)
class SignedRecord:
    """A record whose header structure, content hash and canonical form were checked.

    Rule: only :func:`decode_record` and :func:`sign_record` (which also check the signature)
    hand out records that may be stored; :func:`parse_record` alone proves nothing about the
    author.
    """

    id: RecordId
    header: Header
    header_bytes: bytes
    signature: bytes
    content: Content | None
    """The decoded content map, or None when the content is absent (purged or withheld)."""
    raw: bytes
    """The record's exact bytes, as received or as signed."""

    @property
    def author(self) -> DeviceKey:
        """The device key that signed this record."""
        return self.header.author

    @property
    def seq(self) -> int:
        """Position in the author's feed, from 1."""
        return self.header.seq

    @property
    def type(self) -> str:
        """The namespaced, versioned content type, e.g. ``smd/post/1``."""
        return self.header.type


def _bad(why: str) -> InvalidRecord:
    return InvalidRecord(why)


def _parse_header(header_bytes: bytes) -> Header:
    if len(header_bytes) > MAX_HEADER_SIZE:
        raise _bad("header too large")
    try:
        fields = canonical.decode(header_bytes, max_size=MAX_HEADER_SIZE)
    except CodecError as exc:
        raise _bad(f"header: {exc}") from exc
    if not isinstance(fields, list) or len(fields) != 8:
        raise _bad("header must be an array of 8 fields")
    version, author, seq, prev, timestamp, type_, content_hash, content_size = fields
    if version != RECORD_VERSION or isinstance(version, bool):
        raise _bad(f"unsupported record version {version!r}")
    if not isinstance(author, bytes) or len(author) != KEY_SIZE:
        raise _bad("author must be a 32-byte key")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= MAX_SEQ:
        raise _bad("seq must be an integer from 1")
    if seq == 1:
        if prev is not None:
            raise _bad("the first record of a feed has no previous record")
    elif not isinstance(prev, bytes) or len(prev) != HASH_SIZE:
        raise _bad("prev must be the 32-byte id of the previous record")
    if (
        not isinstance(timestamp, int)
        or isinstance(timestamp, bool)
        or not 0 <= timestamp <= MAX_TIMESTAMP
    ):
        raise _bad("timestamp must be milliseconds since the epoch")
    if not isinstance(type_, str) or not TYPE_PATTERN.fullmatch(type_):
        raise _bad("type must look like namespace/name/version")
    if not isinstance(content_hash, bytes) or len(content_hash) != HASH_SIZE:
        raise _bad("content hash must be 32 bytes")
    if (
        not isinstance(content_size, int)
        or isinstance(content_size, bool)
        or not 1 <= content_size <= MAX_CONTENT_SIZE
    ):
        raise _bad("content size out of range")
    return Header(
        author=DeviceKey(author),
        seq=seq,
        prev=RecordId(prev) if prev is not None else None,
        timestamp=timestamp,
        type=type_,
        content_hash=content_hash,
        content_size=content_size,
        version=version,
    )


def _decode_content(header: Header, content_bytes: bytes) -> Content:
    if len(content_bytes) != header.content_size:
        raise _bad("content size does not match the header")
    if blake2b256(content_bytes) != header.content_hash:
        raise _bad("content hash does not match the header")
    try:
        content = canonical.decode(content_bytes, max_size=MAX_CONTENT_SIZE)
    except CodecError as exc:
        raise _bad(f"content: {exc}") from exc
    if not isinstance(content, dict):
        raise _bad("content must be a map")
    return content


def parse_record(raw: bytes) -> SignedRecord:
    """Check a record's structure, canonical form and content hash; not its signature.

    Raises:
        InvalidRecord: the bytes are not a well-formed record.
    """
    if len(raw) > MAX_RECORD_SIZE:
        raise _bad(f"record of {len(raw)} bytes exceeds {MAX_RECORD_SIZE}")
    try:
        outer = canonical.decode(raw, max_size=MAX_RECORD_SIZE)
    except CodecError as exc:
        raise _bad(f"record: {exc}") from exc
    if not isinstance(outer, list) or len(outer) != 3:
        raise _bad("record must be an array [signature, header, content]")
    signature, header_bytes, content_bytes = outer
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_SIZE:
        raise _bad("signature must be 64 bytes")
    if not isinstance(header_bytes, bytes):
        raise _bad("header must be bytes")
    header = _parse_header(header_bytes)
    content: Content | None = None
    if content_bytes is not None:
        if not isinstance(content_bytes, bytes):
            raise _bad("content must be bytes or nil")
        content = _decode_content(header, content_bytes)
    return SignedRecord(
        id=RecordId(blake2b256(header_bytes)),
        header=header,
        header_bytes=header_bytes,
        signature=signature,
        content=content,
        raw=raw,
    )


def verify_signature(record: SignedRecord) -> None:
    """Check the author's signature over the exact header bytes.

    Raises:
        InvalidRecord: the signature is not the author's.
    """
    try:
        nacl.bindings.crypto_sign_open(
            record.signature + SIGNING_DOMAIN + record.header_bytes, record.header.author
        )
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError) as exc:
        raise _bad("bad signature") from exc


def decode_record(raw: bytes) -> SignedRecord:
    """Parse and verify a record received from anywhere.

    Raises:
        InvalidRecord: malformed, non-canonical, oversized, or not signed by its author.
    """
    record = parse_record(raw)
    verify_signature(record)
    return record


def sign_record(
    key: nacl.signing.SigningKey,
    *,
    seq: int,
    prev: RecordId | None,
    timestamp: int,
    type: str,  # the protocol's field name
    content: Content,
) -> SignedRecord:
    """Encode, sign and re-check a new record.

    Raises:
        InvalidRecord: the fields break the spec (checked by decoding what was produced).
        CodecError: ``content`` holds a value canonical msgpack does not allow.
    """
    content_bytes = canonical.encode(content)
    header_bytes = canonical.encode(
        [
            RECORD_VERSION,
            bytes(key.verify_key),
            seq,
            prev,
            timestamp,
            type,
            blake2b256(content_bytes),
            len(content_bytes),
        ]
    )
    signature = key.sign(SIGNING_DOMAIN + header_bytes).signature
    return decode_record(canonical.encode([signature, header_bytes, content_bytes]))


def without_content(record: SignedRecord) -> SignedRecord:
    """The same record with its content removed (purged after a deletion, or withheld).

    The id, signature and chain link are unchanged, so the feed still verifies.
    """
    raw = canonical.encode([record.signature, record.header_bytes, None])
    return SignedRecord(
        id=record.id,
        header=record.header,
        header_bytes=record.header_bytes,
        signature=record.signature,
        content=None,
        raw=raw,
    )
