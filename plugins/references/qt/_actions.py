"""What the References page does to my directory: new, edit, delete, export as HTML.

Each is a :class:`QAction` (buttons and shortcuts share them) whose work runs in the core's
thread; a successful write emits ``service.records_changed`` so every view re-reads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import alive, start

from ..core import EntryView
from ._calls import export_html, remove_entry
from ._category_model import entries_text
from ._entry_dialog import EntryDialog


class EntryActions(QObject):
    """The page's actions on my entries; ``selected()`` names the entry they act on."""

    saved = Signal(object)
    """An entry was added or edited (the stored :class:`EntryView`)."""
    message = Signal(str)
    """A sentence for the page's status line."""

    def __init__(
        self,
        ui: UiContext,
        page: QWidget,
        selected: Callable[[], EntryView | None],
        is_mine: Callable[[EntryView], bool],
    ) -> None:
        super().__init__(page)
        self.ui = ui
        self.page = page
        self._selected = selected
        self._is_mine = is_mine
        self.dialog: EntryDialog | None = None
        """The open add/edit dialog, if any."""
        self.new = self._action(
            self.tr("&New entry…"), self.tr("Add an entry to my directory"), self.new_entry
        )
        self.new.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.new.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        page.addAction(self.new)
        self.edit = self._action(
            self.tr("&Edit…"), self.tr("Edit the selected entry"), self.edit_entry
        )
        self.delete = self._action(
            self.tr("&Delete…"), self.tr("Delete the selected entry"), self.delete_entry
        )
        self.export = self._action(
            self.tr("E&xport as HTML…"),
            self.tr("Export my directory as a web page"),
            self.export_html,
        )
        self.edit.setEnabled(False)
        self.delete.setEnabled(False)

    def _action(self, text: str, tip: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def update_enabled(self) -> None:
        """Edit and Delete work on my own selected entry only."""
        entry = self._selected()
        mine = entry is not None and self._is_mine(entry)
        self.edit.setEnabled(mine)
        self.delete.setEnabled(mine)

    # -- add and edit ---------------------------------------------------------------------

    def new_entry(self) -> None:
        """Open the dialog for a new entry."""
        self._open_dialog(None)

    def edit_entry(self) -> None:
        """Open the dialog on the selected entry, if mine."""
        entry = self._selected()
        if entry is not None and self._is_mine(entry):
            self._open_dialog(entry)

    def _open_dialog(self, entry: EntryView | None) -> None:
        if self.dialog is not None and alive(self.dialog) and self.dialog.isVisible():
            self.dialog.raise_()
            return
        dialog = EntryDialog(self.ui, entry, self.page)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()

    def _saved(self, entry: EntryView) -> None:
        self.message.emit(self.tr("Saved “{title}”.").format(title=entry.title))
        self.saved.emit(entry)
        self.ui.service.records_changed.emit()

    # -- delete ---------------------------------------------------------------------------

    def delete_entry(self) -> None:
        """Delete the selected entry (mine) once the person confirms."""
        entry = self._selected()
        if entry is None or not self._is_mine(entry):
            return
        answer = QMessageBox.question(
            self.page,
            self.tr("Delete entry"),
            self.tr(
                "Delete “{title}” from your directory?\n\n"
                "It is removed here, and from the people who hold your directory as your "
                "deletion reaches them."
            ).format(title=entry.title),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(remove_entry, entry.id),
            lambda _: self._deleted(entry),
        )

    def _deleted(self, entry: EntryView) -> None:
        self.message.emit(self.tr("Deleted “{title}”.").format(title=entry.title))
        self.ui.service.records_changed.emit()

    # -- export ---------------------------------------------------------------------------

    def export_html(self) -> None:
        """Ask where, then write my directory as a static HTML page there."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _ = QFileDialog.getSaveFileName(
            self.page,
            self.tr("Export my directory as HTML"),
            str(Path(folder or Path.home()) / "references.html"),
            self.tr("Web pages (*.html *.htm)"),
        )
        if not chosen:
            return
        path = Path(chosen)
        self.message.emit(self.tr("Exporting to {path}…").format(path=path))
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(export_html, path),
            lambda count: self.message.emit(
                self.tr("Wrote {entries} to {path}.").format(entries=entries_text(count), path=path)
            ),
            lambda sentence: self.message.emit(
                self.tr("Export failed: {reason}").format(reason=sentence)
            ),
        )
