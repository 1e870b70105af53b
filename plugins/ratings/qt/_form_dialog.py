"""The shape every Ratings dialog shares: a form, an inline message, a main button and Cancel.

The main button runs the dialog's core call in the worker thread; the dialog stays open with the
core's sentence shown inline when the core refuses, and closes only once the work is done.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import start


def note_label(text: str, parent: QWidget, *, name: str) -> QLabel:
    """A wrapped, selectable explanation with an accessible name."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class FormDialog(QDialog):
    """A dialog around a :class:`QFormLayout` (:attr:`form`).

    Rules for subclasses: call :meth:`set_titles`, fill :attr:`form`, call :meth:`check` when a
    field changes, implement :meth:`problem` (a sentence, or None when the form can be
    submitted) and :meth:`work` (the core call; its result is emitted by :attr:`succeeded`
    before the dialog closes).
    """

    succeeded = Signal(object)
    """The core call's result, just before the dialog closes."""

    def __init__(self, ui: UiContext, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.saving = False
        self.body = QWidget(self)
        self.form = QFormLayout(self.body)
        self.message = note_label("", self, name=self.tr("Problem with this form"))
        self.message.setStyleSheet("color: #b3261e;")
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.submit_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.body, 1)
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self.buttons)

    def set_titles(self, title: str, action: str) -> None:
        """The window's title and the main button's text (translated by the subclass)."""
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.submit_button.setText(action)
        self.submit_button.setAccessibleName(action.replace("&", "").rstrip("…"))

    @property
    def cancel_button(self) -> QPushButton:
        """The Cancel button."""
        button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert button is not None
        return button

    def problem(self) -> str | None:
        """Why the form cannot be submitted yet, or None."""
        return None

    def work(self) -> Awaitable[Any]:
        """The core call (through ``self.ui.service``)."""
        raise NotImplementedError

    def show_message(self, text: str) -> None:
        """Show ``text`` under the form (empty: hide the message)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def check(self) -> None:
        """Show the form's problem, if any, and enable the main button when there is none."""
        problem = self.problem()
        self.show_message(problem or "")
        self.submit_button.setEnabled(problem is None and not self.saving)

    def submit(self) -> None:
        """Run the core call; close when it succeeded, else show why not."""
        if self.saving or self.problem() is not None:
            return
        self._set_saving(True)
        start(self.ui.service, self, self.work, self._done, self._failed)

    def _done(self, result: object) -> None:
        self._set_saving(False)
        self.succeeded.emit(result)
        self.accept()

    def _failed(self, sentence: str) -> None:
        self._set_saving(False)
        self.show_message(sentence)

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        self.body.setEnabled(not saving)
        self.check()
        if saving:
            self.submit_button.setEnabled(False)

    def reject(self) -> None:
        """Cancel, unless the core call is under way (it finishes first)."""
        if not self.saving:
            super().reject()
