"""From what a person typed (:class:`EntryDraft`) to valid ``references/entry/1`` content.

Everything is normalized first (URLs, tags, identifiers, whitespace), then checked by the
type's own validator, so what the facade publishes is exactly what every peer accepts. Errors
are :class:`UserError` sentences meant for the person, not for a peer.
"""

from __future__ import annotations

from typing import Any

from smd_desktop.core.errors import InvalidRecord, UserError

from .identifiers import normalize_identifier
from .model import (
    DISCLOSURES,
    MAX_SLUG_CHARS,
    SLUG_PATTERN,
    VERDICTS,
    EntryDraft,
    validate_entry,
)
from .urls import InvalidUrl, normalize_url


def parse_disclosures(text: str) -> frozenset[str]:
    """Flags from ``affiliate,sponsored`` (commas or spaces; ``none`` for no flag).

    Raises:
        UserError: a word is not a disclosure flag.
    """
    words = [w for w in text.replace(",", " ").lower().split() if w != "none"]
    for word in words:
        if word not in DISCLOSURES:
            raise UserError(
                f"unknown disclosure {word!r} (use affiliate, sponsored, free or owner)"
            )
    return frozenset(words)


def check_slug(slug: str) -> str:
    """``slug`` if it is a valid slug.

    Raises:
        UserError: it is not.
    """
    if len(slug) > MAX_SLUG_CHARS or not SLUG_PATTERN.fullmatch(slug):
        raise UserError(
            f"a slug is 1 to {MAX_SLUG_CHARS} lowercase letters or digits joined by '-': {slug!r}"
        )
    return slug


def entry_content(draft: EntryDraft, slug: str) -> dict[str, Any]:
    """The content map of ``draft`` published under ``slug``.

    Raises:
        UserError: the draft cannot make a valid entry (the message says what to fix).
    """
    title = draft.title.strip()
    if not title:
        raise UserError("an entry needs a title")
    content: dict[str, Any] = {
        "slug": check_slug(slug),
        "title": title,
        "url": _url(draft.url, "URL", canonical=True),
        "disclose": sorted(draft.disclosures),
    }
    category = [s.strip() for s in draft.category if s.strip()]
    if category:
        content["category"] = category
    note = draft.note.replace("\r\n", "\n").replace("\r", "\n").strip()
    if note:
        content["note"] = note
    tags = list(dict.fromkeys(t.strip().lstrip("#").lower() for t in draft.tags if t.strip()))
    if tags:
        content["tags"] = tags
    ids = {kind: normalize_identifier(kind, v) for kind, v in draft.ids.as_dict().items()}
    if ids:
        content["ids"] = ids
    for name in ("since", "until"):
        value = getattr(draft, name)
        if value is not None and value.strip():
            content[name] = value.strip()
    if draft.still_using is not None:
        content["still_using"] = draft.still_using
    if draft.verdict is not None and draft.verdict.strip():
        verdict = draft.verdict.strip().lower()
        if verdict not in VERDICTS:
            raise UserError(f"a verdict is one of {', '.join(VERDICTS)}: {draft.verdict!r}")
        content["verdict"] = verdict
    links: dict[str, dict[str, str]] = {}
    for link in draft.affiliate:
        network = link.network.strip()
        if not network:
            raise UserError("an affiliate link needs the name of its network")
        url = _url(link.url, "affiliate URL", canonical=False)
        links.setdefault(url, {"network": network, "url": url})
    if links:
        if "affiliate" not in draft.disclosures:
            raise UserError("an affiliate link must be disclosed: add the affiliate disclosure")
        content["affiliate"] = list(links.values())
    try:
        validate_entry(content)
    except InvalidRecord as exc:
        raise UserError(str(exc)) from exc
    return content


def _url(text: str, what: str, *, canonical: bool) -> str:
    try:
        return normalize_url(text, strip_tracking=canonical)
    except InvalidUrl as exc:
        raise UserError(f"invalid {what} {text.strip()!r}: {exc}") from exc
