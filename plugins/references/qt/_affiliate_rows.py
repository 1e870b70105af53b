"""The affiliate links part of the entry dialog: rows of (network, URL) with add and remove.

Links are kept apart from the canonical URL, as the record keeps them; the dialog checks that
any link is disclosed before it can be saved.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ..core import AffiliateLink
from ..core.model import MAX_AFFILIATE_LINKS


class AffiliateRow(QWidget):
    """One affiliate link being edited."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network = QLineEdit(self)
        self.network.setPlaceholderText(self.tr("Network, e.g. Amazon Associates"))
        self.network.setAccessibleName(self.tr("Affiliate network {number}").format(number=number))
        self.url = QLineEdit(self)
        self.url.setPlaceholderText(self.tr("https://… (the link with your tag)"))
        self.url.setAccessibleName(self.tr("Affiliate link {number}").format(number=number))
        self.remove = QPushButton(self.tr("Remove"), self)
        self.remove.setAccessibleName(
            self.tr("Remove affiliate link {number}").format(number=number)
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.network, 1)
        layout.addWidget(self.url, 2)
        layout.addWidget(self.remove)

    def is_empty(self) -> bool:
        """Whether nothing was typed in the row (it is then ignored)."""
        return not (self.network.text().strip() or self.url.text().strip())


class AffiliateEditor(QWidget):
    """Up to :data:`MAX_AFFILIATE_LINKS` rows; emits :attr:`changed` on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AffiliateRow] = []
        self._rows_box = QVBoxLayout()
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        self.add = QPushButton(self.tr("Add affiliate link"), self)
        self.add.setAccessibleName(self.tr("Add affiliate link"))
        self.add.clicked.connect(self._add_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def add_row(self, network: str = "", url: str = "") -> AffiliateRow:
        """Append a row (filled with ``network`` and ``url``) and focus its network field."""
        row = AffiliateRow(len(self.rows) + 1, self)
        row.network.setText(network)
        row.url.setText(url)
        row.network.textChanged.connect(self.changed)
        row.url.textChanged.connect(self.changed)
        row.remove.clicked.connect(lambda: self.remove_row(row))
        self.rows.append(row)
        self._rows_box.addWidget(row)
        self.add.setEnabled(len(self.rows) < MAX_AFFILIATE_LINKS)
        row.network.setFocus()
        self.changed.emit()
        return row

    def _add_clicked(self) -> None:
        self.add_row()

    def remove_row(self, row: AffiliateRow) -> None:
        """Drop ``row``."""
        self.rows.remove(row)
        row.deleteLater()
        row.hide()
        self.add.setEnabled(len(self.rows) < MAX_AFFILIATE_LINKS)
        self.changed.emit()

    def set_links(self, links: Sequence[AffiliateLink]) -> None:
        """Show exactly ``links``."""
        for row in list(self.rows):
            self.remove_row(row)
        for link in links:
            self.add_row(link.network, link.url)

    def links(self) -> tuple[AffiliateLink, ...]:
        """The rows typed in (empty rows ignored; the core checks the rest)."""
        return tuple(
            AffiliateLink(row.network.text().strip(), row.url.text().strip())
            for row in self.rows
            if not row.is_empty()
        )
