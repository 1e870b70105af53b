"""A read-only table over a list of frozen values: the base of every Ratings list model.

The widgets replace the rows whole on each refresh (a person has tens of deals and ratings, not
millions); an unchanged list leaves the model, and the view's selection, untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

type AnyIndex = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""The role that gives the row's value itself (any column)."""


class TableModel[T](QAbstractTableModel):
    """Rows of ``T``, one per row; read-only.

    Rules for subclasses: set :attr:`columns` (English marks, translated in the subclass's
    context through ``self.tr``), implement :meth:`cells` (one display text per column) and
    :meth:`describe` (one sentence for screen readers and tooltips).
    """

    columns: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    # -- what subclasses provide ------------------------------------------------------------

    def cells(self, row: T) -> tuple[str, ...]:
        """The texts of ``row``, one per column."""
        raise NotImplementedError

    def describe(self, row: T) -> str:
        """``row`` as one sentence."""
        return ", ".join(text for text in self.cells(row) if text)

    def tooltip(self, row: T, column: int) -> str:
        """The tooltip of one cell (default: the row's sentence)."""
        return self.describe(row)

    # -- Qt's model interface ----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 (Qt override)
        """How many rows (0 under any valid parent: a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 (Qt override)
        """The :attr:`columns` (0 under any valid parent)."""
        return 0 if parent.isValid() else len(self.columns)

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802 (Qt override)
        """Qt's role names and ``"row"``."""
        names = super().roleNames()
        names[int(ROW_ROLE)] = QByteArray(b"row")
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
        """Column titles, translated."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.tr(self.columns[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """DisplayRole per column; AccessibleTextRole a whole sentence; ToolTipRole per cell;
        :data:`ROW_ROLE` the row's value."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            cells = self.cells(row)
            return cells[index.column()] if index.column() < len(cells) else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.describe(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, index.column())
        if role == ROW_ROLE:
            return row
        return None

    # -- the rows -----------------------------------------------------------------------------

    @property
    def rows(self) -> list[T]:
        """A copy of the rows, in order."""
        return list(self._rows)

    def row_at(self, row: int) -> T:
        """The value shown in ``row``."""
        return self._rows[row]

    def find(self, match: Callable[[T], bool]) -> int | None:
        """The first row whose value matches, if any."""
        for number, value in enumerate(self._rows):
            if match(value):
                return number
        return None

    def texts(self) -> list[list[str]]:
        """Every row's display texts (what a sighted user reads)."""
        return [list(self.cells(row)) for row in self._rows]

    def set_rows(self, rows: Sequence[T]) -> None:
        """Show ``rows`` instead of the current ones (an unchanged list is left alone)."""
        new = list(rows)
        if new == self._rows:
            return
        self.beginResetModel()
        self._rows = new
        self.endResetModel()
