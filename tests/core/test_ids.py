"""Text forms of identities, devices and records (docs/PROTOCOL.md, "Identifiers")."""

from __future__ import annotations

import nacl.signing
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smd_desktop.core import ids
from smd_desktop.core.errors import MalformedId, UserError
from smd_desktop.core.identity import InvalidPhrase, RootKey
from smd_desktop.core.ids import DeviceKey, IdentityKey

keys = st.binary(min_size=32, max_size=32)

ROOT = RootKey(bytes(range(32)))
DEVICE_SEED = bytes(range(32, 64))
DEVICE_KEY = DeviceKey(bytes(nacl.signing.SigningKey(DEVICE_SEED).verify_key))


@settings(max_examples=300)
@given(keys)
def test_identity_text_and_did_round_trip(key: bytes) -> None:
    text = ids.identity_text(IdentityKey(key))
    assert text.startswith("z6Mk")
    assert len(text) == 48
    assert ids.did_key(IdentityKey(key)) == "did:key:" + text
    assert ids.parse_identity(text) == key
    assert ids.parse_identity("did:key:" + text) == key
    assert ids.parse_identity(f"  {text}\n") == key


@settings(max_examples=300)
@given(keys)
def test_peer_id_text_round_trips(key: bytes) -> None:
    text = ids.peer_id_text(DeviceKey(key))
    assert text.startswith("12D3KooW")
    assert len(text) == 52
    assert ids.parse_device(text) == key


@settings(max_examples=300)
@given(st.binary(min_size=32, max_size=32))
def test_record_id_text_round_trips(record_id: bytes) -> None:
    text = ids.record_id_text(record_id)
    assert text == record_id.hex()
    assert len(text) == 64
    assert ids.parse_record_id(text) == record_id
    assert ids.parse_record_id(text.upper()) == record_id


def test_identity_text_is_base58btc_of_the_ed25519_multicodec_key() -> None:
    # The did:key spec's own Ed25519 example.
    key = bytes.fromhex("2e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6")
    assert ids.did_key(IdentityKey(key)) == (
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    )


def test_peer_id_text_matches_libp2p() -> None:
    from libp2p.crypto.ed25519 import Ed25519PrivateKey
    from libp2p.peer.id import ID

    for seed in (DEVICE_SEED, bytes(32), b"\xff" * 32):
        key = DeviceKey(bytes(nacl.signing.SigningKey(seed).verify_key))
        libp2p_key = Ed25519PrivateKey.new(seed).get_public_key()
        assert libp2p_key.to_bytes() == key
        assert ids.peer_id_text(key) == ID.from_pubkey(libp2p_key).to_base58()


def test_blake2b256_is_unkeyed_blake2b_with_a_32_byte_digest() -> None:
    assert ids.blake2b256(b"").hex() == (
        "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
    )
    assert ids.blake2b256(b"abc").hex() == (
        "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "z",
        "6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",  # no multibase prefix
        "z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvV",  # one character short
        "z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVdd",  # one character long
        "z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgv0d",  # '0' is not base58
        "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # secp256k1, not Ed25519
        "did:web:example.com",
        "did:key:",
        "12D3KooWCd3eX8r5ihRvzK7P1yPq5aakaBJhG5GNj18YTztPhoCa",  # a device, not an identity
        "zé",
    ],
)
def test_garbage_is_not_an_identity(text: str) -> None:
    with pytest.raises(MalformedId, match=r"^not an identity id: "):
        ids.parse_identity(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12D3KooWCd3eX8r5ihRvzK7P1yPq5aakaBJhG5GNj18YTztPhoC",  # one character short
        "12D3KooWCd3eX8r5ihRvzK7P1yPq5aakaBJhG5GNj18YTztPhoCaa",  # one character long
        "12D3KooWCd3eX8r5ihRvzK7P1yPq5aakaBJhG5GNj18YTztPhoC0",  # '0' is not base58
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",  # an RSA-style (sha256) PeerID
        "z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",  # an identity, not a device
        "12D3KooWé",
    ],
)
def test_garbage_is_not_a_device(text: str) -> None:
    with pytest.raises(MalformedId, match=r"^not a device id: "):
        ids.parse_device(text)


@pytest.mark.parametrize("text", ["", "00" * 31, "00" * 33, "zz" * 32, "0x" + "00" * 31, "é" * 64])
def test_garbage_is_not_a_record_id(text: str) -> None:
    with pytest.raises(MalformedId, match=r"^not a record id: "):
        ids.parse_record_id(text)


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_parsing_arbitrary_text_raises_only_malformed_id(text: str) -> None:
    for parse in (ids.parse_identity, ids.parse_device, ids.parse_record_id):
        try:
            parsed = parse(text)
        except MalformedId:
            continue
        assert len(parsed) == 32


def test_a_malformed_id_is_the_users_fault() -> None:
    assert issubclass(MalformedId, UserError)


def test_the_recovery_phrase_is_the_bip39_encoding_of_the_root_seed() -> None:
    # BIP39 entropy 00 01 .. 1f; SMD uses the entropy itself as the Ed25519 seed (no PBKDF2).
    phrase = ROOT.phrase()
    assert phrase.split()[:4] == ["abandon", "amount", "liar", "amount"]
    assert len(phrase.split()) == 24
    assert RootKey.from_phrase(phrase) == ROOT
    assert RootKey.from_phrase("  " + phrase.upper().replace(" ", "\n  ") + " ") == ROOT
    assert ROOT.public == bytes(nacl.signing.SigningKey(bytes(range(32))).verify_key)


@settings(max_examples=100)
@given(st.binary(min_size=32, max_size=32))
def test_any_seed_round_trips_through_its_phrase(seed: bytes) -> None:
    assert RootKey.from_phrase(RootKey(seed).phrase()).seed == seed


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        " ".join(["abandon"] * 11 + ["about"]),  # a valid 12-word phrase
        " ".join(["abandon"] * 24),  # bad checksum
        " ".join(["abandon"] * 23 + ["notaword"]),
        " ".join(["abandon"] * 23 + ["art", "art"]),  # 25 words
    ],
    ids=["empty", "12-words", "bad-checksum", "unknown-word", "25-words"],
)
def test_an_invalid_recovery_phrase_is_rejected(phrase: str) -> None:
    with pytest.raises(InvalidPhrase, match=r"^not a valid 24-word recovery phrase$"):
        RootKey.from_phrase(phrase)
