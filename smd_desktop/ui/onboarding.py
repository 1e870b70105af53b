"""The first-run wizard: create an identity, or restore one from its phrase or a backup file.

Pages: choice -> (create: name and passphrase -> recovery phrase -> three words back) or
(restore from phrase) or (restore from backup). The identity is made when the passphrase page is
left (a commit page: no way back once the phrase exists); the phrase is shown only until the
three words are confirmed, then the wizard closes with ``accepted``. Every core call goes
through :class:`CoreService` in Trio, so Argon2id never blocks the window; while it runs the
page shows a busy bar and the buttons are disabled. Failures appear on the page as a sentence.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..core.content import MAX_NAME_CHARS
from ..core.identity import BIP39_WORDS, InvalidPhrase, RootKey
from .passphrase_strength import LEVEL_NAMES, estimate_strength
from .service import CoreService

CHOICE, CREATE, PHRASE, CONFIRM, RESTORE, BACKUP = range(6)
PHRASE_WORDS = 24
CONFIRM_WORDS = 3


@functools.cache
def _wordlist() -> frozenset[str]:
    return BIP39_WORDS


def _numbers(positions: list[int]) -> str:
    """'Word 5', 'Words 5 and 9', 'Words 5, 9 and 12'."""
    if len(positions) == 1:
        return f"Word {positions[0]}"
    return "Words " + ", ".join(map(str, positions[:-1])) + f" and {positions[-1]}"


def phrase_problem(text: str, *, partial: bool = False) -> str | None:
    """What is wrong with a typed recovery phrase, as a sentence; None if it is valid.

    With ``partial`` (while typing), only finished words are checked (the last one counts once
    a space follows it) and neither the count nor the checksum is.
    """
    words = text.lower().split()
    if partial and text and not text[-1].isspace():
        words = words[:-1]
    unknown = [(n, w) for n, w in enumerate(words, 1) if w not in _wordlist()]
    if unknown:
        shown = ", ".join(f"“{w}”" for _, w in unknown[:3])
        verb = "is" if len(unknown) == 1 else "are"
        return (
            f"{_numbers([n for n, _ in unknown[:3]])} ({shown}) {verb} not in the recovery "
            "word list; check the spelling."
        )
    if partial:
        return None
    if len(words) != PHRASE_WORDS:
        return f"A recovery phrase has {PHRASE_WORDS} words; this one has {len(words)}."
    try:
        RootKey.from_phrase(" ".join(words))  # a checksum only: cheap, no key derivation
    except InvalidPhrase:
        return (
            "These words are all valid, but not in this order or combination; check each word "
            "and its position."
        )
    return None


def as_sentence(text: str) -> str:
    """A core error message ("wrong passphrase") as a sentence ("Wrong passphrase.")."""
    text = text.strip()
    if not text:
        return "Something went wrong."
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


class PassphrasePair(QWidget):
    """A new passphrase typed twice, with a live strength meter and hint."""

    changed = Signal()
    """Either field changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName("Passphrase")
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setAccessibleName("Repeat the passphrase")
        self.meter = QProgressBar()
        self.meter.setRange(0, len(LEVEL_NAMES) - 1)
        self.meter.setAccessibleName("Passphrase strength")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Passphrase advice")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Passphrase:", self.first)
        form.addRow("&Repeat it:", self.second)
        form.addRow("Strength:", self.meter)
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
        self.meter.setFormat(strength.name if first else "")
        hint = strength.hint if first else "Choose a passphrase of at least 8 characters."
        if second and strength.acceptable and second != first:
            hint = "The two entries differ."
        self.hint.setText(hint)
        self.changed.emit()


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
        self.busy_bar.setAccessibleName("Working")
        self.busy_bar.hide()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Error message")
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


