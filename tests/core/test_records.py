"""Signed records, certificates, revocations and content validators (docs/PROTOCOL.md)."""

from __future__ import annotations

from typing import Any

import nacl.signing
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smd_desktop.core import canonical, content, records
from smd_desktop.core.errors import CodecError, InvalidRecord
from smd_desktop.core.identity import (
    DeviceCert,
    Revocation,
    RootKey,
    validate_cert,
    validate_revocation,
)
from smd_desktop.core.ids import DeviceKey, RecordId, blake2b256
from smd_desktop.core.records import SIGNING_DOMAIN, SignedRecord

ROOT = RootKey(bytes(range(32)))
DEVICE = nacl.signing.SigningKey(bytes(range(32, 64)))
DEVICE_KEY = DeviceKey(bytes(DEVICE.verify_key))
OTHER = nacl.signing.SigningKey(bytes(range(96, 128)))
OTHER_KEY = DeviceKey(bytes(OTHER.verify_key))
T = 1_700_000_000_000
PREV = RecordId(blake2b256(b"the previous header"))
BLOB = {"hash": blake2b256(b"png bytes"), "mime": "image/png", "size": 9}


def sign(
    *,
    seq: int = 2,
    type_: str = content.POST,
    body: dict[str, Any] | None = None,
    key: nacl.signing.SigningKey = DEVICE,
) -> SignedRecord:
    return records.sign_record(
        key,
        seq=seq,
        prev=None if seq == 1 else PREV,
        timestamp=T,
        type=type_,
        content={"text": "hello, world"} if body is None else body,
    )


def cert_record(cert: dict[str, Any] | None = None) -> SignedRecord:
    body = ROOT.certify(DEVICE_KEY, name="laptop", issued=T) if cert is None else cert
    return sign(seq=1, type_=content.CERT, body=body)


POST = sign()
CERT = cert_record()
REPLY = sign(
    seq=3,
    body={"text": "a reply", "reply_to": POST.id, "tags": ["smd", "test"], "images": [BLOB]},
)

HEADER_FIELDS = ("version", "author", "seq", "prev", "timestamp", "type", "hash", "size")


def header(**overrides: Any) -> list[Any]:
    """The fields of a valid seq-2 post header (content {text: 'hello, world'}), overridden."""
    fields = dict(zip(HEADER_FIELDS, canonical.decode(POST.header_bytes), strict=True))
    fields.update(overrides)
    return list(fields.values())


def wrap(
    header_bytes: bytes,
    content_bytes: bytes | None = None,
    key: nacl.signing.SigningKey = DEVICE,
) -> bytes:
    """Sign ``header_bytes`` as they are; bypasses sign_record's own checks."""
    return canonical.encode(
        [key.sign(SIGNING_DOMAIN + header_bytes).signature, header_bytes, content_bytes]
    )


def with_content(content_bytes: bytes) -> bytes:
    """A correctly hashed, sized and signed seq-2 post carrying ``content_bytes``."""
    fields = header(hash=blake2b256(content_bytes), size=len(content_bytes))
    return wrap(canonical.encode(fields), content_bytes)


# -- decoding and verifying ------------------------------------------------------------------


@pytest.mark.parametrize("record", [CERT, POST, REPLY], ids=["cert", "post", "reply"])
def test_a_signed_record_decodes_to_itself(record: SignedRecord) -> None:
    decoded = records.decode_record(record.raw)
    assert decoded == record
    assert decoded.id == blake2b256(record.header_bytes)
    assert decoded.author == DEVICE_KEY


def test_sign_record_lays_out_the_record_as_specified() -> None:
    content_bytes = canonical.encode({"text": "hello, world"})
    header_bytes = canonical.encode(
        [1, DEVICE_KEY, 2, PREV, T, "smd/post/1", blake2b256(content_bytes), len(content_bytes)]
    )
    signature = DEVICE.sign(b"smd-record-v1:" + header_bytes).signature
    assert POST.raw == canonical.encode([signature, header_bytes, content_bytes])
    assert POST.header == records.Header(
        author=DEVICE_KEY,
        seq=2,
        prev=PREV,
        timestamp=T,
        type="smd/post/1",
        content_hash=blake2b256(content_bytes),
        content_size=len(content_bytes),
    )


