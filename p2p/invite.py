"""Invite codes: a short pasteable text that lets a friend connect to this device.

An invite says "device ``D``, serving group ``G``, listens at these addresses until ``T``",
signed by ``D``'s key. Its text is::

    "smd1" || base58btc(body || signature)

* ``body`` is the msgpack array ``[group, device, [addr, ...], expires]``: ``group`` and
  ``device`` are 32-byte bin (the group is opaque here; the app uses the inviter's identity
  key), each ``addr`` is the *binary* multiaddr (multiformats spec) of a TCP address without a
  ``/p2p`` part, at most :data:`MAX_ADDRS` of them, and ``expires`` is milliseconds since the
  Unix epoch. Binary multiaddrs keep the code short: ``/ip4/192.168.1.20/tcp/4001`` is 8 bytes.
* ``signature`` is the last 64 bytes: Ed25519 by the device key over
  :data:`SIGNING_DOMAIN` ``|| body``. The receiver verifies the body bytes exactly as received
  and never re-encodes them; the signature has a fixed size, so no framing is needed around it
  and the code has a single valid byte form.

``"smd1"`` is the format's version: a later format takes another prefix. The device's libp2p
PeerID is not carried, it is derived from the key (:func:`peer_id_from_device`), so a code
cannot name one peer and carry another's key. A code with two IPv4 addresses is 227 characters
(243 with an IPv6 address instead of one of them); the longest possible is about 1,200.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

import base58
import msgpack
import multiaddr  # type: ignore[import-untyped]  # ships no py.typed
import multiaddr.exceptions  # type: ignore[import-untyped]
import nacl.exceptions
import nacl.signing

from .errors import InvalidAddressError, P2PError

__all__ = [
    "INVITE_PREFIX",
    "MAX_ADDRS",
    "MAX_ADDR_LEN",
    "MAX_INVITE_TEXT",
    "SIGNING_DOMAIN",
    "DialTarget",
    "ExpiredInvite",
    "InvalidInvite",
    "Invite",
    "check_transport_addr",
    "device_from_peer_id",
    "make_invite",
    "parse_invite",
    "parse_target",
    "peer_id_from_device",
]

INVITE_PREFIX: Final = "smd1"
"""Every invite code starts with this; the ``1`` is the format version."""
SIGNING_DOMAIN: Final = b"smd-invite-v1:"
"""Prepended to the body before signing, so an invite signature means nothing elsewhere."""
MAX_INVITE_TEXT: Final = 2048
"""Longest text :func:`parse_invite` looks at; the longest valid invite is about 1,200."""
MAX_ADDRS: Final = 8
"""Most addresses an invite carries."""
MAX_ADDR_LEN: Final = 100
"""Longest address text, in characters, an invite (or the peer book) accepts."""
KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64

_PEER_ID_PREFIX: Final = bytes.fromhex("002408011220")
# identity multihash (00, length 0x24) of the protobuf PublicKey {Type: Ed25519 (08 01),
# Data: 32 bytes (12 20)}: an Ed25519 PeerID is this prefix followed by the key
# (docs/PROTOCOL.md, "Identifiers"). Re-derived here because p2p must not import the core.
_HOST_PROTOCOLS: Final = frozenset({"ip4", "ip6", "dns", "dns4", "dns6"})
_MAX_TARGET_TEXT: Final = MAX_ADDR_LEN + 64  # an address plus "/p2p/" and a 52-char PeerID
_MAX_EXPIRES: Final = 2**63 - 1
_MAX_BODY_ADDR: Final = 255  # bytes of one binary multiaddr; text <= 100 chars is far less


class InvalidInvite(InvalidAddressError):
    """The text is not a genuine SMD invite code (the fault of whoever made or pasted it).

    It is oversized, lacks the ``smd1`` prefix, is not base58, is malformed, or its signature
    does not verify because a character was changed. Retrying with the same text fails the same
    way; ask the inviter to send the code again.
    """


class ExpiredInvite(P2PError):
    """A genuine invite whose time is up: nobody's fault. Ask the inviter for a fresh one.

    Attributes:
        peer_id: The PeerID of the device that made the invite.
        expires: When it expired, in milliseconds since the Unix epoch.
    """

    def __init__(self, peer_id: str, expires: int) -> None:
        super().__init__(f"the invite from {peer_id} expired at {expires} ms")
        self.peer_id = peer_id
        self.expires = expires


def peer_id_from_device(device: bytes) -> str:
    """The libp2p PeerID text (``12D3KooW...``) of a 32-byte Ed25519 device key.

    Raises:
        ValueError: ``device`` is not 32 bytes.
    """
    if len(device) != KEY_SIZE:
        raise ValueError(f"an Ed25519 public key is {KEY_SIZE} bytes, got {len(device)}")
    return base58.b58encode(_PEER_ID_PREFIX + device).decode("ascii")


def device_from_peer_id(text: str) -> bytes:
    """The 32-byte device key inlined in an Ed25519 PeerID text.

    Raises:
        InvalidAddressError: ``text`` is not the PeerID of an Ed25519 key (SMD devices have no
            other kind).
    """
    if len(text) > 60:  # base58 decoding is quadratic: refuse long junk before decoding
        raise InvalidAddressError(f"{text[:60]!r}... is not a PeerID")
    try:
        raw = base58.b58decode(text.encode("ascii"))
    except ValueError as exc:  # non-ASCII text (UnicodeEncodeError) or non-base58 characters
        raise InvalidAddressError(f"{text!r} is not a base58 PeerID") from exc
    if len(raw) != len(_PEER_ID_PREFIX) + KEY_SIZE or not raw.startswith(_PEER_ID_PREFIX):
        raise InvalidAddressError(f"{text!r} is not the PeerID of an Ed25519 device key")
    return raw[len(_PEER_ID_PREFIX) :]


def check_transport_addr(text: str) -> str:
    """Validate a dialable TCP multiaddr without a ``/p2p`` part; return its canonical text.

    Accepted: ``/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>``, at most :data:`MAX_ADDR_LEN`
    characters, with a port other than 0 and an IP other than ``0.0.0.0`` or ``::`` (listen-only
    addresses nobody can dial).

    Raises:
        InvalidAddressError: the text is anything else.
    """
    if len(text) > MAX_ADDR_LEN:
        raise InvalidAddressError(f"address longer than {MAX_ADDR_LEN} characters: {text[:40]!r}")
    try:
        addr = multiaddr.Multiaddr(text)
        names = [proto.name for proto in addr.protocols()]
        canonical: str = str(addr)
    except (multiaddr.exceptions.Error, ValueError) as exc:
        raise InvalidAddressError(f"{text!r} is not a valid multiaddr: {exc}") from exc
    if len(names) != 2 or names[0] not in _HOST_PROTOCOLS or names[1] != "tcp":
        raise InvalidAddressError(f"{text!r} is not /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>")
    _, host_kind, host, _, port = canonical.split("/")
    if port == "0":
        raise InvalidAddressError(f"{text!r} has port 0, which nobody can dial")
    if host_kind in {"ip4", "ip6"} and ipaddress.ip_address(host).is_unspecified:
        raise InvalidAddressError(f"{text!r} is a listen-only address, which nobody can dial")
    if len(canonical) > MAX_ADDR_LEN:
        raise InvalidAddressError(f"address longer than {MAX_ADDR_LEN} characters: {text[:40]!r}")
    return canonical


@dataclass(frozen=True, slots=True)
class DialTarget:
    """A device to connect to and where it listens: what ``smd connect`` needs."""

    device: bytes
    """The 32-byte Ed25519 key of the device."""
    addrs: tuple[str, ...]
    """Canonical TCP multiaddrs without ``/p2p`` (:func:`check_transport_addr`)."""
    group: bytes | None = None
    """The group the device serves, when the target came from an invite."""

    @property
    def peer_id(self) -> str:
        """The device's libp2p PeerID text."""
        return peer_id_from_device(self.device)

    def dial_addrs(self) -> list[str]:
        """Every address with ``/p2p/<peer id>`` appended, ready for the host to dial."""
        suffix = "/p2p/" + self.peer_id
        return [addr + suffix for addr in self.addrs]


