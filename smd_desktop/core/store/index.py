"""Derived tables: what a verified, chained record means socially.

Every function here runs inside the ingest transaction, after the record is in ``records``.
They never reject a record (that was the validators' job); they only decide how it shows.
"""

from __future__ import annotations

from typing import Any

from .. import canonical, content
from ..identity import validate_revocation
from ..ids import IdentityKey
from ..records import SignedRecord, parse_record, without_content
from .db import Connection


def index_record(conn: Connection, record: SignedRecord, identity: IdentityKey) -> None:
    """Update the derived tables for a record just stored (with its content)."""
    c = record.content
    if c is None:
        return
    kind = record.type
    for ref in content.blob_refs(kind, c):
        conn.execute(
            "INSERT OR IGNORE INTO blob_refs (hash, mime, size, first_seen) VALUES (?, ?, ?, ?)",
            (ref["hash"], ref["mime"], ref["size"], record.header.timestamp),
        )
    if kind == content.POST:
        _index_post(conn, record, identity, c)
    elif kind == content.DELETE:
        conn.execute(
            "INSERT OR IGNORE INTO tombstones (target, identity, record_id) VALUES (?, ?, ?)",
            (c["target"], identity, record.id),
        )
        if conn.execute(
            "SELECT 1 FROM records WHERE id = ? AND identity = ?", (c["target"], identity)
        ).fetchone():
            _purge_with_edits(conn, c["target"], identity)
    elif kind == content.FOLLOW:
        _set_relation(conn, record, identity, "follow", c["target"], c["following"])
    elif kind == content.BLOCK:
        _set_relation(conn, record, identity, "block", c["target"], c["blocked"])
    elif kind == content.PROFILE:
        _set_profile(conn, record, identity, c)
    elif kind == content.REVOKE:
        apply_revocation_record(conn, record)
    # Other types stay stored and replicated; their plugins index them.
    if is_tombstoned(conn, record.id, identity):  # its deletion arrived first
        _purge_with_edits(conn, record.id, identity)


def _index_post(
    conn: Connection, record: SignedRecord, identity: IdentityKey, c: dict[str, Any]
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO posts (id, identity, device, seq, ts, text, reply_to, edits, tags,"
        " images) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            identity,
            record.author,
            record.seq,
            record.header.timestamp,
            c["text"],
            c.get("reply_to"),
            c.get("edits"),
            canonical.encode(c["tags"]) if "tags" in c else None,
            canonical.encode(c["images"]) if "images" in c else None,
        ),
    )
    # An edit of a deleted post is purged with it.
    if "edits" in c and is_tombstoned(conn, c["edits"], identity):
        purge(conn, record.id)


def _purge_with_edits(conn: Connection, target: bytes, identity: IdentityKey) -> None:
    """Purge ``target``, deleted by its own ``identity``, and that identity's edits of it."""
    purge(conn, target)
    for (edit_id,) in conn.execute(
        "SELECT id FROM posts WHERE edits = ? AND identity = ?", (target, identity)
    ).fetchall():
        purge(conn, edit_id)


def purge(conn: Connection, record_id: bytes) -> None:
    """Drop a record's content locally; its signed header stays so the chain still verifies."""
    conn.execute(
        "UPDATE posts SET deleted = 1, text = NULL, tags = NULL, images = NULL WHERE id = ?",
        (record_id,),
    )
    row = conn.execute("SELECT raw FROM records WHERE id = ?", (record_id,)).fetchone()
    if row is not None:
        # Plugins drop what they derived from it (drained after the ingest, same transaction).
        conn.execute("INSERT OR IGNORE INTO forgotten (record_id) VALUES (?)", (record_id,))
        stripped = without_content(parse_record(row[0]))
        conn.execute("UPDATE records SET raw = ? WHERE id = ?", (stripped.raw, record_id))


def is_tombstoned(conn: Connection, record_id: bytes, identity: IdentityKey) -> bool:
    """Whether the record was deleted by its own identity."""
    row = conn.execute(
        "SELECT 1 FROM tombstones WHERE target = ? AND identity = ?", (record_id, identity)
    ).fetchone()
    return row is not None


def _newer(ts: int, record_id: bytes, row: Any) -> bool:
    return row is None or (ts, record_id) > (row[0], row[1])


