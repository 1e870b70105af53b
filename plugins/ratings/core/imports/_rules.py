"""The ``ratings/import/1`` and ``ratings/witness/1`` content rules, their bounds, and the link
token. Pure: no store, no clock (docs/RATINGS.md, "Proposal: record formats").

Rules that need the store are checked when indexing: the link token was made for the import's
author (:func:`check_import_author`), a witnessed import exists and names ``subject``, and a
witness's ``profile_url`` is the import's.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final

from smd_desktop.core.errors import InvalidRecord
from smd_desktop.core.ids import HASH_SIZE, KEY_SIZE

from ._urls import platform_host_problem, profile_url_problem


class Platform(StrEnum):
    """Where imported ratings come from; the value is what ``platform`` holds."""

    EBAY = "ebay"
    ETSY = "etsy"
    AIRBNB = "airbnb"
    CSV = "csv"


PLATFORM_NAMES: Final[Mapping[Platform, str]] = {
    Platform.EBAY: "eBay",
    Platform.ETSY: "Etsy",
    Platform.AIRBNB: "Airbnb",
}
"""Display names of the named platforms (a ``csv`` import carries its own ``platform_name``)."""

MAX_ROWS: Final = 200_000
"""Most ratings one import covers (also the bound of ``count``)."""
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
"""Largest platform file the importer reads."""
MAX_LABEL_CHARS: Final = 64
"""``platform_name`` and each category."""
MAX_CATEGORIES: Final = 20
MAX_NOTE_CHARS: Final = 500
MAX_BP: Final = 10_000
MIN_AVERAGE_X100: Final = 100
MAX_AVERAGE_X100: Final = 500
MAX_FIGURE_COUNT: Final = 1_000_000_000
"""Bound of the count a witness saw on a platform (its total may exceed :data:`MAX_ROWS`)."""
MAX_MS: Final = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z: the last millisecond a date in a platform file can name."""

LINK_DOMAIN: Final = b"smd-ratings/link/1\0"
LINK_TOKEN_PREFIX: Final = "smd-"
LINK_TOKEN_PATTERN: Final = re.compile(r"^smd-[a-z2-7]{26}$")
"""``smd-`` and the 16-byte BLAKE2b digest in lowercase RFC 4648 base32, unpadded."""

_IMPORT_REQUIRED: Final = frozenset({"platform", "profile_url", "count", "period", "file_digest"})
_IMPORT_OPTIONAL: Final = frozenset(
    {"platform_name", "positive_bp", "average_x100", "categories", "link_token"}
)
_WITNESS_REQUIRED: Final = frozenset({"import", "subject", "profile_url", "token_seen", "seen"})
_WITNESS_OPTIONAL: Final = frozenset({"figures_seen", "note"})
_FIGURES_OPTIONAL: Final = frozenset({"positive_bp", "average_x100"})


def link_token(identity: bytes, platform: str, profile_url: str) -> str:
    """The token a person places on their platform profile to show it is theirs.

    ``"smd-" + base32(BLAKE2b-128("smd-ratings/link/1\\0" || identity || platform ||
    profile_url))``, base32 lowercase without padding (30 characters in all). ``profile_url``
    must be in normal form (the token hashes its exact text).

    Raises:
        ValueError: ``identity`` is not 32 bytes (a bug in the caller).
    """
    if not isinstance(identity, bytes) or len(identity) != KEY_SIZE:
        raise ValueError(f"identity must be {KEY_SIZE} bytes")
    digest = hashlib.blake2b(
        LINK_DOMAIN + identity + platform.encode() + profile_url.encode(), digest_size=16
    ).digest()
    return LINK_TOKEN_PREFIX + base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def check_import_author(content: Mapping[str, Any], identity: bytes) -> None:
    """The indexer's check that a valid import's ``link_token`` (if any) is its author's.

    A token made for someone else would let a person claim another's account link.

    Raises:
        InvalidRecord: the token was made for another identity, platform or URL.
    """
    token = content.get("link_token")
    if token is not None and token != link_token(
        identity, content["platform"], content["profile_url"]
    ):
        raise InvalidRecord("link_token was not made for this author and profile")


