"""The first-run wizard on a real data directory, and the passphrase strength estimate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mnemonic import Mnemonic
from PySide6.QtWidgets import (
    QAbstractButton,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from smd_desktop.core.backup import export_backup
from smd_desktop.core.identity import RootKey
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import FAST_KDF, make_profile
from smd_desktop.ui.onboarding import (
    BACKUP,
    CHOICE,
    CONFIRM,
    CREATE,
    PHRASE,
    RESTORE,
    OnboardingWizard,
    as_sentence,
    phrase_problem,
)
from smd_desktop.ui.passphrase_strength import MIN_LENGTH, estimate_strength
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest

PASSPHRASE = "correct horse battery staple"
WAIT_MS = 10_000
Button = QWizard.WizardButton


@pytest.fixture
def service(qtbot: QtBot, guest: TrioGuest, tmp_path: Path) -> Iterator[CoreService]:
    """A service on an empty data directory; its profile is closed after the test."""
    svc = CoreService(guest, tmp_path / "new", kdf=FAST_KDF)
    yield svc
    if svc.is_open:
        with qtbot.waitSignal(svc.closed, timeout=WAIT_MS):
            svc.run(svc.close)


@pytest.fixture
def wizard(qtbot: QtBot, service: CoreService) -> OnboardingWizard:
    w = OnboardingWizard(service)
    qtbot.addWidget(w)
    w.show()
    return w


def in_core[T](qtbot: QtBot, service: CoreService, fn: Callable[[Profile], T]) -> T:
    """``fn(profile)`` run the way widgets run it, waited for."""
    out: list[T] = []

    async def go() -> None:
        out.append(await service.call(fn))

    service.run(go)
    qtbot.waitUntil(lambda: bool(out), timeout=WAIT_MS)
    return out[0]


def my_name(qtbot: QtBot, service: CoreService) -> str | None:
    def name(p: Profile) -> str | None:
        view = p.my_profile()
        return view.name if view else None

    return in_core(qtbot, service, name)


def old_profile(path: Path, name: str = "Ada") -> tuple[Profile, Any]:
    profile = make_profile(path, name)
    return profile, (profile.root.phrase(), profile.identity, profile.device_key)


# -- the passphrase strength estimate ----------------------------------------------------------


@pytest.mark.parametrize("passphrase", ["", "a", "Xk9#Lp2", "seven77"])
def test_a_passphrase_under_eight_characters_is_refused(passphrase: str) -> None:
    strength = estimate_strength(passphrase)
    assert len(passphrase) < MIN_LENGTH
    assert (strength.acceptable, strength.level) == (False, 0)
    assert strength.hint == "Use at least 8 characters; a few unrelated words are strongest."


@pytest.mark.parametrize(
    "passphrase", ["password", "12345678", "P@ssw0rd", "Qwerty123!", "iloveyou"]
)
def test_the_most_common_passwords_are_very_weak(passphrase: str) -> None:
    strength = estimate_strength(passphrase)
    assert (strength.acceptable, strength.level, strength.name) == (True, 0, "Very weak")
    assert strength.hint.startswith("This is one of the most common passwords")


@pytest.mark.parametrize("passphrase", ["abcdefgh", "aaaaaaaaaaaa", "abcabcabcabc", "z" * 40])
def test_repeats_and_runs_count_for_little_however_long(passphrase: str) -> None:
    strength = estimate_strength(passphrase)
    assert strength.level == 0
    assert strength.hint == "Repeated characters and runs like “abc” or “123” are easy to guess."


def test_a_common_password_inside_a_longer_one_is_pointed_out() -> None:
    strength = estimate_strength("mypassword2024")
    assert strength.level == 1
    assert strength.hint == "It contains a common password; add a few unrelated words."


@pytest.mark.parametrize(
    ("passphrase", "level"),
    [
        ("xkq7vbn2", 1),  # eight random lowercase letters and digits
        ("wq8Lm2xP", 2),  # all classes but one, still short
        ("Hb7!rT2q9Lm#", 3),
        (PASSPHRASE, 4),  # several unrelated words
    ],
)
def test_length_and_character_classes_raise_the_level(passphrase: str, level: int) -> None:
    assert estimate_strength(passphrase).level == level


def test_levels_only_grow_as_unrelated_words_are_added() -> None:
    words = ["velvet", "quarry", "mango", "thistle", "orbit"]
    levels = [estimate_strength(" ".join(words[: n + 2])).level for n in range(4)]
    assert levels == sorted(levels) and levels[-1] == 4


# -- phrase checking and messages (pure) -------------------------------------------------------


def test_phrase_problem_names_unknown_words_counts_and_bad_checksums() -> None:
    phrase = RootKey.generate().phrase()
    words = phrase.split()
    assert phrase_problem(phrase) is None
    assert phrase_problem("  " + phrase.upper().replace(" ", "\n ") + "\n") is None
    typo = [*words[:4], "abandn", *words[5:]]
    assert phrase_problem(" ".join(typo)) == (
        "Word 5 (“abandn”) is not in the recovery word list; check the spelling."
    )
    assert phrase_problem(" ".join(words[:23])) == (
        "A recovery phrase has 24 words; this one has 23."
    )
    # 23 x "abandon" + "art" encodes 32 zero bytes; any other last word fails the checksum.
    assert phrase_problem("abandon " * 23 + "art") is None
    assert phrase_problem("abandon " * 24) == (
        "These words are all valid, but not in this order or combination; check each word "
        "and its position."
    )
    # While typing, the unfinished last word is not judged yet.
    assert phrase_problem(f"{words[0]} aband", partial=True) is None
    assert phrase_problem(f"{words[0]} aband ", partial=True) == (
        "Word 2 (“aband”) is not in the recovery word list; check the spelling."
    )


def test_core_messages_become_sentences() -> None:
    assert as_sentence("wrong passphrase") == "Wrong passphrase."
    assert as_sentence("Already one.") == "Already one."
    assert as_sentence("  ") == "Something went wrong."


# -- the wizard ---------------------------------------------------------------------------------


def test_every_control_has_an_accessible_name(wizard: OnboardingWizard) -> None:
    kinds = (QLineEdit, QPlainTextEdit, QAbstractButton, QProgressBar)
    for page_id in wizard.pageIds():
        controls = [w for w in wizard.page(page_id).findChildren(QWidget) if isinstance(w, kinds)]
        assert controls
        unnamed = [type(w).__name__ for w in controls if not w.accessibleName()]
        assert unnamed == [], f"page {page_id}"


def test_create_shows_the_phrase_once_checks_three_words_and_opens_the_profile(
    qtbot: QtBot, wizard: OnboardingWizard, service: CoreService
) -> None:
    assert wizard.currentId() == CHOICE
    wizard.next()
    assert wizard.currentId() == CREATE
    page = wizard.create_page
    pair = page.passphrases
    page.name.setText("  Ada  ")
    pair.first.setText("short")
    pair.second.setText("short")
    assert pair.hint.text() == "Use at least 8 characters; a few unrelated words are strongest."
    assert not wizard.button(Button.CommitButton).isEnabled()
    pair.first.setText(PASSPHRASE)
    pair.second.setText(PASSPHRASE + "!")
    assert pair.hint.text() == "The two entries differ."
    assert (pair.meter.value(), pair.meter.format()) == (4, "Strong")
    assert not wizard.button(Button.CommitButton).isEnabled()
    pair.second.setText(PASSPHRASE)
    assert pair.hint.text() == "Strong passphrase."
    assert wizard.button(Button.CommitButton).isEnabled()

    wizard.next()  # starts creating the identity in the core's worker thread
    assert page.busy and page.busy_bar.isVisible() and not page.name.isEnabled()
    for button in (Button.CommitButton, Button.BackButton, Button.CancelButton):
        assert not wizard.button(button).isEnabled()
    qtbot.waitUntil(lambda: wizard.currentId() == PHRASE, timeout=WAIT_MS)
    assert not page.busy and service.is_open
    assert not wizard.button(Button.BackButton).isEnabled()  # no way back to create again
    assert pair.first.text() == pair.second.text() == ""

    words = [label.text() for label in wizard.phrase_page.words]
    assert len(words) == 24 and set(words) <= set(Mnemonic("english").wordlist)
    assert RootKey.from_phrase(" ".join(words)).public == service.profile.identity
    wizard.reject()  # the phrase is not confirmed yet: the wizard stays
    assert wizard.isVisible()
    wizard.next()  # not ticked yet
    assert wizard.currentId() == PHRASE
    wizard.phrase_page.written.setChecked(True)
    wizard.next()
    assert wizard.currentId() == CONFIRM

    confirm = wizard.confirm_page
    positions = confirm.positions
    assert len(set(positions)) == 3 and positions == sorted(positions)
    assert all(1 <= n <= 24 for n in positions)
    assert [label.text() for label in confirm.labels] == [f"Word {n}:" for n in positions]
    for answer, n in zip(confirm.answers, positions, strict=True):
        answer.setText(words[n - 1].upper())
    confirm.answers[1].setText("notaword")
    wizard.button(Button.FinishButton).click()
    assert confirm.error_label.text() == (
        f"Word {positions[1]} does not match your recovery phrase. Check what you wrote down, or "
        "go Back to see the phrase again."
    )
    assert wizard.isVisible() and wizard.result() != QWizard.DialogCode.Accepted

    wizard.back()  # allowed before the words are confirmed
    assert wizard.currentId() == PHRASE
    assert [label.text() for label in wizard.phrase_page.words] == words
    wizard.next()
    assert confirm.positions == positions and confirm.error_label.text() == ""
    confirm.answers[1].setText(f" {words[positions[1] - 1]} ")
    with qtbot.waitSignal(wizard.accepted, timeout=WAIT_MS):
        wizard.button(Button.FinishButton).click()
    assert wizard.phrase == ""
    assert [label.text() for label in wizard.phrase_page.words] == [""] * 24  # never again
    assert service.has_profile() and service.is_open
    assert my_name(qtbot, service) == "Ada"


def test_a_core_error_while_creating_is_shown_on_the_page_which_stays_usable(
    qtbot: QtBot, wizard: OnboardingWizard, service: CoreService
) -> None:
    make_profile(service.data_dir, "Someone else").close()
    wizard.next()
    page = wizard.create_page
    page.name.setText("Ada")
    page.passphrases.first.setText(PASSPHRASE)
    page.passphrases.second.setText(PASSPHRASE)
    wizard.next()
    qtbot.waitUntil(page.error_label.isVisible, timeout=WAIT_MS)
    assert page.error_label.text() == f"A profile already exists in {service.data_dir}."
    assert wizard.currentId() == CREATE and not page.busy and not service.is_open
    assert wizard.button(Button.CommitButton).isEnabled()
    assert wizard.button(Button.CancelButton).isEnabled()
    with qtbot.waitSignal(wizard.rejected, timeout=WAIT_MS):
        wizard.reject()


def test_restore_from_a_phrase_gives_the_same_identity_as_a_new_device(
    qtbot: QtBot, wizard: OnboardingWizard, service: CoreService, tmp_path: Path
) -> None:
    old, (phrase, identity, device) = old_profile(tmp_path / "old")
    old.close()
    wizard.choice_page.restore_choice.setChecked(True)
    wizard.next()
    assert wizard.currentId() == RESTORE
    page = wizard.restore_page
    page.phrase.setPlainText("  " + phrase.upper().replace(" ", "\n") + "\n")
    assert page.phrase_hint.text() == ""
    page.passphrases.first.setText("a new passphrase here")
    page.passphrases.second.setText("a new passphrase here")
    assert page.isComplete()
    with qtbot.waitSignal(wizard.accepted, timeout=WAIT_MS):
        wizard.button(Button.FinishButton).click()
        assert page.busy and not wizard.button(Button.FinishButton).isEnabled()
    assert service.profile.identity == identity
    assert service.profile.device_key != device
    assert my_name(qtbot, service) is None  # the old profile record arrives by sync


def test_an_invalid_phrase_names_the_unknown_word_and_creates_nothing(
    qtbot: QtBot, wizard: OnboardingWizard, service: CoreService
) -> None:
    words = RootKey.generate().phrase().split()
    words[6] = "hourse"
    wizard.choice_page.restore_choice.setChecked(True)
    wizard.next()
    page = wizard.restore_page
    page.phrase.setPlainText(" ".join(words))
    unknown = "Word 7 (“hourse”) is not in the recovery word list; check the spelling."
    assert page.phrase_hint.text() == unknown  # said while typing already
    page.name.setText("Ada")
    page.passphrases.first.setText(PASSPHRASE)
    page.passphrases.second.setText(PASSPHRASE)
    wizard.button(Button.FinishButton).click()
    assert page.error_label.text() == unknown
    assert not page.busy and wizard.currentId() == RESTORE and wizard.isVisible()
    page.phrase.setPlainText(" ".join(words[12:]))
    assert page.error_label.text() == page.phrase_hint.text() == ""  # a new try, a clean slate
    wizard.button(Button.FinishButton).click()
    assert page.error_label.text() == "A recovery phrase has 24 words; this one has 12."
    assert not service.has_profile() and not service.is_open
    assert not service.data_dir.exists()


def test_restore_from_a_backup_file_after_a_wrong_passphrase(
    qtbot: QtBot, wizard: OnboardingWizard, service: CoreService, tmp_path: Path
) -> None:
    old, (_, identity, device) = old_profile(tmp_path / "old")
    old.post("hello from the old machine")
    backup = tmp_path / "ada.smdbackup"
    count = export_backup(old, backup, "backup passphrase", FAST_KDF)
    old.close()
    wizard.choice_page.backup_choice.setChecked(True)
    wizard.next()
    assert wizard.currentId() == BACKUP
    page = wizard.backup_page
    page.path.setText(str(tmp_path / "missing.smdbackup"))
    page.passphrase.setText("backup passphrase")
    wizard.button(Button.FinishButton).click()
    assert page.error_label.text() == f"There is no file at {tmp_path / 'missing.smdbackup'}."

    page.path.setText(str(backup))
    page.passphrase.setText("not the backup passphrase")
    wizard.button(Button.FinishButton).click()
    assert page.busy
    qtbot.waitUntil(lambda: not page.busy and page.error_label.isVisible(), timeout=WAIT_MS)
    assert page.error_label.text() == (
        "Cannot decrypt the backup: wrong passphrase or damaged file."
    )
    assert page.passphrase.selectedText() == "not the backup passphrase"
    assert not service.has_profile() and wizard.currentId() == BACKUP

    page.passphrase.setText("backup passphrase")
    with qtbot.waitSignal(wizard.accepted, timeout=WAIT_MS):
        wizard.button(Button.FinishButton).click()
    assert page.imported == count >= 3  # certificate, profile, post
    assert service.profile.identity == identity and service.profile.device_key != device
    assert my_name(qtbot, service) == "Ada"
