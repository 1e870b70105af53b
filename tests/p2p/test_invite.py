"""Invite codes: round trips, tampering, expiry, size and prefix checks, and connect targets."""

from __future__ import annotations

import contextlib

import base58
import msgpack
import nacl.signing
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p2p.errors import InvalidAddressError, P2PError
from p2p.invite import (
    INVITE_PREFIX,
    MAX_ADDRS,
    MAX_INVITE_TEXT,
    SIGNING_DOMAIN,
    DialTarget,
    ExpiredInvite,
    InvalidInvite,
    Invite,
    check_transport_addr,
    device_from_peer_id,
    make_invite,
    parse_invite,
    parse_target,
    peer_id_from_device,
)

SEED = bytes(range(32))
DEVICE = nacl.signing.SigningKey(SEED).verify_key.encode()
PEER = "12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeSB"  # of SEED, checked below
GROUP = b"g" * 32
NOW = 1_750_000_000_000
DAY = 86_400_000
LAN, WAN = "/ip4/192.168.1.20/tcp/4001", "/ip4/203.0.113.7/tcp/4001"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def invite(addrs: list[str] | None = None, ttl: int = DAY) -> str:
    return make_invite(SEED, GROUP, [LAN, WAN] if addrs is None else addrs, ttl, NOW)


def signed(fields: object, seed: bytes = SEED) -> str:
    """An invite code over an arbitrary body, correctly signed: to test the body checks."""
    body = msgpack.packb(fields, use_bin_type=True)
    signature = nacl.signing.SigningKey(seed).sign(SIGNING_DOMAIN + body).signature
    return INVITE_PREFIX + base58.b58encode(body + signature).decode()


def test_invite_round_trips() -> None:
    parsed = parse_invite(invite(), NOW)
    assert parsed == Invite(GROUP, DEVICE, (LAN, WAN), NOW + DAY)
    assert parsed.peer_id == PEER
    assert parsed.dial_addrs() == [f"{LAN}/p2p/{PEER}", f"{WAN}/p2p/{PEER}"]
    assert parsed.target() == DialTarget(DEVICE, (LAN, WAN), GROUP)


def test_a_two_address_invite_is_about_227_characters() -> None:
    text = invite()
    assert text.startswith("smd1")
    assert 225 <= len(text) <= 228
    assert len(invite(["/ip4/192.168.1.20/tcp/4001", "/ip6/2001:db8::1/tcp/4001"])) <= 245


def test_the_longest_invite_fits_well_within_the_size_limit() -> None:
    names = [f"/dns4/{'a' * 40}.{'b' * 40}.o{i}/tcp/65535" for i in range(MAX_ADDRS)]
    assert all(len(name) == 100 for name in names)
    text = invite(names)
    assert len(text) < 1250 < MAX_INVITE_TEXT
    assert parse_invite(text, NOW).addrs == tuple(names)


def test_addresses_are_canonicalised_and_deduplicated() -> None:
    text = invite(["/ip4/192.168.1.20/tcp/04001", LAN, "/ip6/0:0::1/tcp/7", "/dns4/x.org/tcp/1/"])
    assert parse_invite(text, NOW).addrs == (LAN, "/ip6/::1/tcp/7", "/dns4/x.org/tcp/1")


def test_an_invite_without_addresses_still_names_the_device() -> None:
    parsed = parse_invite(invite([]), NOW)
    assert (parsed.peer_id, parsed.addrs, parsed.dial_addrs()) == (PEER, (), [])


def test_peer_id_text_matches_libp2p() -> None:
    from libp2p.crypto.ed25519 import Ed25519PrivateKey
    from libp2p.peer.id import ID

    for seed in (SEED, b"\x00" * 32, b"\xff" * 32):
        device = nacl.signing.SigningKey(seed).verify_key.encode()
        expected = ID.from_pubkey(Ed25519PrivateKey.new(seed).get_public_key()).to_base58()
        assert peer_id_from_device(device) == expected
        assert device_from_peer_id(expected) == device
    assert peer_id_from_device(DEVICE) == PEER


@pytest.mark.parametrize(
    "text",
    [
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",  # RSA-style sha256 PeerID
        "12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeS",  # one character short
        "12D3KooW0000",
        "12D3KooWé",
        "",
    ],
)
def test_a_non_ed25519_peer_id_is_refused(text: str) -> None:
    with pytest.raises(InvalidAddressError, match=r"is not (a base58 PeerID|the PeerID of an)"):
        device_from_peer_id(text)


