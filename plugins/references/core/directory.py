"""The References Directory facade: what the CLI and the UI call, on one open profile.

An entry is named by the record id of any of its versions; reading resolves it to the current
version of its (author, slug). Every method blocks (database, signing): call it from a worker
thread in the app.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from pathlib import Path
from typing import Any

from smd_desktop.core.errors import InvalidRecord, NotFound, UserError
from smd_desktop.core.ids import IdentityKey, RecordId, identity_text
from smd_desktop.core.plugins import Connection
from smd_desktop.core.profile import Profile

from .drafts import check_slug, entry_content
from .export_html import render_html
from .index import ENTRY_COLUMNS, entry_of_row
from .model import (
    ENDORSE_TYPE,
    ENTRY_TYPE,
    MAX_SLUG_CHARS,
    CategoryNode,
    EndorsementView,
    EntryDetail,
    EntryDraft,
    EntryView,
    draft_of,
    slugify,
    validate_endorsement,
)
from .search import Found, search_entries

PLUGIN = "references"


class Directory:
    """The directories held by one profile: ours to edit, everyone's to read and search.

    Raises UserError on creation when the plugin is not active in this profile.
    """

    def __init__(self, profile: Profile) -> None:
        profile.plugins.require_active(PLUGIN)
        self._profile = profile

    @property
    def identity(self) -> IdentityKey:
        """Whose directory is "mine"."""
        return self._profile.identity

    # -- writing --------------------------------------------------------------------------

    def add(self, draft: EntryDraft) -> EntryView:
        """Publish a new entry. Its slug is ``draft.slug`` or one made from the title (made
        unique among my entries).

        Raises:
            UserError: the draft is invalid, or I already have an entry with that slug.
        """
        taken = self._my_slugs()
        if draft.slug is not None:
            slug = check_slug(draft.slug)
            if slug in taken:
                raise UserError(f"you already have an entry {slug!r}: update it instead")
        else:
            slug = _unique(slugify(draft.title), taken)
        return self._publish(draft, slug)

    def update(self, entry_id: RecordId, draft: EntryDraft) -> EntryView:
        """Publish a new version of one of my entries (same slug), replacing every field.

        Raises:
            NotFound: no such entry. UserError: not mine, or the draft is invalid.
        """
        current = self._mine(entry_id)
        if draft.slug is not None and draft.slug != current.slug:
            raise UserError("the slug of an entry cannot change")
        return self._publish(draft, current.slug)

    def edit(self, entry_id: RecordId, **changes: Any) -> EntryView:
        """:meth:`update` with only some fields changed (``EntryDraft`` field names)."""
        current = self._mine(entry_id)
        return self._publish(dataclasses.replace(draft_of(current), **changes), current.slug)

    def _publish(self, draft: EntryDraft, slug: str) -> EntryView:
        record = self._profile.publish(ENTRY_TYPE, entry_content(draft, slug))
        return self.entry(record.id)

    def remove(self, entry_id: RecordId) -> int:
        """Delete one of my entries: tombstone every version we hold (their content is purged
        here and at every peer), so the slug leaves the directory. Returns how many.

        Raises:
            NotFound: no such entry. UserError: not mine.
        """
        current = self._mine(entry_id)
        with self._profile.store.reading() as conn:
            versions = [
                RecordId(bytes(r[0]))
                for r in conn.execute(
                    "SELECT id FROM references_entries WHERE author = ? AND slug = ? "
                    "ORDER BY ts, id",
                    (self.identity, current.slug),
                )
            ]
        for version in versions:  # oldest first: the newest stays current until the end
            self._profile.retract(version)
        return len(versions)

    def endorse(self, entry_id: RecordId, note: str = "") -> RecordId:
        """Vouch for someone else's entry (its current version); returns the record id.
        Endorsing again replaces my note (the latest counts).

        Raises:
            NotFound: no such entry. UserError: it is my own, or the note is invalid.
        """
        entry = self.entry(entry_id)
        if entry.author == self.identity:
            raise UserError("you cannot endorse your own entry")
        content: dict[str, Any] = {"entry": entry.id}
        note = note.replace("\r\n", "\n").strip()
        if note:
            content["note"] = note
        try:
            validate_endorsement(content)
        except InvalidRecord as exc:
            raise UserError(str(exc)) from exc
        return self._profile.publish(ENDORSE_TYPE, content).id

    def unendorse(self, entry_id: RecordId) -> int:
        """Withdraw my endorsements of an entry (of any of its versions); returns how many.

        Raises:
            NotFound: no such entry. UserError: I have not endorsed it.
        """
        entry = self.entry(entry_id)
        with self._profile.store.reading() as conn:
            mine = [
                RecordId(bytes(r[0]))
                for r in conn.execute(
                    "SELECT d.id FROM references_endorsements AS d JOIN references_entries AS e"
                    " ON e.id = d.target WHERE e.author = ? AND e.slug = ? AND d.endorser = ?",
                    (entry.author, entry.slug, self.identity),
                )
            ]
        if not mine:
            raise UserError("you have not endorsed this entry")
        for record_id in mine:
            self._profile.retract(record_id)
        return len(mine)

    # -- reading --------------------------------------------------------------------------

    def entry(self, entry_id: RecordId) -> EntryView:
        """The current version of the entry ``entry_id`` is a version of.

        Raises:
            NotFound: we hold no such entry (never received, or deleted).
        """
        with self._profile.store.reading() as conn:
            row = _current_row(conn, entry_id)
        return self._named(entry_of_row(row))

    def detail(self, entry_id: RecordId) -> EntryDetail:
        """An entry with its endorsements: mine first, then people I follow, then others,
        newest first within each group; one per endorser (their latest), never the author's
        own, never a blocked person's."""
        following = set(self._profile.following())
        hidden = set(self._profile.blocked())
        with self._profile.store.reading() as conn:
            entry = entry_of_row(_current_row(conn, entry_id))
            rows = conn.execute(
                "SELECT d.id, d.endorser, d.ts, d.note FROM references_endorsements AS d "
                "JOIN references_entries AS e ON e.id = d.target "
                "WHERE e.author = ? AND e.slug = ? AND d.endorser != e.author "
                "ORDER BY d.ts DESC, d.id DESC",
                (entry.author, entry.slug),
            ).fetchall()
            (versions,) = conn.execute(
                "SELECT count(*) FROM references_entries WHERE author = ? AND slug = ?",
                (entry.author, entry.slug),
            ).fetchone()
        latest: dict[bytes, EndorsementView] = {}
        for record_id, endorser, ts, note in rows:
            who = IdentityKey(bytes(endorser))
            if who in latest or who in hidden:
                continue
            latest[who] = EndorsementView(
                RecordId(bytes(record_id)), who, int(ts), note, who in following, self._name(who)
            )
        ordered = sorted(
            latest.values(),
            key=lambda v: 0 if v.endorser == self.identity else 1 if v.followed else 2,
        )
        return EntryDetail(self._named(entry), tuple(ordered), int(versions))

    def entries(self, author: IdentityKey | None = None) -> list[EntryView]:
        """One author's current entries (default: mine), by category then title."""
        who = self.identity if author is None else author
        with self._profile.store.reading() as conn:
            rows = conn.execute(
                f"SELECT {ENTRY_COLUMNS} FROM references_entries AS e "
                "WHERE e.author = ? AND e.current = 1 "
                "ORDER BY e.category_key, e.title COLLATE NOCASE, e.id",
                (who,),
            ).fetchall()
        return [self._named(entry_of_row(r)) for r in rows]

    def all_entries(self) -> list[EntryView]:
        """Every current entry of every directory we hold (blocked people's left out), by
        author then category and title."""
        hidden = set(self._profile.blocked())
        with self._profile.store.reading() as conn:
            rows = conn.execute(
                f"SELECT {ENTRY_COLUMNS} FROM references_entries AS e WHERE e.current = 1 "
                "ORDER BY e.author, e.category_key, e.title COLLATE NOCASE, e.id"
            ).fetchall()
        entries = [entry_of_row(r) for r in rows]
        return [self._named(e) for e in entries if e.author not in hidden]

    def categories(self, author: IdentityKey | None = None) -> CategoryNode:
        """One author's category tree (default: mine), children sorted by name."""
        return _tree((), [e.category for e in self.entries(author)])

    def search(
        self,
        text: str,
        *,
        category: str | None = None,
        tag: str | None = None,
        author: IdentityKey | None = None,
        limit: int = 50,
    ) -> list[Found]:
        """Search every directory we hold (see search.py), blocked people left out."""
        hidden = self._profile.blocked()
        with self._profile.store.reading() as conn:
            found = search_entries(
                conn, text, category=category, tag=tag, author=author, hidden=hidden, limit=limit
            )
        return [dataclasses.replace(f, entry=self._named(f.entry)) for f in found]

    def export_html(self, path: Path) -> int:
        """Write my directory as a static HTML page at ``path``; returns the entry count."""
        entries = self.entries()
        me = self._profile.my_profile()
        owner = me.name if me is not None else identity_text(self.identity)
        page = render_html(entries, owner=owner, owner_id=identity_text(self.identity))
        try:
            path.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return len(entries)

    # -- helpers --------------------------------------------------------------------------

    def _mine(self, entry_id: RecordId) -> EntryView:
        entry = self.entry(entry_id)
        if entry.author != self.identity:
            raise UserError("you can only change your own entries")
        return entry

    def _my_slugs(self) -> set[str]:
        with self._profile.store.reading() as conn:
            return {
                r[0]
                for r in conn.execute(
                    "SELECT slug FROM references_entries WHERE author = ? AND current = 1",
                    (self.identity,),
                )
            }

    def _name(self, identity: IdentityKey) -> str | None:
        view = self._profile.store.profile(identity)
        return view.name if view is not None else None

    def _named(self, entry: EntryView) -> EntryView:
        return dataclasses.replace(entry, author_name=self._name(entry.author))


def _current_row(conn: Connection, entry_id: RecordId) -> Any:
    row = conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM references_entries AS v "
        "JOIN references_entries AS e ON e.author = v.author AND e.slug = v.slug "
        "WHERE v.id = ? AND e.current = 1",
        (entry_id,),
    ).fetchone()
    if row is None:
        raise NotFound(f"no reference entry {entry_id.hex()}")
    return row


def _unique(base: str, taken: Collection[str]) -> str:
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: MAX_SLUG_CHARS - len(suffix)].rstrip("-") + suffix
    return slug


def _tree(path: tuple[str, ...], categories: list[tuple[str, ...]]) -> CategoryNode:
    depth = len(path)
    here = sum(1 for c in categories if len(c) == depth)
    below: dict[str, list[tuple[str, ...]]] = {}
    for c in categories:
        if len(c) > depth:
            below.setdefault(c[depth], []).append(c)
    children = tuple(
        _tree((*path, name), below[name]) for name in sorted(below, key=lambda n: (n.casefold(), n))
    )
    return CategoryNode(path[-1] if path else "", path, here, len(categories), children)
