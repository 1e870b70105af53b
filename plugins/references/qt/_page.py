"""The References page: whose directory, search, category tree, entries, and the detail.

Everything shown is read in one go in the core's thread (:func:`load_listing`) when the
profile opens, when the source or the search changes, and on ``records_changed`` (bursts
coalesced by :class:`Refresher`). The tree and the list filter that read without the core.

Keyboard: Enter on an entry opens its detail, Delete deletes it (after confirmation), Ctrl+N
adds an entry while the page has focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.core.ids import RecordId
from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import Refresher

from ..core import EntryView
from ._actions import EntryActions
from ._calls import MINE, Listing, SourceKind, load_listing
from ._category_model import CategoryModel, entries_text, in_category
from ._detail import EntryDetailView
from ._entries_model import EntriesModel
from ._search_bar import SearchBar
from ._sources import SourceSelector

TITLE = QT_TRANSLATE_NOOP("MainWindow", "References")
"""The page's title: English, as ``MainWindow.show_page`` looks it up; the window's list shows
it translated (context ``MainWindow``, like the core pages' titles)."""


class ReferencesPage(QWidget):
    """The References Directory page of the window."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setAccessibleName(self.tr("References Directory"))
        self.listing: Listing | None = None
        self._keep: tuple[bytes, str] | None = None
        """(author, slug) of the entry to select after the next read."""

        self.sources = SourceSelector(self)
        self.search = SearchBar(self)
        self.entry_actions = EntryActions(ui, self, self.selected_entry, self._is_mine)
        self.entry_actions.saved.connect(self._saved)
        self.entry_actions.message.connect(self.show_status)
        self.summary = QLabel(self)
        self.summary.setAccessibleName(self.tr("Entries listed"))
        self.status = QLabel(self)
        self.status.setAccessibleName(self.tr("References status"))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.categories = CategoryModel(self)
        self.tree = QTreeView(self)
        self.tree.setModel(self.categories)
        self.tree.setAccessibleName(self.tr("Categories"))
        self.tree.setHeaderHidden(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.entries = EntriesModel(self)
        self.list = QTreeView(self)
        self.list.setModel(self.entries)
        self.list.setAccessibleName(self.tr("Entries"))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.installEventFilter(self)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # titles need the room
        for column in range(1, self.entries.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.detail = EntryDetailView(ui, self)
        detail_scroll = QScrollArea(self)
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setWidget(self.detail)

        top = QHBoxLayout()
        top.addWidget(self.sources, 1)
        for action in (
            self.entry_actions.new,
            self.entry_actions.edit,
            self.entry_actions.delete,
            self.entry_actions.export,
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            top.addWidget(button)
        splitter = QSplitter(self)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.list)
        splitter.addWidget(detail_scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([200, 460, 380])
        detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail_scroll.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.search)
        status_row = QHBoxLayout()
        status_row.addWidget(self.summary)
        status_row.addWidget(self.status, 1)
        layout.addLayout(status_row)
        layout.addWidget(splitter, 1)

        self._reads = Refresher(ui.service, self, self._fetch, self._show)
        ui.service.records_changed.connect(self._reads.request)
        ui.service.unlocked.connect(self._reads.request)
        ui.service.closed.connect(self._closed)
        self.sources.source_changed.connect(lambda _: self._reads.request())
        self.search.changed.connect(self._reads.request)
        tree_selection = self.tree.selectionModel()
        tree_selection.currentChanged.connect(lambda *_: self._filter())
        list_selection = self.list.selectionModel()
        list_selection.currentChanged.connect(self._current_changed)
        self.list.activated.connect(lambda _: self.open_detail())
        self._reads.request()

    @property
    def busy(self) -> bool:
        """Whether a read is waiting or running."""
        return self._reads.busy

    # -- reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read again soon (done by itself on ``records_changed``)."""
        self._reads.request()

    async def _fetch(self) -> Listing:
        source, search = self.sources.source(), self.search.request()
        return await self.ui.service.call(load_listing, source, search)

    def _show(self, listing: Listing) -> None:
        self.listing = listing
        self.search.person.set_me(listing.me)
        self.sources.set_authors(listing.authors)
        self.search.person.set_authors(listing.authors)
        self.sources.setEnabled(not listing.searched)
        path = self.categories.path_at(self.tree.currentIndex())
        self.categories.set_entries(listing.entries)
        self.tree.expandAll()
        self.tree.setCurrentIndex(self.categories.index_of(path))
        self._filter()
        count = entries_text(len(listing.entries))
        # "{entries}." needs no translating: entries_text is translated already.
        self.summary.setText(
            self.tr("Found {entries}.").format(entries=count) if listing.searched else f"{count}."
        )

    def _filter(self) -> None:
        """List the entries of the chosen category, keeping the selected entry if listed."""
        if self.listing is None:
            return
        current = self.selected_entry()
        keep = self._keep or ((current.author, current.slug) if current else None)
        path = self.categories.path_at(self.tree.currentIndex())
        self.entries.set_entries([e for e in self.listing.entries if in_category(e, path)])
        row = self.entries.row_of(*keep) if keep is not None else None
        if row is not None:
            self._keep = None
            self.list.setCurrentIndex(self.entries.index(row, 0))
        self.entry_actions.update_enabled()

    def _closed(self) -> None:
        self.listing = None
        self.entries.set_entries(())
        self.categories.set_entries(())
        self.detail.show_entry(None)

    # -- selection and detail ---------------------------------------------------------------

    def selected_entry(self) -> EntryView | None:
        """The entry selected in the list, if any."""
        index = self.list.currentIndex()
        return self.entries.entry_at(index.row()) if index.isValid() else None

    def _is_mine(self, entry: EntryView) -> bool:
        return self.listing is not None and entry.author == self.listing.me

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.detail.show_entry(self.entries.entry_at(current.row()).id)
        self.entry_actions.update_enabled()

    def open_detail(self) -> None:
        """Show the selected entry's detail and move the focus there."""
        entry = self.selected_entry()
        if entry is not None:
            self.detail.show_entry(entry.id, focus=True)

    def show_entry(self, entry_id: RecordId) -> None:
        """Show one entry (e.g. a search hit), selecting it when it is listed."""
        row = self.entries.row_of_id(entry_id)
        if row is not None:
            self.list.setCurrentIndex(self.entries.index(row, 0))
        self.detail.show_entry(entry_id, focus=True)

    def _saved(self, entry: EntryView) -> None:
        self._keep = (entry.author, entry.slug)
        if not self.search.request().active and self.sources.source().kind is SourceKind.AUTHOR:
            self.sources.choose(MINE)
        self.detail.show_entry(entry.id)

    def show_status(self, text: str) -> None:
        """Show a sentence in the status line."""
        self.status.setText(text)

    # -- keyboard -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Enter and Delete on the entries list."""
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_detail()
                return True
            if key == Qt.Key.Key_Delete and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                self.entry_actions.delete_entry()
                return True
        return super().eventFilter(watched, event)