def validate_import(content: Mapping[str, Any]) -> None:
    """``ratings/import/1``: one person's whole rating summary from one platform profile.

    Keys: ``platform`` (``ebay`` | ``etsy`` | ``airbnb`` | ``csv``); ``platform_name`` (label,
    required for ``csv``, absent otherwise); ``profile_url`` (normal form, on the platform's
    domain for named platforms); ``count`` (1..200,000); ``positive_bp`` (0..10,000) and/or
    ``average_x100`` (100..500): eBay has ``positive_bp`` and no average, Etsy and Airbnb have
    ``average_x100``, csv at least one; ``period`` (``{from, until}``, ms, from <= until, equal
    when count is 1); ``categories`` (1..20 unique labels, else absent); ``file_digest``
    (32 bytes); ``link_token`` (``smd-`` + 26 base32 characters). A label is 1..64 characters
    with no control characters and no surrounding spaces.

    Raises:
        InvalidRecord: the content breaks a rule (one sentence).
    """
    _keys(content, _IMPORT_REQUIRED, _IMPORT_OPTIONAL, "an import")
    platform = content["platform"]
    if not isinstance(platform, str) or platform not in set(Platform):
        raise InvalidRecord(f"platform must be one of {', '.join(Platform)}")
    if platform == Platform.CSV:
        if "platform_name" not in content:
            raise InvalidRecord("platform_name is required when platform is csv")
        _label(content["platform_name"], "platform_name")
    elif "platform_name" in content:
        raise InvalidRecord("platform_name is only for platform csv")
    url = _profile_url(content["profile_url"])
    if problem := platform_host_problem(platform, url):
        raise InvalidRecord(f"profile_url {problem}")
    count = _int(content["count"], "count", 1, MAX_ROWS)
    _figures(content, platform)
    start, end = _period(content["period"])
    if count == 1 and start != end:
        raise InvalidRecord("a single rating has one date, so period.from must equal period.until")
    if "categories" in content:
        categories = content["categories"]
        if not isinstance(categories, list) or not 1 <= len(categories) <= MAX_CATEGORIES:
            raise InvalidRecord(f"categories must be a list of 1 to {MAX_CATEGORIES} labels")
        for category in categories:
            _label(category, "a category")
        if len(set(categories)) != len(categories):
            raise InvalidRecord("categories must be unique")
    _bytes(content["file_digest"], "file_digest", HASH_SIZE)
    if "link_token" in content:
        token = content["link_token"]
        if not isinstance(token, str) or not LINK_TOKEN_PATTERN.fullmatch(token):
            raise InvalidRecord("link_token must be 'smd-' and 26 base32 characters")


def validate_witness(content: Mapping[str, Any]) -> None:
    """``ratings/witness/1``: "I looked at this profile at ``seen`` and saw (or did not see)
    the token, and these figures".

    Keys: ``import`` (record id), ``subject`` (identity), ``profile_url`` (normal form),
    ``token_seen`` (bool), ``seen`` (ms, 0..9999-12-31); optional ``figures_seen``
    (``{count: 0..10^9, positive_bp?: 0..10,000, average_x100?: 100..500}``) and ``note``
    (1..500 characters, not blank, no control characters but newlines).

    Raises:
        InvalidRecord: the content breaks a rule (one sentence).
    """
    _keys(content, _WITNESS_REQUIRED, _WITNESS_OPTIONAL, "a witness")
    _bytes(content["import"], "import", HASH_SIZE)
    _bytes(content["subject"], "subject", KEY_SIZE)
    _profile_url(content["profile_url"])
    if not isinstance(content["token_seen"], bool):
        raise InvalidRecord("token_seen must be true or false")
    _int(content["seen"], "seen", 0, MAX_MS)
    if "figures_seen" in content:
        figures = content["figures_seen"]
        if not isinstance(figures, dict):
            raise InvalidRecord("figures_seen must be a map")
        _keys(figures, frozenset({"count"}), _FIGURES_OPTIONAL, "figures_seen")
        _int(figures["count"], "figures_seen.count", 0, MAX_FIGURE_COUNT)
        if "positive_bp" in figures:
            _int(figures["positive_bp"], "figures_seen.positive_bp", 0, MAX_BP)
        if "average_x100" in figures:
            _int(
                figures["average_x100"],
                "figures_seen.average_x100",
                MIN_AVERAGE_X100,
                MAX_AVERAGE_X100,
            )
    if "note" in content:
        note = content["note"]
        if not isinstance(note, str) or not note.strip():
            raise InvalidRecord("note must be text, not blank")
        if len(note) > MAX_NOTE_CHARS:
            raise InvalidRecord(f"note is longer than {MAX_NOTE_CHARS} characters")
        if any(_is_control(ch) and ch != "\n" for ch in note):
            raise InvalidRecord("note must not contain control characters other than newlines")


