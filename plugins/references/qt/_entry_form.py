"""The fields of the entry dialog, to and from an :class:`EntryDraft`.

The form only collects text; normalizing and checking it is the core's job (drafts.py), so the
dialog shows the core's own sentence when something is wrong. The one rule checked here, as the
person types, is the one that matters most to readers: an affiliate link must be disclosed.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..core import EntryDraft, EntryView, Identifiers
from ..core.identifiers import KINDS, LABELS
from ..core.model import DISCLOSURE_TEXT, DISCLOSURES, VERDICT_LABELS, VERDICTS
from ._affiliate_rows import AffiliateEditor

UNDISCLOSED_AFFILIATE = (
    "An affiliate link must be disclosed: tick \u201cI earn a commission\u201d "
    "(affiliate) or remove the link."
)
DISCLOSURE_CHOICES = {
    "affiliate": "I earn a commission (affiliate)",
    "sponsored": "I was paid to feature it (sponsored)",
    "free": "I received it for free",
    "owner": "I own or work for the company",
}
USAGE_CHOICES = ("Not said", "Still using it", "Stopped using it")


def split_category(text: str) -> tuple[str, ...]:
    """``Audio / Microphones`` as its segments."""
    return tuple(s.strip() for s in text.split("/") if s.strip())


def split_tags(text: str) -> tuple[str, ...]:
    """Tags typed with commas or spaces between them."""
    return tuple(t for t in re.split(r"[\s,]+", text) if t)


class EntryForm(QWidget):
    """Every field of an entry; emits :attr:`changed` on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = self._line("Title", "What it is, e.g. Shure SM7B")
        self.url = self._line("Link", "https://… (the plain product page, no affiliate tag)")
        self.category = self._line("Category", "e.g. Audio / Microphones")
        self.tags = self._line("Tags", "e.g. podcast, xlr")
        self.note = QPlainTextEdit(self)
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("Why you use it, what to know before buying…")
        self.note.textChanged.connect(self.changed)
        self.ids = {kind: self._line(LABELS[kind], "") for kind in KINDS}
        self.verdict = QComboBox(self)
        self.verdict.setAccessibleName("Verdict")
        self.verdict.addItem("No verdict", None)
        for verdict in VERDICTS:
            self.verdict.addItem(VERDICT_LABELS[verdict], verdict)
        self.usage = QComboBox(self)
        self.usage.setAccessibleName("Still using")
        self.usage.addItems(USAGE_CHOICES)
        self.usage.currentIndexChanged.connect(self._usage_changed)
        self.since = self._line("Using since", "YYYY, YYYY-MM or YYYY-MM-DD")
        self.until = self._line("Stopped in", "YYYY, YYYY-MM or YYYY-MM-DD")
        self.affiliate = AffiliateEditor(self)
        self.affiliate.changed.connect(self.changed)
        self.disclose: dict[str, QCheckBox] = {}
        disclosures = QGroupBox("Disclosures", self)
        box = QVBoxLayout(disclosures)
        for flag in DISCLOSURES:
            check = QCheckBox(DISCLOSURE_CHOICES[flag], disclosures)
            check.setAccessibleName(f"Disclose: {DISCLOSURE_CHOICES[flag]}")
            check.setToolTip(DISCLOSURE_TEXT[flag])
            check.toggled.connect(self.changed)
            box.addWidget(check)
            self.disclose[flag] = check

        form = QFormLayout(self)
        form.addRow("&Title", self.title)
        form.addRow("&Link", self.url)
        form.addRow("&Category", self.category)
        form.addRow("&Note", self.note)
        form.addRow("Ta&gs", self.tags)
        ids_row = QHBoxLayout()
        for kind in KINDS:
            self.ids[kind].setPlaceholderText(LABELS[kind])
            ids_row.addWidget(self.ids[kind])
        form.addRow("Identifiers", ids_row)
        form.addRow("&Verdict", self.verdict)
        usage_row = QHBoxLayout()
        usage_row.addWidget(self.usage)
        usage_row.addWidget(self.since)
        usage_row.addWidget(self.until)
        form.addRow("&Usage", usage_row)
        form.addRow("Affiliate links", self.affiliate)
        form.addRow(disclosures)
        self._usage_changed()

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setAccessibleName(name)
        line.setPlaceholderText(placeholder)
        line.textChanged.connect(self.changed)
        return line

    def _usage_changed(self) -> None:
        self.until.setEnabled(self.usage.currentIndex() == 2)
        self.changed.emit()

    def problem(self) -> str | None:
        """What must be fixed before saving, as far as the form can tell (else None)."""
        if self.affiliate.links() and not self.disclose["affiliate"].isChecked():
            return UNDISCLOSED_AFFILIATE
        return None

    def draft(self) -> EntryDraft:
        """The entry as typed (the core normalizes and checks it)."""
        usage = self.usage.currentIndex()
        ids = {kind: line.text().strip() or None for kind, line in self.ids.items()}
        return EntryDraft(
            title=self.title.text(),
            url=self.url.text(),
            category=split_category(self.category.text()),
            note=self.note.toPlainText(),
            tags=split_tags(self.tags.text()),
            ids=Identifiers(**ids),
            since=self.since.text().strip() or None,
            until=(self.until.text().strip() or None) if usage == 2 else None,
            still_using=None if usage == 0 else usage == 1,
            verdict=self.verdict.currentData(),
            affiliate=self.affiliate.links(),
            disclosures=frozenset(f for f, check in self.disclose.items() if check.isChecked()),
        )

    def fill(self, entry: EntryView) -> None:
        """Show what ``entry`` says, to edit it."""
        self.title.setText(entry.title)
        self.url.setText(entry.url)
        self.category.setText(" / ".join(entry.category))
        self.note.setPlainText(entry.note)
        self.tags.setText(", ".join(entry.tags))
        for kind, value in entry.ids.as_dict().items():
            self.ids[kind].setText(value)
        self.verdict.setCurrentIndex(max(self.verdict.findData(entry.verdict), 0))
        self.usage.setCurrentIndex({None: 0, True: 1, False: 2}[entry.still_using])
        self.since.setText(entry.since or "")
        self.until.setText(entry.until or "")
        self.affiliate.set_links(entry.affiliate)
        for flag, check in self.disclose.items():
            check.setChecked(flag in entry.disclosures)
