"""The unlock dialog on a real profile: wrong passphrase said inline, then unlocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QProgressBar, QWidget
from pytestqt.qtbot import QtBot

from smd_desktop.core.testing import FAST_KDF, make_profile
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest
from smd_desktop.ui.unlock_dialog import WRONG_PASSPHRASE, UnlockDialog

PASSPHRASE = "correct horse battery staple"
WAIT_MS = 10_000


@pytest.fixture
def service(qtbot: QtBot, guest: TrioGuest, tmp_path: Path) -> Iterator[CoreService]:
    """A service on a locked profile named Ada; closed after the test."""
    make_profile(tmp_path / "p", "Ada", passphrase=PASSPHRASE).close()
    svc = CoreService(guest, tmp_path / "p", kdf=FAST_KDF)
    yield svc
    if svc.is_open:
        with qtbot.waitSignal(svc.closed, timeout=WAIT_MS):
            svc.run(svc.close)


@pytest.fixture
def dialog(qtbot: QtBot, service: CoreService) -> UnlockDialog:
    d = UnlockDialog(service)
    qtbot.addWidget(d)
    d.show()
    return d


def test_every_control_has_an_accessible_name(dialog: UnlockDialog) -> None:
    kinds = (QLineEdit, QAbstractButton, QProgressBar)
    controls = [w for w in dialog.findChildren(QWidget) if isinstance(w, kinds)]
    assert len(controls) == 4
    assert all(w.accessibleName() for w in controls)


def test_a_wrong_passphrase_is_said_inline_then_the_right_one_unlocks(
    qtbot: QtBot, dialog: UnlockDialog, service: CoreService
) -> None:
    assert not dialog.unlock_button.isEnabled()  # nothing typed
    dialog.passphrase.setText("not it at all")
    dialog.unlock_button.click()
    assert dialog.busy and dialog.busy_bar.isVisible()
    assert not dialog.passphrase.isEnabled() and not dialog.unlock_button.isEnabled()
    assert not dialog.quit_button.isEnabled()
    dialog.reject()  # refused while Argon2id runs
    assert dialog.isVisible()

    qtbot.waitUntil(dialog.error_label.isVisible, timeout=WAIT_MS)
    assert dialog.error_label.text() == WRONG_PASSPHRASE
    assert not dialog.busy and dialog.passphrase.isEnabled() and not dialog.busy_bar.isVisible()
    assert dialog.passphrase.selectedText() == "not it at all"  # ready to type over
    assert not service.is_open and dialog.isVisible()

    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert service.is_open
    assert dialog.passphrase.text() == ""


def test_a_core_failure_is_shown_as_a_sentence(
    qtbot: QtBot, guest: TrioGuest, tmp_path: Path
) -> None:
    service = CoreService(guest, tmp_path / "empty", kdf=FAST_KDF)
    dialog = UnlockDialog(service)
    qtbot.addWidget(dialog)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.attempt()
    qtbot.waitUntil(lambda: dialog.error_label.text() != "", timeout=WAIT_MS)
    assert dialog.error_label.text() == (
        f"No profile in {tmp_path / 'empty'} (run 'smd init' or 'smd restore' first)."
    )
    assert not dialog.busy and not service.is_open


def test_quit_rejects_without_opening_anything(
    qtbot: QtBot, dialog: UnlockDialog, service: CoreService
) -> None:
    with qtbot.waitSignal(dialog.rejected, timeout=WAIT_MS):
        dialog.quit_button.click()
    assert not service.is_open
