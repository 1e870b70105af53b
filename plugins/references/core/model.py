"""The two record types of the References Directory, their pure validators, and the views.

``references/entry/1`` — one version of an entry of an author's directory. A content map with

========== ======== =========================================================================
field      presence rule
========== ======== =========================================================================
slug       required text, 1..64 characters ``[a-z0-9]`` in ``-``-separated runs: the entry's
                    stable name; per author, the latest version by (timestamp, id) wins
title      required text, 1..200 characters, not blank, no control characters
url        required the canonical http(s) URL, a fixed point of ``normalize_url`` (so no
                    tracking or affiliate parameters, no fragment); at most 2048 characters
disclose   required array of the disclosure flags that apply, unique, sorted, each one of
                    ``affiliate``, ``free``, ``owner``, ``sponsored``; may be empty
category   optional array of 1..8 segments (a path, outermost first), each 1..64 characters,
                    not blank, without ``/``, control characters or surrounding whitespace
note       optional text, 1..5000 characters, not blank, no control characters but ``\\n``/``\\t``
tags       optional array of 1..10 unique tags, each 1..32 lowercase ``\\w`` or ``-``
ids        optional map with 1..4 of ``asin``, ``doi``, ``gtin``, ``isbn`` (see identifiers.py)
since      optional date the author started using it: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``,
                    a real calendar date, year 1000 or later
until      optional date they stopped (same forms); only with ``still_using`` false; not
                    before ``since`` (compared at their common precision)
still_using optional bool
verdict    optional one of ``essential``, ``recommend``, ``mixed``, ``avoid``
affiliate  optional array of 1..5 links ``{network, url}``: network 1..64 characters, not blank,
                    no control characters; url an http(s) URL in normal form *keeping* its
                    query (``normalize_url(url, strip_tracking=False) == url``), unique.
                    Requires ``affiliate`` in ``disclose``.
========== ======== =========================================================================

``references/endorse/1`` — ``entry`` (bin, 32 bytes: the record id of the endorsed entry
version) and an optional ``note`` (text, 1..1000 characters, not blank, no control characters
but ``\\n``/``\\t``). Per (endorser, entry) the latest by (timestamp, id) counts; endorsing one's
own entry has no effect (the validator cannot know the target's author).

Unknown keys are rejected in both: a new field means a new type version. Optional fields are
omitted rather than empty, so every value has one encoding.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from smd_desktop.core.errors import InvalidRecord
from smd_desktop.core.ids import HASH_SIZE, IdentityKey, RecordId

from .identifiers import KINDS, identifier_problem
from .urls import InvalidUrl, normalize_url, tracking_params

ENTRY_TYPE = "references/entry/1"
ENDORSE_TYPE = "references/endorse/1"

MAX_SLUG_CHARS = 64
MAX_TITLE_CHARS = 200
MAX_NOTE_CHARS = 5000
MAX_ENDORSE_NOTE_CHARS = 1000
MAX_CATEGORY_DEPTH = 8
MAX_SEGMENT_CHARS = 64
MAX_TAGS = 10
MAX_TAG_CHARS = 32
MAX_AFFILIATE_LINKS = 5
MAX_NETWORK_CHARS = 64

DISCLOSURES = ("affiliate", "free", "owner", "sponsored")
"""The disclosure flags, in their stored (sorted) order."""
DISCLOSURE_TEXT = {
    "affiliate": "I earn a commission if you buy through this link.",
    "sponsored": "Sponsored: I was paid to feature this.",
    "free": "I received this for free.",
    "owner": "I own or work for this company.",
}
"""What each flag says to a reader (HTML export, UI badges)."""
DISCLOSURE_BADGES = {
    "affiliate": "Affiliate",
    "sponsored": "Sponsored",
    "free": "Received free",
    "owner": "Owner/employee",
}
VERDICTS = ("essential", "recommend", "mixed", "avoid")
VERDICT_LABELS = {
    "essential": "Can't do without it",
    "recommend": "Recommended",
    "mixed": "Mixed feelings",
    "avoid": "Avoid",
}

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_PATTERN = re.compile(r"^[\w-]{1,32}$")
DATE_PATTERN = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")

_ENTRY_REQUIRED = {"slug", "title", "url", "disclose"}
_ENTRY_OPTIONAL = {
    "category",
    "note",
    "tags",
    "ids",
    "since",
    "until",
    "still_using",
    "verdict",
    "affiliate",
}


# -- validators ---------------------------------------------------------------------------


def _keys(content: dict[str, Any], required: set[str], optional: set[str], where: str) -> None:
    keys = set(content)
    if missing := required - keys:
        raise InvalidRecord(f"{where}missing field(s): {', '.join(sorted(missing))}")
    if unknown := keys - required - optional:
        raise InvalidRecord(f"{where}unknown field(s): {', '.join(sorted(unknown))}")


def _text(value: Any, name: str, max_chars: int, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidRecord(f"{name} must be text")
    if not value.strip():
        raise InvalidRecord(f"{name} must not be blank")
    if len(value) > max_chars:
        raise InvalidRecord(f"{name} is longer than {max_chars} characters")
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise InvalidRecord(f"{name} contains control characters")
    return value


def _array(value: Any, name: str, max_items: int) -> list[Any]:
    if not isinstance(value, list) or not 1 <= len(value) <= max_items:
        raise InvalidRecord(f"{name} must be a list of 1 to {max_items} items")
    return value


def _date(value: Any, name: str) -> tuple[int, ...]:
    match = DATE_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidRecord(f"{name} must be a date YYYY, YYYY-MM or YYYY-MM-DD")
    parts = tuple(int(p) for p in match.groups() if p is not None)
    try:
        datetime.date(*(parts + (1, 1)[len(parts) - 1 :]))
    except ValueError as exc:
        raise InvalidRecord(f"{name} is not a real date") from exc
    if parts[0] < 1000:
        raise InvalidRecord(f"{name} must be after the year 1000")
    return parts


def _url(value: Any, name: str, *, canonical: bool) -> None:
    if not isinstance(value, str):
        raise InvalidRecord(f"{name} must be text")
    try:
        normal = normalize_url(value, strip_tracking=canonical)
    except InvalidUrl as exc:
        raise InvalidRecord(f"{name}: {exc}") from exc
    if normal != value:
        if canonical and (found := tracking_params(value)):
            raise InvalidRecord(
                f"{name} carries tracking or affiliate parameters ({', '.join(found)})"
            )
        raise InvalidRecord(f"{name} is not in normal form (expected {normal})")


def validate_entry(content: dict[str, Any]) -> None:
    """``references/entry/1`` (rules in the module docstring).

    Raises:
        InvalidRecord: the content breaks a rule.
    """
    _keys(content, _ENTRY_REQUIRED, _ENTRY_OPTIONAL, "")
    slug = content["slug"]
    if not isinstance(slug, str) or len(slug) > MAX_SLUG_CHARS or not SLUG_PATTERN.match(slug):
        raise InvalidRecord(
            f"slug must be 1 to {MAX_SLUG_CHARS} lowercase letters or digits in runs joined by -"
        )
    _text(content["title"], "title", MAX_TITLE_CHARS)
    _url(content["url"], "url", canonical=True)
    disclose = content["disclose"]
    if (
        not isinstance(disclose, list)
        or any(flag not in DISCLOSURES for flag in disclose)
        or disclose != sorted(set(disclose))
    ):
        raise InvalidRecord(f"disclose must be a sorted list of unique flags among {DISCLOSURES}")
    if "category" in content:
        for segment in _array(content["category"], "category", MAX_CATEGORY_DEPTH):
            _text(segment, "a category segment", MAX_SEGMENT_CHARS)
            if "/" in segment or segment != segment.strip():
                raise InvalidRecord("a category segment has no '/' and no surrounding spaces")
    if "note" in content:
        _text(content["note"], "note", MAX_NOTE_CHARS, multiline=True)
    if "tags" in content:
        tags = _array(content["tags"], "tags", MAX_TAGS)
        for tag in tags:
            if not isinstance(tag, str) or not TAG_PATTERN.fullmatch(tag) or tag != tag.lower():
                raise InvalidRecord("a tag is 1-32 lowercase letters, digits, '_' or '-'")
        if len(set(tags)) != len(tags):
            raise InvalidRecord("tags must be unique")
    if "ids" in content:
        _validate_ids(content["ids"])
    _validate_usage(content)
    if "verdict" in content and content["verdict"] not in VERDICTS:
        raise InvalidRecord(f"verdict must be one of {', '.join(VERDICTS)}")
    if "affiliate" in content:
        _validate_affiliate(content["affiliate"])
        if "affiliate" not in disclose:
            raise InvalidRecord("affiliate links require the affiliate disclosure")


def _validate_ids(ids: Any) -> None:
    if not isinstance(ids, dict) or not ids:
        raise InvalidRecord(f"ids must be a map with some of {', '.join(KINDS)}")
    _keys(ids, set(), set(KINDS), "ids: ")
    for kind, value in ids.items():
        if not isinstance(value, str):
            raise InvalidRecord(f"ids.{kind} must be text")
        if (problem := identifier_problem(kind, value)) is not None:
            raise InvalidRecord(f"ids.{kind}: {problem}")


def _validate_usage(content: dict[str, Any]) -> None:
    if "still_using" in content and not isinstance(content["still_using"], bool):
        raise InvalidRecord("still_using must be true or false")
    since = _date(content["since"], "since") if "since" in content else None
    if "until" in content:
        until = _date(content["until"], "until")
        if content.get("still_using") is not False:
            raise InvalidRecord("until requires still_using to be false")
        common = min(len(until), len(since or until))
        if since is not None and until[:common] < since[:common]:
            raise InvalidRecord("until is before since")


def _validate_affiliate(links: Any) -> None:
    urls: set[str] = set()
    for i, link in enumerate(_array(links, "affiliate", MAX_AFFILIATE_LINKS)):
        if not isinstance(link, dict):
            raise InvalidRecord(f"affiliate[{i}] must be a map")
        _keys(link, {"network", "url"}, set(), f"affiliate[{i}]: ")
        _text(link["network"], f"affiliate[{i}].network", MAX_NETWORK_CHARS)
        _url(link["url"], f"affiliate[{i}].url", canonical=False)
        urls.add(link["url"])
    if len(urls) != len(links):
        raise InvalidRecord("affiliate links must be unique")


def validate_endorsement(content: dict[str, Any]) -> None:
    """``references/endorse/1``: ``entry`` (record id) and an optional ``note``.

    Raises:
        InvalidRecord: the content breaks a rule.
    """
    _keys(content, {"entry"}, {"note"}, "")
    entry = content["entry"]
    if not isinstance(entry, bytes) or len(entry) != HASH_SIZE:
        raise InvalidRecord(f"entry must be {HASH_SIZE} bytes")
    if "note" in content:
        _text(content["note"], "note", MAX_ENDORSE_NOTE_CHARS, multiline=True)


# -- views --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AffiliateLink:
    """A link that earns the author a commission, kept apart from the canonical URL."""

    network: str
    """Who pays, as the author names it (e.g. "Amazon Associates")."""
    url: str


@dataclass(frozen=True, slots=True)
class Identifiers:
    """Product identifiers, in their stored forms (see identifiers.py); None when absent."""

    gtin: str | None = None
    isbn: str | None = None
    asin: str | None = None
    doi: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The present identifiers, by kind (the content's ``ids`` map)."""
        return {k: v for k in KINDS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True, slots=True)
