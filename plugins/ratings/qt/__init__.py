"""The Ratings plugin's desktop part: the Ratings page and the Reputation panel of profiles.

Imported only by the desktop app (``PluginInfo.ui_module``); the headless plugin never imports
it. Every read and write runs in the core's worker thread through ``ui.service``, by way of the
facade (:class:`plugins.ratings.core.facade.Ratings`).
"""

from ._hooks import PANEL_TITLE, smd_open_search_hit, smd_profile_panels, smd_ui_pages
from ._page import TITLE, RatingsPage
from ._profile_panel import ReputationPanel
from ._reputation import ReputationDisplay

__all__ = [
    "PANEL_TITLE",
    "TITLE",
    "RatingsPage",
    "ReputationDisplay",
    "ReputationPanel",
    "smd_open_search_hit",
    "smd_profile_panels",
    "smd_ui_pages",
]
