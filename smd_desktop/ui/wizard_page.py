"""The first-run wizard's page ids and its base page (busy bar, error line, no double work)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget, QWizard, QWizardPage

CHOICE, CREATE, PHRASE, CONFIRM, RESTORE, BACKUP = range(6)
"""The wizard's page ids."""


class WizardPage(QWizardPage):
    """A page with a busy bar and an error line at the bottom (``body`` holds the rest)."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.body = QVBoxLayout()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # indeterminate: Argon2id gives no progress
        self.busy_bar.setAccessibleName(self.tr("Working"))
        self.busy_bar.hide()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Error message"))
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.hide()
        outer = QVBoxLayout(self)
        outer.addLayout(self.body)
        outer.addStretch(1)
        outer.addWidget(self.busy_bar)
        outer.addWidget(self.error_label)
        self.busy = False

    def show_error(self, text: str) -> None:
        """Show ``text`` (a sentence) under the page's fields."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        """Show the busy bar and lock the page and the wizard's buttons (or undo that)."""
        self.busy = busy
        self.busy_bar.setVisible(busy)
        for child in self.findChildren(QWidget):
            if child is not self.busy_bar and child is not self.error_label:
                child.setEnabled(not busy)
        self.completeChanged.emit()  # QWizard recomputes Next/Finish/Back from here ...
        wizard = self.wizard()
        if wizard is not None:
            wizard.button(QWizard.WizardButton.CancelButton).setEnabled(not busy)
            if busy:  # ... so lock Back after it
                wizard.button(QWizard.WizardButton.BackButton).setEnabled(False)

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        """Nothing may advance while the core works."""
        return not self.busy and self.ready()

    def ready(self) -> bool:
        """Whether the fields are filled in well enough to go on (subclasses)."""
        return True

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        """QWizard.next() does not ask isComplete(); a disabled button alone is not enough."""
        return self.isComplete()
