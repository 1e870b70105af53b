"""Read-only queries over the derived tables, returning frozen views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import canonical
from ..ids import BlobHash, DeviceKey, IdentityKey, RecordId
from .db import Connection


@dataclass(frozen=True, slots=True)
class BlobRef:
    """An image a record points to."""

    hash: BlobHash
    mime: str
    size: int


@dataclass(frozen=True, slots=True)
class PostView:
    """A post as shown: the latest edit's text under the original's id and time."""

    id: RecordId
    identity: IdentityKey
    device: DeviceKey
    seq: int
    timestamp: int
    text: str
    reply_to: RecordId | None
    tags: tuple[str, ...]
    images: tuple[BlobRef, ...]
    edited: bool
    author_name: str | None
    author_avatar: BlobRef | None = None
    """The avatar of the author's latest profile (None without a profile or an avatar)."""


@dataclass(frozen=True, slots=True)
class ProfileView:
    """The latest profile an identity published."""

    identity: IdentityKey
    name: str
    bio: str
    avatar: BlobRef | None


@dataclass(frozen=True, slots=True)
class SuggestionView:
    """Someone the people we follow follow, and we do not."""

    identity: IdentityKey
    name: str | None
    """Their latest profile's name (None if no profile arrived)."""
    friends: int
    """How many of the identities we follow follow them."""


@dataclass(frozen=True, slots=True)
class DeviceView:
    """One device feed of an identity."""

    device: DeviceKey
    identity: IdentityKey
    name: str
    head_seq: int
    forked: bool
    revoked_after: int | None


@dataclass(frozen=True, slots=True)
class ForkView:
    """Evidence that a device signed two different records at the same seq."""

    device: DeviceKey
    identity: IdentityKey
    seq: int
    kept: RecordId | None
    """The record we chained at that seq (None if the fork is at a seq we never chained)."""
    evidence: RecordId


_LATEST_EDIT = (
    "(SELECT e.text FROM posts e WHERE e.edits = p.id AND e.identity = p.identity "
    "AND e.deleted = 0 ORDER BY e.ts DESC, e.id DESC LIMIT 1)"
)
# The latest edit is selected once (SQLite runs a correlated subquery each time it is named);
# _post shows it instead of the original's text.
_POST_COLUMNS = (
    f"p.id, p.identity, p.device, p.seq, p.ts, p.text, p.reply_to, p.tags, p.images, "
    f"{_LATEST_EDIT}, pr.name, pr.avatar, pr.avatar_mime, pr.avatar_size"
)


def _blob_refs(raw: bytes | None) -> tuple[BlobRef, ...]:
    if raw is None:
        return ()
    return tuple(BlobRef(BlobHash(i["hash"]), i["mime"], i["size"]) for i in canonical.decode(raw))


def _post(row: Any) -> PostView:
    latest_edit = row[9]
    return PostView(
        id=RecordId(row[0]),
        identity=IdentityKey(row[1]),
        device=DeviceKey(row[2]),
        seq=row[3],
        timestamp=row[4],
        text=(row[5] if latest_edit is None else latest_edit) or "",
        reply_to=RecordId(row[6]) if row[6] is not None else None,
        tags=tuple(canonical.decode(row[7])) if row[7] is not None else (),
        images=_blob_refs(row[8]),
        edited=latest_edit is not None,
        author_name=row[10],
        author_avatar=BlobRef(BlobHash(row[11]), row[12], row[13]) if row[11] is not None else None,
    )


_FROM_POSTS = "FROM posts p LEFT JOIN profiles pr ON pr.identity = p.identity"
_TIMELINE_AUTHORS = (
    "(p.identity = :who OR p.identity IN (SELECT target FROM relations "
    "     WHERE identity = :who AND kind = 'follow' AND state = 1)) "
    "AND p.identity NOT IN (SELECT target FROM relations "
    "     WHERE identity = :who AND kind = 'block' AND state = 1)"
)


