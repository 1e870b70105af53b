"""Deals: terms both parties sign, so a rating can only exist for a real exchange.

The offerer signs the terms and sends the offer directly to the other party; the accepter
countersigns and both publish the same co-signed receipt (``ratings/deal/1``). A receipt whose
second signature is missing or forged is invalid. Every signature is by a device key, with the
device's root-signed certificate embedded, so anyone can check a receipt offline.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import nacl.exceptions
import nacl.signing

from smd_desktop.core import canonical
from smd_desktop.core.errors import CodecError, InvalidRecord
from smd_desktop.core.identity import validate_cert
from smd_desktop.core.ids import IdentityKey, blake2b256

from .records import context, key32, keys, text

DEAL_ID_DOMAIN: Final = b"smd-ratings/deal/1\0"
OFFER_DOMAIN: Final = b"smd-ratings/deal-offer/1\0"
ACCEPT_DOMAIN: Final = b"smd-ratings/deal-accept/1\0"
MAX_TERMS: Final = 4096
MAX_WHAT: Final = 500
MAX_LINK: Final = 2000
NONCE_SIZE: Final = 16
AMOUNT_PATTERN: Final = re.compile(r"^\d{1,12}(\.\d{1,8})?$")
CURRENCY_PATTERN: Final = re.compile(r"^[A-Z0-9]{3,10}$")
MAX_OFFER_TTL_MS: Final = 90 * 24 * 3600 * 1000
"""An offer is valid for at most 90 days."""

type Signer = Callable[[bytes, bytes], bytes]
"""``sign(domain, message)``: a device's detached Ed25519 signature (``Profile.sign_detached``)."""


@dataclass(frozen=True, slots=True)
class DealTerms:
    """What the two parties agree on. ``start``/``until`` are the deal's own dates (ms)."""

    offerer: IdentityKey
    accepter: IdentityKey
    what: str
    context: str
    offered: int
    expires: int
    nonce: bytes
    link: str | None = None
    ref: bytes | None = None
    amount: str | None = None
    currency: str | None = None
    start: int | None = None
    until: int | None = None

    def encode(self) -> bytes:
        """The canonical bytes both parties sign (through the deal id)."""
        c: dict[str, Any] = {
            "offerer": self.offerer,
            "accepter": self.accepter,
            "what": self.what,
            "context": self.context,
            "offered": self.offered,
            "expires": self.expires,
            "nonce": self.nonce,
        }
        for name, value in (
            ("link", self.link),
            ("ref", self.ref),
            ("amount", self.amount),
            ("currency", self.currency),
            ("from", self.start),
            ("until", self.until),
        ):
            if value is not None:
                c[name] = value
        return canonical.encode(c)

    def party_other_than(self, identity: bytes) -> IdentityKey:
        """The other party (raises InvalidRecord if ``identity`` is not a party)."""
        if identity == self.offerer:
            return self.accepter
        if identity == self.accepter:
            return self.offerer
        raise InvalidRecord("not a party of this deal")