@dataclass(frozen=True, slots=True)
class Invite:
    """A verified, unexpired invite (only :func:`parse_invite` makes these from text)."""

    group: bytes
    """The 32-byte group the inviter serves (opaque to p2p; the app's identity key)."""
    device: bytes
    """The 32-byte Ed25519 key of the inviting device, which signed the invite."""
    addrs: tuple[str, ...]
    """Canonical TCP multiaddrs without ``/p2p``, in the inviter's order of preference."""
    expires: int
    """Milliseconds since the Unix epoch after which the invite is void."""

    @property
    def peer_id(self) -> str:
        """The inviting device's libp2p PeerID text."""
        return peer_id_from_device(self.device)

    def dial_addrs(self) -> list[str]:
        """Every address with ``/p2p/<peer id>`` appended, ready for the host to dial."""
        return self.target().dial_addrs()

    def target(self) -> DialTarget:
        """What to dial: the device, its addresses and its group."""
        return DialTarget(self.device, self.addrs, self.group)


def make_invite(
    signing_seed: bytes, group: bytes, addrs: list[str], ttl_ms: int, now_ms: int
) -> str:
    """An invite code for this device, valid for ``ttl_ms`` from ``now_ms``.

    Args:
        signing_seed: The device's 32-byte Ed25519 seed (its libp2p host key).
        group: The 32-byte group the device serves.
        addrs: Where the device listens: TCP multiaddrs without ``/p2p``, best first. They are
            canonicalised and duplicates dropped; at most :data:`MAX_ADDRS` distinct ones.
        ttl_ms: How long the invite stays valid, in milliseconds; positive.
        now_ms: The current time, milliseconds since the Unix epoch.

    Raises:
        InvalidAddressError: an address is not accepted by :func:`check_transport_addr`.
        ValueError: a key has the wrong size, there are too many addresses, or the expiry is
            not positive or does not fit in 63 bits.
    """
    if len(signing_seed) != KEY_SIZE:
        raise ValueError(f"an Ed25519 seed is {KEY_SIZE} bytes, got {len(signing_seed)}")
    if len(group) != KEY_SIZE:
        raise ValueError(f"a group id is {KEY_SIZE} bytes, got {len(group)}")
    canonical = list(dict.fromkeys(check_transport_addr(addr) for addr in addrs))
    if len(canonical) > MAX_ADDRS:
        raise ValueError(f"an invite carries at most {MAX_ADDRS} addresses, got {len(canonical)}")
    if ttl_ms <= 0 or now_ms < 0:
        raise ValueError(f"ttl_ms must be positive and now_ms not negative: {ttl_ms}, {now_ms}")
    expires = now_ms + ttl_ms
    if expires > _MAX_EXPIRES:
        raise ValueError(f"expiry {expires} does not fit in 63 bits")
    key = nacl.signing.SigningKey(signing_seed)
    binary = [multiaddr.Multiaddr(addr).to_bytes() for addr in canonical]
    body: bytes = msgpack.packb(
        [bytes(group), key.verify_key.encode(), binary, expires], use_bin_type=True
    )
    signature = key.sign(SIGNING_DOMAIN + body).signature
    return INVITE_PREFIX + base58.b58encode(body + signature).decode("ascii")


