"""The Settings page over a real encrypted profile: passphrase change (wrong and right current
passphrase), backup export read back, listen port and hops, theme and auto-lock choices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QValidator
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from smd_desktop.core.backup import read_backup
from smd_desktop.core.errors import WrongPassphrase
from smd_desktop.core.profile import Profile
from smd_desktop.core.store.db import HEADER_NAME
from smd_desktop.core.testing import FAST_KDF, make_profile
from smd_desktop.ui.auto_lock import AUTO_LOCK_KEY, saved_auto_lock_minutes
from smd_desktop.ui.port_box import PortSpinBox
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.settings_page import (
    HOPS_KEY,
    LISTEN_PORT_KEY,
    WRONG_CURRENT,
    SettingsPage,
    saved_hops,
)
from smd_desktop.ui.theme import THEME_KEY, apply_theme, is_dark, saved_theme
from smd_desktop.ui.trio_bridge import TrioGuest

from .support import in_core

OLD = "correct horse battery staple"
NEW = "a brand new passphrase, 42 times"
BACKUP_PASS = "backup passphrase for the drawer"


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def service(qtbot: QtBot, guest: TrioGuest, tmp_path: Path) -> Iterator[CoreService]:
    """Ada's profile (passphrase OLD, two posts), unlocked; closed after the test."""
    profile = make_profile(tmp_path / "ada", "Ada", passphrase=OLD)
    profile.post("one")
    profile.post("two")
    profile.close()
    service = CoreService(guest, tmp_path / "ada", kdf=FAST_KDF)

    async def unlock() -> None:
        assert await service.unlock(OLD)

    with qtbot.waitSignal(service.unlocked, timeout=10_000):
        service.run(unlock)
    yield service
    close(qtbot, service)


def close(qtbot: QtBot, service: CoreService) -> None:
    if service.is_open:
        with qtbot.waitSignal(service.closed, timeout=10_000):
            service.run(service.close)


@pytest.fixture
def page(qtbot: QtBot, service: CoreService, settings: QSettings) -> SettingsPage:
    page = SettingsPage(service, settings=settings)
    qtbot.addWidget(page)
    qtbot.waitUntil(page.port.isEnabled, timeout=10_000)  # the stored port was read
    return page


def type_change(page: SettingsPage, current: str, new: str) -> None:
    page.current.setText(current)
    page.new_pair.first.setText(new)
    page.new_pair.second.setText(new)


def test_wrong_current_passphrase_is_said_and_changes_nothing(
    qtbot: QtBot, page: SettingsPage, service: CoreService
) -> None:
    header_before = (service.data_dir / HEADER_NAME).read_bytes()
    type_change(page, "not my passphrase", NEW)
    assert page.change_button.isEnabled()
    with qtbot.assertNotEmitted(page.passphrase_changed):
        page.change_button.click()
        qtbot.waitUntil(lambda: page.passphrase_status.text() == WRONG_CURRENT, timeout=10_000)
    assert not page.busy
    assert (service.data_dir / HEADER_NAME).read_bytes() == header_before
    close(qtbot, service)
    Profile.open(service.data_dir, OLD).close()
    with pytest.raises(WrongPassphrase):
        Profile.open(service.data_dir, NEW)


def test_passphrase_change_reopens_only_with_the_new_passphrase(
    qtbot: QtBot, page: SettingsPage, service: CoreService
) -> None:
    type_change(page, OLD, NEW)
    with qtbot.waitSignal(page.passphrase_changed, timeout=20_000):
        page.change_button.click()
    assert page.passphrase_status.text() == "Passphrase changed. Use the new one from now on."
    assert page.current.text() == "" and page.new_pair.passphrase() == ""
    close(qtbot, service)
    reopened = Profile.open(service.data_dir, NEW)
    assert [p.text for p in reopened.timeline()] == ["two", "one"]
    reopened.close()
    with pytest.raises(WrongPassphrase):
        Profile.open(service.data_dir, OLD)