def _ms(value: Any, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidRecord(f"{field} must be a time in milliseconds")
    return value


def _link(value: Any) -> str:
    link = text(value, "link", MAX_LINK)
    parts = urllib.parse.urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRecord("link must be an http(s) address")
    return link


def decode_terms(data: Any) -> DealTerms:
    """Parse and check canonical terms bytes.

    Raises:
        InvalidRecord: malformed terms or a broken rule.
    """
    if not isinstance(data, bytes) or len(data) > MAX_TERMS:
        raise InvalidRecord(f"terms must be at most {MAX_TERMS} bytes")
    try:
        c = canonical.decode(data)
    except CodecError as exc:
        raise InvalidRecord(f"terms are not canonical: {exc}") from exc
    keys(
        c,
        {"offerer", "accepter", "what", "context", "offered", "expires", "nonce"},
        {"link", "ref", "amount", "currency", "from", "until"},
        "deal terms",
    )
    offerer, accepter = key32(c["offerer"], "offerer"), key32(c["accepter"], "accepter")
    if offerer == accepter:
        raise InvalidRecord("a deal needs two different people")
    offered, expires = _ms(c["offered"], "offered"), _ms(c["expires"], "expires")
    if not offered < expires <= offered + MAX_OFFER_TTL_MS:
        raise InvalidRecord("an offer expires after it is made, within 90 days")
    if ("amount" in c) != ("currency" in c):
        raise InvalidRecord("amount and currency go together")
    if "amount" in c and (
        not isinstance(c["amount"], str) or not AMOUNT_PATTERN.fullmatch(c["amount"])
    ):
        raise InvalidRecord("amount must be a decimal number like 12.50")
    if "currency" in c and (
        not isinstance(c["currency"], str) or not CURRENCY_PATTERN.fullmatch(c["currency"])
    ):
        raise InvalidRecord("currency must be a code like EUR or BTC")
    start = _ms(c["from"], "from") if "from" in c else None
    until = _ms(c["until"], "until") if "until" in c else None
    if start is not None and until is not None and until < start:
        raise InvalidRecord("a deal cannot end before it starts")
    return DealTerms(
        offerer=IdentityKey(offerer),
        accepter=IdentityKey(accepter),
        what=text(c["what"], "what", MAX_WHAT),
        context=context(c["context"]),
        offered=offered,
        expires=expires,
        nonce=key32(c["nonce"], "nonce", NONCE_SIZE),
        link=_link(c["link"]) if "link" in c else None,
        ref=key32(c["ref"], "ref") if "ref" in c else None,
        amount=c.get("amount"),
        currency=c.get("currency"),
        start=start,
        until=until,
    )


def deal_id(terms: bytes) -> bytes:
    """The deal's id: BLAKE2b-256 of the domain and the terms bytes."""
    return blake2b256(DEAL_ID_DOMAIN + terms)


def _check_signature(part: Any, who: str, party: bytes, domain: bytes, deal: bytes) -> None:
    part = keys(part, {"cert", "sig"}, set(), f"the {who}'s signature")
    cert = validate_cert(part["cert"])  # raises InvalidRecord
    if cert.identity != party:
        raise InvalidRecord(f"the {who}'s signature is by another identity's device")
    sig = part["sig"]
    if not isinstance(sig, bytes) or len(sig) != 64:
        raise InvalidRecord(f"the {who}'s signature must be 64 bytes")
    try:
        nacl.signing.VerifyKey(cert.device).verify(domain + deal, sig)
    except nacl.exceptions.BadSignatureError as exc:
        raise InvalidRecord(f"the {who}'s signature does not verify") from exc


@dataclass(frozen=True, slots=True)
class Offer:
    """Signed terms on their way to the other party (sent directly, never published)."""

    terms: DealTerms
    terms_bytes: bytes
    signature: dict[str, Any]

    @property
    def deal_id(self) -> bytes:
        """The id the deal will have."""
        return deal_id(self.terms_bytes)

    def encode(self) -> bytes:
        """Bytes to send to the accepter."""
        return canonical.encode({"terms": self.terms_bytes, "offer": self.signature})


def make_offer(terms: DealTerms, cert: dict[str, Any], sign: Signer) -> Offer:
    """Sign ``terms`` as the offerer: ``sign(domain, message) -> signature`` is the offerer
    device's detached signer and ``cert`` its certificate content."""
    raw = terms.encode()
    decode_terms(raw)  # the same rules the other side applies
    signature = {"cert": cert, "sig": sign(OFFER_DOMAIN, deal_id(raw))}
    offer = Offer(terms, raw, signature)
    _check_signature(signature, "offerer", terms.offerer, OFFER_DOMAIN, offer.deal_id)
    return offer


def parse_offer(data: bytes) -> Offer:
    """Check an offer received from a peer (terms and the offerer's signature)."""
    try:
        c = canonical.decode(data, max_size=MAX_TERMS * 4)
    except CodecError as exc:
        raise InvalidRecord(f"the offer is not canonical: {exc}") from exc
    keys(c, {"terms", "offer"}, set(), "an offer")
    terms = decode_terms(c["terms"])
    _check_signature(c["offer"], "offerer", terms.offerer, OFFER_DOMAIN, deal_id(c["terms"]))
    return Offer(terms, c["terms"], c["offer"])


def accept_offer(offer: Offer, cert: dict[str, Any], sign: Signer) -> dict[str, Any]:
    """Countersign as the accepter: the content of the ``ratings/deal/1`` receipt."""
    content = {
        "terms": offer.terms_bytes,
        "offer": offer.signature,
        "accept": {"cert": cert, "sig": sign(ACCEPT_DOMAIN, offer.deal_id)},
    }
    validate_deal(content)
    return content


def validate_deal(content: dict[str, Any]) -> DealTerms:
    """``ratings/deal/1``: ``{terms: bin, offer: {cert, sig}, accept: {cert, sig}}``: the terms
    pass their rules, each certificate names its party, both signatures verify."""
    keys(content, {"terms", "offer", "accept"}, set(), "a deal receipt")
    terms = decode_terms(content["terms"])
    deal = deal_id(content["terms"])
    _check_signature(content["offer"], "offerer", terms.offerer, OFFER_DOMAIN, deal)
    _check_signature(content["accept"], "accepter", terms.accepter, ACCEPT_DOMAIN, deal)
    return terms
