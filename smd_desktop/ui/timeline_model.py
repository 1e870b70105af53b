"""The Home timeline as a Qt item model: newest first, loaded page by page, replies threaded.

Loading. Rows arrive lazily: :meth:`TimelineModel.fetchMore` asks the core (through
:class:`~smd_desktop.ui.service.CoreService`, never on the GUI thread) for the next page of
:data:`PAGE_SIZE` posts older than the oldest one loaded (keyset ``before=(timestamp, id)``) and
appends it when it arrives. :meth:`TimelineModel.refresh_new` (connected to
``service.records_changed``) re-reads the whole loaded range, from the newest post down to the
oldest one loaded, and applies the difference: new posts are *inserted* (``beginInsertRows``,
so views keep what they show), edited posts change in place (``dataChanged``), deleted or
blocked ones are removed; refreshes asked for while one runs are merged into one more
(:class:`~smd_desktop.ui.coalesce.CoalescedRead`). Every load runs under one lock and reads the
model's state only once it holds it, so pages and refreshes never interleave.

Threading (the choice, kept simple on purpose). Rows are the loaded posts arranged as a forest:
a reply whose parent is loaded is placed right after its parent (after the parent's earlier
replies, oldest first, in conversation order) with a depth one more than the parent's, capped
at :data:`MAX_DEPTH`; a reply whose parent is not loaded (not yet paged in, deleted, or by
someone we do not follow) is a top-level row at its own time. Top-level rows are newest first.
So a new reply to an older post appears under that post, not at the top; and when a later page
brings in the parent of a reply already shown, the reply moves under it.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import trio
from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from ..core.ids import IdentityKey, identity_text
from ..core.profile import Profile
from ..core.store import PostView, now_ms
from .coalesce import CoalescedRead
from .i18n import english_plural
from .service import CoreService

PAGE_SIZE = 50
"""Posts per page that :meth:`TimelineModel.fetchMore` asks for."""
REFRESH_CHUNK = 200
"""Posts per query when a refresh re-reads the loaded range."""
MAX_DEPTH = 3
"""Deepest indentation level of a reply (deeper replies stay at this level)."""

type SortKey = tuple[int, bytes]
type AnyIndex = QModelIndex | QPersistentModelIndex


class PostRole(IntEnum):
    """The model's custom data roles (``index.data(PostRole.TEXT)``)."""

    ID = Qt.ItemDataRole.UserRole + 1
    """The record id (bytes)."""
    AUTHOR_NAME = Qt.ItemDataRole.UserRole + 2
    """The author's profile name, or a shortened identity id when no profile arrived yet."""
    AUTHOR_ID = Qt.ItemDataRole.UserRole + 3
    """The author's identity id as text (``z6Mk...``)."""
    TEXT = Qt.ItemDataRole.UserRole + 4
    """The latest edit's text."""
    TIMESTAMP = Qt.ItemDataRole.UserRole + 5
    """Milliseconds since the epoch, of the original post."""
    RELATIVE_TIME = Qt.ItemDataRole.UserRole + 6
    """Like ``"5 min ago"``, computed when asked."""
    REPLY_TO = Qt.ItemDataRole.UserRole + 7
    """The parent's record id (bytes) or None."""
    IS_MINE = Qt.ItemDataRole.UserRole + 8
    """Whether the post is by this profile's identity (it may be edited and deleted)."""
    EDITED = Qt.ItemDataRole.UserRole + 9
    """Whether the text shown comes from an edit."""
    IMAGES = Qt.ItemDataRole.UserRole + 10
    """The attached images, a list of :class:`~smd_desktop.core.store.BlobRef`."""
    DEPTH = Qt.ItemDataRole.UserRole + 11
    """Indentation level: 0 for a top-level post, 1 for a reply under its parent, ..."""
    POST = Qt.ItemDataRole.UserRole + 12
    """The whole :class:`~smd_desktop.core.store.PostView`."""
    AVATAR = Qt.ItemDataRole.UserRole + 13
    """The author's avatar, a :class:`~smd_desktop.core.store.BlobRef`, or None."""
    AUTHOR_KEY = Qt.ItemDataRole.UserRole + 14
    """The author's identity key (bytes)."""


_ROLE_NAMES = {role: role.name.lower().encode() for role in PostRole}


def sort_key(post: PostView) -> SortKey:
    """The timeline's order: ``(timestamp, id)``, compared descending."""
    return (post.timestamp, post.id)


