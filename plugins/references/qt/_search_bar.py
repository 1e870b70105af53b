"""The search row of the References page: words, and filters by category, tag and person.

It only says what is asked (:meth:`SearchBar.request`); the page runs the plugin's search in
the core's thread, across every directory held, whenever :attr:`SearchBar.changed` fires.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget

from ._calls import SearchRequest
from ._sources import PersonBox


class SearchBar(QWidget):
    """Search words plus three filters; empty everywhere means "no search"."""

    changed = Signal()
    """What is asked changed (typing is coalesced by the page's refresh timer)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(self.tr("Search every directory you hold…"))
        self.text.setAccessibleName(self.tr("Search references"))
        self.text.setClearButtonEnabled(True)
        self.category = QLineEdit(self)
        self.category.setPlaceholderText(self.tr("Category, e.g. Audio / Microphones"))
        self.category.setAccessibleName(self.tr("Filter by category"))
        self.tag = QLineEdit(self)
        self.tag.setPlaceholderText(self.tr("Tag"))
        self.tag.setAccessibleName(self.tr("Filter by tag"))
        self.person = PersonBox(self)
        self.clear_button = QPushButton(self.tr("Clear"), self)
        self.clear_button.setAccessibleName(self.tr("Clear the search"))
        self.clear_button.clicked.connect(self.clear)
        for line in (self.text, self.category, self.tag):
            line.textChanged.connect(self._edited)
        self.person.currentIndexChanged.connect(self._edited)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 3)
        layout.addWidget(self.category, 2)
        layout.addWidget(self.tag, 1)
        layout.addWidget(self.person, 1)
        layout.addWidget(self.clear_button)
        self._edited()

    def request(self) -> SearchRequest:
        """What is asked now."""
        return SearchRequest(
            self.text.text(), self.category.text(), self.tag.text(), self.person.person()
        )

    def clear(self) -> None:
        """Back to no search (one :attr:`changed`)."""
        self.blockSignals(True)
        try:
            for line in (self.text, self.category, self.tag):
                line.clear()
            self.person.setCurrentIndex(0)
        finally:
            self.blockSignals(False)
        self._edited()

    def _edited(self) -> None:
        self.clear_button.setEnabled(self.request().active)
        self.changed.emit()