def _page(
    conn: Connection,
    authors: str,
    who: IdentityKey,
    limit: int,
    before: tuple[int, bytes] | None,
) -> list[PostView]:
    """Shown posts (no edits, no deleted) whose author matches ``authors`` (SQL on ``:who``),
    newest first, after the keyset cursor ``before``."""
    ts, rid = before if before is not None else (2**63 - 1, b"")
    rows = conn.execute(
        f"SELECT {_POST_COLUMNS} {_FROM_POSTS} "
        f"WHERE p.edits IS NULL AND p.deleted = 0 AND {authors} "
        "AND (p.ts < :ts OR (p.ts = :ts AND p.id < :rid)) "
        "ORDER BY p.ts DESC, p.id DESC LIMIT :limit",
        {"who": who, "ts": ts, "rid": rid, "limit": limit},
    ).fetchall()
    return [_post(r) for r in rows]


def timeline(
    conn: Connection,
    viewer: IdentityKey,
    *,
    limit: int,
    before: tuple[int, bytes] | None = None,
) -> list[PostView]:
    """Posts of ``viewer`` and the identities it follows, newest first; deleted posts, edits
    (shown through their original) and blocked identities left out.

    ``before`` is the (timestamp, id) of the last post of the previous page.
    """
    return _page(conn, _TIMELINE_AUTHORS, viewer, limit, before)


def author_posts(
    conn: Connection,
    author: IdentityKey,
    *,
    limit: int,
    before: tuple[int, bytes] | None = None,
) -> list[PostView]:
    """One identity's posts (from all its devices), newest first."""
    return _page(conn, "p.identity = :who", author, limit, before)


def post(conn: Connection, record_id: bytes) -> PostView | None:
    """One post by id (None if unknown or deleted)."""
    row = conn.execute(
        f"SELECT {_POST_COLUMNS} {_FROM_POSTS} WHERE p.id = ? AND p.deleted = 0",
        (record_id,),
    ).fetchone()
    return _post(row) if row is not None else None


def profile(conn: Connection, identity: IdentityKey) -> ProfileView | None:
    """The identity's latest profile, if any arrived."""
    row = conn.execute(
        "SELECT name, bio, avatar, avatar_mime, avatar_size FROM profiles WHERE identity = ?",
        (identity,),
    ).fetchone()
    if row is None:
        return None
    avatar = BlobRef(BlobHash(row[2]), row[3], row[4]) if row[2] is not None else None
    return ProfileView(identity, row[0], row[1], avatar)


def related(conn: Connection, identity: IdentityKey, kind: str) -> list[IdentityKey]:
    """Identities that ``identity`` currently follows (``kind="follow"``) or blocks."""
    rows = conn.execute(
        "SELECT target FROM relations WHERE identity = ? AND kind = ? AND state = 1 ORDER BY ts",
        (identity, kind),
    ).fetchall()
    return [IdentityKey(r[0]) for r in rows]


def followers(conn: Connection, identity: IdentityKey) -> list[IdentityKey]:
    """Identities known to follow ``identity`` (as far as their feeds reached us)."""
    rows = conn.execute(
        "SELECT identity FROM relations WHERE kind = 'follow' AND target = ? AND state = 1",
        (identity,),
    ).fetchall()
    return [IdentityKey(r[0]) for r in rows]