def test_whitespace_and_line_breaks_inside_a_code_are_ignored() -> None:
    text = invite()
    wrapped = "  " + "\n".join(text[i : i + 60] for i in range(0, len(text), 60)) + "\t\n"
    assert parse_invite(wrapped, NOW) == parse_invite(text, NOW)


def test_every_changed_character_is_rejected() -> None:
    text = invite()
    for position in range(len(INVITE_PREFIX), len(text)):
        other = BASE58[(BASE58.index(text[position]) + 1) % len(BASE58)]
        tampered = text[:position] + other + text[position + 1 :]
        with pytest.raises(InvalidInvite):
            parse_invite(tampered, NOW)


def test_every_flipped_bit_is_rejected() -> None:
    raw = base58.b58decode(invite()[len(INVITE_PREFIX) :])
    for bit in range(len(raw) * 8):
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(InvalidInvite):
            parse_invite(INVITE_PREFIX + base58.b58encode(bytes(flipped)).decode(), NOW)


def test_a_truncated_or_extended_code_is_rejected() -> None:
    text = invite()
    for bad in (text[:-1], text + "2", text[: len(INVITE_PREFIX) + 10], INVITE_PREFIX):
        with pytest.raises(InvalidInvite):
            parse_invite(bad, NOW)


def test_an_invite_expires_at_its_expiry_time() -> None:
    text = invite(ttl=1000)
    assert parse_invite(text, NOW + 999).expires == NOW + 1000
    with pytest.raises(
        ExpiredInvite, match=rf"^the invite from {PEER} expired at {NOW + 1000} ms$"
    ):
        parse_invite(text, NOW + 1000)
    try:
        parse_invite(text, NOW + 5000)
    except ExpiredInvite as exc:
        assert (exc.peer_id, exc.expires) == (PEER, NOW + 1000)
        assert isinstance(exc, P2PError)
        assert not isinstance(exc, InvalidInvite)


def test_a_tampered_expired_invite_is_invalid_not_expired() -> None:
    text = invite(ttl=1000)
    tampered = text[:-1] + ("2" if text[-1] != "2" else "3")
    with pytest.raises(InvalidInvite, match=r"^invite signature does not verify"):
        parse_invite(tampered, NOW + DAY)


def test_oversized_input_is_rejected_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_decode(data: bytes) -> bytes:
        raise AssertionError("decoded an oversized invite")

    monkeypatch.setattr(base58, "b58decode", must_not_decode)
    with pytest.raises(InvalidInvite, match=r"^invite code of 2049 characters exceeds 2048"):
        parse_invite(INVITE_PREFIX + "2" * (MAX_INVITE_TEXT + 1 - len(INVITE_PREFIX)), NOW)
    with pytest.raises(InvalidInvite, match=r"^invite code of 1000000 characters exceeds"):
        parse_invite(" " * 1_000_000, NOW)


@pytest.mark.parametrize("text", ["smd2abc", "SMD1abc", "abc", "", "   ", "/ip4/1.2.3.4/tcp/1"])
def test_a_wrong_prefix_is_rejected(text: str) -> None:
    with pytest.raises(InvalidInvite, match=r"^not an SMD invite code: it does not start with"):
        parse_invite(text, NOW)


@pytest.mark.parametrize("rest", ["0OIl", "abc+/", "ab\u00e9"])
def test_characters_outside_base58_are_rejected(rest: str) -> None:
    with pytest.raises(InvalidInvite, match=r"^invite code has characters outside base58$"):
        parse_invite(INVITE_PREFIX + rest, NOW)


def test_an_invite_naming_another_device_than_the_signer_is_rejected() -> None:
    other = nacl.signing.SigningKey(b"\x07" * 32).verify_key.encode()
    with pytest.raises(InvalidInvite, match=r"^invite signature does not verify"):
        parse_invite(signed([GROUP, other, [], NOW + DAY]), NOW)


