"""Helpers for the References Directory's UI tests."""

from __future__ import annotations

from typing import Any

from plugins.references.core import EntryDraft
from smd_desktop.ui.testing import WAIT_MS, PluginWindow

PASSPHRASE = "correct horse battery staple"


def draft(title: str, url: str, **fields: Any) -> EntryDraft:
    """A draft with a title and URL; other fields by keyword."""
    return EntryDraft(title=title, url=url, **fields)


Window = PluginWindow
"""What the app gives the plugin for one window (see smd_desktop.ui.testing)."""

__all__ = ["PASSPHRASE", "WAIT_MS", "Window", "draft"]
