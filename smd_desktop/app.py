"""The composition root of the desktop app: the one place where core, node and UI meet.

Start-up: Qt application -> Trio guest run -> first run wizard or unlock dialog -> window ->
(after the window is shown) the p2p node, whose libp2p import (~1-2 s) happens in a worker
thread. Shut-down (window closed): node cancelled, address book saved, store closed, Trio run
ended; only then does the window really close.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trio
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from . import __version__
from .cli import default_data_dir, kdf_from_env
from .ui.main_window import MainWindow
from .ui.network_page import NetworkPage
from .ui.service import CoreService
from .ui.trio_bridge import TrioGuest

if TYPE_CHECKING:
    from p2p.node import Node, NodeEvent

REFRESH_DEBOUNCE_MS = 250


class NodeController:
    """Runs the p2p node for the open profile and mirrors it on the Network page."""

    def __init__(self, service: CoreService, page: NetworkPage, *, lan: bool = True) -> None:
        self.service = service
        self.page = page
        self.lan = lan
        self.node: Node | None = None
        self._scope: trio.CancelScope | None = None
        self._stopped = trio.Event()
        self._refresh = QTimer()
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(REFRESH_DEBOUNCE_MS)
        self._refresh.timeout.connect(service.records_changed)
        page.connect_requested.connect(lambda text: service.run(self.connect, text))
        page.invite_requested.connect(lambda: service.run(self.refresh_invite))
        page.lan.setChecked(lan)
        page.lan_toggled.connect(lambda on: service.run(self.set_lan, on))

    async def run(self) -> None:
        """Run the node until :meth:`stop`; never raises for network trouble."""
        # The libp2p import is slow: keep it off the GUI thread.
        await trio.to_thread.run_sync(importlib.import_module, "p2p.node")
        from p2p.logging_setup import route_libp2p_logging
        from p2p.node import Node

        from .node_runner import fetch_missing_blobs, keep_book_saved, listen_addrs, load_book
        from .replication import ProfileBlobSource, ProfileLogStore

        await trio.to_thread.run_sync(route_libp2p_logging)
        profile = self.service.profile
        logs = await self.service.blocking(
            lambda: ProfileLogStore(profile, on_ingest=self._on_ingest)
        )
        book = await self.service.blocking(load_book, profile)
        listen = await self.service.blocking(listen_addrs, profile, None)
        node = Node(
            seed=profile.device_seed,
            store=logs,
            inspector=logs,
            listen=listen,
            on_event=self._on_event,
            book=book,
            blobs=ProfileBlobSource(profile),
            lan_discovery=self.lan,
        )
        with trio.CancelScope() as self._scope:
            try:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(keep_book_saved, profile, book)
                    nursery.start_soon(node.run)
                    await node.ready.wait()
                    self.node = node
                    nursery.start_soon(fetch_missing_blobs, profile, node)
                    self.page.set_listening(node.listen_addrs)
                    await self.refresh_invite()
            finally:
                self.node = None
                self._stopped.set()

    async def stop(self) -> None:
        """Stop the node (the address book is saved on the way out)."""
        if self._scope is not None:
            self._scope.cancel()
            await self._stopped.wait()

    async def set_lan(self, on: bool) -> None:
        """Switch LAN discovery: the node restarts with the new setting (peers redial)."""
        if on == self.lan:
            return
        self.lan = on
        if self._scope is not None:
            await self.stop()
            self._stopped = trio.Event()
            self.page.set_listening([])
            for peer in self.page.peer_ids():
                self.page.peer_disconnected(peer)
            self.service.run(self.run)

    async def connect(self, text: str) -> None:
        """Dial an invite code or multiaddr from the Network page."""
        from p2p.errors import P2PError

        if self.node is None:
            self.page.connect_result("The network is not running yet; try again in a moment.")
            return
        try:
            peer = await self.node.connect(text)
        except P2PError as exc:
            self.page.connect_result(f"Could not connect: {exc}")
            return
        self.page.connect_result(f"Connected to …{peer[-12:]}.")

    async def refresh_invite(self) -> None:
        """Show a fresh invite code."""
        from .node_runner import INVITE_TTL_HOURS, make_invite_code

        profile = self.service.profile
        code = await self.service.blocking(
            lambda: make_invite_code(profile, ttl_hours=INVITE_TTL_HOURS, addrs=None)
        )
        self.page.set_invite(code)

    def _on_ingest(self, results: list[Any]) -> None:
        # Called in a worker thread: hop back to Trio (the GUI thread) to touch Qt.
        if any(r.outcome.value == "accepted" for r in results):
            trio.from_thread.run_sync(self._refresh.start)

    def _on_event(self, event: NodeEvent) -> None:
        if event.kind == "connected" and self.node is not None:
            self.page.peer_connected(event.peer, self.node.book.addresses(event.peer))
        elif event.kind == "disconnected":
            self.page.peer_disconnected(event.peer)
        elif event.kind in ("sync-progress", "sync-done") and event.progress is not None:
            p = event.progress
            self.page.sync_progress(event.peer, p.received, p.expected or 0)


class DesktopApp:
    """Builds and runs the whole app for one data directory."""

    def __init__(self, data_dir: Path, *, lan: bool = True) -> None:
        self.data_dir = data_dir
        self.guest = TrioGuest()
        self.service = CoreService(self.guest, data_dir, kdf=kdf_from_env())
        self.network = NetworkPage()
        self.node = NodeController(self.service, self.network, lan=lan)
        self.window: MainWindow | None = None

    def pages(self) -> list[tuple[str, QWidget]]:
        """The window's pages, built once the profile is open."""
        from .ui.home_page import HomePage

        return [("Home", HomePage(self.service)), ("Network", self.network)]

    def open_profile(self, parent: QWidget | None = None) -> bool:
        """First run wizard or unlock dialog; True once a profile is open."""
        if self.service.has_profile():
            from .ui.unlock_dialog import UnlockDialog

            dialog: QDialog = UnlockDialog(self.service, parent)
        else:
            from .ui.onboarding import OnboardingWizard

            dialog = OnboardingWizard(self.service, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted and self.service.is_open

    def show_window(self) -> MainWindow:
        """Build and show the main window, then start the node."""
        self.window = MainWindow(self.service, self.pages(), on_quit=self.quit)
        self.window.show()
        self.service.run(self.node.run)
        return self.window

    def quit(self, done: Callable[[], None]) -> None:
        """Stop the node, close the store, end Trio; then call ``done``."""

        async def shutdown() -> None:
            await self.node.stop()
            await self.service.close()
            self.guest.shutdown()

        self.guest.finished.connect(done)
        self.service.run(shutdown)


def main(argv: list[str] | None = None) -> int:
    """``smd-desktop [--data-dir DIR]``."""
    parser = argparse.ArgumentParser(prog="smd-desktop", description="SMD desktop app")
    parser.add_argument("--version", action="version", version=f"smd-desktop {__version__}")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--no-mdns", action="store_true", help="no LAN discovery")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("SMD")
    app.setOrganizationName("SMD")
    desktop = DesktopApp(args.data_dir or default_data_dir(), lan=not args.no_mdns)
    desktop.guest.start()
    if not desktop.open_profile():
        desktop.guest.shutdown()
        return 0
    desktop.show_window()
    return app.exec()
