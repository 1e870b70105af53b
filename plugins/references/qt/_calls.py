"""What the References widgets ask the core: plain functions for the core's worker thread.

Each takes the open profile first, so a widget runs it with ``await ui.service.call(fn, *args)``;
each blocks on the database (and on signing, for writes) and none touches Qt. Errors are the
facade's: :class:`~smd_desktop.core.errors.UserError` sentences for the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from smd_desktop.core.errors import NotFound
from smd_desktop.core.ids import IdentityKey, RecordId, identity_text
from smd_desktop.core.profile import Profile

from ..core import Directory, EntryDetail, EntryDraft, EntryView


def short_id(identity: IdentityKey) -> str:
    """An identity id cut to fit a label: ``z6MkabcdEFGH…``."""
    return identity_text(identity)[:12] + "…"


def author_label(entry: EntryView) -> str:
    """Who wrote ``entry``: their profile name, else a shortened identity id."""
    return entry.author_name or short_id(entry.author)


@dataclass(frozen=True, slots=True)
class Author:
    """Someone whose directory can be shown."""

    identity: IdentityKey
    name: str


class SourceKind(Enum):
    """Which directories the page lists."""

    MINE = "mine"
    AUTHOR = "author"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Source:
    """The directories to list: mine, one author's, or every one we hold."""

    kind: SourceKind
    author: IdentityKey | None = None
    """Set only for :attr:`SourceKind.AUTHOR`."""


MINE = Source(SourceKind.MINE)
ALL = Source(SourceKind.ALL)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A full-text search over every directory held, with optional filters."""

    text: str = ""
    category: str = ""
    """A path prefix such as ``Audio / Microphones`` (whole segments, any case)."""
    tag: str = ""
    author: IdentityKey | None = None

    @property
    def active(self) -> bool:
        """Whether anything was asked (else the page lists its source instead)."""
        return bool(self.text.strip() or self.category.strip() or self.tag.strip() or self.author)


@dataclass(frozen=True, slots=True)
class Listing:
    """What the References page shows, read at one moment."""

    me: IdentityKey
    authors: tuple[Author, ...]
    """The people I follow (blocked ones left out), by name: the choices of the selectors."""
    entries: tuple[EntryView, ...]
    """The source's entries, or the search results (best first) when a search is active."""
    searched: bool = False


@dataclass(frozen=True, slots=True)
class Shown:
    """An entry's detail as seen by the viewer."""

    detail: EntryDetail
    me: IdentityKey
    """The viewer."""
    mine: bool
    """Whether the viewer wrote it (they may edit it, never endorse it)."""
    endorsed: bool
    """Whether the viewer endorses it."""


def followed_authors(profile: Profile) -> tuple[Author, ...]:
    """The people I follow and do not block, by name."""
    hidden = set(profile.blocked())
    authors = []
    for identity in profile.following():
        if identity in hidden or identity == profile.identity:
            continue
        view = profile.store.profile(identity)
        authors.append(Author(identity, view.name if view and view.name else short_id(identity)))
    authors.sort(key=lambda a: (a.name.casefold(), a.identity))
    return tuple(authors)


def load_listing(profile: Profile, source: Source, search: SearchRequest) -> Listing:
    """The selector choices and the entries to list (the search's results when it is
    active, else the source's entries)."""
    directory = Directory(profile)
    authors = followed_authors(profile)
    if search.active:
        found = directory.search(
            search.text,
            category=search.category.strip() or None,
            tag=search.tag.strip() or None,
            author=search.author,
        )
        return Listing(profile.identity, authors, tuple(f.entry for f in found), searched=True)
    if source.kind is SourceKind.ALL:
        entries = directory.all_entries()
    else:
        entries = directory.entries(source.author)
    return Listing(profile.identity, authors, tuple(entries))


def load_entries(profile: Profile, author: IdentityKey) -> list[EntryView]:
    """One author's current entries, by category then title."""
    return Directory(profile).entries(author)


def load_detail(profile: Profile, entry_id: RecordId) -> Shown | None:
    """The current version of an entry with its endorsements; None once it is gone."""
    directory = Directory(profile)
    try:
        detail = directory.detail(entry_id)
    except NotFound:
        return None
    me = profile.identity
    endorsed = any(e.endorser == me for e in detail.endorsements)
    return Shown(detail, me, detail.entry.author == me, endorsed)


def add_entry(profile: Profile, draft: EntryDraft) -> EntryView:
    """Publish a new entry of mine."""
    return Directory(profile).add(draft)


def update_entry(profile: Profile, entry_id: RecordId, draft: EntryDraft) -> EntryView:
    """Publish a new version of one of my entries."""
    return Directory(profile).update(entry_id, draft)


def remove_entry(profile: Profile, entry_id: RecordId) -> int:
    """Delete one of my entries (every version)."""
    return Directory(profile).remove(entry_id)


def endorse(profile: Profile, entry_id: RecordId, note: str) -> None:
    """Vouch for someone else's entry (again: replaces my note)."""
    Directory(profile).endorse(entry_id, note)


def unendorse(profile: Profile, entry_id: RecordId) -> None:
    """Withdraw my endorsement of an entry."""
    Directory(profile).unendorse(entry_id)


def export_html(profile: Profile, path: Path) -> int:
    """Write my directory as a static HTML page; returns how many entries it holds."""
    return Directory(profile).export_html(path)
