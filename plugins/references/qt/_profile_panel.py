"""A person's directory on their Profile page: their entries by category, read-only.

Choosing an entry shows its detail below (disclosures, endorsements, "Open link", and Endorse
for someone else's entry). Read in the core's thread on ``records_changed`` while shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTreeView, QVBoxLayout, QWidget

from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import Refresher

from ..core import EntryView
from ._calls import load_entries
from ._category_model import entries_text
from ._detail import EntryDetailView
from ._entries_model import EntryRole, describe, disclosure_text

UNCATEGORIZED = QT_TRANSLATE_NOOP("GroupedEntriesModel", "Uncategorized")
"""The group of entries without a category (English: the model shows it translated)."""


class GroupedEntriesModel(QStandardItemModel):
    """Entries under one item per category path (``Audio / Microphones``), read-only."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels([self.tr("Entry"), self.tr("Disclosures")])
        self._entries: list[EntryView] = []

    def set_entries(self, entries: Sequence[EntryView]) -> None:
        """Show ``entries`` (already sorted by category then title); unchanged: left alone."""
        if list(entries) == self._entries:
            return
        self._entries = list(entries)
        self.removeRows(0, self.rowCount())
        groups: dict[tuple[str, ...], QStandardItem] = {}
        for entry in entries:
            group = groups.get(entry.category)
            if group is None:
                name = " / ".join(entry.category) or self.tr(UNCATEGORIZED)
                group = QStandardItem(name)
                group.setEditable(False)
                group.setSelectable(False)
                blank = QStandardItem()
                blank.setEditable(False)
                self.appendRow([group, blank])
                groups[entry.category] = group
            title = QStandardItem(entry.title)
            title.setEditable(False)
            title.setData(bytes(entry.id), EntryRole.ENTRY_ID)
            title.setData(entry.slug, EntryRole.SLUG)
            title.setData(describe(entry), Qt.ItemDataRole.AccessibleTextRole)
            flags = QStandardItem(disclosure_text(entry))
            flags.setEditable(False)
            flags.setData(bytes(entry.id), EntryRole.ENTRY_ID)
            group.appendRow([title, flags])
        for group in groups.values():
            count = group.rowCount()
            group.setData(
                f"{group.text()}, {entries_text(count)}", Qt.ItemDataRole.AccessibleTextRole
            )

    @property
    def entries(self) -> list[EntryView]:
        """The entries shown."""
        return list(self._entries)

    def index_of(self, slug: str) -> QModelIndex:
        """The title item of the entry named ``slug`` (invalid when not listed)."""
        for row in range(self.rowCount()):
            group = self.index(row, 0)
            for child in range(self.rowCount(group)):
                index = self.index(child, 0, group)
                if index.data(EntryRole.SLUG) == slug:
                    return index
        return QModelIndex()


class AuthorPanel(QWidget):
    """``identity``'s directory (mine too, when it is my own profile)."""

    def __init__(self, ui: UiContext, identity: IdentityKey, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.identity = identity
        self.setAccessibleName(self.tr("References Directory of this person"))
        self.summary = QLabel(self.tr("Loading…"), self)
        self.summary.setAccessibleName(self.tr("Directory summary"))
        self.model = GroupedEntriesModel(self)
        self.view = QTreeView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Entries by category"))
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setUniformRowHeights(True)
        self.view.setVisible(False)
        self.detail = EntryDetailView(ui, self)
        self.detail.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 2)
        layout.addWidget(self.detail, 1)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self._reads = Refresher(ui.service, self, self._fetch, self._show)
        ui.service.records_changed.connect(self._reads.request)
        ui.service.unlocked.connect(self._reads.request)
        self._reads.request()

    @property
    def busy(self) -> bool:
        """Whether a read is waiting or running."""
        return self._reads.busy

    async def _fetch(self) -> list[EntryView]:
        return await self.ui.service.call(load_entries, self.identity)

    def _show(self, entries: list[EntryView]) -> None:
        slug = self.view.currentIndex().siblingAtColumn(0).data(EntryRole.SLUG)
        self.model.set_entries(entries)
        if slug is not None and (index := self.model.index_of(slug)).isValid():
            self.view.setCurrentIndex(index)
        self.view.expandAll()
        self.view.resizeColumnToContents(0)
        self.view.setVisible(bool(entries))
        self.summary.setText(
            f"{entries_text(len(entries))}." if entries else self.tr("No entries yet.")
        )

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry_id = current.siblingAtColumn(0).data(EntryRole.ENTRY_ID)
        if entry_id is not None:
            self.detail.setVisible(True)
            self.detail.show_entry(RecordId(entry_id))