def relative_time(timestamp_ms: int, now: int) -> str:
    """``"just now"``, ``"5 min ago"``, ``"3 h ago"``, ``"2 d ago"``, then the local date.

    Translated under the context ``RelativeTime`` (the Profile page shows these too); the
    counts are numerus forms (English abbreviations have no plural, so no ``(s)``).
    """
    seconds = max(0, (now - timestamp_ms) // 1000)
    if seconds < 60:
        return QCoreApplication.translate("RelativeTime", "just now")
    if seconds < 3600:
        return QCoreApplication.translate("RelativeTime", "%n min ago", "", seconds // 60)
    if seconds < 86_400:
        return QCoreApplication.translate("RelativeTime", "%n h ago", "", seconds // 3600)
    if seconds < 7 * 86_400:
        return QCoreApplication.translate("RelativeTime", "%n d ago", "", seconds // 86_400)
    date = QDateTime.fromMSecsSinceEpoch(timestamp_ms).date()
    return QLocale().toString(date, QLocale.FormatType.ShortFormat)


def author_label(post: PostView) -> str:
    """The name to show for a post's author."""
    if post.author_name:
        return post.author_name
    return identity_text(post.identity)[:12] + "…"


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One row: a post and its indentation level."""

    post: PostView
    depth: int


def arrange(posts: Iterable[PostView]) -> list[TimelineRow]:
    """Order posts as the model shows them (see the module docstring): top-level posts newest
    first, each followed by its loaded replies (depth first, oldest reply first)."""
    by_id = {p.id: p for p in posts}
    children: defaultdict[bytes, list[PostView]] = defaultdict(list)
    roots: list[PostView] = []
    for post in by_id.values():
        if post.reply_to is not None and post.reply_to in by_id and post.reply_to != post.id:
            children[post.reply_to].append(post)
        else:
            roots.append(post)
    for replies in children.values():
        replies.sort(key=sort_key)
    roots.sort(key=sort_key, reverse=True)
    rows: list[TimelineRow] = []
    seen: set[bytes] = set()

    def visit(root: PostView) -> None:
        stack = [(root, 0)]
        while stack:
            post, depth = stack.pop()
            if post.id in seen:
                continue
            seen.add(post.id)
            rows.append(TimelineRow(post, min(depth, MAX_DEPTH)))
            stack.extend((c, depth + 1) for c in reversed(children.get(post.id, ())))

    for root in roots:
        visit(root)
    # Replies in a reply_to cycle (only forgeable with a hash collision) are never reached from
    # a root; show them rather than lose them.
    for post in sorted(by_id.values(), key=sort_key, reverse=True):
        if post.id not in seen:
            visit(post)
    return rows


def _stable_positions(positions: Sequence[int]) -> list[bool]:
    """Which entries to keep so the kept ones are increasing: a longest increasing subsequence
    of ``positions`` (entries < 0 are never kept)."""
    tails: list[int] = []  # tails[k]: the smallest last position of an increasing run of k+1
    tail_at: list[int] = []  # index in ``positions`` of that tail
    back: list[int] = [-1] * len(positions)
    for i, pos in enumerate(positions):
        if pos < 0:
            continue
        k = bisect.bisect_left(tails, pos)
        back[i] = tail_at[k - 1] if k > 0 else -1
        if k == len(tails):
            tails.append(pos)
            tail_at.append(i)
        else:
            tails[k] = pos
            tail_at[k] = i
    keep = [False] * len(positions)
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        keep[i] = True
        i = back[i]
    return keep


# -- work done in the core's thread ---------------------------------------------------------


def _load_page(
    profile: Profile, before: SortKey | None, limit: int
) -> tuple[IdentityKey, list[PostView]]:
    return profile.identity, profile.timeline(limit=limit, before=before)


def _load_since(
    profile: Profile, bound: SortKey | None, first_page: int, cap: int | None = None
) -> tuple[IdentityKey, list[PostView], bool]:
    """Every timeline post at or after ``bound`` (or the first page when None), at most
    ``cap`` of them (the newest), and whether older posts remain."""
    if bound is None:
        posts = profile.timeline(limit=first_page)
        return profile.identity, posts, len(posts) == first_page
    found: list[PostView] = []
    cursor: SortKey | None = None
    while True:
        page = profile.timeline(limit=REFRESH_CHUNK, before=cursor)
        for post in page:
            if sort_key(post) < bound or (cap is not None and len(found) >= cap):
                return profile.identity, found, True
            found.append(post)
        if len(page) < REFRESH_CHUNK:
            return profile.identity, found, False
        cursor = sort_key(page[-1])


class TimelineModel(QAbstractListModel):
    """The Home timeline (self and followed identities), newest first, loaded lazily.

    It follows the service by itself: it loads once a profile is unlocked, empties when it is
    closed, and calls :meth:`refresh_new` on ``service.records_changed``.

    Rule: every change of rows happens between :attr:`about_to_update` and :attr:`updated`;
    a view that wants to keep its scroll position remembers it on the first and restores it on
    the second.
    """

    about_to_update = Signal()
    """Rows are about to be inserted, removed or changed (one batch follows)."""
    updated = Signal()
    """The batch announced by :attr:`about_to_update` is applied."""
    loading_changed = Signal(bool)
    """Whether a page or a refresh is requested and not yet applied."""

    def __init__(
        self,
        service: CoreService,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.page_size = page_size
        self.clock = clock
        """Milliseconds since the epoch, for relative times (tests replace it)."""
        self._rows: list[TimelineRow] = []
        self._me: IdentityKey | None = None
        self._exhausted = False
        self._fetching = False
        self._pages_in_flight = 0  # including pages of a generation that was reset
        self._loading = False
        self._generation = 0
        self._lock: trio.Lock | None = None
        self._refresher = CoalescedRead(service, self._refresh, parent=self)
        self._refresher.busy_changed.connect(self._update_loading)
        service.records_changed.connect(self.refresh_new)
        service.unlocked.connect(self.reload)
        service.closed.connect(self._on_closed)
        if service.is_open:
            self.fetchMore(QModelIndex())

    # -- reading --------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 (Qt override)
        """Rows loaded so far (0 under any valid parent: this is a flat list)."""
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802 (Qt override)
        """Role names for QML and debugging, like ``"author_name"``."""
        names = super().roleNames()
        names.update({int(r): QByteArray(n) for r, n in _ROLE_NAMES.items()})
        return names

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Rows are enabled and selectable, never editable in place."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """See :class:`PostRole`; DisplayRole is the text, ToolTipRole the full date."""
        if not index.isValid() or index.column() != 0 or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        post = row.post
        match role:
            case Qt.ItemDataRole.DisplayRole | PostRole.TEXT:
                return post.text
            case PostRole.ID:
                return post.id
            case PostRole.AUTHOR_NAME:
                return author_label(post)
            case PostRole.AUTHOR_ID:
                return identity_text(post.identity)
            case PostRole.TIMESTAMP:
                return post.timestamp
            case PostRole.RELATIVE_TIME:
                return relative_time(post.timestamp, self.clock())
            case PostRole.REPLY_TO:
                return post.reply_to
            case PostRole.IS_MINE:
                return self._me is not None and post.identity == self._me
            case PostRole.EDITED:
                return post.edited
            case PostRole.IMAGES:
                return list(post.images)
            case PostRole.DEPTH:
                return row.depth
            case PostRole.POST:
                return post
            case PostRole.AVATAR:
                return post.author_avatar
            case PostRole.AUTHOR_KEY:
                return bytes(post.identity)
            case Qt.ItemDataRole.ToolTipRole:
                moment = QDateTime.fromMSecsSinceEpoch(post.timestamp)
                return QLocale().toString(moment, QLocale.FormatType.LongFormat)
            case Qt.ItemDataRole.AccessibleTextRole:
                return self._accessible_text(post)
        return None

    def _accessible_text(self, post: PostView) -> str:
        """What a screen reader says for a row: author, time, "edited", images, then the text."""
        count = len(post.images)
        if post.edited and count:
            template = english_plural(
                self.tr("{author}, {when}, edited, %n image(s): {text}", "", count), count
            )
        elif count:
            template = english_plural(
                self.tr("{author}, {when}, %n image(s): {text}", "", count), count
            )
        elif post.edited:
            template = self.tr("{author}, {when}, edited: {text}")
        else:
            template = self.tr("{author}, {when}: {text}")
        return template.format(
            author=author_label(post),
            when=relative_time(post.timestamp, self.clock()),
            text=post.text,
        )

    def post_at(self, row: int) -> PostView:
        """The post shown in ``row``."""
        return self._rows[row].post

    def row_of(self, record_id: bytes) -> int | None:
        """The row showing the post ``record_id``, if it is loaded."""
        for i, row in enumerate(self._rows):
            if row.post.id == record_id:
                return i
        return None

    @property
    def rows(self) -> list[TimelineRow]:
        """A copy of the rows, in order."""
        return list(self._rows)

    @property
    def loading(self) -> bool:
        """Whether a page or a refresh is requested and not yet applied."""
        return self._loading

    @property
    def exhausted(self) -> bool:
        """Whether every older post is loaded."""
        return self._exhausted

    # -- loading --------------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex) -> bool:  # noqa: N802 (Qt override)
        """Whether older posts may remain (a profile is open and the last page was full)."""
        return not parent.isValid() and self.service.is_open and not self._exhausted

    def fetchMore(self, parent: AnyIndex) -> None:  # noqa: N802 (Qt override)
        """Ask for the next page of older posts; rows are appended when it arrives.

        Returns at once. A call while a page is on its way is ignored.
        """
        if not self.canFetchMore(parent) or self._fetching:
            return
        self._fetching = True
        self._pages_in_flight += 1  # from the request on, so "not loading" means settled
        self._update_loading()
        self.service.run(self._fetch_page, self._generation)

    def refresh_new(self) -> None:
        """Re-read the loaded range in the background: insert new posts, update edited ones,
        remove deleted ones. Calls before it starts are merged into it, calls while it runs
        into one more after it."""
        self._refresher.request()

    def reload(self) -> None:
        """Forget every row and load the first page again."""
        self._reset()
        self.fetchMore(QModelIndex())

    def _on_closed(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.about_to_update.emit()
        self.beginResetModel()
        self._rows = []
        self._me = None
        self._exhausted = False
        self._fetching = False
        self._generation += 1  # results of loads started before this are dropped
        self.endResetModel()
        self.updated.emit()

    def _oldest_key(self) -> SortKey | None:
        return min((sort_key(r.post) for r in self._rows), default=None)

    def _load_lock(self) -> trio.Lock:
        if self._lock is None:
            self._lock = trio.Lock()
        return self._lock

    def _update_loading(self) -> None:
        loading = self._pages_in_flight > 0 or self._refresher.busy
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    async def _fetch_page(self, generation: int) -> None:
        try:
            async with self._load_lock():
                if generation != self._generation or not self.service.is_open:
                    return
                me, page = await self.service.call(_load_page, self._oldest_key(), self.page_size)
                if generation != self._generation:
                    return
                self._me = me
                self._exhausted = len(page) < self.page_size
                self._apply(arrange([*(r.post for r in self._rows), *page]))
        finally:
            self._pages_in_flight -= 1
            if generation == self._generation:
                self._fetching = False
            self._update_loading()

    async def _refresh(self) -> None:
        generation = self._generation
        async with self._load_lock():
            if generation != self._generation or not self.service.is_open:
                return
            if not self._rows and not self._exhausted:
                return  # nothing loaded yet: the first page will bring everything
            bound = self._oldest_key()
            # A burst of new posts (a big sync) must not grow the model without bound:
            # keep the newest window; scrolling down fetches the older ones again.
            cap = max(len(self._rows), self.page_size) + self.page_size
            me, posts, more = await self.service.call(_load_since, bound, self.page_size, cap)
            if generation != self._generation:
                return
            self._me = me
            if bound is None or len(posts) >= cap:
                self._exhausted = not more
            # The lock guarantees the rows are still exactly the range read.
            self._apply(arrange(posts))

    # -- applying a new arrangement ----------------------------------------------------------

    def _apply(self, target: list[TimelineRow]) -> None:
        """Turn the rows into ``target`` with removals, insertions and dataChanged only."""
        self.about_to_update.emit()
        try:
            self._remove_unstable(target)
            self._insert_missing(target)
        finally:
            self.updated.emit()

    def _remove_unstable(self, target: list[TimelineRow]) -> None:
        # Rows gone from the target, and rows whose relative order changed (a reply moving
        # under a parent that just loaded), are removed; the rest stay as they are.
        position = {row.post.id: i for i, row in enumerate(target)}
        keep = _stable_positions([position.get(r.post.id, -1) for r in self._rows])
        end = len(self._rows) - 1
        while end >= 0:
            if keep[end]:
                end -= 1
                continue
            start = end
            while start > 0 and not keep[start - 1]:
                start -= 1
            self.beginRemoveRows(QModelIndex(), start, end)
            del self._rows[start : end + 1]
            self.endRemoveRows()
            end = start - 1

    def _insert_missing(self, target: list[TimelineRow]) -> None:
        # The rows are now a subsequence of the target, in its order.
        position = {row.post.id: i for i, row in enumerate(target)}
        changed: list[int] = []
        i = 0
        while i < len(target):
            if i < len(self._rows) and self._rows[i].post.id == target[i].post.id:
                if self._rows[i] != target[i]:
                    self._rows[i] = target[i]
                    changed.append(i)
                i += 1
                continue
            end = position[self._rows[i].post.id] if i < len(self._rows) else len(target)
            self.beginInsertRows(QModelIndex(), i, end - 1)
            self._rows[i:i] = target[i:end]
            self.endInsertRows()
            i = end
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, 0))


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