def suggestions(conn: Connection, viewer: IdentityKey) -> list[SuggestionView]:
    """Identities followed by those ``viewer`` follows, most such friends first (then by id).

    Left out: ``viewer``, whom it follows or blocks, and what blocked identities follow (a
    blocked identity is no friend even while the follow stands).
    """
    # CROSS JOIN keeps our own follows the outer loop (then each friend's by primary key);
    # without statistics SQLite would rather scan every follow of every identity we hold.
    rows = conn.execute(
        "SELECT theirs.target, pr.name, count(*) AS friends "
        "FROM relations mine "
        "CROSS JOIN relations theirs ON theirs.identity = mine.target "
        "     AND theirs.kind = 'follow' AND theirs.state = 1 "
        "LEFT JOIN profiles pr ON pr.identity = theirs.target "
        "WHERE mine.identity = :me AND mine.kind = 'follow' AND mine.state = 1 "
        "AND mine.target != :me AND theirs.target != :me "
        "AND mine.target NOT IN (SELECT target FROM relations "
        "     WHERE identity = :me AND kind = 'block' AND state = 1) "
        "AND theirs.target NOT IN (SELECT target FROM relations "
        "     WHERE identity = :me AND kind IN ('follow', 'block') AND state = 1) "
        "GROUP BY theirs.target ORDER BY friends DESC, theirs.target",
        {"me": viewer},
    ).fetchall()
    return [SuggestionView(IdentityKey(r[0]), r[1], r[2]) for r in rows]


_NAMES_CHUNK = 500
"""Identities per ``IN (...)`` list: well below SQLite's bound-parameter limit."""


def profile_names(conn: Connection, identities: Sequence[IdentityKey]) -> dict[IdentityKey, str]:
    """The latest profile name of each of ``identities`` that has a profile."""
    unique = list(dict.fromkeys(identities))
    names: dict[IdentityKey, str] = {}
    for start in range(0, len(unique), _NAMES_CHUNK):
        chunk = unique[start : start + _NAMES_CHUNK]
        rows = conn.execute(
            "SELECT identity, name FROM profiles WHERE identity IN "
            f"({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
        names.update((IdentityKey(r[0]), r[1]) for r in rows)
    return names


def devices(conn: Connection, identity: IdentityKey | None = None) -> list[DeviceView]:
    """Known device feeds, of one identity or of everyone."""
    sql = "SELECT device, identity, name, head_seq, forked, revoked_after FROM feeds"
    args: tuple[bytes, ...] = ()
    if identity is not None:
        sql += " WHERE identity = ?"
        args = (identity,)
    rows = conn.execute(sql + " ORDER BY rowid", args).fetchall()
    return [
        DeviceView(DeviceKey(r[0]), IdentityKey(r[1]), r[2], r[3], bool(r[4]), r[5]) for r in rows
    ]


def forks(conn: Connection) -> list[ForkView]:
    """All fork evidence we hold."""
    rows = conn.execute(
        "SELECT f.device, fe.identity, f.seq, r.id, f.id FROM forks f "
        "JOIN feeds fe ON fe.device = f.device "
        "LEFT JOIN records r ON r.device = f.device AND r.seq = f.seq ORDER BY f.detected_at"
    ).fetchall()
    return [
        ForkView(
            DeviceKey(r[0]),
            IdentityKey(r[1]),
            r[2],
            RecordId(r[3]) if r[3] is not None else None,
            RecordId(r[4]),
        )
        for r in rows
    ]


def replies_to(conn: Connection, author: IdentityKey, since: int, limit: int) -> list[PostView]:
    """Others' replies to ``author``'s posts newer than ``since`` (ms), newest first."""
    rows = conn.execute(
        f"SELECT {_POST_COLUMNS} {_FROM_POSTS} "
        "WHERE p.reply_to IN (SELECT id FROM posts WHERE identity = :author) "
        "AND p.identity != :author AND p.edits IS NULL AND p.deleted = 0 AND p.ts > :since "
        "ORDER BY p.ts DESC, p.id DESC LIMIT :limit",
        {"author": author, "since": since, "limit": limit},
    ).fetchall()
    return [_post(r) for r in rows]


def followers_since(conn: Connection, identity: IdentityKey, since: int) -> list[IdentityKey]:
    """Identities whose current follow of ``identity`` was signed after ``since`` (ms)."""
    rows = conn.execute(
        "SELECT identity FROM relations WHERE kind = 'follow' AND target = ? AND state = 1 "
        "AND ts > ? ORDER BY ts DESC",
        (identity, since),
    ).fetchall()
    return [IdentityKey(r[0]) for r in rows]
