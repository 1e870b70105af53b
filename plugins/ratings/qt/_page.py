"""The Ratings page: my reputation, my deals, importing platform ratings, my trust statements.

Each tab reads what it shows in the core's thread when it is shown and on ``records_changed``
(bursts coalesced, see :class:`~smd_desktop.ui.plugin_work.Refresher`); actions write through
the facade and emit ``records_changed`` so every view re-reads. A status line under the tabs
says what the last action did.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP, english_plural
from smd_desktop.ui.plugin_api import UiContext

from ._deals_tab import DealsTab
from ._import_tab import ImportTab
from ._reputation import ReputationDisplay
from ._reveal import Revealer
from ._trust_tab import TrustTab

TITLE = QT_TRANSLATE_NOOP("MainWindow", "Ratings")
"""The page's title: English, as ``MainWindow.show_page`` looks it up; the window's list shows
it translated (context ``MainWindow``, like the core pages' titles)."""


class RatingsPage(QWidget):
    """The Ratings page of the window."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setAccessibleName(self.tr("Ratings"))
        self.reputation = ReputationDisplay(ui, None, self)
        self.deals = DealsTab(ui, self)
        self.imports = ImportTab(ui, self)
        self.trust = TrustTab(ui, self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Ratings sections"))
        self.tabs.addTab(self.reputation, self.tr("My &reputation"))
        self.tabs.addTab(self.deals, self.tr("&Deals"))
        self.tabs.addTab(self.imports, self.tr("&Import"))
        self.tabs.addTab(self.trust, self.tr("&Trust"))
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Ratings status"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        for tab in (self.deals, self.imports, self.trust):
            tab.message.connect(self.show_status)
        self.revealer = Revealer(ui, self)
        self.revealer.revealed.connect(self._revealed)

    def show_status(self, text: str) -> None:
        """Show a sentence in the status line."""
        self.status.setText(text)

    def _revealed(self, count: int) -> None:
        self.show_status(english_plural(self.tr("%n sealed rating(s) revealed.", "", count), count))

    def show_tab(self, tab: QWidget) -> None:
        """Bring ``tab`` (one of the page's tabs) to the front."""
        self.tabs.setCurrentWidget(tab)
