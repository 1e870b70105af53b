"""Tray counts and notifications, light/dark/system palettes, and auto-lock after idle time."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from smd_desktop.ui.auto_lock import AUTO_LOCK_KEY, AutoLock, saved_auto_lock_minutes
from smd_desktop.ui.theme import (
    THEME_KEY,
    apply_theme,
    dark_palette,
    is_dark,
    light_palette,
    saved_theme,
)
from smd_desktop.ui.tray import Tray, app_pixmap, badge_text, tooltip_for, with_badge

# -- tray ----------------------------------------------------------------------------------


def test_tray_without_a_system_tray_still_keeps_counts_and_notifications() -> None:
    tray = Tray(available=False)
    assert tray.icon is None and tray.menu is None
    assert tray.tooltip() == "SMD"
    tray.set_unread(3)
    assert tray.unread == 3
    assert tray.tooltip() == "SMD: 3 unread posts"
    tray.set_unread(1)
    assert tray.tooltip() == "SMD: 1 unread post"
    tray.set_unread(-4)
    assert tray.unread == 0 and tray.tooltip() == "SMD"
    tray.notify("Ada posted", "hello")
    assert tray.last_notification == ("Ada posted", "hello")
    tray.show()  # no-ops, no errors
    tray.hide()


def test_tray_icon_shows_count_and_menu_asks_to_show_and_quit(qtbot: QtBot) -> None:
    tray = Tray(available=True)
    assert tray.icon is not None and tray.menu is not None
    tray.set_unread(12)
    assert tray.icon.toolTip() == "SMD: 12 unread posts"
    actions = {a.text(): a for a in tray.menu.actions() if a.text()}
    assert list(actions) == ["Show SMD", "Quit"]
    with qtbot.waitSignal(tray.show_requested, timeout=1000):
        actions["Show SMD"].trigger()
    with qtbot.waitSignal(tray.quit_requested, timeout=1000):
        actions["Quit"].trigger()
    tray.notify("New post", "from Ada")
    assert tray.last_notification == ("New post", "from Ada")


def test_badge_is_drawn_top_right_and_only_for_unread_posts() -> None:
    base = app_pixmap(64)
    corner = (33, 17)  # inside the badge circle, left of its digit
    plain = base.toImage().pixelColor(*corner)
    badged = with_badge(base, 5).toImage().pixelColor(*corner)
    assert badged.red() > 180 and badged.green() < 90 and badged.blue() < 90
    assert badged != plain
    assert base.toImage().pixelColor(*corner) == plain  # the base is left as it was
    assert with_badge(base, 0).toImage() == base.toImage()


def test_badge_and_tooltip_texts() -> None:
    assert [badge_text(n) for n in (0, 1, 99, 100, 5000)] == ["", "1", "99", "99+", "99+"]
    assert tooltip_for(0) == "SMD"
    assert tooltip_for(2) == "SMD: 2 unread posts"


# -- theme ---------------------------------------------------------------------------------


@pytest.fixture
def restore_theme(qapp: QApplication) -> Iterator[None]:
    yield
    apply_theme(qapp, "system")


def test_dark_palette_has_dark_window_and_light_text(
    qapp: QApplication, restore_theme: None
) -> None:
    apply_theme(qapp, "dark")
    palette = qapp.palette()
    window, text = palette.color(palette.ColorRole.Window), palette.color(palette.ColorRole.Text)
    assert window.lightness() < text.lightness()
    assert window == QColor("#202124")
    assert is_dark(palette)
    assert qapp.styleHints().colorScheme() in (Qt.ColorScheme.Dark, Qt.ColorScheme.Unknown)


def test_light_palette_has_light_window_and_dark_text(
    qapp: QApplication, restore_theme: None
) -> None:
    apply_theme(qapp, "light")
    assert not is_dark(qapp.palette())
    assert qapp.palette().color(qapp.palette().ColorRole.Window) == QColor("#f3f3f3")


def test_system_follows_the_platform_scheme(qapp: QApplication, restore_theme: None) -> None:
    apply_theme(qapp, "system")
    system = QPalette(qapp.palette())
    apply_theme(qapp, "dark")
    assert qapp.palette() != system or qapp.styleHints().colorScheme() == Qt.ColorScheme.Dark
    apply_theme(qapp, "system")
    expect_dark = qapp.styleHints().colorScheme() == Qt.ColorScheme.Dark
    assert is_dark(qapp.palette()) == expect_dark
    assert qapp.palette() == system  # back to what "system" gave before


def test_unknown_theme_is_refused(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match=r"^unknown theme 'purple' "):
        apply_theme(qapp, "purple")


def test_saved_theme_defaults_to_system(tmp_path: object) -> None:
    settings = QSettings()
    assert saved_theme(settings) == "system"
    settings.setValue(THEME_KEY, "neon")
    assert saved_theme(settings) == "system"
    settings.setValue(THEME_KEY, "dark")
    assert saved_theme(settings) == "dark"


def test_palettes_differ() -> None:
    assert is_dark(dark_palette()) and not is_dark(light_palette())


# -- auto-lock -----------------------------------------------------------------------------


def test_auto_lock_fires_after_the_idle_interval(qtbot: QtBot, qapp: QApplication) -> None:
    lock = AutoLock(qapp, 50)
    clock = QElapsedTimer()
    clock.start()
    with qtbot.waitSignal(lock.lock_requested, timeout=3000):
        lock.start()
    assert clock.elapsed() >= 50
    assert not lock.active  # asks once, then waits for the next start()


def test_key_events_postpone_the_lock(qtbot: QtBot, qapp: QApplication) -> None:
    interval_ms = 300
    lock = AutoLock(qapp, interval_ms, clock=time.monotonic)
    field = QLineEdit()
    qtbot.addWidget(field)
    last_key = [0.0]
    presses = [0]
    typing = QTimer()
    typing.setInterval(50)

    def press() -> None:
        QTest.keyClick(field, Qt.Key.Key_A)
        last_key[0] = time.monotonic()
        presses[0] += 1
        if presses[0] == 10:  # 500 ms of typing: longer than the interval
            typing.stop()

    typing.timeout.connect(press)
    started = time.monotonic()
    lock.start()
    typing.start()
    with qtbot.waitSignal(lock.lock_requested, timeout=5000):
        pass
    fired = time.monotonic()
    assert presses[0] == 10
    assert fired - started >= 0.5 + interval_ms / 1000 - 0.06
    assert fired - last_key[0] >= interval_ms / 1000 - 0.01
    assert field.text() == "a" * 10


def test_input_resets_the_idle_time(qtbot: QtBot, qapp: QApplication) -> None:
    now = [1000.0]
    lock = AutoLock(qapp, 60_000, clock=lambda: now[0])
    field = QLineEdit()
    qtbot.addWidget(field)
    lock.start()
    now[0] += 50
    assert lock.idle_ms() == 50_000
    QTest.keyClick(field, Qt.Key.Key_B)
    assert lock.idle_ms() == 0
    now[0] += 59
    with qtbot.assertNotEmitted(lock.lock_requested):
        lock.check()
    assert lock.active
    now[0] += 1
    with qtbot.waitSignal(lock.lock_requested, timeout=1000):
        lock.check()
    assert not lock.active


def test_mouse_input_counts_and_stop_stops(qtbot: QtBot, qapp: QApplication) -> None:
    now = [0.0]
    lock = AutoLock(qapp, 1000, clock=lambda: now[0])
    field = QLineEdit()
    qtbot.addWidget(field)
    lock.start()
    now[0] = 0.9
    QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    assert lock.idle_ms() == 0
    lock.stop()
    now[0] = 100.0
    with qtbot.assertNotEmitted(lock.lock_requested):
        lock.check()
    QTest.keyClick(field, Qt.Key.Key_C)  # no longer watched
    assert lock.idle_ms() == 99_100  # still counted from the click at 0.9 s


def test_auto_lock_off_never_starts(qapp: QApplication) -> None:
    lock = AutoLock(qapp, 0)
    lock.start()
    assert not lock.active
    lock.set_minutes(5)
    assert lock.interval_ms == 300_000 and not lock.active
    lock.start()
    assert lock.active
    lock.set_minutes(0)
    assert not lock.active


def test_saved_auto_lock_minutes_accepts_only_the_offered_choices() -> None:
    settings = QSettings()
    assert saved_auto_lock_minutes(settings) == 0
    settings.setValue(AUTO_LOCK_KEY, 30)
    assert saved_auto_lock_minutes(settings) == 30
    settings.setValue(AUTO_LOCK_KEY, 7)
    assert saved_auto_lock_minutes(settings) == 0
    settings.setValue(AUTO_LOCK_KEY, "soon")
    assert saved_auto_lock_minutes(settings) == 0
