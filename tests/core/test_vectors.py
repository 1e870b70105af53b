"""The committed test vectors (tests/data/vectors.json) match the implementation, both ways."""

from __future__ import annotations

import importlib.util
import itertools
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import nacl.signing
import pytest

from smd_desktop.core import content, ids, records
from smd_desktop.core.errors import InvalidRecord
from smd_desktop.core.identity import RootKey

DATA = Path(__file__).resolve().parents[1] / "data"
VECTORS_PATH = DATA / "vectors.json"
VECTORS: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
RECORDS: list[dict[str, Any]] = VECTORS["records"]
INVALID: list[dict[str, Any]] = VECTORS["invalid"]


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_vectors", DATA / "make_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def from_json(value: Any) -> Any:
    """Undo the vectors' JSON form: ``{"$bin": hex}`` is bytes, the rest is as written."""
    if isinstance(value, dict):
        if set(value) == {"$bin"}:
            return bytes.fromhex(value["$bin"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def _device() -> nacl.signing.SigningKey:
    return nacl.signing.SigningKey(bytes.fromhex(VECTORS["device"]["seed_hex"]))


def test_vectors_file_is_up_to_date() -> None:
    assert _load_generator().render() == VECTORS_PATH.read_text(encoding="utf-8")


def test_identity_key_texts_and_phrase_match_the_vectors() -> None:
    v = VECTORS["identity"]
    root = RootKey(bytes.fromhex(v["root_seed_hex"]))
    assert root.public.hex() == v["public_key_hex"]
    assert ids.identity_text(root.public) == v["identity_text"]
    assert ids.did_key(root.public) == v["did"]
    assert root.phrase() == v["phrase"]
    assert len(v["phrase"].split()) == 24
    assert RootKey.from_phrase(v["phrase"]).seed.hex() == v["root_seed_hex"]
    assert ids.parse_identity(v["did"]).hex() == v["public_key_hex"]


@pytest.mark.parametrize("which", ["device", "other_device"])
def test_device_key_and_peer_id_match_the_vectors(which: str) -> None:
    v = VECTORS[which]
    key = nacl.signing.SigningKey(bytes.fromhex(v["seed_hex"]))
    public = ids.DeviceKey(bytes(key.verify_key))
    assert public.hex() == v["public_key_hex"]
    assert ids.peer_id_text(public) == v["peer_id"]
    assert ids.parse_device(v["peer_id"]) == public


def test_valid_vectors_form_one_chained_feed() -> None:
    feed = [v for v in RECORDS if v["name"] != "post-purged"]
    assert [v["header"]["seq"] for v in feed] == list(range(1, len(feed) + 1))
    assert feed[0]["header"]["prev_hex"] is None
    for before, after in itertools.pairwise(feed):
        assert after["header"]["prev_hex"] == before["id_hex"]


@pytest.mark.parametrize("vector", RECORDS, ids=[v["name"] for v in RECORDS])
def test_decoding_a_vector_gives_its_id_header_and_content(vector: dict[str, Any]) -> None:
    record = records.decode_record(bytes.fromhex(vector["record_hex"]))
    h = vector["header"]
    assert record.id.hex() == vector["id_hex"]
    assert record.header_bytes.hex() == vector["header_hex"]
    assert record.signature.hex() == vector["signature_hex"]
    assert record.raw.hex() == vector["record_hex"]
    assert record.header == records.Header(
        author=ids.DeviceKey(bytes.fromhex(h["author_hex"])),
        seq=h["seq"],
        prev=None if h["prev_hex"] is None else ids.RecordId(bytes.fromhex(h["prev_hex"])),
        timestamp=h["timestamp"],
        type=h["type"],
        content_hash=bytes.fromhex(h["content_hash_hex"]),
        content_size=h["content_size"],
        version=h["version"],
    )
    assert record.content == from_json(vector["content"])
    assert bytes.fromhex(vector["signing_input_hex"]) == (
        records.SIGNING_DOMAIN + record.header_bytes
    )
    assert ids.blake2b256(record.header_bytes).hex() == vector["id_hex"]
    if vector["content_hex"] is not None:
        content_bytes = bytes.fromhex(vector["content_hex"])
        assert ids.blake2b256(content_bytes).hex() == h["content_hash_hex"]
        assert len(content_bytes) == h["content_size"]
    content.validate_record(record)


@pytest.mark.parametrize("vector", RECORDS, ids=[v["name"] for v in RECORDS])
def test_signing_the_vector_inputs_reproduces_the_exact_bytes(vector: dict[str, Any]) -> None:
    h = vector["header"]
    body = vector["content"]
    if body is None:  # the purged post: sign the original, then drop the content
        body = next(v for v in RECORDS if v["id_hex"] == vector["id_hex"] and v is not vector)[
            "content"
        ]
    record = records.sign_record(
        _device(),
        seq=h["seq"],
        prev=None if h["prev_hex"] is None else ids.RecordId(bytes.fromhex(h["prev_hex"])),
        timestamp=h["timestamp"],
        type=h["type"],
        content=from_json(body),
    )
    if vector["content"] is None:
        record = records.without_content(record)
    assert record.raw.hex() == vector["record_hex"]
    assert record.id.hex() == vector["id_hex"]


@pytest.mark.parametrize(
    ("name", "domain"), [("cert", "smd-device-cert-v1:"), ("revoke", "smd-device-revocation-v1:")]
)
def test_identity_signed_bodies_match_the_vectors(name: str, domain: str) -> None:
    vector = next(v for v in RECORDS if v["name"] == name)
    body_key = "cert" if name == "cert" else "revocation"
    body = vector[body_key]
    assert bytes.fromhex(body["signing_input_hex"]) == domain.encode() + bytes.fromhex(
        body["body_hex"]
    )
    assert from_json(vector["content"]) == {
        body_key: bytes.fromhex(body["body_hex"]),
        "sig": bytes.fromhex(body["sig_hex"]),
    }
    identity = bytes.fromhex(VECTORS["identity"]["public_key_hex"])
    nacl.signing.VerifyKey(identity).verify(
        bytes.fromhex(body["signing_input_hex"]), bytes.fromhex(body["sig_hex"])
    )


@pytest.mark.parametrize("vector", INVALID, ids=[v["name"] for v in INVALID])
def test_every_invalid_vector_is_rejected(vector: dict[str, Any]) -> None:
    raw = bytes.fromhex(vector["record_hex"])
    if vector["stage"] == "decode":
        with pytest.raises(InvalidRecord) as caught:
            records.decode_record(raw)
    else:
        assert vector["stage"] == "validate"
        record = records.decode_record(raw)
        with pytest.raises(InvalidRecord) as caught:
            content.validate_record(record)
    assert str(caught.value) == vector["error"]
