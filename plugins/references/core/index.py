"""Indexing: records of the plugin's types in, rows of its tables out (see schema.py).

Every function runs inside a transaction the host owns, and is idempotent: the host may hand
the same record again (catch-up after a revocation, a rebuild).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from smd_desktop.core import canonical
from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.plugins import Connection
from smd_desktop.core.records import SignedRecord

from .identifiers import search_terms
from .model import ENDORSE_TYPE, ENTRY_TYPE, EntryView, entry_view


def category_key(segments: Sequence[str]) -> str:
    """The form a category path is compared in (case-folded, ``/``-joined)."""
    return "/".join(s.casefold() for s in segments)


def tags_key(tags: Sequence[str]) -> str:
    """Tags as `` a b `` (space around each), so one tag is found with ``instr``."""
    return f" {' '.join(tags)} " if tags else ""


def index_record(conn: Connection, record: SignedRecord, identity: IdentityKey) -> None:
    """Store one validated entry or endorsement (its content is present)."""
    content = record.content
    assert content is not None  # the host only hands records with content
    if record.type == ENTRY_TYPE:
        _index_entry(conn, record, identity, content)
    elif record.type == ENDORSE_TYPE:
        conn.execute(
            "INSERT OR IGNORE INTO references_endorsements (id, endorser, target, ts, note) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                record.id,
                identity,
                content["entry"],
                record.header.timestamp,
                content.get("note", ""),
            ),
        )


def _index_entry(
    conn: Connection, record: SignedRecord, identity: IdentityKey, content: dict[str, Any]
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO references_entries (id, author, slug, ts, title, category_key,"
        " tags, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            identity,
            content["slug"],
            record.header.timestamp,
            content["title"],
            category_key(content.get("category", ())),
            tags_key(content.get("tags", ())),
            canonical.encode(content),
        ),
    )
    refresh_current(conn, identity, content["slug"])


def refresh_current(conn: Connection, author: bytes, slug: str) -> None:
    """Mark the latest version of (author, slug) current and keep the FTS index on it alone."""
    best = conn.execute(
        "SELECT rowid FROM references_entries WHERE author = ? AND slug = ? "
        "ORDER BY ts DESC, id DESC LIMIT 1",
        (author, slug),
    ).fetchone()
    old = conn.execute(
        "SELECT rowid FROM references_entries WHERE author = ? AND slug = ? AND current = 1",
        (author, slug),
    ).fetchone()
    best_rowid = None if best is None else int(best[0])
    old_rowid = None if old is None else int(old[0])
    if best_rowid == old_rowid:
        return
    if old_rowid is not None:
        conn.execute("UPDATE references_entries SET current = 0 WHERE rowid = ?", (old_rowid,))
        conn.execute("DELETE FROM references_fts WHERE rowid = ?", (old_rowid,))
    if best_rowid is not None:
        conn.execute("UPDATE references_entries SET current = 1 WHERE rowid = ?", (best_rowid,))
        _add_to_fts(conn, best_rowid)


def _add_to_fts(conn: Connection, rowid: int) -> None:
    (raw,) = conn.execute(
        "SELECT content FROM references_entries WHERE rowid = ?", (rowid,)
    ).fetchone()
    content = canonical.decode(bytes(raw))
    conn.execute(
        "INSERT INTO references_fts (rowid, title, note, tags, category, ids) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            rowid,
            content["title"],
            content.get("note", ""),
            " ".join(content.get("tags", ())),
            " / ".join(content.get("category", ())),
            search_terms(content.get("ids", {})),
        ),
    )


def forget_records(conn: Connection, record_ids: Sequence[RecordId]) -> None:
    """Drop the rows of purged or revoked records; the previous version of an entry whose
    current version went becomes current again."""
    for record_id in record_ids:
        row = conn.execute(
            "SELECT rowid, author, slug, current FROM references_entries WHERE id = ?",
            (record_id,),
        ).fetchone()
        if row is not None:
            rowid, author, slug, current = row
            if current:
                conn.execute("DELETE FROM references_fts WHERE rowid = ?", (rowid,))
            conn.execute("DELETE FROM references_entries WHERE rowid = ?", (rowid,))
            refresh_current(conn, bytes(author), slug)
        conn.execute("DELETE FROM references_endorsements WHERE id = ?", (record_id,))


def reset_index(conn: Connection) -> None:
    """Empty every derived table (the host re-indexes all records next)."""
    conn.execute("DELETE FROM references_entries")
    conn.execute("DELETE FROM references_endorsements")
    conn.execute("DELETE FROM references_fts")


# -- reading rows back ---------------------------------------------------------------------

ENTRY_COLUMNS = "e.id, e.author, e.ts, e.content"
"""The columns :func:`entry_of_row` reads, from ``references_entries AS e``."""


def entry_of_row(row: Sequence[Any], names: dict[bytes, str] | None = None) -> EntryView:
    """The view of a row selected with :data:`ENTRY_COLUMNS` first."""
    author = IdentityKey(bytes(row[1]))
    return entry_view(
        RecordId(bytes(row[0])),
        author,
        int(row[2]),
        canonical.decode(bytes(row[3])),
        (names or {}).get(author),
    )