def parse_invite(text: str, now_ms: int) -> Invite:
    """Verify an invite code and return what it says.

    Whitespace anywhere in ``text`` is ignored (chat apps wrap long words). Checks run in this
    order: size, prefix, base58, structure, signature, addresses, expiry; so only a genuine
    invite is ever reported as expired.

    Raises:
        InvalidInvite: ``text`` is longer than :data:`MAX_INVITE_TEXT`, does not start with
            :data:`INVITE_PREFIX`, is malformed, or was not signed by the device it names.
        ExpiredInvite: the invite is genuine but ``now_ms`` is at or past its expiry.
    """
    if len(text) > MAX_INVITE_TEXT:
        raise InvalidInvite(
            f"invite code of {len(text)} characters exceeds {MAX_INVITE_TEXT}; not an invite"
        )
    compact = "".join(text.split())
    if not compact.startswith(INVITE_PREFIX):
        raise InvalidInvite(f"not an SMD invite code: it does not start with {INVITE_PREFIX!r}")
    try:
        raw = base58.b58decode(compact[len(INVITE_PREFIX) :].encode("ascii"))
    except ValueError as exc:  # non-ASCII text (UnicodeEncodeError) or non-base58 characters
        raise InvalidInvite("invite code has characters outside base58") from exc
    body, signature = raw[:-SIGNATURE_SIZE], raw[-SIGNATURE_SIZE:]
    group, device, binary_addrs, expires = _decode_body(body)
    try:
        nacl.signing.VerifyKey(device).verify(SIGNING_DOMAIN + body, signature)
    except nacl.exceptions.CryptoError as exc:
        raise InvalidInvite("invite signature does not verify: the code was altered") from exc
    addrs = tuple(_addr_from_binary(i, addr) for i, addr in enumerate(binary_addrs))
    invite = Invite(group, device, addrs, expires)
    if now_ms >= expires:
        raise ExpiredInvite(invite.peer_id, expires)
    return invite