IP4_BIN = bytes.fromhex("04c0a80114060fa1")  # /ip4/192.168.1.20/tcp/4001


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([GROUP, DEVICE, [], NOW + DAY, 1], r"the body is not a 4-item array"),
        ([GROUP, DEVICE, []], r"the body is not a 4-item array"),
        ({"g": GROUP}, r"max_map_len"),
        ([GROUP[:31], DEVICE, [], NOW + DAY], r"a field has the wrong type or size"),
        ([GROUP, DEVICE, [], True], r"a field has the wrong type or size"),
        ([GROUP, DEVICE, [], -1], r"a field has the wrong type or size"),
        ([GROUP, DEVICE, ["/ip4/1.2.3.4/tcp/1"], NOW + DAY], r"max_str_len"),
        ([GROUP, DEVICE, [IP4_BIN] * (MAX_ADDRS + 1), NOW + DAY], r"max_array_len"),
    ],
)
def test_a_malformed_body_is_rejected_even_when_signed(fields: object, message: str) -> None:
    with pytest.raises(InvalidInvite, match=rf"^invite code is malformed: .*{message}"):
        parse_invite(signed(fields), NOW)


@pytest.mark.parametrize(
    ("binary", "message"),
    [
        (bytes.fromhex("8400c0a80114060fa1"), r"not canonically encoded"),  # padded varint
        (bytes.fromhex("04c0a80114910f a1".replace(" ", "")), r"not a dialable TCP address"),  # udp
        (bytes.fromhex("0400000000060fa1"), r"not a dialable TCP address"),  # 0.0.0.0
        (bytes.fromhex("04c0a80114060000"), r"not a dialable TCP address"),  # port 0
        (IP4_BIN + bytes.fromhex("a503260024080112") + bytes(32), r"not a dialable TCP address"),
        (b"\xff\xff", r"not a dialable TCP address"),
        (b"", r"not a dialable TCP address"),
    ],
)
def test_an_undialable_address_is_rejected_even_when_signed(binary: bytes, message: str) -> None:
    with pytest.raises(InvalidInvite, match=rf"^invite address 1 is {message}$"):
        parse_invite(signed([GROUP, DEVICE, [IP4_BIN, binary], NOW + DAY]), NOW)


def test_make_invite_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"^an Ed25519 seed is 32 bytes, got 31$"):
        make_invite(SEED[:31], GROUP, [], DAY, NOW)
    with pytest.raises(ValueError, match=r"^a group id is 32 bytes, got 0$"):
        make_invite(SEED, b"", [], DAY, NOW)
    with pytest.raises(ValueError, match=r"^an invite carries at most 8 addresses, got 9$"):
        make_invite(SEED, GROUP, [f"/ip4/10.0.0.{i}/tcp/1" for i in range(1, 10)], DAY, NOW)
    with pytest.raises(ValueError, match=r"^ttl_ms must be positive"):
        make_invite(SEED, GROUP, [], 0, NOW)
    with pytest.raises(ValueError, match=r"^expiry \d+ does not fit in 63 bits$"):
        make_invite(SEED, GROUP, [], 2**63, NOW)
    with pytest.raises(InvalidAddressError, match=r"is not /ip4\|ip6\|dns\|dns4\|dns6/"):
        make_invite(SEED, GROUP, [f"{LAN}/p2p/{PEER}"], DAY, NOW)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (LAN, LAN),
        ("/ip6/2001:db8::1/tcp/4001", "/ip6/2001:db8::1/tcp/4001"),
        ("/dns4/smd.example.org/tcp/443/", "/dns4/smd.example.org/tcp/443"),
        ("/dns6/x.org/tcp/1", "/dns6/x.org/tcp/1"),
        ("/dns/x.org/tcp/65535", "/dns/x.org/tcp/65535"),
    ],
)
def test_tcp_addresses_are_accepted_in_canonical_form(text: str, canonical: str) -> None:
    assert check_transport_addr(text) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/ip4/1.2.3.4/udp/1", r"is not /ip4\|ip6\|dns\|dns4\|dns6/<host>/tcp/<port>$"),
        ("/ip4/1.2.3.4/udp/1/quic-v1", r"is not /ip4\|ip6\|dns\|dns4\|dns6/<host>/tcp/<port>$"),
        ("/ip4/1.2.3.4", r"is not /ip4\|ip6\|dns\|dns4\|dns6/<host>/tcp/<port>$"),
        ("/ip4/0.0.0.0/tcp/4001", r"is a listen-only address, which nobody can dial$"),
        ("/ip6/::/tcp/4001", r"is a listen-only address, which nobody can dial$"),
        ("/ip4/1.2.3.4/tcp/0", r"has port 0, which nobody can dial$"),
        ("/ip4/1.2.3.4/tcp/65536", r"is not a valid multiaddr"),
        ("/ip4/1.2.3/tcp/1", r"is not a valid multiaddr"),
        ("/dns4/a b/tcp/1", r"is not a valid multiaddr"),
        ("hello", r"is not a valid multiaddr"),
        ("/dns4/" + "a" * 90 + "/tcp/1", r"^address longer than 100 characters"),
    ],
)
def test_other_addresses_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidAddressError, match=message):
        check_transport_addr(text)