def label_problem(value: str) -> str | None:
    """Why ``value`` is not a label (platform name, category), or None: the end of a sentence."""
    if not value:
        return "must not be empty"
    if len(value) > MAX_LABEL_CHARS:
        return f"is longer than {MAX_LABEL_CHARS} characters"
    if any(_is_control(ch) for ch in value):
        return "must not contain control characters"
    if value != value.strip():
        return "must not start or end with spaces"
    return None


def _figures(content: Mapping[str, Any], platform: str) -> None:
    if "positive_bp" in content:
        _int(content["positive_bp"], "positive_bp", 0, MAX_BP)
    if "average_x100" in content:
        _int(content["average_x100"], "average_x100", MIN_AVERAGE_X100, MAX_AVERAGE_X100)
    if platform == Platform.EBAY:
        # eBay feedback is positive / neutral / negative: there are no stars to average.
        if "positive_bp" not in content or "average_x100" in content:
            raise InvalidRecord("an eBay import has positive_bp and no average_x100")
    elif platform in (Platform.ETSY, Platform.AIRBNB):
        if "average_x100" not in content:
            raise InvalidRecord(f"an {PLATFORM_NAMES[Platform(platform)]} import has average_x100")
    elif "positive_bp" not in content and "average_x100" not in content:
        raise InvalidRecord("an import has positive_bp, average_x100 or both")


def _period(value: Any) -> tuple[int, int]:
    if not isinstance(value, dict):
        raise InvalidRecord("period must be a map")
    _keys(value, frozenset({"from", "until"}), frozenset(), "period")
    start = _int(value["from"], "period.from", 0, MAX_MS)
    end = _int(value["until"], "period.until", 0, MAX_MS)
    if start > end:
        raise InvalidRecord("period.from must not be after period.until")
    return start, end


def _profile_url(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidRecord("profile_url must be text")
    if problem := profile_url_problem(value):
        raise InvalidRecord(f"profile_url {problem}")
    return value


def _label(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidRecord(f"{field} must be text")
    if problem := label_problem(value):
        raise InvalidRecord(f"{field} {problem}")
    return value


def _keys(
    content: Mapping[str, Any], required: frozenset[str], optional: frozenset[str], what: str
) -> None:
    present = set(content)
    if missing := required - present:
        raise InvalidRecord(f"{what} lacks field(s): {', '.join(sorted(missing))}")
    if unknown := present - required - optional:
        raise InvalidRecord(f"{what} has unknown field(s): {', '.join(sorted(map(str, unknown)))}")


def _int(value: Any, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidRecord(f"{field} must be a whole number")
    if not low <= value <= high:
        raise InvalidRecord(f"{field} must be from {low} to {high}")
    return value


def _bytes(value: Any, field: str, size: int) -> bytes:
    if not isinstance(value, bytes) or len(value) != size:
        raise InvalidRecord(f"{field} must be {size} bytes")
    return value


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code < 0xA0
