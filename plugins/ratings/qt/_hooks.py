"""The Ratings plugin's desktop hooks (``ui_module = "plugins.ratings.qt"``).

The app calls these once per window (the page) or per person shown (the profile panel); a
search hit opens the reputation of the person it is about on their Profile page.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.plugins import SearchHit, hookimpl
from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP
from smd_desktop.ui.plugin_api import PluginPage, PluginPanel, UiContext
from smd_desktop.ui.plugin_work import alive, start

from ._calls import ratee_of
from ._page import TITLE, RatingsPage
from ._profile_panel import ReputationPanel

PLUGIN = "ratings"
"""The plugin's name (``SearchHit.plugin``)."""
RATING_HIT = "rating"
"""The ``SearchHit.kind`` of a rating: it opens the rated person."""
PANEL_TITLE = QT_TRANSLATE_NOOP("Ratings", "Reputation")
"""The Profile page's tab (English: shown translated)."""

_pages: weakref.WeakKeyDictionary[UiContext, RatingsPage] = weakref.WeakKeyDictionary()
"""The page built for each window's context."""


def page_for(ui: UiContext) -> RatingsPage | None:
    """The Ratings page built for ``ui``, if it still exists."""
    page = _pages.get(ui)
    return page if page is not None and alive(page) else None


@hookimpl
def smd_ui_pages(ui: UiContext) -> Sequence[PluginPage]:
    """One page, "Ratings": my reputation, deals, import, trust."""
    page = RatingsPage(ui)
    _pages[ui] = page
    return [PluginPage(TITLE, page)]


@hookimpl
def smd_profile_panels(ui: UiContext, identity: IdentityKey) -> Sequence[PluginPanel]:
    """The person's reputation from my seat, with Start a deal and Set trust."""
    title = QCoreApplication.translate("Ratings", PANEL_TITLE)
    return [PluginPanel(title, ReputationPanel(ui, identity))]


@hookimpl
def smd_open_search_hit(ui: UiContext, hit: SearchHit) -> bool | None:
    """Open the Profile page (with its Reputation panel) of the person a hit is about: the
    rated person for a ``rating`` hit (looked up in the core's thread), else its author."""
    if hit.plugin != PLUGIN:
        return None
    page = page_for(ui)
    if hit.kind != RATING_HIT or page is None:
        ui.open_identity(hit.author)
        return True

    async def about() -> IdentityKey:
        return await ui.service.call(ratee_of, hit.record_id) or hit.author

    start(ui.service, page, about, ui.open_identity)
    return True
