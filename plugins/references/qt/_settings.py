"""The References Directory's one setting: "No affiliate links" (open canonical URLs only).

Stored in the plugin's own QSettings (``ui.settings("references")``), per machine, and read
again at every click; :func:`switch_of` tells open views to relabel their link buttons.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from smd_desktop.ui.plugin_api import UiContext

from ..core import EntryView, url_to_open

PLUGIN = "references"
NO_AFFILIATE_KEY = "no_affiliate_links"


class AffiliateSwitch(QObject):
    """Announces changes of the "No affiliate links" setting within one window."""

    changed = Signal(bool)
    """The new value (True: canonical URLs only)."""


_switches: weakref.WeakKeyDictionary[UiContext, AffiliateSwitch] = weakref.WeakKeyDictionary()


def switch_of(ui: UiContext) -> AffiliateSwitch:
    """The window's :class:`AffiliateSwitch` (made on first use)."""
    switch = _switches.get(ui)
    if switch is None:
        switch = _switches[ui] = AffiliateSwitch()
    return switch


def no_affiliate_links(ui: UiContext) -> bool:
    """Whether the person chose to open canonical URLs only."""
    return bool(ui.settings(PLUGIN).value(NO_AFFILIATE_KEY, False, type=bool))


def set_no_affiliate_links(ui: UiContext, on: bool) -> None:
    """Remember the choice."""
    settings = ui.settings(PLUGIN)
    settings.setValue(NO_AFFILIATE_KEY, on)
    settings.sync()
    switch_of(ui).changed.emit(on)


def link_for(ui: UiContext, entry: EntryView) -> str:
    """The URL "Open link" opens for ``entry`` under the current setting."""
    return url_to_open(entry, allow_affiliate=not no_affiliate_links(ui))


class SettingsPanel(QWidget):
    """The "No affiliate links" switch, under Settings > Plugins > References Directory."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.no_affiliate = QCheckBox(
            self.tr("No affiliate links: always open the plain product link")
        )
        self.no_affiliate.setAccessibleName(self.tr("No affiliate links"))
        self.no_affiliate.setAccessibleDescription(
            self.tr(
                "When on, Open link never uses an author's affiliate link, only the canonical URL."
            )
        )
        self.no_affiliate.setChecked(no_affiliate_links(ui))
        self.no_affiliate.toggled.connect(lambda on: set_no_affiliate_links(self.ui, on))
        hint = QLabel(
            self.tr(
                "Authors may earn a commission through their affiliate links (always disclosed). "
                "With this switch on, links open without them."
            )
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.no_affiliate)
        layout.addWidget(hint)
        layout.addStretch(1)
