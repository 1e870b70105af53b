"""The entries list of the References page: a flat table model over :class:`EntryView` rows.

The page replaces the rows whole on each refresh (a directory holds hundreds of entries, not
millions); an unchanged list leaves the model (and the view's selection) untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP

from ..core import EntryView
from ._calls import author_label
from ._labels import badge

type AnyIndex = QModelIndex | QPersistentModelIndex

COLUMNS = (
    QT_TRANSLATE_NOOP("EntriesModel", "Title"),
    QT_TRANSLATE_NOOP("EntriesModel", "Category"),
    QT_TRANSLATE_NOOP("EntriesModel", "Author"),
    QT_TRANSLATE_NOOP("EntriesModel", "Disclosures"),
)
"""The columns, in order (English: the header shows them translated)."""


class EntryRole(IntEnum):
    """The model's custom data roles (any column)."""

    ENTRY_ID = Qt.ItemDataRole.UserRole + 1
    """The record id of the entry's current version (bytes)."""
    AUTHOR = Qt.ItemDataRole.UserRole + 2
    """The author's identity key (bytes)."""
    SLUG = Qt.ItemDataRole.UserRole + 3
    """The entry's stable name among its author's entries."""


_ROLE_NAMES = {role: role.name.lower().encode() for role in EntryRole}


def disclosure_text(entry: EntryView) -> str:
    """The entry's disclosure badges as a short text (``Affiliate, Received free``),
    translated."""
    return ", ".join(badge(flag) for flag in entry.disclosures)


def category_text(entry: EntryView) -> str:
    """The category path for display (``Audio / Microphones``)."""
    return " / ".join(entry.category)


class EntriesModel(QAbstractTableModel):
    """Entries, one per row; read-only."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[EntryView] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 (Qt override)
        """How many entries (0 under any valid parent: a flat table)."""
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 (Qt override)
        """The :data:`COLUMNS` (0 under any valid parent)."""
        return 0 if parent.isValid() else len(COLUMNS)

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802 (Qt override)
        """Role names, like ``"entry_id"``."""
        names = super().roleNames()
        names.update({int(r): QByteArray(n) for r, n in _ROLE_NAMES.items()})
        return names

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Rows are enabled and selectable, never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(  # noqa: N802 (Qt override)
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Column titles."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """DisplayRole per column; AccessibleTextRole and ToolTipRole a whole sentence; see
        :class:`EntryRole`."""
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        match role:
            case Qt.ItemDataRole.DisplayRole:
                cells = (entry.title, category_text(entry), author_label(entry))
                column = index.column()
                return cells[column] if column < len(cells) else disclosure_text(entry)
            case Qt.ItemDataRole.AccessibleTextRole | Qt.ItemDataRole.ToolTipRole:
                return describe(entry)
            case EntryRole.ENTRY_ID:
                return bytes(entry.id)
            case EntryRole.AUTHOR:
                return bytes(entry.author)
            case EntryRole.SLUG:
                return entry.slug
        return None

    @property
    def entries(self) -> list[EntryView]:
        """A copy of the rows, in order."""
        return list(self._entries)

    def entry_at(self, row: int) -> EntryView:
        """The entry shown in ``row``."""
        return self._entries[row]

    def row_of(self, author: bytes, slug: str) -> int | None:
        """The row of the entry (author, slug), if listed."""
        for row, entry in enumerate(self._entries):
            if entry.author == author and entry.slug == slug:
                return row
        return None

    def row_of_id(self, entry_id: bytes) -> int | None:
        """The row whose entry version is ``entry_id``, if listed."""
        for row, entry in enumerate(self._entries):
            if entry.id == entry_id:
                return row
        return None

    def set_entries(self, entries: Sequence[EntryView]) -> None:
        """Show ``entries`` instead of the current rows (an unchanged list is left alone)."""
        new = list(entries)
        if new == self._entries:
            return
        self.beginResetModel()
        self._entries = new
        self.endResetModel()


def describe(entry: EntryView) -> str:
    """One sentence for screen readers and tooltips (translated)."""
    if entry.category:
        text = QCoreApplication.translate(
            "EntriesModel", "{title}, in {category}, by {author}"
        ).format(title=entry.title, category=category_text(entry), author=author_label(entry))
    else:
        text = QCoreApplication.translate("EntriesModel", "{title}, by {author}").format(
            title=entry.title, author=author_label(entry)
        )
    if entry.disclosures:
        text = QCoreApplication.translate(
            "EntriesModel", "{entry}; discloses: {disclosures}"
        ).format(entry=text, disclosures=disclosure_text(entry))
    return text