def _set_relation(
    conn: Connection,
    record: SignedRecord,
    identity: IdentityKey,
    kind: str,
    target: bytes,
    state: bool,
) -> None:
    ts = record.header.timestamp
    row = conn.execute(
        "SELECT ts, record_id FROM relations WHERE identity = ? AND kind = ? AND target = ?",
        (identity, kind, target),
    ).fetchone()
    if _newer(ts, record.id, row):
        conn.execute(
            "INSERT OR REPLACE INTO relations (identity, kind, target, state, ts, record_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (identity, kind, target, int(state), ts, record.id),
        )


def _set_profile(
    conn: Connection, record: SignedRecord, identity: IdentityKey, c: dict[str, Any]
) -> None:
    ts = record.header.timestamp
    row = conn.execute(
        "SELECT ts, record_id FROM profiles WHERE identity = ?", (identity,)
    ).fetchone()
    if _newer(ts, record.id, row):
        avatar = c.get("avatar")
        conn.execute(
            "INSERT OR REPLACE INTO profiles (identity, name, bio, avatar, avatar_mime,"
            " avatar_size, ts, record_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                identity,
                c["name"],
                c.get("bio", ""),
                avatar["hash"] if avatar else None,
                avatar["mime"] if avatar else None,
                avatar["size"] if avatar else None,
                ts,
                record.id,
            ),
        )


def apply_revocation_record(conn: Connection, record: SignedRecord) -> None:
    """Remember a revocation and apply it if the revoked device's feed is known."""
    assert record.content is not None
    rev = validate_revocation(record.content)
    conn.execute(
        "INSERT OR IGNORE INTO revocations (device, identity, after_seq, record_id) "
        "VALUES (?, ?, ?, ?)",
        (rev.device, rev.identity, rev.after_seq, record.id),
    )
    row = conn.execute("SELECT identity FROM feeds WHERE device = ?", (rev.device,)).fetchone()
    if row is not None and row[0] == rev.identity:
        revoke_feed(conn, rev.device, rev.after_seq)


def revocation_limit(conn: Connection, device: bytes, identity: bytes) -> int | None:
    """The lowest ``after_seq`` of the verified revocations of ``device`` by ``identity``."""
    row = conn.execute(
        "SELECT min(after_seq) FROM revocations WHERE device = ? AND identity = ?",
        (device, identity),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def revoke_feed(conn: Connection, device: bytes, after_seq: int) -> None:
    """Invalidate ``device``'s records after ``after_seq``: drop them and what they meant."""
    feed = conn.execute(
        "SELECT identity, revoked_after FROM feeds WHERE device = ?", (device,)
    ).fetchone()
    identity, current = feed
    limit = after_seq if current is None else min(current, after_seq)
    doomed = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM records WHERE device = ? AND seq > ?", (device, limit)
        ).fetchall()
    ]
    conn.execute("DELETE FROM pending WHERE device = ? AND seq > ?", (device, limit))
    head = conn.execute(
        "SELECT seq, id FROM records WHERE device = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
        (device, limit),
    ).fetchone()
    conn.execute(
        "UPDATE feeds SET revoked_after = ?, head_seq = ?, head_id = ? WHERE device = ?",
        (limit, head[0] if head else 0, head[1] if head else b"", device),
    )
    if not doomed:
        return
    # SQLite may hand the freed rowids to new records: plugins' catch-up cursors must not have
    # passed them (indexing is idempotent, so re-reading a few rows is harmless).
    conn.execute(
        "UPDATE plugin_state SET cursor = min(cursor, (SELECT min(rowid) - 1 FROM records"
        " WHERE device = ? AND seq > ?))",
        (device, limit),
    )
    for record_id in doomed:
        conn.execute("INSERT OR IGNORE INTO forgotten (record_id) VALUES (?)", (record_id,))
        conn.execute("DELETE FROM records WHERE id = ?", (record_id,))
        conn.execute("DELETE FROM posts WHERE id = ?", (record_id,))
        conn.execute("DELETE FROM tombstones WHERE record_id = ?", (record_id,))
    reindex_relations_and_profile(conn, IdentityKey(identity))


def reindex_relations_and_profile(conn: Connection, identity: IdentityKey) -> None:
    """Rebuild the identity's follow/block/profile rows from the records that remain."""
    conn.execute("DELETE FROM relations WHERE identity = ?", (identity,))
    conn.execute("DELETE FROM profiles WHERE identity = ?", (identity,))
    rows = conn.execute(
        "SELECT raw FROM records WHERE identity = ? AND type IN (?, ?, ?)",
        (identity, content.FOLLOW, content.BLOCK, content.PROFILE),
    ).fetchall()
    for (raw,) in rows:
        index_record(conn, parse_record(raw), identity)
