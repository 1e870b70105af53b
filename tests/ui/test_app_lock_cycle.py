"""Auto-lock end to end: the app locks (node stopped, store closed, window hidden, unlock
dialog shown), a wrong then the right passphrase unlocks it, the node comes back online and
the profile works again; then a clean quit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from smd_desktop.app import DesktopApp
from smd_desktop.core.plugins import PluginHost
from smd_desktop.core.testing import make_profile
from smd_desktop.ui.unlock_dialog import UnlockDialog

PASSPHRASE = "correct horse battery staple"


def unlock_dialog() -> UnlockDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, UnlockDialog) and widget.isVisible():
            return widget
    return None


def test_lock_then_unlock_restarts_the_node_and_keeps_the_profile(
    qtbot: QtBot, tmp_path: Path
) -> None:
    make_profile(tmp_path / "ada", "Ada", passphrase=PASSPHRASE).close()
    desktop = DesktopApp(tmp_path / "ada", lan=False, plugins=PluginHost())
    try:
        with qtbot.waitSignal(desktop.guest.started, timeout=5000):
            desktop.guest.start()
        with qtbot.waitSignal(desktop.service.unlocked, timeout=10_000):
            desktop.service.run(desktop.service.unlock, PASSPHRASE)
        window = desktop.show_window()
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: desktop.node.node is not None, timeout=30_000)
        first_peer_id = desktop.node.node.peer_id if desktop.node.node else ""

        with qtbot.waitSignal(desktop.service.closed, timeout=15_000):
            desktop.auto_lock.lock_requested.emit()  # what the idle timer does
        assert desktop.node.node is None
        assert not desktop.service.is_open
        qtbot.waitUntil(lambda: unlock_dialog() is not None, timeout=5000)
        assert not window.isVisible()

        dialog = unlock_dialog()
        assert dialog is not None
        dialog.passphrase.setText("not it")
        dialog.attempt()
        qtbot.waitUntil(lambda: dialog.error_label.text() != "", timeout=10_000)
        assert not desktop.service.is_open
        dialog.passphrase.setText(PASSPHRASE)
        with qtbot.waitSignal(desktop.service.unlocked, timeout=10_000):
            dialog.attempt()
        qtbot.waitUntil(window.isVisible, timeout=5000)
        qtbot.waitUntil(lambda: desktop.node.node is not None, timeout=30_000)
        assert desktop.node.node is not None and desktop.node.node.peer_id == first_peer_id
        assert desktop.network.status.text().startswith("Online")

        posted: list[str] = []

        async def post() -> None:
            record = await desktop.service.call(lambda p: p.post("after the lock"))
            posted.append(record.id.hex())

        desktop.service.run(post)
        qtbot.waitUntil(lambda: bool(posted), timeout=10_000)

        with qtbot.waitSignal(desktop.guest.finished, timeout=15_000):
            window.close()
        assert desktop.guest.crash is None
    finally:
        if not desktop.guest.done:
            with qtbot.waitSignal(desktop.guest.finished, timeout=15_000):
                desktop.quit(lambda: None)