class EntryView:
    """The current (or a given) version of an entry, as stored and validated."""

    id: RecordId
    """This version's record id."""
    author: IdentityKey
    timestamp: int
    slug: str
    title: str
    url: str
    """The canonical URL: never an affiliate link."""
    disclosures: tuple[str, ...]
    category: tuple[str, ...] = ()
    note: str = ""
    tags: tuple[str, ...] = ()
    ids: Identifiers = field(default_factory=Identifiers)
    since: str | None = None
    until: str | None = None
    still_using: bool | None = None
    verdict: str | None = None
    affiliate: tuple[AffiliateLink, ...] = ()
    author_name: str | None = None
    """The author's profile name when known."""

    @property
    def category_path(self) -> str:
        """The category as ``A/B/C`` (empty when uncategorized)."""
        return "/".join(self.category)


@dataclass(frozen=True, slots=True)
class EndorsementView:
    """Someone's latest endorsement of an entry."""

    id: RecordId
    endorser: IdentityKey
    timestamp: int
    note: str
    followed: bool
    """Whether the viewer follows the endorser (they are listed first)."""
    endorser_name: str | None = None


@dataclass(frozen=True, slots=True)
class EntryDetail:
    """An entry with who vouches for it: followed people first, then newest first."""

    entry: EntryView
    endorsements: tuple[EndorsementView, ...]
    versions: int
    """How many versions of the entry we hold (1 when never updated)."""