class ChoicePage(WizardPage):
    """Create a new identity, or restore one."""

    def __init__(self) -> None:
        super().__init__(
            "Welcome to SMD",
            "Your profile lives only on your devices, encrypted with your passphrase.",
        )
        self.create_choice = QRadioButton("&Create a new identity")
        self.create_choice.setAccessibleName("Create a new identity")
        self.restore_choice = QRadioButton("Restore from a recovery &phrase")
        self.restore_choice.setAccessibleName("Restore from a recovery phrase")
        self.backup_choice = QRadioButton("Restore from a &backup file")
        self.backup_choice.setAccessibleName("Restore from a backup file")
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
        super().__init__("Create your identity", "Choose how others see you and a passphrase.")
        self._owner = wizard
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_NAME_CHARS)
        self.name.setAccessibleName("Display name")
        self.passphrases = PassphrasePair()
        form = QFormLayout()
        form.addRow("Display &name:", self.name)
        self.body.addLayout(form)
        self.body.addWidget(self.passphrases)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Create identity")
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
            "Your recovery phrase",
            "Write these 24 words down on paper, in order, and keep them safe. They are the only "
            "way to recover your identity, and they are shown only now.",
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
            word.setAccessibleName(f"Word {i + 1}")
            word.setStyleSheet("font-weight: bold;")
            number.setBuddy(word)
            grid.addWidget(number, i % rows, 2 * (i // rows))
            grid.addWidget(word, i % rows, 2 * (i // rows) + 1)
            self.words.append(word)
        self.body.addLayout(grid)
        self.written = QCheckBox("I &wrote it down")
        self.written.setAccessibleName("I wrote the recovery phrase down")
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
        super().__init__("Check your recovery phrase", "Type these words from what you wrote down.")
        self._owner = wizard
        self.positions: list[int] = []
        """The 1-based positions asked for."""
        self.labels: list[QLabel] = []
        self.answers: list[QLineEdit] = []
        self._form = QFormLayout()
        self.body.addLayout(self._form)
        for _ in range(CONFIRM_WORDS):
            label, answer = QLabel(), QLineEdit()
            answer.setAccessibleName("A word of the recovery phrase")  # numbered in ask()
            label.setBuddy(answer)
            answer.textChanged.connect(self.completeChanged)
            self._form.addRow(label, answer)
            self.labels.append(label)
            self.answers.append(answer)

    def ask(self, positions: list[int]) -> None:
        """Ask for the words at ``positions`` (1-based)."""
        self.positions = positions
        for label, answer, n in zip(self.labels, self.answers, positions, strict=True):
            label.setText(f"Word {n}:")
            answer.setAccessibleName(f"Word number {n} of the recovery phrase")
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
        verb = "does" if len(wrong) == 1 else "do"
        self.show_error(
            f"{_numbers(wrong)} {verb} not match your recovery phrase. Check what you wrote "
            "down, or go Back to see the phrase again."
        )
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
            "Restore from your recovery phrase",
            "This computer becomes a new device of your identity.",
        )
        self._owner = wizard
        self.phrase = QPlainTextEdit()
        self.phrase.setTabChangesFocus(True)
        self.phrase.setAccessibleName("Recovery phrase")
        self.phrase.setPlaceholderText("The 24 words, separated by spaces")
        self.phrase_hint = QLabel()
        self.phrase_hint.setWordWrap(True)
        self.phrase_hint.setAccessibleName("Recovery phrase check")
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_NAME_CHARS)
        self.name.setAccessibleName("Display name (optional)")
        self.name.setPlaceholderText("Optional: keeps your current name if empty")
        self.passphrases = PassphrasePair()
        label = QLabel("Recovery &phrase:")
        label.setBuddy(self.phrase)
        self.body.addWidget(label)
        self.body.addWidget(self.phrase)
        self.body.addWidget(self.phrase_hint)
        form = QFormLayout()
        form.addRow("Display &name:", self.name)
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
            "Restore from a backup file",
            "This computer becomes a new device of the identity in the backup. Your profile "
            "here is protected by the backup's passphrase; you can change it later.",
        )
        self._owner = wizard
        self.path = QLineEdit()
        self.path.setAccessibleName("Backup file")
        self.browse = QPushButton("C&hoose…")
        self.browse.setAccessibleName("Choose the backup file")
        self.browse.clicked.connect(self._browse)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("The backup's passphrase")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Backup &file:", row)
        form.addRow("Its &passphrase:", self.passphrase)
        self.body.addLayout(form)
        for field in (self.path, self.passphrase):
            field.textChanged.connect(self.completeChanged)
        self.done = False
        self.imported = 0
        """How many records the backup held, once restored."""

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a backup file", str(Path.home()))
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
            self.show_error(f"There is no file at {path}.")
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


class OnboardingWizard(QWizard):
    """The first run. Finishes with ``accepted`` once a profile is open in ``service``.

    Rules: show it only once the Trio guest runs; after the identity is created the wizard
    cannot be cancelled until the phrase is confirmed (the phrase is never shown again).
    """

    def __init__(self, service: CoreService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.phrase = ""
        self.setWindowTitle("Welcome to SMD")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.choice_page = ChoicePage()
        self.create_page = CreatePage(self)
        self.phrase_page = PhrasePage()
        self.confirm_page = ConfirmPage(self)
        self.restore_page = RestorePage(self)
        self.backup_page = BackupPage(self)
        for page_id, page in (
            (CHOICE, self.choice_page),
            (CREATE, self.create_page),
            (PHRASE, self.phrase_page),
            (CONFIRM, self.confirm_page),
            (RESTORE, self.restore_page),
            (BACKUP, self.backup_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(CHOICE)
        self.currentIdChanged.connect(self._page_changed)
        self.finished.connect(self._forget)
        service.error.connect(self._on_error)

    def start[T](
        self,
        page: WizardPage,
        fn: Callable[..., Awaitable[T]],
        args: tuple[Any, ...],
        on_success: Callable[[T], None],
    ) -> None:
        """Run ``fn(*args)`` in the core with ``page`` busy; then ``on_success(result)``.

        A failure arrives through the service's ``error`` signal and lands on the page.
        """
        if page.busy:
            return
        if not self.service.guest.running:
            page.show_error("SMD is still starting; try again in a moment.")
            return
        page.show_error("")
        page.set_busy(True)

        async def work() -> None:
            try:
                result = await fn(*args)
            finally:
                page.set_busy(False)
            on_success(result)

        self.service.run(work)

    def phrase_created(self, phrase: str) -> None:
        """The identity exists: show its phrase, pick the words to ask back, move on."""
        self.phrase = phrase
        self.phrase_page.set_phrase(phrase)
        positions = secrets.SystemRandom().sample(range(1, PHRASE_WORDS + 1), CONFIRM_WORDS)
        self.confirm_page.ask(sorted(positions))
        self.create_page.passphrases.clear()
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.next()

    def _on_error(self, text: str) -> None:
        page = self.currentPage()
        if isinstance(page, WizardPage):
            page.show_error(as_sentence(text))

    def _page_changed(self, _: int) -> None:
        page = self.currentPage()
        if isinstance(page, WizardPage):
            page.show_error("")

    def reject(self) -> None:
        """Cancel, unless the core is working or the new phrase is not confirmed yet."""
        page = self.currentPage()
        if (isinstance(page, WizardPage) and page.busy) or self.phrase:
            return
        super().reject()

    def _forget(self) -> None:
        # Finished either way: the phrase is never shown again, and later errors are not ours.
        self.phrase = ""
        self.phrase_page.set_phrase("")
        for pair in (self.create_page.passphrases, self.restore_page.passphrases):
            pair.clear()
        self.backup_page.passphrase.clear()
        with contextlib.suppress(RuntimeError):  # already disconnected
            self.service.error.disconnect(self._on_error)