@settings(max_examples=300)
@given(st.data())
def test_any_flipped_bit_makes_a_record_invalid(data: st.DataObject) -> None:
    record = data.draw(st.sampled_from([CERT, POST, REPLY, records.without_content(POST)]))
    bit = data.draw(st.integers(0, len(record.raw) * 8 - 1))
    tampered = bytearray(record.raw)
    tampered[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(InvalidRecord):
        records.decode_record(bytes(tampered))


def test_every_single_bit_flip_of_a_post_is_rejected() -> None:
    for bit in range(len(POST.raw) * 8):
        tampered = bytearray(POST.raw)
        tampered[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(InvalidRecord):
            records.decode_record(bytes(tampered))


@settings(max_examples=400)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_invalid_record(data: bytes) -> None:
    with pytest.raises(InvalidRecord):
        records.decode_record(data)


codec_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.text(max_size=40)
    | st.binary(max_size=40),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=10,
)
header_field_values = {
    "version": st.sampled_from([0, 1, 2, True]) | codec_values,
    "author": st.just(DEVICE_KEY) | st.binary(min_size=31, max_size=33),
    "seq": st.integers(-2, 2**53 + 1) | st.sampled_from([True, 1.0]) | codec_values,
    "prev": st.none() | st.just(PREV) | st.binary(max_size=33),
    "timestamp": st.integers(-2, 2**53 + 1) | codec_values,
    "type": st.sampled_from(["smd/post/1", "smd/x/0", "a/b/10000"]) | st.text(max_size=12),
    "hash": st.binary(min_size=31, max_size=33),
    "size": st.integers(-1, 60_001) | codec_values,
}


@settings(max_examples=400)
@given(
    st.fixed_dictionaries(header_field_values),
    st.none() | st.binary(max_size=40) | codec_values.map(canonical.encode),
)
def test_signed_headers_with_arbitrary_fields_raise_only_invalid_record(
    fields: dict[str, Any], content_bytes: bytes | None
) -> None:
    try:
        header_bytes = canonical.encode(list(fields.values()))
    except CodecError:
        return  # a float in seq: cannot even be written canonically
    try:
        record = records.decode_record(wrap(header_bytes, content_bytes))
    except InvalidRecord:
        return
    assert record.header_bytes == header_bytes
    assert 1 <= record.seq <= records.MAX_SEQ
    assert (record.header.prev is None) == (record.seq == 1)


def test_a_record_signed_by_another_key_is_rejected() -> None:
    raw = wrap(POST.header_bytes, canonical.encode({"text": "hello, world"}), key=OTHER)
    with pytest.raises(InvalidRecord, match=r"^bad signature$"):
        records.decode_record(raw)


def test_parse_record_checks_structure_but_not_the_signature() -> None:
    raw = wrap(POST.header_bytes, canonical.encode({"text": "hello, world"}), key=OTHER)
    parsed = records.parse_record(raw)
    assert parsed.id == POST.id
    with pytest.raises(InvalidRecord, match=r"^bad signature$"):
        records.verify_signature(parsed)


def test_the_signature_covers_the_domain_prefix() -> None:
    signature = DEVICE.sign(POST.header_bytes).signature  # no "smd-record-v1:" prefix
    raw = canonical.encode([signature, POST.header_bytes, canonical.encode({"text": "x"})])
    with pytest.raises(InvalidRecord):
        records.decode_record(raw)


# -- sizes ---------------------------------------------------------------------------------


def test_a_record_over_65536_bytes_is_rejected_before_decoding() -> None:
    with pytest.raises(InvalidRecord, match=r"^record of 65537 bytes exceeds 65536$"):
        records.decode_record(b"\xc0" * 65_537)


def test_content_of_exactly_60000_bytes_is_accepted() -> None:
    body = {"blob": b"x" * 59_991}  # 1 (map) + 5 ("blob") + 3 (bin16 head) + 59991
    record = sign(type_="test/blob/1", body=body)
    assert record.header.content_size == records.MAX_CONTENT_SIZE
    assert len(record.raw) <= records.MAX_RECORD_SIZE
    assert records.decode_record(record.raw).content == body


def test_content_over_60000_bytes_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"^content size out of range$"):
        sign(type_="test/blob/1", body={"blob": b"x" * 59_992})


def test_a_header_over_256_bytes_is_rejected() -> None:
    header_bytes = canonical.encode(header(prev=b"\x00" * 300))
    with pytest.raises(InvalidRecord, match=r"^header too large$"):
        records.decode_record(wrap(header_bytes))


