"""The first-run wizard's pages: choose, create (name and passphrase, phrase, three words back),
restore from a phrase, restore from a backup file.

Pages hold fields and checks; the work (creating, restoring, importing) is started through
their wizard's :meth:`~smd_desktop.ui.onboarding.OnboardingWizard.start`, which runs it in the
core and keeps the page busy meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWizard,
)

from ..core.content import MAX_NAME_CHARS
from .passphrase_pair import PassphrasePair
from .recovery_phrase import PHRASE_WORDS, numbered, phrase_problem
from .wizard_page import BACKUP, CONFIRM, CREATE, PHRASE, RESTORE, WizardPage

if TYPE_CHECKING:
    from .onboarding import OnboardingWizard

CONFIRM_WORDS = 3
"""How many words of the new phrase are asked back."""


class ChoicePage(WizardPage):
    """Create a new identity, or restore one."""

    def __init__(self) -> None:
        super().__init__(
            self.tr("Welcome to SMD"),
            self.tr("Your profile lives only on your devices, encrypted with your passphrase."),
        )
        self.create_choice = QRadioButton(self.tr("&Create a new identity"))
        self.create_choice.setAccessibleName(self.tr("Create a new identity"))
        self.restore_choice = QRadioButton(self.tr("Restore from a recovery &phrase"))
        self.restore_choice.setAccessibleName(self.tr("Restore from a recovery phrase"))
        self.backup_choice = QRadioButton(self.tr("Restore from a &backup file"))
        self.backup_choice.setAccessibleName(self.tr("Restore from a backup file"))
        self.create_choice.setChecked(True)
        for button in (self.create_choice, self.restore_choice, self.backup_choice):
            self.body.addWidget(button)

    def nextId(self) -> int:  # noqa: N802 (Qt override)
        """The page of the chosen path."""
        if self.restore_choice.isChecked():
            return RESTORE
        return BACKUP if self.backup_choice.isChecked() else CREATE


class CreatePage(WizardPage):
    """Display name and passphrase; leaving it creates the identity (no way back after)."""

    def __init__(self, wizard: OnboardingWizard) -> None:
        super().__init__(
            self.tr("Create your identity"), self.tr("Choose how others see you and a passphrase.")
        )
        self._owner = wizard
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_NAME_CHARS)
        self.name.setAccessibleName(self.tr("Display name"))
        self.passphrases = PassphrasePair()
        form = QFormLayout()
        form.addRow(self.tr("Display &name:"), self.name)
        self.body.addLayout(form)
        self.body.addWidget(self.passphrases)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Create identity"))
        self.name.textChanged.connect(self.completeChanged)
        self.passphrases.changed.connect(self.completeChanged)

    def ready(self) -> bool:
        """A name and an acceptable passphrase, typed twice alike."""
        return bool(self.name.text().strip()) and self.passphrases.is_acceptable()

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        """Start creating; the wizard moves on by itself once the phrase exists."""
        if self._owner.phrase:
            return True
        if self.isComplete():
            self._owner.start(
                self,
                self._owner.service.create,
                (self.passphrases.passphrase(), self.name.text().strip()),
                self._owner.phrase_created,
            )
        return False

    def nextId(self) -> int:  # noqa: N802 (Qt override)
        """The phrase."""
        return PHRASE


class PhrasePage(WizardPage):
    """The 24 words, numbered, until the user says they are written down."""

    def __init__(self) -> None:
        super().__init__(
            self.tr("Your recovery phrase"),
            self.tr(
                "Write these 24 words down on paper, in order, and keep them safe. They are the "
                "only way to recover your identity, and they are shown only now."
            ),
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        for column in range(1, 8, 2):
            grid.setColumnMinimumWidth(column, 90)  # the longest BIP39 word fits
        self.words: list[QLabel] = []
        rows = PHRASE_WORDS // 4
        for i in range(PHRASE_WORDS):
            number = QLabel(f"{i + 1}.")
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            word = QLabel()
            word.setObjectName(f"word_{i + 1}")
            word.setAccessibleName(self.tr("Word {n}").format(n=i + 1))
            word.setStyleSheet("font-weight: bold;")
            number.setBuddy(word)
            grid.addWidget(number, i % rows, 2 * (i // rows))
            grid.addWidget(word, i % rows, 2 * (i // rows) + 1)
            self.words.append(word)
        self.body.addLayout(grid)
        self.written = QCheckBox(self.tr("I &wrote it down"))
        self.written.setAccessibleName(self.tr("I wrote the recovery phrase down"))
        self.written.toggled.connect(self.completeChanged)
        self.body.addWidget(self.written)

    def set_phrase(self, phrase: str) -> None:
        """Show ``phrase`` (empty: wipe it)."""
        words = phrase.split() or [""] * PHRASE_WORDS
        for label, word in zip(self.words, words, strict=True):
            label.setText(word)

    def ready(self) -> bool:
        """Once the box is ticked."""
        return self.written.isChecked()

    def nextId(self) -> int:  # noqa: N802 (Qt override)
        """The check."""
        return CONFIRM


class ConfirmPage(WizardPage):
    """Three words of the phrase, asked back; the last page of the create path."""

    def __init__(self, wizard: OnboardingWizard) -> None:
        super().__init__(
            self.tr("Check your recovery phrase"),
            self.tr("Type these words from what you wrote down."),
        )
        self._owner = wizard
        self.positions: list[int] = []
        """The 1-based positions asked for."""
        self.labels: list[QLabel] = []
        self.answers: list[QLineEdit] = []
        self._form = QFormLayout()
        self.body.addLayout(self._form)
        for _ in range(CONFIRM_WORDS):
            label, answer = QLabel(), QLineEdit()
            answer.setAccessibleName(self.tr("A word of the recovery phrase"))  # numbered in ask()
            label.setBuddy(answer)
            answer.textChanged.connect(self.completeChanged)
            self._form.addRow(label, answer)
            self.labels.append(label)
            self.answers.append(answer)

    def ask(self, positions: list[int]) -> None:
        """Ask for the words at ``positions`` (1-based)."""
        self.positions = positions
        for label, answer, n in zip(self.labels, self.answers, positions, strict=True):
            label.setText(self.tr("Word {n}:").format(n=n))
            answer.setAccessibleName(self.tr("Word number {n} of the recovery phrase").format(n=n))
            answer.clear()

    def ready(self) -> bool:
        """Every word typed."""
        return all(a.text().strip() for a in self.answers)

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        """The words match the phrase; else say which do not."""
        if not self.isComplete():
            return False
        words = self._owner.phrase.split()
        wrong = [
            n
            for n, answer in zip(self.positions, self.answers, strict=True)
            if answer.text().strip().lower() != words[n - 1]
        ]
        if not wrong:
            return True
        if len(wrong) == 1:
            text = self.tr(
                "{words} does not match your recovery phrase. Check what you wrote down, or go "
                "Back to see the phrase again."
            )
        else:
            text = self.tr(
                "{words} do not match your recovery phrase. Check what you wrote down, or go "
                "Back to see the phrase again."
            )
        self.show_error(text.format(words=numbered(wrong)))
        first = self.answers[self.positions.index(wrong[0])]
        first.setFocus()
        first.selectAll()
        return False

    def nextId(self) -> int:  # noqa: N802 (Qt override)
        """The end."""
        return -1


class RestorePage(WizardPage):
    """A recovery phrase, an optional name and a new passphrase; restores as a new device."""

    def __init__(self, wizard: OnboardingWizard) -> None:
        super().__init__(
            self.tr("Restore from your recovery phrase"),
            self.tr("This computer becomes a new device of your identity."),
        )
        self._owner = wizard
        self.phrase = QPlainTextEdit()
        self.phrase.setTabChangesFocus(True)
        self.phrase.setAccessibleName(self.tr("Recovery phrase"))
        self.phrase.setPlaceholderText(self.tr("The 24 words, separated by spaces"))
        self.phrase_hint = QLabel()
        self.phrase_hint.setWordWrap(True)
        self.phrase_hint.setAccessibleName(self.tr("Recovery phrase check"))
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_NAME_CHARS)
        self.name.setAccessibleName(self.tr("Display name (optional)"))
        self.name.setPlaceholderText(self.tr("Optional: keeps your current name if empty"))
        self.passphrases = PassphrasePair()
        label = QLabel(self.tr("Recovery &phrase:"))
        label.setBuddy(self.phrase)
        self.body.addWidget(label)
        self.body.addWidget(self.phrase)
        self.body.addWidget(self.phrase_hint)
        form = QFormLayout()
        form.addRow(self.tr("Display &name:"), self.name)
        self.body.addLayout(form)
        self.body.addWidget(self.passphrases)
        self.phrase.textChanged.connect(self._phrase_changed)
        self.passphrases.changed.connect(self.completeChanged)
        self.done = False

    def _phrase_changed(self) -> None:
        self.phrase_hint.setText(phrase_problem(self.phrase.toPlainText(), partial=True) or "")
        self.show_error("")
        self.completeChanged.emit()

    def ready(self) -> bool:
        """Some phrase and an acceptable passphrase."""
        return bool(self.phrase.toPlainText().strip()) and self.passphrases.is_acceptable()

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        """Check the words here, then restore in the core; the wizard finishes after."""
        if self.done:
            return True
        if not self.isComplete():
            return False
        text = self.phrase.toPlainText()
        problem = phrase_problem(text)
        if problem is not None:
            self.show_error(problem)
            self.phrase.setFocus()
            return False
        self._owner.start(
            self,
            self._owner.service.restore,
            (self.passphrases.passphrase(), " ".join(text.lower().split()), self._name()),
            self._restored,
        )
        return False

    def _name(self) -> str | None:
        return self.name.text().strip() or None

    def _restored(self, _: None) -> None:
        self.done = True
        self._owner.accept()

    def nextId(self) -> int:  # noqa: N802 (Qt override)
        """The end."""
        return -1


class BackupPage(WizardPage):
    """A backup file and its passphrase; the profile here keeps that passphrase."""

    def __init__(self, wizard: OnboardingWizard) -> None:
        super().__init__(
            self.tr("Restore from a backup file"),
            self.tr(
                "This computer becomes a new device of the identity in the backup. Your profile "
                "here is protected by the backup's passphrase; you can change it later."
            ),
        )
        self._owner = wizard
        self.path = QLineEdit()
        self.path.setAccessibleName(self.tr("Backup file"))
        self.browse = QPushButton(self.tr("C&hoose…"))
        self.browse.setAccessibleName(self.tr("Choose the backup file"))
        self.browse.clicked.connect(self._browse)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("The backup's passphrase"))
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(self.tr("Backup &file:"), row)
        form.addRow(self.tr("Its &passphrase:"), self.passphrase)
        self.body.addLayout(form)
        for field in (self.path, self.passphrase):
            field.textChanged.connect(self.completeChanged)
        self.done = False
        self.imported = 0
        """How many records the backup held, once restored."""

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a backup file"), str(Path.home())
        )
        if path:
            self.path.setText(path)

    def ready(self) -> bool:
        """A file and a passphrase."""
        return bool(self.path.text().strip()) and bool(self.passphrase.text())

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        """Import in the core; the wizard finishes after."""
        if self.done:
            return True
        if not self.isComplete():
            return False
        path = Path(self.path.text().strip()).expanduser()
        if not path.is_file():
            self.show_error(self.tr("There is no file at {path}.").format(path=path))
            return False
        self._owner.start(
            self,
            self._owner.service.import_backup,
            (path, self.passphrase.text()),
            self._imported,
        )
        return False

    def _imported(self, count: int) -> None:
        self.imported = count
        self.done = True
        self._owner.accept()

    def show_error(self, text: str) -> None:
        """Show the error and select the passphrase, the usual culprit."""
        super().show_error(text)
        if text and self.passphrase.text():
            self.passphrase.setFocus()
            self.passphrase.selectAll()

    def nextId(self) -> int:  # noqa: N802 (Qt override)
        """The end."""
        return -1
