"""A new passphrase, typed twice, with a live strength meter and a hint."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar, QWidget

from .passphrase_strength import LEVEL_NAMES, estimate_strength


class PassphrasePair(QWidget):
    """A new passphrase typed twice, with a live strength meter and hint."""

    changed = Signal()
    """Either field changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName(self.tr("Passphrase"))
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setAccessibleName(self.tr("Repeat the passphrase"))
        self.meter = QProgressBar()
        self.meter.setRange(0, len(LEVEL_NAMES) - 1)
        self.meter.setAccessibleName(self.tr("Passphrase strength"))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName(self.tr("Passphrase advice"))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("&Passphrase:"), self.first)
        form.addRow(self.tr("&Repeat it:"), self.second)
        form.addRow(self.tr("Strength:"), self.meter)
        form.addRow("", self.hint)
        for field in (self.first, self.second):
            field.textChanged.connect(self._update)
        self._update()

    def passphrase(self) -> str:
        """The passphrase as typed."""
        return self.first.text()

    def is_acceptable(self) -> bool:
        """Long enough, and both entries are the same."""
        return estimate_strength(self.first.text()).acceptable and (
            self.first.text() == self.second.text()
        )

    def clear(self) -> None:
        """Empty both fields."""
        self.first.clear()
        self.second.clear()

    def _update(self) -> None:
        first, second = self.first.text(), self.second.text()
        strength = estimate_strength(first)
        self.meter.setValue(strength.level)
        # The estimate's texts are English source texts (marked there); shown translated here.
        name = QCoreApplication.translate("PassphraseStrength", strength.name)
        self.meter.setFormat(name if first else "")
        hint = (
            QCoreApplication.translate("PassphraseStrength", strength.hint)
            if first
            else self.tr("Choose a passphrase of at least 8 characters.")
        )
        if second and strength.acceptable and second != first:
            hint = self.tr("The two entries differ.")
        self.hint.setText(hint)
        self.changed.emit()