def test_change_needs_matching_new_entries(page: SettingsPage) -> None:
    page.current.setText(OLD)
    page.new_pair.first.setText(NEW)
    page.new_pair.second.setText(NEW + "x")
    assert not page.change_button.isEnabled()
    page.change_passphrase()
    assert page.passphrase_status.text() == "The two entries differ."
    assert not page.busy


def test_exported_backup_reads_back(
    qtbot: QtBot, page: SettingsPage, service: CoreService, tmp_path: Path
) -> None:
    target = tmp_path / "ada.smdbackup"
    page.backup_pair.first.setText(BACKUP_PASS)
    page.backup_pair.second.setText(BACKUP_PASS)
    assert page.export_button.isEnabled()
    with qtbot.waitSignal(page.backup_exported, timeout=20_000) as blocker:
        page.export_to(target)
    path, count = blocker.args or ["", 0]
    assert path == str(target)
    payload = read_backup(target, BACKUP_PASS)
    assert payload["identity"] == service.profile.identity
    assert len(payload["records"]) == count == 4  # certificate, profile, two posts
    assert page.backup_status.text() == f"Backup saved to {target} (4 records)."
    assert page.backup_pair.passphrase() == ""


def test_export_to_an_unwritable_place_says_so(
    qtbot: QtBot, page: SettingsPage, tmp_path: Path
) -> None:
    page.backup_pair.first.setText(BACKUP_PASS)
    page.backup_pair.second.setText(BACKUP_PASS)
    with qtbot.assertNotEmitted(page.backup_exported):
        page.export_to(tmp_path / "no such folder" / "b.smdbackup")
        qtbot.waitUntil(lambda: not page.busy, timeout=20_000)
    assert page.backup_status.text().startswith("The backup was not written: ")


def test_data_folder_is_shown(page: SettingsPage, service: CoreService) -> None:
    assert page.data_dir.text() == str(service.data_dir)


def test_listen_port_is_stored_in_the_profile_and_asks_for_a_restart(
    qtbot: QtBot, page: SettingsPage, service: CoreService, settings: QSettings
) -> None:
    assert page.stored_port is None
    assert page.port_status.text() == "No port chosen yet: the network picks a free one."
    assert page.port.text() == "automatic" and page.port.port() is None
    assert not page.port_button.isEnabled()  # nothing to store: unset already means automatic
    page.port.setValue(40123)
    assert page.port_button.isEnabled()
    with qtbot.waitSignal(page.network_settings_changed, timeout=10_000):
        page.port_button.click()
    assert in_core(qtbot, service, lambda p: p.store.get_meta(LISTEN_PORT_KEY)) == b"40123"
    assert not page.port_button.isEnabled()
    again = SettingsPage(service, settings=settings)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.port.value() == 40123, timeout=10_000)
    assert again.port.text() == "40123" and again.port.port() == 40123
    assert not again.port_button.isEnabled()


def test_automatic_cannot_replace_a_stored_port(
    qtbot: QtBot, page: SettingsPage, service: CoreService
) -> None:
    page.port.set_port(40124)
    with qtbot.waitSignal(page.network_settings_changed, timeout=10_000):
        page.port_button.click()
    page.port.set_port(None)
    assert page.port.text() == "automatic"
    assert not page.port_button.isEnabled()
    with qtbot.assertNotEmitted(page.network_settings_changed):
        page.apply_port()
    assert page.stored_port == 40124
    assert in_core(qtbot, service, lambda p: p.store.get_meta(LISTEN_PORT_KEY)) == b"40124"


