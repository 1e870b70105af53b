"""Loads the Qt parts of the active plugins and calls their UI hooks with fault isolation."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pluggy
from PySide6.QtCore import QCoreApplication

from ..core.ids import IdentityKey
from ..core.plugins import PluginHost, SearchHit
from . import plugin_api
from .plugin_api import PluginPage, PluginPanel, UiContext

log = logging.getLogger("smd.plugins")
T = TypeVar("T")


class PluginUi:
    """The UI hooks of the active plugins of one profile."""

    def __init__(
        self,
        host: PluginHost,
        ui: UiContext,
        *,
        on_failure: Callable[[str, str], None] | None = None,
        import_module: Callable[[str], Any] = importlib.import_module,
    ) -> None:
        """``on_failure(plugin, message)`` runs when a plugin's UI fails (the app disables
        the plugin in the core too, off the GUI thread)."""
        self.ui = ui
        self._on_failure = on_failure
        self._pm = pluggy.PluginManager("smd")
        self._pm.add_hookspecs(plugin_api)
        self.errors: dict[str, str] = {}
        for name, module_name in host.ui_modules():
            try:
                module = import_module(module_name)
                self._pm.register(module, name=name)
                self._pm.check_pending()
            except Exception as exc:  # its UI is gone; the rest of the app is not
                if self._pm.has_plugin(name):
                    self._pm.unregister(name=name)
                text = QCoreApplication.translate(
                    "PluginUi", "its window parts cannot load: {reason}"
                )
                self._failed(name, text.format(reason=_why(exc)))

    @property
    def names(self) -> list[str]:
        """Plugins whose UI is loaded and has not failed."""
        return [name for name, _ in self._pm.list_name_plugin()]

    def _failed(self, name: str, message: str) -> None:
        self.errors[name] = message
        log.error("plugin %s: %s", name, message)
        if self._pm.has_plugin(name):
            self._pm.unregister(name=name)
        if self._on_failure is not None:
            self._on_failure(name, message)

    def _each(self, hook_name: str, failure: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook_name`` in each plugin; ``failure`` ("failed while ...") explains an
        exception, which disables that plugin."""
        results: list[tuple[str, Any]] = []
        for impl in list(getattr(self._pm.hook, hook_name).get_hookimpls()):
            try:
                value = impl.function(*[kwargs[name] for name in impl.argnames])
            except Exception as exc:  # charged to this plugin only
                self._failed(impl.plugin_name, f"{failure}: {_why(exc)}")
                continue
            results.append((impl.plugin_name, value))
        return results

    def pages(self) -> list[PluginPage]:
        """Every plugin page, in plugin-name order."""
        found = self._each(
            "smd_ui_pages",
            QCoreApplication.translate("PluginUi", "failed while building its pages"),
            ui=self.ui,
        )
        return [page for _, pages in sorted(found, key=lambda x: x[0]) for page in pages or ()]

    def profile_panels(self, identity: IdentityKey) -> list[PluginPanel]:
        """The panels plugins show on ``identity``'s profile."""
        found = self._each(
            "smd_profile_panels",
            QCoreApplication.translate("PluginUi", "failed while building a profile panel"),
            ui=self.ui,
            identity=identity,
        )
        return _flat(found)

    def settings_panels(self) -> dict[str, list[PluginPanel]]:
        """Each plugin's settings panels, by plugin name."""
        found = self._each(
            "smd_settings_panels",
            QCoreApplication.translate("PluginUi", "failed while building its settings"),
            ui=self.ui,
        )
        return {name: list(panels or ()) for name, panels in found}

    def open_search_hit(self, hit: SearchHit) -> bool:
        """Let the hit's plugin open it; False when no plugin did."""
        for name, handled in self._each(
            "smd_open_search_hit",
            QCoreApplication.translate("PluginUi", "failed while opening a search result"),
            ui=self.ui,
            hit=hit,
        ):
            if name == hit.plugin and handled:
                return True
        return False


def _flat(found: Sequence[tuple[str, Any]]) -> list[PluginPanel]:
    return [panel for _, panels in sorted(found, key=lambda x: x[0]) for panel in panels or ()]


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