# -- outer array and header fields ---------------------------------------------------------


@pytest.mark.parametrize(
    ("outer", "message"),
    [
        ({"signature": b""}, r"^record must be an array \[signature, header, content\]$"),
        ([b"\x00" * 64, POST.header_bytes], r"^record must be an array \[signature, header, "),
        ([b"\x00" * 63, POST.header_bytes, None], r"^signature must be 64 bytes$"),
        (["x" * 64, POST.header_bytes, None], r"^signature must be 64 bytes$"),
        ([POST.signature, header(), None], r"^header must be bytes$"),
        ([POST.signature, POST.header_bytes, {"text": "x"}], r"^content must be bytes or nil$"),
    ],
    ids=["map", "two-fields", "short-signature", "str-signature", "header-array", "content-map"],
)
def test_a_malformed_outer_array_is_rejected(outer: Any, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        records.decode_record(canonical.encode(outer))


def test_a_non_canonical_outer_array_is_rejected() -> None:
    # the header bin written as bin16 where bin8 fits; the bytes inside are unchanged
    at = 1 + 2 + 64  # after 93 (array of 3) and c4 40 <signature>
    size = len(POST.header_bytes)
    assert POST.raw[at : at + 2] == b"\xc4" + bytes([size])
    raw = POST.raw[:at] + b"\xc5\x00" + bytes([size]) + POST.raw[at + 2 :]
    with pytest.raises(InvalidRecord, match=r"^record: not in canonical form$"):
        records.decode_record(raw)


def test_a_non_canonical_header_is_rejected_even_with_a_valid_signature() -> None:
    at = 4 + 32  # the seq, after 98 01 c4 20 <author>
    assert POST.header_bytes[at] == 2
    header_bytes = POST.header_bytes[:at] + b"\xcc\x02" + POST.header_bytes[at + 1 :]
    with pytest.raises(InvalidRecord, match=r"^header: not in canonical form$"):
        records.decode_record(wrap(header_bytes))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(header()[:7], r"^header must be an array of 8 fields$", id="seven-fields"),
        pytest.param([*header(), None], r"^header must be an array of 8 fields$", id="nine-fields"),
        pytest.param({"version": 1}, r"^header must be an array of 8 fields$", id="map"),
        pytest.param(header(version=0), r"^unsupported record version 0$", id="version-0"),
        pytest.param(header(version=2), r"^unsupported record version 2$", id="version-2"),
        pytest.param(header(version=True), r"^unsupported record version True$", id="version-true"),
        pytest.param(
            header(author=DEVICE_KEY[:31]), r"^author must be a 32-byte key$", id="short-author"
        ),
        pytest.param(
            header(author=DEVICE_KEY.hex()), r"^author must be a 32-byte key$", id="hex-author"
        ),
        pytest.param(header(seq=0, prev=None), r"^seq must be an integer from 1$", id="seq-0"),
        pytest.param(header(seq=-1), r"^seq must be an integer from 1$", id="seq-negative"),
        pytest.param(
            header(seq=2**53 + 1), r"^seq must be an integer from 1$", id="seq-over-2**53"
        ),
        pytest.param(
            header(seq=True, prev=None), r"^seq must be an integer from 1$", id="seq-true"
        ),
        pytest.param(header(seq="2"), r"^seq must be an integer from 1$", id="seq-str"),
        pytest.param(
            header(seq=1),
            r"^the first record of a feed has no previous record$",
            id="prev-at-seq-1",
        ),
        pytest.param(
            header(prev=None),
            r"^prev must be the 32-byte id of the previous record$",
            id="no-prev-at-seq-2",
        ),
        pytest.param(
            header(prev=PREV[:31]),
            r"^prev must be the 32-byte id of the previous record$",
            id="short-prev",
        ),
        pytest.param(
            header(prev=PREV.hex()),
            r"^prev must be the 32-byte id of the previous record$",
            id="hex-prev",
        ),
        pytest.param(
            header(timestamp=-1),
            r"^timestamp must be milliseconds since the epoch$",
            id="timestamp-negative",
        ),
        pytest.param(
            header(timestamp=2**53 + 1),
            r"^timestamp must be milliseconds since the epoch$",
            id="timestamp-over-2**53",
        ),
        pytest.param(
            header(timestamp=False),
            r"^timestamp must be milliseconds since the epoch$",
            id="timestamp-false",
        ),
        pytest.param(
            header(timestamp=str(T)),
            r"^timestamp must be milliseconds since the epoch$",
            id="timestamp-str",
        ),
        pytest.param(
            header(type=b"smd/post/1"),
            r"^type must look like namespace/name/version$",
            id="bin-type",
        ),
        pytest.param(
            header(hash=POST.header.content_hash[:31]),
            r"^content hash must be 32 bytes$",
            id="short-hash",
        ),
        pytest.param(header(hash=None), r"^content hash must be 32 bytes$", id="nil-hash"),
        pytest.param(header(size=0), r"^content size out of range$", id="size-0"),
        pytest.param(header(size=60_001), r"^content size out of range$", id="size-60001"),
        pytest.param(header(size=True), r"^content size out of range$", id="size-true"),
    ],
)
def test_a_header_field_violation_is_rejected(fields: Any, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        records.decode_record(wrap(canonical.encode(fields)))


@pytest.mark.parametrize(
    "type_",
    [
        "smd/post",
        "smd/post/1/2",
        "Smd/post/1",
        "smd/Post/1",
        "smd/post/0",
        "smd/post/01",
        "smd/post/10000",
        "1smd/post/1",
        "-smd/post/1",
        "smd//1",
        "a" * 32 + "/b/1",
        "a/" + "b" * 32 + "/1",
        "smd/po_st/1",
        "smd/post/1 ",
        "",
    ],
)
def test_a_malformed_type_is_rejected(type_: str) -> None:
    with pytest.raises(InvalidRecord, match=r"^type must look like namespace/name/version$"):
        records.decode_record(wrap(canonical.encode(header(type=type_))))


def test_a_type_with_a_trailing_newline_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"^type must look like namespace/name/version$"):
        records.decode_record(wrap(canonical.encode(header(type="smd/post/1\n"))))


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": "a/b/1"},
        {"type": "a" * 31 + "/" + "b" * 31 + "/9999"},
        {"type": "x-1/y-2-/10"},
        {"timestamp": 0},
        {"timestamp": 2**53},
        {"seq": 2**53},
    ],
    ids=repr,
)
def test_header_fields_at_their_limits_are_accepted(overrides: dict[str, Any]) -> None:
    raw = wrap(canonical.encode(header(**overrides)))
    assert records.decode_record(raw).header_bytes == canonical.encode(header(**overrides))


