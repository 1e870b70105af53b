"""Add or edit one of my entries: the form, an inline message, Save and Cancel.

Save publishes through the core thread; the dialog stays open (with the core's sentence shown
inline) when the core refuses the entry, and closes only once the entry is signed and stored.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import start

from ..core import EntryDraft, EntryView
from ._calls import add_entry, update_entry
from ._entry_form import EntryForm


class EntryDialog(QDialog):
    """A new entry (``entry`` None) or a new version of ``entry``; emits :attr:`saved`."""

    saved = Signal(object)
    """The entry as stored (an :class:`EntryView`), just before the dialog closes."""

    def __init__(
        self, ui: UiContext, entry: EntryView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = ui
        self.entry = entry
        self.saving = False
        self.setWindowTitle(self.tr("New entry") if entry is None else self.tr("Edit entry"))
        self.setAccessibleName(self.windowTitle())
        self.form = EntryForm(self)
        if entry is not None:
            self.form.fill(entry)
        self.form.changed.connect(self._check)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Problem with this entry"))
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, 620)
        self._check()
        self.form.title.setFocus()

    @property
    def save_button(self) -> QPushButton:
        """The Save button (disabled while the form shows a problem or a save runs)."""
        button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert button is not None
        return button

    def show_message(self, text: str) -> None:
        """Show ``text`` under the form (empty: hide the message)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _check(self) -> None:
        problem = self.form.problem()
        self.show_message(problem or "")
        self.save_button.setEnabled(problem is None and not self.saving)

    def submit(self) -> None:
        """Publish the entry; close when stored, else show why not."""
        if self.saving or self.form.problem() is not None:
            return
        draft = self.form.draft()
        self._set_saving(True)
        start(self.ui.service, self, lambda: self._save(draft), self._done, self._failed)

    async def _save(self, draft: EntryDraft) -> EntryView:
        if self.entry is None:
            return await self.ui.service.call(add_entry, draft)
        return await self.ui.service.call(update_entry, self.entry.id, draft)

    def _done(self, stored: EntryView) -> None:
        self._set_saving(False)
        self.saved.emit(stored)
        self.accept()

    def _failed(self, sentence: str) -> None:
        self._set_saving(False)
        self.show_message(sentence)

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        self.form.setEnabled(not saving)
        self._check()

    def reject(self) -> None:
        """Cancel, unless a save is under way (it finishes first)."""
        if not self.saving:
            super().reject()
