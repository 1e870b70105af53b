"""The Network page and the main window shell, with plain data pushed in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QProgressBar
from pytestqt.qtbot import QtBot

from smd_desktop.ui.main_window import MainWindow
from smd_desktop.ui.network_page import NetworkPage
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest

PEER_A = "12D3KooWAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
PEER_B = "12D3KooWBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"


def test_status_peers_and_progress_follow_what_the_node_reports(qtbot: QtBot) -> None:
    page = NetworkPage()
    qtbot.addWidget(page)
    assert page.status.text() == "Offline"

    page.set_listening(["/ip4/127.0.0.1/tcp/4001/p2p/" + PEER_A])
    assert page.status.text() == "Online, no peers connected"
    page.peer_connected(PEER_A, ["/ip4/10.0.0.2/tcp/4001"])
    page.peer_connected(PEER_B, [])
    assert page.status.text() == "Online, 2 peers connected"
    assert page.peer_ids() == [PEER_A, PEER_B]

    page.sync_progress(PEER_B, 250, 1000)
    bar = page.table.cellWidget(1, 2)
    assert isinstance(bar, QProgressBar)
    assert (bar.value(), bar.maximum()) == (250, 1000)

    page.peer_disconnected(PEER_A)
    assert page.peer_ids() == [PEER_B]
    assert page.status.text() == "Online, 1 peer connected"
    page.sync_progress(PEER_B, 1000, 1000)
    bar = page.table.cellWidget(0, 2)
    assert isinstance(bar, QProgressBar) and bar.value() == 1000


def test_invite_code_shows_as_text_and_qr_and_copies(qtbot: QtBot) -> None:
    page = NetworkPage()
    qtbot.addWidget(page)
    page.set_invite("smd1ExampleCode")
    assert page.invite.toPlainText() == "smd1ExampleCode"
    pixmap = page.qr.pixmap()
    assert not pixmap.isNull() and pixmap.width() > 50
    page.copy_invite()
    assert QGuiApplication.clipboard().text() == "smd1ExampleCode"


def test_connect_requests_carry_the_pasted_text(qtbot: QtBot) -> None:
    page = NetworkPage()
    qtbot.addWidget(page)
    page.connect_button.click()
    assert page.feedback.text() == "Paste an invite code or an address first."
    page.target.setText("  smd1Code  ")
    with qtbot.waitSignal(page.connect_requested, timeout=1000) as request:
        page.connect_button.click()
    assert request.args == ["smd1Code"]
    assert not page.connect_button.isEnabled()
    page.connect_result("Connected to …x.")
    assert page.connect_button.isEnabled()
    with qtbot.waitSignal(page.lan_toggled, timeout=1000) as toggled:
        page.lan.setChecked(False)
    assert toggled.args == [False]


def test_window_switches_pages_shows_errors_and_remembers_its_page(
    qtbot: QtBot, guest: TrioGuest, tmp_path: Path
) -> None:
    QSettings().clear()
    service = CoreService(guest, tmp_path / "p")
    window = MainWindow(service, [("Home", QLabel("home")), ("Network", NetworkPage())])
    qtbot.addWidget(window)
    assert window.page_titles() == ["Home", "Network"]
    window.show_page("Network")
    assert window.stack.currentIndex() == 1
    service.error.emit("The disk is full.")
    assert window.banner.isVisibleTo(window) and window.banner.label.text() == "The disk is full."
    window.close()

    again = MainWindow(service, [("Home", QLabel("home")), ("Network", NetworkPage())])
    qtbot.addWidget(again)
    assert again.stack.currentIndex() == 1


def test_closing_waits_for_the_app_shutdown(qtbot: QtBot, guest: TrioGuest, tmp_path: Path) -> None:
    pending: list[object] = []
    window = MainWindow(
        CoreService(guest, tmp_path / "p"), [("Home", QLabel("h"))], on_quit=pending.append
    )
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert window.isVisible() and len(pending) == 1  # still open while shutting down
    finish = pending[0]
    assert callable(finish)
    finish()
    assert not window.isVisible()