# -- content -------------------------------------------------------------------------------


def test_content_that_does_not_match_its_hash_is_rejected() -> None:
    tampered = canonical.encode({"text": "hello, World"})
    raw = canonical.encode([POST.signature, POST.header_bytes, tampered])
    with pytest.raises(InvalidRecord, match=r"^content hash does not match the header$"):
        records.decode_record(raw)


def test_content_that_does_not_match_its_size_is_rejected() -> None:
    raw = canonical.encode([POST.signature, POST.header_bytes, b"\x80"])
    with pytest.raises(InvalidRecord, match=r"^content size does not match the header$"):
        records.decode_record(raw)


@pytest.mark.parametrize(
    ("content_bytes", "message"),
    [
        (b"\x82\xa4text\xa1x\xa4tags\x91\xa1a", r"^content: not in canonical form$"),
        (b"\x82\xa4text\xa1x\xa4text\xa1y", r"^content: not in canonical form$"),
        (b"\x81\xa4text\xd9\x01x", r"^content: not in canonical form$"),
        (b"\x81\xa4size\xcc\x01", r"^content: not in canonical form$"),
        (b"\x81\xa4size\xcb" + b"\x00" * 8, r"^content: type float cannot be encoded canonically$"),
        (b"\x81\xa4data\xd4\x01\x00", r"^content: type ExtType cannot be encoded canonically$"),
        (b"\x81\xc4\x04text\xa1x", r"^content: map keys must be strings$"),
        (b"\x91\xa1x", r"^content must be a map$"),
        (b"\xa1x", r"^content must be a map$"),
        (b"\x81\xa4text", r"^content: malformed msgpack: Unpack failed: incomplete input$"),
    ],
    ids=[
        "unsorted-keys",
        "duplicate-keys",
        "str8-for-short-str",
        "uint8-for-fixint",
        "float",
        "ext",
        "bin-key",
        "array",
        "str",
        "truncated",
    ],
)
def test_non_canonical_or_non_map_content_is_rejected(content_bytes: bytes, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        records.decode_record(with_content(content_bytes))


def test_sign_record_refuses_content_that_cannot_be_encoded() -> None:
    with pytest.raises(CodecError, match=r"^type float cannot be encoded canonically$"):
        sign(body={"text": "x", "weight": 0.5})


def test_sign_record_refuses_header_fields_that_break_the_spec() -> None:
    with pytest.raises(InvalidRecord, match=r"^prev must be the 32-byte id of the previous"):
        records.sign_record(DEVICE, seq=2, prev=None, timestamp=T, type="smd/post/1", content={})


# -- purged content ------------------------------------------------------------------------


def test_without_content_keeps_the_id_and_still_verifies() -> None:
    purged = records.without_content(POST)
    assert purged.raw == canonical.encode([POST.signature, POST.header_bytes, None])
    assert purged.raw.endswith(b"\xc0")
    decoded = records.decode_record(purged.raw)
    assert decoded == purged
    assert decoded.id == POST.id
    assert decoded.header == POST.header
    assert decoded.content is None
    content.validate_record(decoded)


def test_a_purged_certificate_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"^a certificate cannot be withheld$"):
        content.validate_record(records.without_content(CERT))


