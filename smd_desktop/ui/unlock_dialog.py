"""The dialog that unlocks an existing profile with its passphrase.

Argon2id runs in the core service's worker thread, so the window stays responsive while a busy
bar shows; a wrong passphrase is said on the dialog and the field is selected for another try
(nothing on disk changes: the core guarantees it). The dialog is accepted once the profile is
open.
"""

from __future__ import annotations

import contextlib

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .i18n import QT_TRANSLATE_NOOP
from .onboarding import as_sentence
from .service import CoreService

WRONG_PASSPHRASE = QT_TRANSLATE_NOOP(
    "UnlockDialog", "That passphrase does not open this profile. Try again."
)
"""The English text; the dialog shows it translated."""


class UnlockDialog(QDialog):
    """Asks for the passphrase until the profile opens; ``accepted`` then.

    Rule: show it only once the Trio guest runs. Quitting is refused while an attempt runs.
    """

    def __init__(self, service: CoreService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.busy = False
        self.setWindowTitle(self.tr("Unlock SMD"))
        self.setMinimumWidth(380)
        prompt = QLabel(self.tr("Enter your &passphrase to unlock your profile."))
        prompt.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        prompt.setBuddy(self.passphrase)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # indeterminate: Argon2id gives no progress
        self.busy_bar.setAccessibleName(self.tr("Unlocking"))
        self.busy_bar.hide()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Error message"))
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.hide()
        buttons = QDialogButtonBox()
        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.quit_button = QPushButton(self.tr("&Quit"))
        self.quit_button.setAccessibleName(self.tr("Quit"))
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.unlock_button.clicked.connect(self.attempt)
        self.quit_button.clicked.connect(self.reject)
        self.passphrase.returnPressed.connect(self.attempt)
        self.passphrase.textChanged.connect(self._update_button)
        self.finished.connect(self._forget)
        service.error.connect(self._on_error)
        self._update_button()

    def attempt(self) -> None:
        """Try the typed passphrase (in the core's worker thread)."""
        passphrase = self.passphrase.text()
        if self.busy or not passphrase:
            return
        if not self.service.guest.running:
            self.show_error(self.tr("SMD is still starting; try again in a moment."))
            return
        self.show_error("")
        self._set_busy(True)
        self.service.run(self._unlock, passphrase)

    async def _unlock(self, passphrase: str) -> None:
        try:
            opened = await self.service.unlock(passphrase)
        finally:
            self._set_busy(False)
        if opened:
            self.accept()
        else:
            self.show_error(self.tr(WRONG_PASSPHRASE))

    def show_error(self, text: str) -> None:
        """Show ``text`` (a sentence) on the dialog and select the field for another try."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        if text:
            self.passphrase.setFocus()
            self.passphrase.selectAll()

    def _on_error(self, text: str) -> None:
        self.show_error(as_sentence(text))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_bar.setVisible(busy)
        self.passphrase.setEnabled(not busy)
        self.quit_button.setEnabled(not busy)
        self._update_button()

    def _update_button(self) -> None:
        self.unlock_button.setEnabled(not self.busy and bool(self.passphrase.text()))

    def reject(self) -> None:
        """Quit, unless an attempt is running (it would open the profile after we closed)."""
        if not self.busy:
            super().reject()

    def _forget(self) -> None:
        self.passphrase.clear()
        with contextlib.suppress(RuntimeError):  # already disconnected
            self.service.error.disconnect(self._on_error)