@dataclass(frozen=True, slots=True)
class CategoryNode:
    """One node of a directory's category tree; the root has an empty name and path."""

    name: str
    path: tuple[str, ...]
    entries: int
    """Entries filed exactly here (at the root: the uncategorized ones)."""
    total: int
    """Entries here and below."""
    children: tuple[CategoryNode, ...] = ()


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What a person fills in for an entry; the facade normalizes it into a record.

    Free text is taken as typed (surrounding whitespace trimmed); ``url`` and the affiliate
    URLs are normalized; ``ids`` values are normalized by kind (see identifiers.py).
    """

    title: str
    url: str
    slug: str | None = None
    """None: made from the title (and kept unique among the author's entries)."""
    category: tuple[str, ...] = ()
    note: str = ""
    tags: tuple[str, ...] = ()
    ids: Identifiers = field(default_factory=Identifiers)
    since: str | None = None
    until: str | None = None
    still_using: bool | None = None
    verdict: str | None = None
    affiliate: tuple[AffiliateLink, ...] = ()
    disclosures: frozenset[str] = frozenset()


def entry_view(
    record_id: RecordId,
    author: IdentityKey,
    timestamp: int,
    content: dict[str, Any],
    author_name: str | None = None,
) -> EntryView:
    """The view of validated ``references/entry/1`` content."""
    ids = content.get("ids", {})
    return EntryView(
        id=record_id,
        author=author,
        timestamp=timestamp,
        slug=content["slug"],
        title=content["title"],
        url=content["url"],
        disclosures=tuple(content["disclose"]),
        category=tuple(content.get("category", ())),
        note=content.get("note", ""),
        tags=tuple(content.get("tags", ())),
        ids=Identifiers(**{k: ids.get(k) for k in KINDS}),
        since=content.get("since"),
        until=content.get("until"),
        still_using=content.get("still_using"),
        verdict=content.get("verdict"),
        affiliate=tuple(
            AffiliateLink(a["network"], a["url"]) for a in content.get("affiliate", ())
        ),
        author_name=author_name,
    )


def draft_of(entry: EntryView) -> EntryDraft:
    """An editable draft holding everything ``entry`` says (for updates)."""
    return EntryDraft(
        title=entry.title,
        url=entry.url,
        slug=entry.slug,
        category=entry.category,
        note=entry.note,
        tags=entry.tags,
        ids=entry.ids,
        since=entry.since,
        until=entry.until,
        still_using=entry.still_using,
        verdict=entry.verdict,
        affiliate=entry.affiliate,
        disclosures=frozenset(entry.disclosures),
    )


def url_to_open(entry: EntryView, *, allow_affiliate: bool) -> str:
    """The link to open for ``entry``: its first affiliate link when allowed and present,
    else the canonical URL (the "no affiliate links" preference passes False)."""
    if allow_affiliate and entry.affiliate:
        return entry.affiliate[0].url
    return entry.url


def slugify(title: str) -> str:
    """A slug made from a title: ASCII letters and digits in ``-``-joined runs, at most
    :data:`MAX_SLUG_CHARS` characters (``entry`` when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG_CHARS:
            break
        slug = candidate
    return slug or (words[0][:MAX_SLUG_CHARS] if words else "entry")