# -- feed rules and certificates -----------------------------------------------------------


def test_a_valid_certificate_at_seq_1_is_accepted() -> None:
    content.validate_record(CERT)
    assert CERT.content is not None
    assert validate_cert(CERT.content) == DeviceCert(ROOT.public, DEVICE_KEY, "laptop", T)


def test_seq_1_must_be_a_certificate() -> None:
    with pytest.raises(InvalidRecord, match=r"^seq 1, and only seq 1, is the device certificate$"):
        content.validate_record(sign(seq=1))


def test_a_certificate_after_seq_1_is_rejected() -> None:
    cert_at_2 = sign(seq=2, type_=content.CERT, body=ROOT.certify(DEVICE_KEY, name="", issued=T))
    with pytest.raises(InvalidRecord, match=r"^seq 1, and only seq 1, is the device certificate$"):
        content.validate_record(cert_at_2)


def test_a_certificate_for_another_device_is_rejected() -> None:
    record = cert_record(ROOT.certify(OTHER_KEY, name="not me", issued=T))
    with pytest.raises(InvalidRecord, match=r"^the certificate is for another device$"):
        content.validate_record(record)


def test_a_certificate_signed_by_the_wrong_key_is_rejected() -> None:
    body = canonical.encode(
        {"device": DEVICE_KEY, "identity": ROOT.public, "issued": T, "name": "forged"}
    )
    forged = {"cert": body, "sig": DEVICE.sign(b"smd-device-cert-v1:" + body).signature}
    with pytest.raises(InvalidRecord, match=r"^cert is not signed by its identity$"):
        content.validate_record(cert_record(forged))


def test_a_certificate_signature_is_bound_to_its_domain() -> None:
    body = canonical.decode(ROOT.certify(DEVICE_KEY, name="laptop", issued=T)["cert"])
    raw_body = canonical.encode(body)
    no_domain = {"cert": raw_body, "sig": ROOT.signing_key.sign(raw_body).signature}
    with pytest.raises(InvalidRecord, match=r"^cert is not signed by its identity$"):
        validate_cert(no_domain)
    as_revocation = {
        "cert": raw_body,
        "sig": ROOT.signing_key.sign(b"smd-device-revocation-v1:" + raw_body).signature,
    }
    with pytest.raises(InvalidRecord, match=r"^cert is not signed by its identity$"):
        validate_cert(as_revocation)


def _signed_cert(body: dict[str, Any]) -> dict[str, Any]:
    raw = canonical.encode(body)
    return {"cert": raw, "sig": ROOT.signing_key.sign(b"smd-device-cert-v1:" + raw).signature}


CERT_BODY = {"device": DEVICE_KEY, "identity": ROOT.public, "issued": T, "name": "laptop"}


