"""The category tree of the References page, built from the entries it lists.

One root item, "All categories", holds every category path met, nested by segment; each item
shows how many entries are filed there or below. Selecting an item lists the entries of that
category and its subcategories (:func:`in_category`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP

from ..core import EntryView

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
"""An item's category path (a tuple of segments; ``()`` for "All categories")."""
ALL_CATEGORIES = QT_TRANSLATE_NOOP("CategoryModel", "All categories")
"""The root item's name (English: the model shows it translated)."""


def in_category(entry: EntryView, path: tuple[str, ...]) -> bool:
    """Whether ``entry`` is filed under ``path`` (there or below; everything under ``()``)."""
    return entry.category[: len(path)] == path


def entries_text(count: int) -> str:
    """``1 entry``, ``3 entries`` (translated)."""
    text = QCoreApplication.translate("CategoryModel", "%n entries", "", count)
    # Untranslated, Qt gives the source with %n filled in; English says "1 entry" (the
    # "(s)" of english_plural does not fit "entries").
    return "1 entry" if text == "1 entries" else text


def category_counts(categories: Iterable[tuple[str, ...]]) -> Counter[tuple[str, ...]]:
    """How many entries each path holds, itself and below (every prefix counted)."""
    counts: Counter[tuple[str, ...]] = Counter()
    for category in categories:
        for depth in range(len(category) + 1):
            counts[category[:depth]] += 1
    return counts


class CategoryModel(QStandardItemModel):
    """A read-only tree of category paths with entry counts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels([self.tr("Category")])
        self._counts: Counter[tuple[str, ...]] = Counter()
        self.set_entries(())

    def set_entries(self, entries: Sequence[EntryView]) -> None:
        """Rebuild the tree for ``entries`` (left alone when the counts did not change)."""
        counts = category_counts(e.category for e in entries)
        if counts == self._counts and self.rowCount() > 0:
            return
        self._counts = counts
        self.removeRows(0, self.rowCount())
        root = self._item(self.tr(ALL_CATEGORIES), (), counts[()])
        items: dict[tuple[str, ...], QStandardItem] = {(): root}
        for path in sorted((p for p in counts if p), key=lambda p: [s.casefold() for s in p]):
            item = self._item(path[-1], path, counts[path])
            items[path[:-1]].appendRow(item)
            items[path] = item
        self.appendRow(root)

    @staticmethod
    def _item(name: str, path: tuple[str, ...], count: int) -> QStandardItem:
        item = QStandardItem(f"{name} ({count})")
        item.setEditable(False)
        item.setData(path, PATH_ROLE)
        item.setData(f"{name}, {entries_text(count)}", Qt.ItemDataRole.AccessibleTextRole)
        return item

    def path_at(self, index: QModelIndex) -> tuple[str, ...]:
        """The category path of ``index`` (``()`` for the root or an invalid index)."""
        if not index.isValid():
            return ()
        path = index.data(PATH_ROLE)
        return tuple(path) if path else ()

    def index_of(self, path: tuple[str, ...]) -> QModelIndex:
        """The item of ``path``, or its closest listed ancestor (the root at worst)."""
        index = self.index(0, 0)
        for segment in path:
            for row in range(self.rowCount(index)):
                child = self.index(row, 0, index)
                if self.path_at(child)[-1] == segment:
                    index = child
                    break
            else:
                break
        return index
