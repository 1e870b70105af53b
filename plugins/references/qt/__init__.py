"""The References Directory's desktop part: its page, profile panels and settings.

Imported only by the desktop app (``PluginInfo.ui_module``); the headless plugin never imports
it. Every read and write runs in the core's worker thread through ``ui.service``.
"""

from ._hooks import (
    smd_open_search_hit,
    smd_profile_panels,
    smd_settings_panels,
    smd_ui_pages,
)
from ._page import TITLE, ReferencesPage
from ._profile_panel import AuthorPanel
from ._settings import SettingsPanel, no_affiliate_links

__all__ = [
    "TITLE",
    "AuthorPanel",
    "ReferencesPage",
    "SettingsPanel",
    "no_affiliate_links",
    "smd_open_search_hit",
    "smd_profile_panels",
    "smd_settings_panels",
    "smd_ui_pages",
]