@pytest.mark.parametrize(
    ("cert", "message"),
    [
        ({"cert": b"", "sig": b"", "x": 1}, r"^content must have exactly 'cert' and 'sig'$"),
        ({"cert": b"\x80"}, r"^content must have exactly 'cert' and 'sig'$"),
        ({"cert": "text", "sig": b"\x00" * 64}, r"^malformed cert$"),
        ({"cert": b"\x80", "sig": b"\x00" * 63}, r"^malformed cert$"),
        ({"cert": b"\xcc\x01", "sig": b"\x00" * 64}, r"^cert: not in canonical form$"),
        (
            _signed_cert({**CERT_BODY, "extra": 1}),
            r"^cert must have exactly the fields \['device', 'identity', 'issued', 'name'\]$",
        ),
        (
            _signed_cert({k: v for k, v in CERT_BODY.items() if k != "name"}),
            r"^cert must have exactly the fields \['device', 'identity', 'issued', 'name'\]$",
        ),
        (_signed_cert({**CERT_BODY, "identity": b"x"}), r"^identity must be a 32-byte key$"),
        (_signed_cert({**CERT_BODY, "device": "x"}), r"^device must be a 32-byte key$"),
        (_signed_cert({**CERT_BODY, "issued": True}), r"^issued must be a timestamp$"),
        (
            _signed_cert({**CERT_BODY, "name": "n" * 65}),
            r"^device name must be text of at most 64 characters$",
        ),
        (
            _signed_cert({**CERT_BODY, "name": None}),
            r"^device name must be text of at most 64 characters$",
        ),
    ],
    ids=[
        "extra-key",
        "no-sig",
        "str-body",
        "short-sig",
        "non-canonical-body",
        "extra-field",
        "missing-field",
        "short-identity",
        "str-device",
        "bool-issued",
        "long-name",
        "nil-name",
    ],
)
def test_a_malformed_certificate_is_rejected(cert: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        validate_cert(cert)


def test_a_64_character_device_name_is_accepted() -> None:
    assert validate_cert(_signed_cert({**CERT_BODY, "name": "n" * 64})).name == "n" * 64


def test_a_revocation_round_trips() -> None:
    body = ROOT.revoke(OTHER_KEY, after_seq=5, issued=T, reason="lost laptop")
    assert validate_revocation(body) == Revocation(ROOT.public, OTHER_KEY, 5, T, "lost laptop")
    record = sign(seq=3, type_=content.REVOKE, body=body)
    content.validate_record(record)
    assert records.decode_record(record.raw).content == body


def test_a_revocation_signed_by_the_wrong_key_is_rejected() -> None:
    body = ROOT.revoke(OTHER_KEY, after_seq=5, issued=T)
    forged = {
        "revocation": body["revocation"],
        "sig": DEVICE.sign(b"smd-device-revocation-v1:" + body["revocation"]).signature,
    }
    with pytest.raises(InvalidRecord, match=r"^revocation is not signed by its identity$"):
        content.validate_record(sign(seq=3, type_=content.REVOKE, body=forged))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"after_seq": -1}, r"^after_seq must be a non-negative integer$"),
        ({"reason": "r" * 201}, r"^reason must be text of at most 200 characters$"),
    ],
)
def test_a_malformed_revocation_is_rejected(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"after_seq": 0, "issued": T, "reason": ""} | kwargs
    with pytest.raises(InvalidRecord, match=message):
        validate_revocation(ROOT.revoke(OTHER_KEY, **args))


def test_a_revocation_at_after_seq_0_with_a_200_character_reason_is_accepted() -> None:
    revocation = validate_revocation(
        ROOT.revoke(DEVICE_KEY, after_seq=0, issued=T, reason="r" * 200)
    )
    assert (revocation.after_seq, revocation.reason) == (0, "r" * 200)


def test_records_of_unknown_types_are_not_validated() -> None:
    content.validate_record(sign(type_="chess/move/1", body={"anything": [1, "goes"]}))


def test_custom_validators_replace_the_core_ones() -> None:
    def reject(body: dict[str, Any]) -> None:
        raise InvalidRecord("rejected by plugin")

    with pytest.raises(InvalidRecord, match=r"^rejected by plugin$"):
        content.validate_record(sign(type_="chess/move/1", body={}), {"chess/move/1": reject})


# -- content validators --------------------------------------------------------------------


def test_a_post_of_5000_characters_is_accepted() -> None:
    content.validate_post({"text": "x" * 5000})
    content.validate_post({"text": "é" * 5000})  # characters, not bytes


def test_a_post_of_5001_characters_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"^text is longer than 5000 characters$"):
        content.validate_post({"text": "x" * 5001})


