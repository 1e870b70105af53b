"""Full-text search over the current versions of every directory we hold.

The user's text never reaches FTS5 as syntax: each whitespace-separated chunk becomes one
quoted phrase of its letters-and-digits runs, prefix-matched on its last word (``micro`` finds
"microphone", ``10.1000/xyz`` finds that DOI), and all chunks must match. Quotes, ``*``, ``-``,
``:``, ``NEAR``, ``OR`` ... are thus plain text. Filters: category (a path prefix, whole
segments, case-insensitive), tag, author.

Ranking is FTS5's bm25 with column weights (title 10, tags 4, identifiers 4, category 2, note
1). Scores are scaled to 0..1 relative to the best hit of the query (the best scores 1.0); a
search without words lists the filtered entries by title, each scoring 1.0.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from smd_desktop.core.errors import MalformedId
from smd_desktop.core.ids import IdentityKey, parse_identity
from smd_desktop.core.plugins import Connection, SearchHit, SearchQuery

from .index import ENTRY_COLUMNS, category_key, entry_of_row
from .model import EntryView

PLUGIN = "references"
HIT_KIND = "entry"
FILTERS = frozenset({"category", "tag", "author"})
"""The filter names this provider understands (a query with any other finds nothing here)."""

_WORD = re.compile(r"[^\W_]+")
_WEIGHTS = "10.0, 1.0, 4.0, 2.0, 4.0"  # title, note, tags, category, ids (schema order)


def fts_query(text: str) -> str | None:
    """The FTS5 expression for what someone typed, or None when it holds no word."""
    phrases = []
    for chunk in text.split():
        words = _WORD.findall(chunk)
        if words:
            phrases.append(f'"{" ".join(words)}"*')
    return " ".join(phrases) or None


def category_filter(path: str) -> str:
    """A typed category path (``Audio / Mics``) in the form it is compared in."""
    return category_key([s.strip() for s in path.split("/") if s.strip()])


@dataclass(frozen=True, slots=True)
class Found:
    """One search result."""

    entry: EntryView
    score: float
    snippet: str


def search_entries(
    conn: Connection,
    text: str,
    *,
    category: str | None = None,
    tag: str | None = None,
    author: IdentityKey | None = None,
    hidden: Collection[bytes] = (),
    limit: int = 50,
) -> list[Found]:
    """Current entries matching every word of ``text`` and the filters, best first;
    entries of the ``hidden`` authors (blocked people) left out."""
    where: list[str] = ["e.current = 1"]
    params: list[object] = []
    if category and (key := category_filter(category)):
        where.append("(e.category_key = ? OR substr(e.category_key, 1, ?) = ?)")
        params += [key, len(key) + 1, key + "/"]
    if tag and (tag_text := tag.strip().lstrip("#").lower()):
        where.append("instr(e.tags, ?) > 0")
        params.append(f" {tag_text} ")
    if author is not None:
        where.append("e.author = ?")
        params.append(author)
    if hidden:
        where.append(f"e.author NOT IN ({', '.join('?' * len(hidden))})")
        params += list(hidden)
    match = fts_query(text)
    if match is None:
        rows = conn.execute(
            f"SELECT {ENTRY_COLUMNS}, 0.0, '' FROM references_entries AS e "
            f"WHERE {' AND '.join(where)} ORDER BY e.title COLLATE NOCASE, e.id LIMIT ?",
            (*params, limit),
        ).fetchall()
    else:
        rows = conn.execute(
            f"SELECT {ENTRY_COLUMNS}, bm25(references_fts, {_WEIGHTS}) AS rank, "
            "snippet(references_fts, -1, '', '', '…', 12) "
            "FROM references_fts JOIN references_entries AS e ON e.rowid = references_fts.rowid "
            f"WHERE references_fts MATCH ? AND {' AND '.join(where)} "
            "ORDER BY rank, e.ts DESC, e.id LIMIT ?",
            (match, *params, limit),
        ).fetchall()
    relevance = [max(-float(r[4]), 0.0) for r in rows]
    best = max(relevance, default=0.0)
    found: list[Found] = []
    for row, value in zip(rows, relevance, strict=True):
        entry = entry_of_row(row)
        if match is None:
            found.append(Found(entry, 1.0, entry.note[:160]))
        else:
            found.append(Found(entry, value / best if best > 0.0 else 1.0, str(row[5])))
    return found


def search_hook(conn: Connection, query: SearchQuery) -> list[SearchHit]:
    """The ``smd_search`` provider: core search hits (plugin ``references``, kind ``entry``).

    Never raises on odd input (the host would disable the plugin): an unknown filter or a
    malformed author id finds nothing.
    """
    filters: Mapping[str, str] = query.filters
    if set(filters) - FILTERS:
        return []
    author = query.author
    if "author" in filters:
        try:
            named = parse_identity(filters["author"])
        except MalformedId:
            return []
        if author is not None and author != named:
            return []
        author = named
    found = search_entries(
        conn,
        query.text,
        category=filters.get("category"),
        tag=filters.get("tag"),
        author=author,
        limit=query.limit,
    )
    return [
        SearchHit(
            plugin=PLUGIN,
            kind=HIT_KIND,
            record_id=f.entry.id,
            author=f.entry.author,
            title=f.entry.title,
            snippet=f.snippet,
            score=f.score,
        )
        for f in found
    ]
