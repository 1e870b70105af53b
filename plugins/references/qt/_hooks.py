"""The References Directory's desktop hooks (``ui_module = "plugins.references.qt"``).

The app calls these once per window (pages, settings) or per person shown (profile panels);
a search hit is opened on the page built for the same :class:`UiContext`.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.plugins import SearchHit, hookimpl
from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP
from smd_desktop.ui.plugin_api import PluginPage, PluginPanel, UiContext
from smd_desktop.ui.plugin_work import alive

from ._page import TITLE, ReferencesPage
from ._profile_panel import AuthorPanel
from ._settings import PLUGIN, SettingsPanel

PANEL_TITLE = QT_TRANSLATE_NOOP("References", "References Directory")
"""The Profile page's tab (English: shown translated)."""
LINKS_TITLE = QT_TRANSLATE_NOOP("References", "Links")
"""The settings panel's title (English: shown translated)."""

_pages: weakref.WeakKeyDictionary[UiContext, ReferencesPage] = weakref.WeakKeyDictionary()
"""The page built for each window's context, to open search hits on."""


def page_for(ui: UiContext) -> ReferencesPage | None:
    """The References page built for ``ui``, if it still exists."""
    page = _pages.get(ui)
    return page if page is not None and alive(page) else None


@hookimpl
def smd_ui_pages(ui: UiContext) -> Sequence[PluginPage]:
    """One page, "References"."""
    page = ReferencesPage(ui)
    _pages[ui] = page
    return [PluginPage(TITLE, page)]


@hookimpl
def smd_profile_panels(ui: UiContext, identity: IdentityKey) -> Sequence[PluginPanel]:
    """The person's directory, grouped by category, with Endorse for others' entries."""
    title = QCoreApplication.translate("References", PANEL_TITLE)
    return [PluginPanel(title, AuthorPanel(ui, identity))]


@hookimpl
def smd_settings_panels(ui: UiContext) -> Sequence[PluginPanel]:
    """The "No affiliate links" switch."""
    return [PluginPanel(QCoreApplication.translate("References", LINKS_TITLE), SettingsPanel(ui))]


@hookimpl
def smd_open_search_hit(ui: UiContext, hit: SearchHit) -> bool | None:
    """Switch to the References page and show the hit's entry."""
    if hit.plugin != PLUGIN:
        return None
    page = page_for(ui)
    if page is None:
        return False
    ui.show_page(TITLE)
    page.show_entry(hit.record_id)
    return True