def test_a_5001_character_post_record_is_rejected_by_validate_record() -> None:
    with pytest.raises(InvalidRecord, match=r"^text is longer than 5000 characters$"):
        content.validate_record(sign(body={"text": "x" * 5001}))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": ""}, r"^a post needs text or an image$"),
        ({"text": " \n\t"}, r"^a post needs text or an image$"),
        ({}, r"^missing field\(s\): text$"),
        ({"images": [BLOB]}, r"^missing field\(s\): text$"),
        ({"text": "x", "lang": "en"}, r"^unknown field\(s\): lang$"),
        ({"text": "x", "b": 1, "a": 2}, r"^unknown field\(s\): a, b$"),
        ({"text": b"x"}, r"^text must be text$"),
        ({"text": "x", "reply_to": POST.id[:31]}, r"^reply_to must be 32 bytes$"),
        ({"text": "x", "edits": POST.id.hex()}, r"^edits must be 32 bytes$"),
    ],
    ids=[
        "empty",
        "blank",
        "no-text",
        "image-without-text-field",
        "unknown-field",
        "unknown-fields-sorted",
        "bin-text",
        "short-reply-to",
        "hex-edits",
    ],
)
def test_a_malformed_post_is_rejected(body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        content.validate_post(body)


@pytest.mark.parametrize(
    "body",
    [
        {"text": "x", "reply_to": POST.id, "edits": POST.id},
        {"text": "", "images": [BLOB]},
        {"text": "x", "images": [BLOB] * 4},
        {"text": "x", "tags": [f"t{i}" for i in range(10)]},
        {"text": "x", "tags": ["a" * 32, "_-", "café", "2024"]},
    ],
    ids=["reply-and-edit", "image-only", "four-images", "ten-tags", "tag-shapes"],
)
def test_a_well_formed_post_is_accepted(body: dict[str, Any]) -> None:
    content.validate_post(body)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ([], r"^tags must be a list of 1 to 10 tags$"),
        ([f"t{i}" for i in range(11)], r"^tags must be a list of 1 to 10 tags$"),
        ("smd", r"^tags must be a list of 1 to 10 tags$"),
        (["SMD"], r"^a tag is 1-32 lowercase letters, digits, '_' or '-'$"),
        (["a b"], r"^a tag is 1-32 lowercase letters, digits, '_' or '-'$"),
        (["#smd"], r"^a tag is 1-32 lowercase letters, digits, '_' or '-'$"),
        ([""], r"^a tag is 1-32 lowercase letters, digits, '_' or '-'$"),
        (["a" * 33], r"^a tag is 1-32 lowercase letters, digits, '_' or '-'$"),
        ([1], r"^a tag is 1-32 lowercase letters, digits, '_' or '-'$"),
        (["smd", "smd"], r"^tags must be unique$"),
    ],
    ids=[
        "none",
        "eleven",
        "not-a-list",
        "uppercase",
        "space",
        "hash-sign",
        "empty",
        "33-chars",
        "int",
        "duplicate",
    ],
)
def test_tag_rules_are_enforced(tags: Any, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        content.validate_post({"text": "x", "tags": tags})


def test_a_tag_with_a_trailing_newline_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"^a tag is 1-32 lowercase letters"):
        content.validate_post({"text": "x", "tags": ["smd\n"]})


