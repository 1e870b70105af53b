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
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from . import __version__
from .cli import default_data_dir, kdf_from_env
from .core.ids import identity_text
from .core.plugins import PluginHost, SearchHit
from .core.store import now_ms
from .ui.app_icon import APP_ID, app_icon
from .ui.auto_lock import AutoLock, saved_auto_lock_minutes
from .ui.i18n import english_plural, install_translator
from .ui.main_window import MainWindow
from .ui.network_page import NetworkPage
from .ui.plugin_api import UiContext
from .ui.plugin_ui import PluginUi
from .ui.plugins_panel import PluginsPanel
from .ui.search_dialog import SearchDialog
from .ui.service import CoreService
from .ui.settings_page import SettingsPage, saved_hops
from .ui.theme import apply_theme, saved_theme
from .ui.tray import Tray
from .ui.trio_bridge import TrioGuest

if TYPE_CHECKING:
    from p2p.node import Node, NodeEvent

    from .core.profile import Activity, Profile

REFRESH_DEBOUNCE_MS = 250
RESTART_DEBOUNCE_MS = 500
LAST_SEEN_KEY = "home/last_seen_ms"
UNREAD_WINDOW = 200


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
        from .replication import ProfileBlobSource, ProfileDirect, ProfileLogStore

        await trio.to_thread.run_sync(route_libp2p_logging)
        profile = self.service.profile
        logs = await self.service.blocking(
            lambda: ProfileLogStore(profile, on_ingest=self._on_ingest)
        )
        book = await self.service.blocking(load_book, profile)
        listen = await self.service.blocking(listen_addrs, profile, None)
        logs.hops = saved_hops()  # the Settings page's choice (QSettings: read on this thread)
        direct = ProfileDirect(
            profile, on_change=lambda: trio.from_thread.run_sync(self._refresh.start)
        )
        node = Node(
            seed=profile.device_seed,
            store=logs,
            inspector=logs,
            listen=listen,
            on_event=self._on_event,
            book=book,
            blobs=ProfileBlobSource(profile),
            lan_discovery=self.lan,
            direct_inbox=direct,
            direct_outbox=direct,
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
            # Ready for another run() (restart, or unlock after an auto-lock).
            self._scope = None
            self._stopped = trio.Event()

    async def set_lan(self, on: bool) -> None:
        """Switch LAN discovery: the node restarts with the new setting (peers redial)."""
        if on == self.lan:
            return
        self.lan = on
        await self.restart()

    async def restart(self) -> None:
        """Restart a running node (new LAN, port or hops settings); peers redial."""
        if self._scope is not None:
            await self.stop()
            self.page.set_listening([])
            for peer in self.page.peer_ids():
                self.page.peer_disconnected(peer)
            if self.service.is_open:
                self.service.run(self.run)

    async def connect(self, text: str) -> None:
        """Dial an invite code or multiaddr from the Network page."""
        from p2p.errors import P2PError

        if self.node is None:
            self.page.connect_result(
                QCoreApplication.translate(
                    "NodeController", "The network is not running yet; try again in a moment."
                )
            )
            return
        try:
            peer = await self.node.connect(text)
        except P2PError as exc:
            failed = QCoreApplication.translate("NodeController", "Could not connect: {reason}")
            self.page.connect_result(failed.format(reason=exc))
            return
        done = QCoreApplication.translate("NodeController", "Connected to …{peer}.")
        self.page.connect_result(done.format(peer=peer[-12:]))

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


def notification(
    seen: Activity, names: dict[bytes, str], notified: set[bytes], posts_before: int
) -> str | None:
    """One sentence about what is new and not told yet: replies, then new followers, then new
    posts (when more than ``posts_before``); remembers the replies and followers it told.
    Translated (context ``Notification``)."""
    replies = [r for r in seen.replies if bytes(r.id) not in notified]
    followers = [f for f in seen.new_followers if bytes(f) not in notified]
    notified.update(bytes(r.id) for r in replies)
    notified.update(bytes(f) for f in followers)
    someone = QCoreApplication.translate("Notification", "Someone")
    if replies:
        who = replies[0].author_name or someone
        more = len(replies) - 1
        if more == 0:
            text = QCoreApplication.translate("Notification", "{name} replied to you")
        else:
            text = english_plural(
                QCoreApplication.translate(
                    "Notification", "{name} replied to you (and %n more replies)", "", more
                ),
                more,
            )
        return text.format(name=who)
    if followers:
        who = names.get(bytes(followers[0]), someone)
        more = len(followers) - 1
        if more == 0:
            text = QCoreApplication.translate("Notification", "{name} now follows you")
        else:
            text = english_plural(
                QCoreApplication.translate(
                    "Notification", "{name} now follows you (and %n more)", "", more
                ),
                more,
            )
        return text.format(name=who)
    if seen.new_posts > posts_before:
        author = seen.latest_author
        if author:
            text = QCoreApplication.translate("Notification", "New post from {name}")
            return text.format(name=author)
        text = QCoreApplication.translate("Notification", "%n new posts", "", seen.new_posts)
        return english_plural(text, seen.new_posts)
    return None


def plugin_turned_off(plugin: str, reason: str) -> str:
    """The error banner's sentence when a plugin failed and was turned off (translated)."""
    text = QCoreApplication.translate("DesktopApp", "The plugin {plugin} was turned off: {reason}")
    return text.format(plugin=plugin, reason=reason)


class DesktopApp:
    """Builds and runs the whole app for one data directory."""

    def __init__(
        self, data_dir: Path, *, lan: bool = True, plugins: PluginHost | None = None
    ) -> None:
        self.data_dir = data_dir
        self.guest = TrioGuest()
        # The plugins' core parts load now (light, headless); their Qt parts once unlocked.
        self.plugins = plugins if plugins is not None else PluginHost.discover()
        self.service = CoreService(self.guest, data_dir, kdf=kdf_from_env(), plugins=self.plugins)
        # Called from the worker thread: a Qt signal crosses to the GUI thread safely.
        self.plugins.listeners.append(
            lambda status: self.service.error.emit(plugin_turned_off(status.title, status.error))
        )
        self.plugin_ui: PluginUi | None = None
        self._search: SearchDialog | None = None
        self._unlock_dialog: QDialog | None = None
        self.network = NetworkPage()
        self.node = NodeController(self.service, self.network, lan=lan)
        self.window: MainWindow | None = None
        self.settings_page = SettingsPage(self.service)
        self.plugins_panel = PluginsPanel(self.service)
        self.settings_page.add_section(self.plugins_panel)
        self.tray = Tray()
        qapp = QApplication.instance()
        assert isinstance(qapp, QApplication), "build the QApplication first"
        self.auto_lock = AutoLock(qapp, saved_auto_lock_minutes() * 60_000)
        self._locking = False
        self._notified: set[bytes] = set()
        self._posts_before = 0
        self._restart = QTimer()
        self._restart.setSingleShot(True)
        self._restart.setInterval(RESTART_DEBOUNCE_MS)  # one restart for a burst of changes
        self._restart.timeout.connect(lambda: self.service.run(self.node.restart))
        self.settings_page.network_settings_changed.connect(self._restart.start)
        self.settings_page.theme_changed.connect(lambda choice: apply_theme(qapp, choice))
        self.settings_page.auto_lock_changed.connect(self.auto_lock.set_minutes)
        self.service.unlocked.connect(self.auto_lock.start)
        self.service.closed.connect(self.auto_lock.stop)
        self.auto_lock.lock_requested.connect(self.lock)
        self.service.records_changed.connect(self.refresh_unread)
        self.tray.show_requested.connect(self.raise_window)
        self.tray.quit_requested.connect(self.quit_from_tray)
        qapp.applicationStateChanged.connect(self._app_state_changed)

    def pages(self) -> list[tuple[str, QWidget]]:
        """The window's pages, built once the profile is open."""
        from .ui.home_page import HomePage
        from .ui.people_page import PeoplePage
        from .ui.profile_page import ProfilePage

        # Home first: its first page is the first read queued for the worker thread, ahead
        # of the other pages' loads, so the timeline paints before anything else is read.
        home = HomePage(self.service)
        home.open_identity.connect(self.open_identity)
        self.people = PeoplePage(self.service)
        self.profile_page = ProfilePage(self.service)
        self.profile_page.show_self()
        self.people.open_identity.connect(self.open_identity)
        self.people.follow_invite_requested.connect(
            lambda code: self.service.run(self.follow_invite, code)
        )
        ui = UiContext(self.service, open_identity=self.open_identity, show_page=self.show_page)
        self.plugin_ui = PluginUi(self.plugins, ui, on_failure=self._plugin_ui_failed)
        plugin_pages = [(page.title, page.widget) for page in self.plugin_ui.pages()]
        plugin_ui = self.plugin_ui
        self.profile_page.set_panel_factory(
            lambda identity: [(p.title, p.widget) for p in plugin_ui.profile_panels(identity)]
        )
        self.plugins_panel.add_plugin_panels(self.plugin_ui.settings_panels())
        return [
            ("Home", home),
            ("People", self.people),
            ("Profile", self.profile_page),
            *plugin_pages,
            ("Network", self.network),
            ("Settings", self.settings_page),
        ]

    def show_page(self, title: str) -> None:
        """Switch the window to a page by title."""
        if self.window is not None:
            self.window.show_page(title)

    def _plugin_ui_failed(self, name: str, message: str) -> None:
        self.service.error.emit(plugin_turned_off(name, message))
        if self.service.is_open:
            self.service.run(
                lambda: self.service.call(lambda p: p.plugins.report_failure(name, message))
            )

    def open_search(self) -> SearchDialog:
        """Show the search box (Ctrl+F) over every plugin's search provider."""
        if self._search is None:
            self._search = SearchDialog(self.service, self._open_hit, self.window)
        self._search.show()
        self._search.raise_()
        self._search.activateWindow()
        self._search.query.setFocus()
        return self._search

    def _open_hit(self, hit: SearchHit) -> bool:
        if self.plugin_ui is not None and self.plugin_ui.open_search_hit(hit):
            return True
        self.open_identity(hit.author)  # no plugin page for it: show its author
        return True

    def open_identity(self, identity: bytes) -> None:
        """Show one identity on the Profile page and switch to it."""
        self.profile_page.show_identity(identity)
        if self.window is not None:
            self.window.show_page("Profile")

    async def follow_invite(self, code: str) -> None:
        """Follow the owner of an invite code entered on the People page, then dial it so
        their feeds arrive."""
        from p2p.errors import P2PError
        from p2p.invite import parse_invite

        try:
            invite = parse_invite(code, now_ms())
        except P2PError as exc:
            text = QCoreApplication.translate(
                "DesktopApp", "That invite code cannot be used: {reason}"
            )
            self.people.invite_result(text.format(reason=exc))
            return
        self.people.follow_identity(invite.group)
        if self.node.node is not None:
            await self.node.connect(code)

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
        search = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self.window)
        search.activated.connect(self.open_search)
        self.window.show()
        self.tray.show()
        self.service.run(self.node.run)
        if self.service.is_open:  # unlocked before the window existed: arm it now
            self.auto_lock.start()
        return self.window

    # -- locking ------------------------------------------------------------------------

    def lock(self) -> None:
        """Stop the node, close the store, hide the window and ask for the passphrase."""
        if self._locking or not self.service.is_open:
            return
        self._locking = True

        async def go() -> None:
            try:
                await self.node.stop()
                await self.service.close()
            finally:
                self._locking = False
            self._ask_unlock()

        self.service.run(go)

    def _ask_unlock(self) -> None:
        from .ui.unlock_dialog import UnlockDialog

        if self.window is not None:
            self.window.hide()
        # open(), not exec(): a nested event loop inside a Trio task would stall Trio, and the
        # unlock itself runs in Trio.
        dialog = UnlockDialog(self.service)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._unlocked_again)
        dialog.rejected.connect(self._quit_from_lock)
        # Parentless: without a Python reference the dialog would be collected at once and
        # the user left with no window at all.
        self._unlock_dialog = dialog
        dialog.finished.connect(self._forget_unlock_dialog)
        dialog.open()

    def _forget_unlock_dialog(self) -> None:
        self._unlock_dialog = None

    def _unlocked_again(self) -> None:
        self.raise_window()
        self.service.run(self.node.run)

    def _quit_from_lock(self) -> None:
        self.quit(QApplication.quit)

    # -- tray -----------------------------------------------------------------------------

    def raise_window(self) -> None:
        """Show and raise the window (tray click, notification click, after unlock)."""
        if self.window is not None and self.service.is_open:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()

    def quit_from_tray(self) -> None:
        """Quit as closing the window does (clean shutdown first)."""
        if self.window is not None:
            self.window.close()
        else:
            self.quit(QApplication.quit)

    def refresh_unread(self) -> None:
        """Recount what is new since the window was last active; notify about replies and
        new followers first, then new posts, when the app is not in front."""
        if not self.service.is_open:
            return
        raw = QSettings().value(LAST_SEEN_KEY, 0)
        last_seen = int(str(raw)) if str(raw).isdigit() else 0

        async def count() -> None:
            def activity(profile: Profile) -> tuple[Activity, dict[bytes, str]]:
                seen = profile.activity_since(last_seen, window=UNREAD_WINDOW)
                names = {}
                for who in seen.new_followers:
                    view = profile.store.profile(who)
                    names[bytes(who)] = view.name if view else identity_text(who)[:16] + "…"
                return seen, names

            seen, names = await self.service.call(activity)
            message = notification(seen, names, self._notified, self._posts_before)
            self._posts_before = seen.new_posts
            self.tray.set_unread(seen.new_posts + len(seen.new_followers))
            in_front = QApplication.applicationState() == Qt.ApplicationState.ApplicationActive
            if message is not None and not in_front:
                self.tray.notify("SMD", message)

        self.service.run(count)

    def _app_state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive and self.service.is_open:
            QSettings().setValue(LAST_SEEN_KEY, now_ms())
            self.tray.set_unread(0)
            self._posts_before = 0

    def quit(self, done: Callable[[], None]) -> None:
        """Stop the node, close the store, end Trio; then call ``done``."""

        async def shutdown() -> None:
            await self.node.stop()
            await self.service.close()
            self.guest.shutdown()

        self.auto_lock.stop()
        self.tray.hide()
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
    install_translator(app)  # SMD_LANG or the system's language; before any widget
    app.setApplicationName("SMD")
    app.setOrganizationName("SMD")
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)  # Wayland app id; groups the window with the desktop entry
    apply_theme(app, saved_theme())
    desktop = DesktopApp(args.data_dir or default_data_dir(), lan=not args.no_mdns)
    desktop.guest.start()
    if not desktop.open_profile():
        desktop.guest.shutdown()
        return 0
    desktop.show_window()
    return app.exec()