def test_parse_target_accepts_an_invite() -> None:
    assert parse_target("  " + invite() + "\n", NOW) == DialTarget(DEVICE, (LAN, WAN), GROUP)


def test_parse_target_accepts_a_raw_multiaddr_with_a_peer_id() -> None:
    target = parse_target(f" {LAN}/p2p/{PEER} ", NOW)
    assert target == DialTarget(DEVICE, (LAN,), None)
    assert target.peer_id == PEER
    assert target.dial_addrs() == [f"{LAN}/p2p/{PEER}"]
    assert parse_target(f"/dns4/x.org/tcp/01/p2p/{PEER}", NOW).addrs == ("/dns4/x.org/tcp/1",)


def test_parse_target_passes_invite_errors_through() -> None:
    with pytest.raises(ExpiredInvite):
        parse_target(invite(ttl=1), NOW + 1)
    with pytest.raises(InvalidInvite, match=r"^invite code has characters outside base58$"):
        parse_target("smd1-not-a-code", NOW)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", r"^neither an invite code \(smd1\.\.\.\) nor a multiaddr"),
        ("", r"^neither an invite code"),
        (LAN, r"does not end in /p2p/<peer id>$"),
        (f"/p2p/{PEER}", r"does not end in /p2p/<peer id>$"),
        (f"/ip4/1.2.3.4/udp/1/p2p/{PEER}", r"is not /ip4\|ip6\|dns\|dns4\|dns6/<host>/tcp/<port>$"),
        (f"{LAN}/p2p/{PEER}/tcp/1", r"does not end in /p2p/<peer id>$"),
        (f"{LAN}/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", r"not the PeerID of an"),
        (f"{LAN}/p2p/nope", r"is not a valid multiaddr"),
        ("/" + "a" * 200, r"^multiaddr longer than 164 characters$"),
    ],
)
def test_parse_target_refuses_anything_else(text: str, message: str) -> None:
    with pytest.raises(InvalidAddressError, match=message) as caught:
        parse_target(text, NOW)
    assert not isinstance(caught.value, InvalidInvite)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=3000), st.text(alphabet=BASE58, max_size=400)))
def test_arbitrary_text_raises_only_invite_errors(text: str) -> None:
    for candidate in (text, INVITE_PREFIX + text):
        with pytest.raises(InvalidInvite):
            parse_invite(candidate, NOW)
        with contextlib.suppress(InvalidAddressError, ExpiredInvite):
            parse_target(candidate, NOW)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.one_of(
                st.binary(max_size=40),
                st.integers(min_value=-(2**63), max_value=2**64 - 1),
                st.lists(st.binary(max_size=30), max_size=9),
                st.booleans(),
                st.none(),
            ),
            max_size=5,
        ),
    )
)
def test_any_signed_body_parses_or_raises_only_invite_errors(fields: object) -> None:
    text = signed(fields)
    try:
        parsed = parse_invite(text, NOW)
    except (InvalidInvite, ExpiredInvite):
        return
    assert parsed.device == DEVICE
    assert all(check_transport_addr(addr) == addr for addr in parsed.addrs)


@settings(max_examples=100, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    group=st.binary(min_size=32, max_size=32),
    hosts=st.lists(st.ip_addresses(v=4).filter(lambda ip: not ip.is_unspecified), max_size=8),
    port=st.integers(min_value=1, max_value=65535),
    ttl=st.integers(min_value=1, max_value=10 * 365 * DAY),
)
def test_any_valid_invite_round_trips(
    seed: bytes, group: bytes, hosts: list[object], port: int, ttl: int
) -> None:
    addrs = list(dict.fromkeys(f"/ip4/{host}/tcp/{port}" for host in hosts))
    parsed = parse_invite(make_invite(seed, group, addrs, ttl, NOW), NOW + ttl - 1)
    device = nacl.signing.SigningKey(seed).verify_key.encode()
    assert parsed == Invite(group, device, tuple(addrs), NOW + ttl)