MIME_ERROR = (
    r"^images\[0\]\.mime must be one of \['image/gif', 'image/jpeg', 'image/png', 'image/webp'\]$"
)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("not a map", r"^images\[0\] must be a map$"),
        ({**BLOB, "alt": "a cat"}, r"^unknown field\(s\): alt$"),
        ({"hash": BLOB["hash"], "mime": "image/png"}, r"^missing field\(s\): size$"),
        ({**BLOB, "hash": b"\x00" * 31}, r"^images\[0\]\.hash must be 32 bytes$"),
        ({**BLOB, "mime": "image/svg+xml"}, MIME_ERROR),
        ({**BLOB, "mime": "IMAGE/PNG"}, MIME_ERROR),
        ({**BLOB, "size": 0}, r"^images\[0\]\.size must be from 1 to 8388608 bytes$"),
        ({**BLOB, "size": 8 * 1024 * 1024 + 1}, r"^images\[0\]\.size must be from 1 to 8388608"),
        ({**BLOB, "size": True}, r"^images\[0\]\.size must be from 1 to 8388608 bytes$"),
    ],
    ids=[
        "not-a-map",
        "extra-field",
        "no-size",
        "short-hash",
        "svg",
        "uppercase-mime",
        "size-0",
        "over-8-mib",
        "bool-size",
    ],
)
def test_blob_ref_rules_are_enforced(image: Any, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        content.validate_post({"text": "x", "images": [image]})


def test_a_blob_ref_of_8_mib_is_accepted() -> None:
    content.validate_blob_ref({**BLOB, "size": 8 * 1024 * 1024, "mime": "image/webp"})


def test_a_blob_ref_with_a_list_as_mime_is_rejected() -> None:
    with pytest.raises(InvalidRecord):
        content.validate_blob_ref({**BLOB, "mime": ["image/png"]})


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ([], r"^images must be a list of 1 to 4 blob refs$"),
        ([BLOB] * 5, r"^images must be a list of 1 to 4 blob refs$"),
        (BLOB, r"^images must be a list of 1 to 4 blob refs$"),
    ],
    ids=["none", "five", "not-a-list"],
)
def test_image_list_rules_are_enforced(images: Any, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        content.validate_post({"text": "x", "images": images})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, r"^missing field\(s\): name$"),
        ({"bio": "no name"}, r"^missing field\(s\): name$"),
        ({"name": ""}, r"^name must not be empty$"),
        ({"name": "  "}, r"^name must not be empty$"),
        ({"name": "n" * 65}, r"^name is longer than 64 characters$"),
        ({"name": 1}, r"^name must be text$"),
        ({"name": "A", "bio": "b" * 1001}, r"^bio is longer than 1000 characters$"),
        ({"name": "A", "avatar": {**BLOB, "size": 0}}, r"^avatar\.size must be from 1 to "),
        ({"name": "A", "website": "x"}, r"^unknown field\(s\): website$"),
    ],
    ids=[
        "empty",
        "no-name",
        "empty-name",
        "blank-name",
        "long-name",
        "int-name",
        "long-bio",
        "bad-avatar",
        "unknown-field",
    ],
)
def test_a_malformed_profile_is_rejected(body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        content.validate_profile(body)


def test_a_full_profile_is_accepted() -> None:
    content.validate_profile({"name": "n" * 64, "bio": "b" * 1000, "avatar": BLOB})
    content.validate_profile({"name": "A", "bio": ""})


def test_delete_names_one_record_id() -> None:
    content.validate_delete({"target": POST.id})
    with pytest.raises(InvalidRecord, match=r"^target must be 32 bytes$"):
        content.validate_delete({"target": POST.id.hex()})
    with pytest.raises(InvalidRecord, match=r"^unknown field\(s\): reason$"):
        content.validate_delete({"target": POST.id, "reason": "oops"})


@pytest.mark.parametrize(
    ("validator", "flag"),
    [(content.validate_follow, "following"), (content.validate_block, "blocked")],
    ids=["follow", "block"],
)
def test_follow_and_block_take_an_identity_key_and_a_flag(
    validator: content.Validator, flag: str
) -> None:
    validator({"target": ROOT.public, flag: True})
    validator({"target": ROOT.public, flag: False})
    with pytest.raises(InvalidRecord, match=rf"^{flag} must be true or false$"):
        validator({"target": ROOT.public, flag: 1})
    with pytest.raises(InvalidRecord, match=r"^target must be 32 bytes$"):
        validator({"target": ROOT.public[:31], flag: True})
    with pytest.raises(InvalidRecord, match=rf"^missing field\(s\): {flag}$"):
        validator({"target": ROOT.public})


@pytest.mark.parametrize(
    ("type_", "body", "message"),
    [
        (content.PROFILE, {"name": ""}, r"^name must not be empty$"),
        (content.POST, {"text": ""}, r"^a post needs text or an image$"),
        (content.DELETE, {}, r"^missing field\(s\): target$"),
        (content.FOLLOW, {"target": b"", "following": True}, r"^target must be 32 bytes$"),
        (content.BLOCK, {"target": ROOT.public}, r"^missing field\(s\): blocked$"),
        (content.REVOKE, {"revocation": b"\x80"}, r"^content must have exactly 'revocation'"),
    ],
    ids=["profile", "post", "delete", "follow", "block", "revoke"],
)
def test_validate_record_applies_the_core_validator_of_each_type(
    type_: str, body: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRecord, match=message):
        content.validate_record(sign(type_=type_, body=body))
