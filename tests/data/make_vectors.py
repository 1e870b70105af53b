"""Generate SMD's record test vectors (docs/PROTOCOL.md, "Test vectors").

Run from the repository root::

    .venv/bin/python tests/data/make_vectors.py > tests/data/vectors.json

Everything is derived from fixed seeds and fixed timestamps, and Ed25519 signatures are
deterministic, so the output is byte-for-byte reproducible; ``tests/core/test_vectors.py``
checks that the committed file equals :func:`render`'s output.

In the JSON, a msgpack ``bin`` value inside a content map is written as ``{"$bin": "<hex>"}``
so that it cannot be confused with a ``str``; every other value maps to JSON directly.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import msgpack
import nacl.signing

from smd_desktop.core import canonical, content, ids, records
from smd_desktop.core.errors import InvalidRecord
from smd_desktop.core.identity import CERT_DOMAIN, REVOCATION_DOMAIN, RootKey
from smd_desktop.core.records import SIGNING_DOMAIN, SignedRecord

ROOT_SEED = bytes(range(32))
DEVICE_SEED = bytes(range(32, 64))
OTHER_IDENTITY_SEED = bytes(range(64, 96))
"""The root seed of a second identity: the target of the follow vector."""
OTHER_DEVICE_SEED = bytes(range(96, 128))
"""A second device key: revoked in the revocation vector, wrongly certified in an invalid one."""
T0 = 1_700_000_000_000
"""2023-11-14T22:13:20Z in milliseconds; vector n is stamped T0 + (n - 1) * 1000."""
AVATAR_BYTES = b"not really a png"


def to_json(value: Any) -> Any:
    """A canonical msgpack value as JSON: ``bin`` becomes ``{"$bin": hex}``."""
    if isinstance(value, bytes):
        return {"$bin": value.hex()}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def from_json(value: Any) -> Any:
    """The inverse of :func:`to_json`."""
    if isinstance(value, dict):
        if set(value) == {"$bin"}:
            return bytes.fromhex(value["$bin"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def _hex_or_none(value: bytes | None) -> str | None:
    return None if value is None else value.hex()


def _describe(
    name: str, description: str, record: SignedRecord, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    h = record.header
    outer = canonical.decode(record.raw)
    content_bytes: bytes | None = outer[2]
    entry: dict[str, Any] = {
        "name": name,
        "description": description,
        "content": None if record.content is None else to_json(record.content),
        "content_hex": _hex_or_none(content_bytes),
        "header": {
            "version": h.version,
            "author_hex": h.author.hex(),
            "seq": h.seq,
            "prev_hex": _hex_or_none(h.prev),
            "timestamp": h.timestamp,
            "type": h.type,
            "content_hash_hex": h.content_hash.hex(),
            "content_size": h.content_size,
        },
        "header_hex": record.header_bytes.hex(),
        "signing_input_hex": (SIGNING_DOMAIN + record.header_bytes).hex(),
        "signature_hex": record.signature.hex(),
        "record_hex": record.raw.hex(),
        "id_hex": ids.record_id_text(record.id),
    }
    if extra:
        entry.update(extra)
    return entry


def _wrap(key: nacl.signing.SigningKey, header_bytes: bytes, content_bytes: bytes | None) -> bytes:
    """Sign ``header_bytes`` as they are and wrap them with ``content_bytes`` into a record."""
    signature = key.sign(SIGNING_DOMAIN + header_bytes).signature
    return canonical.encode([signature, header_bytes, content_bytes])


def _raw_record(
    key: nacl.signing.SigningKey,
    *,
    header: list[Any],
    content_bytes: bytes | None,
    author: bytes | None = None,
) -> bytes:
    """Sign and wrap hand-made header fields, bypassing :func:`records.sign_record`'s checks.

    ``header`` is the list of fields without ``author``, which is inserted second and defaults
    to ``key``'s public key.
    """
    fields = [header[0], author if author is not None else bytes(key.verify_key), *header[1:]]
    return _wrap(key, canonical.encode(fields), content_bytes)


def _post_header(seq: int, prev: bytes | None, content_bytes: bytes) -> list[Any]:
    return [
        records.RECORD_VERSION,
        seq,
        prev,
        T0 + 1000,
        content.POST,
        ids.blake2b256(content_bytes),
        len(content_bytes),
    ]


def _rejection(raw: bytes, *, stage: str) -> str:
    """The message :func:`records.decode_record` (stage ``decode``) or
    :func:`content.validate_record` (stage ``validate``) rejects ``raw`` with."""
    try:
        record = records.decode_record(raw)
        if stage == "decode":
            raise AssertionError("decode_record accepted an invalid vector")
        content.validate_record(record)
    except InvalidRecord as exc:
        return str(exc)
    raise AssertionError("validate_record accepted an invalid vector")


def generate() -> dict[str, Any]:
    """Build the test-vector document."""
    root = RootKey(ROOT_SEED)
    device = nacl.signing.SigningKey(DEVICE_SEED)
    device_key = ids.DeviceKey(bytes(device.verify_key))
    other_identity = RootKey(OTHER_IDENTITY_SEED).public
    other_device = nacl.signing.SigningKey(OTHER_DEVICE_SEED)
    other_device_key = ids.DeviceKey(bytes(other_device.verify_key))

    def ts(seq: int) -> int:
        return T0 + (seq - 1) * 1000

    chain: list[SignedRecord] = []

    def append(type_: str, body: dict[str, Any]) -> SignedRecord:
        seq = len(chain) + 1
        record = records.sign_record(
            device,
            seq=seq,
            prev=chain[-1].id if chain else None,
            timestamp=ts(seq),
            type=type_,
            content=body,
        )
        content.validate_record(record)
        chain.append(record)
        return record

    cert_content = root.certify(device_key, name="test device", issued=T0)
    cert = append(content.CERT, cert_content)
    post = append(content.POST, {"text": "hello, world"})
    reply = append(
        content.POST,
        {"text": "replying to myself", "reply_to": post.id, "tags": ["smd", "test-vectors"]},
    )
    follow = append(content.FOLLOW, {"target": other_identity, "following": True})
    avatar = {"hash": ids.blake2b256(AVATAR_BYTES), "mime": "image/png", "size": len(AVATAR_BYTES)}
    profile = append(
        content.PROFILE, {"name": "Alice", "bio": "Test vector identity.", "avatar": avatar}
    )
    edit = append(content.POST, {"text": "hello, world (edited)", "edits": post.id})
    delete = append(content.DELETE, {"target": reply.id})
    revoke_content = root.revoke(other_device_key, after_seq=10, issued=ts(8), reason="lost laptop")
    revoke = append(content.REVOKE, revoke_content)
    purged = records.without_content(post)

    def signed_body(body: bytes, sig: bytes, domain: bytes) -> dict[str, Any]:
        return {
            "body_hex": body.hex(),
            "body": to_json(canonical.decode(body)),
            "signing_input_hex": (domain + body).hex(),
            "sig_hex": sig.hex(),
        }

    valid = [
        _describe(
            "cert",
            "seq 1: the device certificate, signed by the identity's root key",
            cert,
            {"cert": signed_body(cert_content["cert"], cert_content["sig"], CERT_DOMAIN)},
        ),
        _describe("post", "seq 2: a plain post", post),
        _describe("reply", "seq 3: a post replying to seq 2, with tags", reply),
        _describe("follow", "seq 4: follow of the identity with seed 64..95", follow),
        _describe(
            "profile",
            "seq 5: a profile with an avatar blob ref "
            f"(blob bytes = ASCII {AVATAR_BYTES.decode()!r})",
            profile,
        ),
        _describe("edit", "seq 6: an edit of seq 2", edit),
        _describe("delete", "seq 7: deletion of seq 3", delete),
        _describe(
            "revoke",
            "seq 8: revocation of the device with seed 96..127 after its seq 10",
            revoke,
            {
                "revocation": signed_body(
                    revoke_content["revocation"], revoke_content["sig"], REVOCATION_DOMAIN
                )
            },
        ),
        _describe(
            "post-purged",
            "seq 2 with its content removed (nil): same id, still verifies and chains",
            purged,
        ),
    ]

    post_raw = post.raw
    post_content_bytes = canonical.encode({"text": "hello, world"})
    unsorted = msgpack.packb({"text": "hello", "tags": ["smd"]}, use_bin_type=True)
    with_float = msgpack.packb({"text": "hello", "weight": 0.5}, use_bin_type=True)
    flipped_sig = bytearray(post.signature)
    flipped_sig[0] ^= 0x01
    tampered_content = canonical.encode({"text": "hello, World"})
    not_a_map = canonical.encode(["hello, world"])
    other_device_cert = root.certify(other_device_key, name="someone else", issued=T0)
    self_made_body = canonical.encode(
        {"device": device_key, "identity": root.public, "issued": T0, "name": "self-made"}
    )
    # claims the real identity, but the device key signed it
    wrongly_signed_cert = {
        "cert": self_made_body,
        "sig": device.sign(CERT_DOMAIN + self_made_body).signature,
    }
    # the post vector's header with seq 2 spelled as uint8 (cc 02) instead of fixint (02)
    seq_at = 4 + ids.KEY_SIZE  # after 98 (array of 8), 01 (version), c4 20 (bin8 of 32)
    assert post.header_bytes[seq_at : seq_at + 1] == b"\x02"
    long_seq_header = post.header_bytes[:seq_at] + b"\xcc\x02" + post.header_bytes[seq_at + 1 :]
    bad_tag = canonical.encode({"text": "hello", "tags": ["SMD"]})

    def cert_record(body: dict[str, Any]) -> bytes:
        cb = canonical.encode(body)
        return _raw_record(
            device,
            header=[1, 1, None, T0, content.CERT, ids.blake2b256(cb), len(cb)],
            content_bytes=cb,
        )

    invalid_cases: list[tuple[str, str, str, bytes]] = [
        (
            "flipped-signature-bit",
            "the post vector with bit 0 of the signature flipped: the signature does not verify",
            "decode",
            canonical.encode([bytes(flipped_sig), post.header_bytes, post_content_bytes]),
        ),
        (
            "signed-by-another-key",
            "header names the test device as author but the other device key signed it",
            "decode",
            _raw_record(
                other_device,
                header=_post_header(2, cert.id, post_content_bytes),
                content_bytes=post_content_bytes,
                author=device_key,
            ),
        ),
        (
            "unsorted-content-keys",
            "content map keys in the order text, tags (not sorted by UTF-8 bytes); hash, size "
            "and signature are otherwise correct",
            "decode",
            _raw_record(device, header=_post_header(2, cert.id, unsorted), content_bytes=unsorted),
        ),
        (
            "float-in-content",
            "content holds a float64 (0.5); floats are not allowed anywhere",
            "decode",
            _raw_record(
                device, header=_post_header(2, cert.id, with_float), content_bytes=with_float
            ),
        ),
        (
            "non-shortest-int-in-header",
            "header seq 2 written as uint8 (cc 02) instead of positive fixint",
            "decode",
            _wrap(device, long_seq_header, post_content_bytes),
        ),
        (
            "prev-missing-at-seq-2",
            "seq 2 with prev nil: every record after the first names its predecessor",
            "decode",
            _raw_record(
                device,
                header=_post_header(2, None, post_content_bytes),
                content_bytes=post_content_bytes,
            ),
        ),
        (
            "prev-at-seq-1",
            "seq 1 with a prev: the first record of a feed has none",
            "decode",
            _raw_record(
                device,
                header=_post_header(1, cert.id, post_content_bytes),
                content_bytes=post_content_bytes,
            ),
        ),
        (
            "seq-zero",
            "seq 0: seqs start at 1",
            "decode",
            _raw_record(
                device,
                header=_post_header(0, cert.id, post_content_bytes),
                content_bytes=post_content_bytes,
            ),
        ),
        (
            "version-2",
            "record version 2: only version 1 exists",
            "decode",
            _raw_record(
                device,
                header=[2, *_post_header(2, cert.id, post_content_bytes)[1:]],
                content_bytes=post_content_bytes,
            ),
        ),
        (
            "bad-type",
            "type 'Smd/Post/1' does not match the type pattern (uppercase)",
            "decode",
            _raw_record(
                device,
                header=[
                    1,
                    2,
                    cert.id,
                    T0 + 1000,
                    "Smd/Post/1",
                    ids.blake2b256(post_content_bytes),
                    len(post_content_bytes),
                ],
                content_bytes=post_content_bytes,
            ),
        ),
        (
            "trailing-byte",
            "the post vector followed by one extra 00 byte",
            "decode",
            post_raw + b"\x00",
        ),
        (
            "content-hash-mismatch",
            "the post vector with its content replaced by {text: 'hello, World'} (same size)",
            "decode",
            canonical.encode([post.signature, post.header_bytes, tampered_content]),
        ),
        (
            "content-size-mismatch",
            "header content_size is one more than the content's length; hash is correct",
            "decode",
            _raw_record(
                device,
                header=[
                    1,
                    2,
                    cert.id,
                    T0 + 1000,
                    content.POST,
                    ids.blake2b256(post_content_bytes),
                    len(post_content_bytes) + 1,
                ],
                content_bytes=post_content_bytes,
            ),
        ),
        (
            "content-not-a-map",
            "content is a canonical array, not a map",
            "decode",
            _raw_record(
                device, header=_post_header(2, cert.id, not_a_map), content_bytes=not_a_map
            ),
        ),
        (
            "seq-1-not-a-cert",
            "a well-signed post at seq 1: seq 1, and only seq 1, is the device certificate",
            "validate",
            _raw_record(
                device,
                header=_post_header(1, None, post_content_bytes),
                content_bytes=post_content_bytes,
            ),
        ),
        (
            "cert-for-another-device",
            "seq 1 carries a valid certificate, but for the other device key",
            "validate",
            cert_record(other_device_cert),
        ),
        (
            "cert-not-signed-by-identity",
            "the certificate names the real identity but the device key signed it",
            "validate",
            cert_record(wrongly_signed_cert),
        ),
        (
            "uppercase-tag",
            "a post whose tag is 'SMD': tags are lowercase",
            "validate",
            _raw_record(device, header=_post_header(2, cert.id, bad_tag), content_bytes=bad_tag),
        ),
    ]
    invalid = [
        {
            "name": name,
            "reason": reason,
            "stage": stage,
            "record_hex": raw.hex(),
            "error": _rejection(raw, stage=stage),
        }
        for name, reason, stage, raw in invalid_cases
    ]

    return {
        "format": "smd-record-test-vectors",
        "version": 1,
        "notes": {
            "bytes": 'a msgpack bin value inside a content or body map is written {"$bin": hex}',
            "hex": "all *_hex fields are lowercase hex of the exact bytes",
            "records": "all valid records form one device feed, in seq order, except "
            "post-purged, which is the post vector without its content",
            "invalid": "stage 'decode': decoding and verifying the bytes must fail; stage "
            "'validate': the bytes decode and verify, but the feed or content rules reject "
            "them; 'error' is the reference implementation's message (informative)",
        },
        "identity": {
            "root_seed_hex": ROOT_SEED.hex(),
            "phrase": root.phrase(),
            "public_key_hex": root.public.hex(),
            "identity_text": ids.identity_text(root.public),
            "did": ids.did_key(root.public),
        },
        "device": {
            "seed_hex": DEVICE_SEED.hex(),
            "public_key_hex": device_key.hex(),
            "peer_id": ids.peer_id_text(device_key),
        },
        "other_identity": {
            "root_seed_hex": OTHER_IDENTITY_SEED.hex(),
            "public_key_hex": other_identity.hex(),
            "identity_text": ids.identity_text(other_identity),
        },
        "other_device": {
            "seed_hex": OTHER_DEVICE_SEED.hex(),
            "public_key_hex": other_device_key.hex(),
            "peer_id": ids.peer_id_text(other_device_key),
        },
        "domains": {
            "record": SIGNING_DOMAIN.decode("ascii"),
            "cert": CERT_DOMAIN.decode("ascii"),
            "revocation": REVOCATION_DOMAIN.decode("ascii"),
        },
        "records": valid,
        "invalid": invalid,
    }


def render() -> str:
    """The exact text of ``tests/data/vectors.json``."""
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