def test_the_port_box_steps_between_automatic_and_1024_and_refuses_low_ports(
    qtbot: QtBot,
) -> None:
    box = PortSpinBox()
    qtbot.addWidget(box)
    assert (box.minimum(), box.maximum(), box.text()) == (0, 65535, "automatic")
    box.stepUp()
    assert (box.value(), box.port(), box.text()) == (1024, 1024, "1024")
    box.stepBy(5)
    assert box.port() == 1029
    box.stepBy(-10)
    assert (box.port(), box.text()) == (None, "automatic")
    box.stepBy(3)
    assert box.port() == 1026
    assert box.validate("80", 2)[0] == QValidator.State.Intermediate
    assert box.validate("1023", 4)[0] == QValidator.State.Intermediate
    assert box.validate("1024", 4)[0] == QValidator.State.Acceptable
    assert box.validate("0", 1)[0] == QValidator.State.Acceptable
    assert box.validate("65536", 5)[0] == QValidator.State.Invalid


def test_a_typed_low_port_is_not_taken(qtbot: QtBot) -> None:
    box = PortSpinBox()
    qtbot.addWidget(box)
    box.show()
    box.set_port(40123)
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "80")
    QTest.keyClick(box, Qt.Key.Key_Return)
    box.clearFocus()
    box.interpretText()
    assert box.port() == 40123


def test_hops_persist_and_ask_for_a_restart(
    qtbot: QtBot, page: SettingsPage, service: CoreService, settings: QSettings
) -> None:
    assert page.hops.value() == 2
    with qtbot.waitSignal(page.network_settings_changed, timeout=1000):
        page.hops.setValue(3)
    assert settings.value(HOPS_KEY) in (3, "3")
    assert saved_hops(settings) == 3
    again = SettingsPage(service, settings=settings)
    qtbot.addWidget(again)
    assert again.hops.value() == 3
    assert again.hops.maximum() == 3 and again.hops.minimum() == 0


def test_bad_stored_hops_fall_back_to_the_default(settings: QSettings) -> None:
    settings.setValue(HOPS_KEY, "seven")
    assert saved_hops(settings) == 2
    settings.setValue(HOPS_KEY, 9)
    assert saved_hops(settings) == 2


@pytest.fixture
def restore_theme(qapp: QApplication) -> Iterator[None]:
    yield
    apply_theme(qapp, "system")


def test_theme_choice_persists_and_dark_is_dark(
    qtbot: QtBot, page: SettingsPage, settings: QSettings, qapp: QApplication, restore_theme: None
) -> None:
    assert page.theme.currentData() == "system"
    with qtbot.waitSignal(page.theme_changed, timeout=1000) as blocker:
        page.theme.setCurrentIndex(page.theme.findData("dark"))
    assert blocker.args == ["dark"]
    assert settings.value(THEME_KEY) == "dark"
    assert saved_theme(settings) == "dark"
    apply_theme(qapp, "dark")
    assert is_dark(qapp.palette())
    apply_theme(qapp, "light")
    assert not is_dark(qapp.palette())


def test_auto_lock_choice_persists(
    qtbot: QtBot, page: SettingsPage, service: CoreService, settings: QSettings
) -> None:
    assert page.auto_lock.currentData() == 0
    assert page.auto_lock.currentText() == "Off"
    with qtbot.waitSignal(page.auto_lock_changed, timeout=1000) as blocker:
        page.auto_lock.setCurrentIndex(page.auto_lock.findData(15))
    assert blocker.args == [15]
    assert settings.value(AUTO_LOCK_KEY) in (15, "15")
    assert saved_auto_lock_minutes(settings) == 15
    again = SettingsPage(service, settings=settings)
    qtbot.addWidget(again)
    assert again.auto_lock.currentData() == 15


def test_locking_clears_typed_secrets(
    qtbot: QtBot, page: SettingsPage, service: CoreService
) -> None:
    type_change(page, OLD, NEW)
    page.backup_pair.first.setText(BACKUP_PASS)
    close(qtbot, service)
    assert page.current.text() == "" and page.new_pair.passphrase() == ""
    assert page.backup_pair.passphrase() == ""
    assert not page.change_button.isEnabled() and not page.port.isEnabled()
