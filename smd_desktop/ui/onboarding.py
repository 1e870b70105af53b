"""The first-run wizard: create an identity, or restore one from its phrase or a backup file.

Pages (:mod:`~smd_desktop.ui.onboarding_pages`): choice -> (create: name and passphrase ->
recovery phrase -> three words back) or (restore from phrase) or (restore from backup). The
identity is made when the passphrase page is left (a commit page: no way back once the phrase
exists); the phrase is shown only until the three words are confirmed, then the wizard closes
with ``accepted``. Every core call goes through :class:`CoreService` in Trio, so Argon2id never
blocks the window; while it runs the page shows a busy bar and the buttons are disabled.
Failures appear on the page as a sentence.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtWidgets import QWidget, QWizard

from .onboarding_pages import (
    CONFIRM_WORDS,
    BackupPage,
    ChoicePage,
    ConfirmPage,
    CreatePage,
    PhrasePage,
    RestorePage,
)
from .passphrase_pair import PassphrasePair
from .recovery_phrase import PHRASE_WORDS, phrase_problem
from .sentences import as_sentence
from .service import CoreService
from .wizard_page import BACKUP, CHOICE, CONFIRM, CREATE, PHRASE, RESTORE, WizardPage

__all__ = [
    "BACKUP",
    "CHOICE",
    "CONFIRM",
    "CREATE",
    "PHRASE",
    "RESTORE",
    "OnboardingWizard",
    "PassphrasePair",
    "as_sentence",
    "phrase_problem",
]


class OnboardingWizard(QWizard):
    """The first run. Finishes with ``accepted`` once a profile is open in ``service``.

    Rules: show it only once the Trio guest runs; after the identity is created the wizard
    cannot be cancelled until the phrase is confirmed (the phrase is never shown again).
    """

    def __init__(self, service: CoreService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.phrase = ""
        self.setWindowTitle(self.tr("Welcome to SMD"))
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
            page.show_error(self.tr("SMD is still starting; try again in a moment."))
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
