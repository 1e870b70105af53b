"""The Ratings plugin's content types and their pure validators (docs/RATINGS.md, "Record
formats"): ``ratings/rating/1`` (sealed, then revealed), ``ratings/response/1`` and
``ratings/trust/1``. The co-signed deal receipt is in :mod:`.deals`; imports and witnesses in
:mod:`.imports`.

Rules that need the store (the author is a party of the deal, a reveal opens its own sealed
record, one rating per rater and deal) are checked when indexing; these stay pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from smd_desktop.core import canonical
from smd_desktop.core.errors import InvalidRecord
from smd_desktop.core.ids import HASH_SIZE, KEY_SIZE, blake2b256

from .params import GENERAL, RATING_MAX, RATING_MIN, TRUST_WEIGHTS

DEAL: Final = "ratings/deal/1"
RATING: Final = "ratings/rating/1"
RESPONSE: Final = "ratings/response/1"
TRUST: Final = "ratings/trust/1"
IMPORT: Final = "ratings/import/1"
WITNESS: Final = "ratings/witness/1"

CONTEXT_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
"""A deal or trust context, e.g. ``p2p-sale``; ``general`` is implied by its absence."""
ASPECTS: Final = ("as_described", "communication", "timeliness")
MAX_RATING_TEXT: Final = 2000
MAX_RESPONSE_TEXT: Final = 2000
MAX_TRUST_NOTE: Final = 500
SEAL_DOMAIN: Final = b"smd-ratings/rating-seal/1\0"
SALT_SIZE: Final = 32
REVEAL_AFTER_MS: Final = 14 * 24 * 3600 * 1000
"""A sealed rating is revealed when both parties have rated, or after 14 days."""


def keys(content: Any, required: set[str], optional: set[str], what: str) -> dict[str, Any]:
    """``content`` as a map with exactly the allowed keys (one sentence otherwise)."""
    if not isinstance(content, dict):
        raise InvalidRecord(f"{what} must be a map")
    present = set(content)
    if missing := required - present:
        raise InvalidRecord(f"{what}: missing field(s): {', '.join(sorted(missing))}")
    if unknown := present - required - optional:
        raise InvalidRecord(f"{what}: unknown field(s): {', '.join(sorted(unknown))}")
    return content


def key32(value: Any, field: str, size: int = KEY_SIZE) -> bytes:
    """A 32-byte id or key."""
    if not isinstance(value, bytes) or len(value) != size:
        raise InvalidRecord(f"{field} must be {size} bytes")
    return value


def text(value: Any, field: str, max_chars: int) -> str:
    """Non-blank text of at most ``max_chars`` characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(f"{field} must be text, not blank")
    if len(value) > max_chars:
        raise InvalidRecord(f"{field} is longer than {max_chars} characters")
    return value


