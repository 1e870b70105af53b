"""My directory as one static HTML5 page: a "resources" page to publish anywhere.

Self-contained (inline CSS, no script, no external resource), deterministic (the same entries
give the same bytes), every piece of text HTML-escaped. Entries are grouped by category (sorted,
uncategorized last under "Other"), each with its verdict, usage, note, disclosure sentences
generated from its signed flags, and tags. The title links to the canonical URL with no
``rel``; affiliate links are listed apart with ``rel="sponsored noopener"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _escape

from .model import DISCLOSURE_TEXT, VERDICT_LABELS, EntryView

UNCATEGORIZED = "Other"
DISCLOSURE_ORDER = ("affiliate", "sponsored", "free", "owner")
"""The order disclosure sentences are shown in (most consequential first)."""

_CSS = """
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d1d1f;background:#fafafa}
main{max-width:46rem;margin:0 auto;padding:2rem 1rem}
h1{font-size:1.8rem;margin:0 0 .25rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem;margin:0}
article{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:.75rem 1rem;
margin:.75rem 0}
p{margin:.35rem 0}
.meta,.tags,footer,.intro{color:#555;font-size:.9rem}
.disclosures{margin:.35rem 0;padding:.35rem .75rem;background:#fff6e0;border-radius:6px;
list-style:none;font-size:.9rem}
a{color:#0b57d0}
""".strip()


def escape(text: str) -> str:
    """``text`` for an element's content (``&``, ``<``, ``>`` escaped)."""
    return _escape(text, quote=False)


def attr(text: str) -> str:
    """``text`` for a double-quoted attribute value (quotes escaped too)."""
    return _escape(text, quote=True)


def usage_text(entry: EntryView) -> str:
    """How long the author has used it, e.g. ``Using it since 2021-03``."""
    if entry.since and entry.until:
        return f"Used it from {entry.since} to {entry.until}"
    if entry.since:
        if entry.still_using is False:
            return f"Used it since {entry.since}; no longer using it"
        return f"Using it since {entry.since}"
    if entry.still_using is True:
        return "Still using it"
    if entry.still_using is False:
        return "No longer using it"
    return ""


def disclosure_sentences(entry: EntryView) -> list[str]:
    """The reader-facing disclosure sentences of an entry's flags, in a fixed order."""
    return [DISCLOSURE_TEXT[f] for f in DISCLOSURE_ORDER if f in entry.disclosures]


def _group(entries: Sequence[EntryView]) -> list[tuple[str, list[EntryView]]]:
    groups: dict[tuple[str, ...], list[EntryView]] = {}
    for entry in entries:
        groups.setdefault(entry.category, []).append(entry)
    ordered = sorted(
        groups.items(), key=lambda kv: (not kv[0], [s.casefold() for s in kv[0]], kv[0])
    )
    return [
        (" / ".join(path) if path else UNCATEGORIZED, sorted(items, key=_entry_key))
        for path, items in ordered
    ]


def _entry_key(entry: EntryView) -> tuple[str, str]:
    return entry.title.casefold(), entry.slug


def _entry_html(entry: EntryView) -> list[str]:
    e = escape
    out = [
        f'<article class="entry" id="{attr(entry.slug)}">',
        f'<h3><a href="{attr(entry.url)}">{e(entry.title)}</a></h3>',
    ]
    meta = [f"Verdict: {VERDICT_LABELS[entry.verdict]}"] if entry.verdict else []
    if usage := usage_text(entry):
        meta.append(usage)
    if meta:
        out.append(f'<p class="meta">{e(" · ".join(meta))}</p>')
    if entry.note:
        lines = "<br>".join(e(line) for line in entry.note.split("\n"))
        out.append(f'<p class="note">{lines}</p>')
    if sentences := disclosure_sentences(entry):
        out.append('<ul class="disclosures">')
        out.extend(f"<li>{e(s)}</li>" for s in sentences)
        out.append("</ul>")
    if entry.affiliate:
        links = ", ".join(
            f'<a href="{attr(link.url)}" rel="sponsored noopener">{e(link.network)}</a>'
            for link in entry.affiliate
        )
        out.append(f'<p class="affiliate">Affiliate links: {links}</p>')
    if entry.tags:
        out.append(f'<p class="tags">{e(" ".join("#" + t for t in entry.tags))}</p>')
    out.append("</article>")
    return out


def render_html(entries: Sequence[EntryView], *, owner: str, owner_id: str) -> str:
    """The page for ``entries`` (one author's current entries).

    ``owner`` is the name shown in the title; ``owner_id`` their identity text (``z6Mk...``).
    """
    e = escape
    title = f"{owner}'s resources"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{e(title)}</h1>",
        f'<p class="intro">The products and services {e(owner)} really uses. Each entry '
        "says plainly when a link earns a commission, when something was sponsored or received "
        "for free, and when the author owns or works for the company.</p>",
    ]
    if not entries:
        out.append('<p class="empty">No entries yet.</p>')
    for heading, items in _group(entries):
        out.append('<section class="category">')
        out.append(f"<h2>{e(heading)}</h2>")
        for entry in items:
            out.extend(_entry_html(entry))
        out.append("</section>")
    out += [
        f"<footer>Published with SMD by {e(owner)} ({e(owner_id)}).</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"