def parse_target(text: str, now_ms: int) -> DialTarget:
    """Parse what a user pastes into ``smd connect``: an invite code or a full multiaddr.

    A multiaddr must look like ``/ip4/1.2.3.4/tcp/4001/p2p/12D3KooW...``: one TCP address
    (:func:`check_transport_addr`) followed by the Ed25519 PeerID of the device.

    Raises:
        InvalidInvite: the text starts with :data:`INVITE_PREFIX` but is not a genuine invite.
        ExpiredInvite: the text is a genuine invite that has expired.
        InvalidAddressError: the text is neither an invite code nor such a multiaddr (this is
            also the base of :class:`InvalidInvite`).
    """
    stripped = text.strip()
    if stripped.startswith(INVITE_PREFIX):
        return parse_invite(stripped, now_ms).target()
    if not stripped.startswith("/"):
        raise InvalidAddressError(
            f"neither an invite code ({INVITE_PREFIX}...) nor a multiaddr "
            f"(/ip4/<ip>/tcp/<port>/p2p/<peer id>): {stripped[:40]!r}"
        )
    if len(stripped) > _MAX_TARGET_TEXT:
        raise InvalidAddressError(f"multiaddr longer than {_MAX_TARGET_TEXT} characters")
    try:
        addr = multiaddr.Multiaddr(stripped)
        names = [proto.name for proto in addr.protocols()]
        canonical: str = str(addr)
    except (multiaddr.exceptions.Error, ValueError) as exc:
        raise InvalidAddressError(f"{stripped!r} is not a valid multiaddr: {exc}") from exc
    if len(names) < 2 or names[-1] != "p2p":
        raise InvalidAddressError(f"{stripped!r} does not end in /p2p/<peer id>")
    transport, peer_id = canonical.rsplit("/p2p/", 1)
    return DialTarget(device_from_peer_id(peer_id), (check_transport_addr(transport),))


def _decode_body(body: bytes) -> tuple[bytes, bytes, list[bytes], int]:
    try:
        fields = msgpack.unpackb(
            body,
            raw=False,
            use_list=True,
            strict_map_key=True,
            max_bin_len=_MAX_BODY_ADDR,
            max_str_len=0,
            max_array_len=MAX_ADDRS,
            max_map_len=0,
            max_ext_len=0,
        )
    except (ValueError, msgpack.UnpackException) as exc:
        raise InvalidInvite(f"invite code is malformed: {exc}") from exc
    if not (isinstance(fields, list) and len(fields) == 4):
        raise InvalidInvite("invite code is malformed: the body is not a 4-item array")
    group, device, addrs, expires = fields
    if not (
        isinstance(group, bytes)
        and len(group) == KEY_SIZE
        and isinstance(device, bytes)
        and len(device) == KEY_SIZE
        and isinstance(addrs, list)
        and all(isinstance(addr, bytes) for addr in addrs)
        and type(expires) is int  # a msgpack bool is a Python int subclass: not an expiry
        and 0 <= expires <= _MAX_EXPIRES
    ):
        raise InvalidInvite("invite code is malformed: a field has the wrong type or size")
    return group, device, addrs, expires


def _addr_from_binary(index: int, binary: bytes) -> str:
    try:
        text: str = str(multiaddr.Multiaddr(binary))
        canonical = check_transport_addr(text)
        # One address, one encoding: refuse padded or otherwise non-canonical bytes.
        exact = multiaddr.Multiaddr(canonical).to_bytes() == binary
    except (multiaddr.exceptions.Error, ValueError) as exc:  # InvalidAddressError included
        raise InvalidInvite(f"invite address {index} is not a dialable TCP address") from exc
    if not exact:
        raise InvalidInvite(f"invite address {index} is not canonically encoded")
    return canonical