def stars(value: Any, field: str) -> int:
    """An integer from 1 to 5."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidRecord(f"{field} must be a whole number from {RATING_MIN} to {RATING_MAX}")
    if not RATING_MIN <= value <= RATING_MAX:
        raise InvalidRecord(f"{field} must be from {RATING_MIN} to {RATING_MAX}")
    return value


def context(value: Any, field: str = "context") -> str:
    """A context name (``general`` is written by leaving the field out)."""
    if not isinstance(value, str) or not CONTEXT_PATTERN.fullmatch(value):
        raise InvalidRecord(f"{field} must be 1-32 lowercase letters, digits or '-'")
    if value == GENERAL:
        raise InvalidRecord(f"leave {field} out for {GENERAL!r}")
    return value


# -- ratings ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RatingBody:
    """What a rater says about the other party of a deal."""

    overall: int
    aspects: tuple[tuple[str, int], ...] = ()
    text: str = ""

    def content(self) -> dict[str, Any]:
        """The ``rating`` map of a revealed record."""
        body: dict[str, Any] = {"overall": self.overall}
        if self.aspects:
            body["aspects"] = dict(self.aspects)
        if self.text:
            body["text"] = self.text
        return body


def validate_rating_body(value: Any) -> RatingBody:
    """``{overall: 1..5, aspects?: {as_described?, communication?, timeliness?: 1..5},
    text?: text <= 2000}``."""
    body = keys(value, {"overall"}, {"aspects", "text"}, "rating")
    overall = stars(body["overall"], "overall")
    aspects: list[tuple[str, int]] = []
    if "aspects" in body:
        found = keys(body["aspects"], set(), set(ASPECTS), "aspects")
        if not found:
            raise InvalidRecord("aspects must not be empty (leave it out)")
        aspects = [(name, stars(found[name], name)) for name in sorted(found)]
    note = text(body["text"], "text", MAX_RATING_TEXT) if "text" in body else ""
    return RatingBody(overall, tuple(aspects), note)


def seal(deal_id: bytes, ratee: bytes, salt: bytes, body: RatingBody) -> bytes:
    """The commitment a sealed rating publishes (BLAKE2b-256 over the domain, the deal, the
    ratee, a random salt and the canonical rating)."""
    return blake2b256(SEAL_DOMAIN + deal_id + ratee + salt + canonical.encode(body.content()))


def validate_rating(content: dict[str, Any]) -> None:
    """``ratings/rating/1``, one of two shapes:

    * sealed: ``{deal, ratee, sealed: bin32}``;
    * revealed: ``{deal, ratee, opens: record id of the sealed one, salt: bin32, rating,
      vc?: {created: ms, proof: bin64}}``; ``vc`` is the rater's Data Integrity proof of the
      rating's credential (``plugins.ratings.core.credentials``), checked when exported.
    """
    if "sealed" in content:
        keys(content, {"deal", "ratee", "sealed"}, set(), "a sealed rating")
        key32(content["sealed"], "sealed", HASH_SIZE)
    else:
        keys(content, {"deal", "ratee", "opens", "salt", "rating"}, {"vc"}, "a revealed rating")
        key32(content["opens"], "opens", HASH_SIZE)
        key32(content["salt"], "salt", SALT_SIZE)
        validate_rating_body(content["rating"])
        if "vc" in content:
            validate_vc(content["vc"])
    key32(content["deal"], "deal", HASH_SIZE)
    key32(content["ratee"], "ratee")


VC_PROOF_SIZE: Final = 64


def validate_vc(value: Any) -> None:
    """``{created: ms, proof: bin64}``: when the rater signed the credential, and the Ed25519
    signature of its ``eddsa-jcs-2022`` proof."""
    vc = keys(value, {"created", "proof"}, set(), "vc")
    created = vc["created"]
    if not isinstance(created, int) or isinstance(created, bool) or created < 0:
        raise InvalidRecord("vc created must be a time in milliseconds")
    key32(vc["proof"], "vc proof", VC_PROOF_SIZE)


def validate_response(content: dict[str, Any]) -> None:
    """``ratings/response/1``: ``{rating: record id of a revealed rating, text}``."""
    keys(content, {"rating", "text"}, set(), "a response")
    key32(content["rating"], "rating", HASH_SIZE)
    text(content["text"], "text", MAX_RESPONSE_TEXT)


def validate_trust(content: dict[str, Any]) -> None:
    """``ratings/trust/1``: ``{trustee, weight: -2|-1|1|2|3, context?, note?}``; the latest per
    (author, trustee, context) is in force."""
    keys(content, {"trustee", "weight"}, {"context", "note"}, "a trust statement")
    key32(content["trustee"], "trustee")
    weight = content["weight"]
    if not isinstance(weight, int) or isinstance(weight, bool) or weight not in TRUST_WEIGHTS:
        raise InvalidRecord(f"weight must be one of {sorted(TRUST_WEIGHTS)}")
    if "context" in content:
        context(content["context"])
    if "note" in content:
        text(content["note"], "note", MAX_TRUST_NOTE)
