"""The desktop side of the plugin API: UI hook specs and what plugin widgets receive.

A plugin with a UI names its Qt module in :attr:`PluginInfo.ui_module`; the app imports that
module only in the desktop app (never in ``smd`` or a headless node) and calls these hooks
for it, one plugin at a time: an exception disables the plugin with a message and the app
goes on. Widgets talk to the core only through :attr:`UiContext.service` (work runs off the
GUI thread) and refresh on ``service.records_changed``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pluggy
from PySide6.QtCore import QCoreApplication, QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from ..core.ids import IdentityKey
from ..core.plugins import SearchHit
from .service import CoreService

hookspec = pluggy.HookspecMarker("smd")


@dataclass(frozen=True, slots=True)
class PluginPage:
    """A page in the window's page list (after the core pages)."""

    title: str
    widget: QWidget


@dataclass(frozen=True, slots=True)
class PluginPanel:
    """A titled panel: on a person's Profile page, or in Settings > Plugins."""

    title: str
    widget: QWidget


class UiContext:
    """What the app offers plugin widgets. Built by the app; one per window."""

    def __init__(
        self,
        service: CoreService,
        *,
        open_identity: Callable[[IdentityKey], None],
        show_page: Callable[[str], None],
    ) -> None:
        self.service = service
        """The core facade: ``service.run(async_fn)`` and ``await service.call(fn, *args)``
        (``fn(profile, *args)`` runs in the worker thread); ``records_changed`` to refresh."""
        self._open_identity = open_identity
        self._show_page = show_page

    def open_identity(self, identity: IdentityKey) -> None:
        """Show a person's profile page."""
        self._open_identity(identity)

    def show_page(self, title: str) -> None:
        """Switch the window to the page titled ``title``."""
        self._show_page(title)

    def show_error(self, text: str) -> None:
        """Show a plain sentence in the window's error banner."""
        self.service.error.emit(text)

    def open_url(self, url: str) -> bool:
        """Open an http(s) URL in the system browser; False (with a message) otherwise."""
        parsed = QUrl(url)
        if parsed.scheme() not in ("http", "https") or not parsed.host():
            text = QCoreApplication.translate("UiContext", "Not a web address: {url}")
            self.show_error(text.format(url=url))
            return False
        if not QDesktopServices.openUrl(parsed):
            self.show_error(
                QCoreApplication.translate("UiContext", "No web browser could open the link.")
            )
            return False
        return True

    @staticmethod
    def settings(plugin: str) -> QSettings:
        """The plugin's own QSettings (the caller uses ``beginGroup`` on nothing: keys are
        already under ``plugins/<plugin>/``)."""
        settings = QSettings()
        settings.beginGroup(f"plugins/{plugin}")
        return settings


@hookspec
def smd_ui_pages(ui: UiContext) -> Sequence[PluginPage]:  # type: ignore[empty-body]
    """Pages to add to the window's page list (built once, when the window is)."""


@hookspec
def smd_profile_panels(ui: UiContext, identity: IdentityKey) -> Sequence[PluginPanel]:  # type: ignore[empty-body]
    """Panels to show on the Profile page of ``identity`` (rebuilt when another person is
    shown; the old widgets are deleted)."""


@hookspec
def smd_settings_panels(ui: UiContext) -> Sequence[PluginPanel]:  # type: ignore[empty-body]
    """The plugin's settings, shown under its entry in Settings > Plugins."""


@hookspec(firstresult=True)
def smd_open_search_hit(ui: UiContext, hit: SearchHit) -> bool | None:
    """Open a search hit of this plugin (``hit.plugin``); return True when handled."""
