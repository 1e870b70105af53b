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

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP

from ..core import EntryDraft, EntryView, Identifiers
from ..core.identifiers import KINDS, LABELS
from ..core.model import DISCLOSURES, VERDICTS
from ._affiliate_rows import AffiliateEditor
from ._labels import disclosure_sentence, verdict_label

UNDISCLOSED_AFFILIATE = QT_TRANSLATE_NOOP(
    "EntryForm",
    "An affiliate link must be disclosed: tick “I earn a commission” "
    "(affiliate) or remove the link.",
)
"""English texts, here and below: the form shows them translated."""
DISCLOSURE_CHOICES = {
    "affiliate": QT_TRANSLATE_NOOP("EntryForm", "I earn a commission (affiliate)"),
    "sponsored": QT_TRANSLATE_NOOP("EntryForm", "I was paid to feature it (sponsored)"),
    "free": QT_TRANSLATE_NOOP("EntryForm", "I received it for free"),
    "owner": QT_TRANSLATE_NOOP("EntryForm", "I own or work for the company"),
}
USAGE_CHOICES = (
    QT_TRANSLATE_NOOP("EntryForm", "Not said"),
    QT_TRANSLATE_NOOP("EntryForm", "Still using it"),
    QT_TRANSLATE_NOOP("EntryForm", "Stopped using it"),
)


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
        self.title = self._line(self.tr("Title"), self.tr("What it is, e.g. Shure SM7B"))
        self.url = self._line(
            self.tr("Link"), self.tr("https://… (the plain product page, no affiliate tag)")
        )
        self.category = self._line(self.tr("Category"), self.tr("e.g. Audio / Microphones"))
        self.tags = self._line(self.tr("Tags"), self.tr("e.g. podcast, xlr"))
        self.note = QPlainTextEdit(self)
        self.note.setAccessibleName(self.tr("Note"))
        self.note.setPlaceholderText(self.tr("Why you use it, what to know before buying…"))
        self.note.textChanged.connect(self.changed)
        self.ids = {kind: self._line(LABELS[kind], "") for kind in KINDS}
        self.verdict = QComboBox(self)
        self.verdict.setAccessibleName(self.tr("Verdict"))
        self.verdict.addItem(self.tr("No verdict"), None)
        for verdict in VERDICTS:
            self.verdict.addItem(verdict_label(verdict), verdict)
        self.usage = QComboBox(self)
        self.usage.setAccessibleName(self.tr("Still using"))
        self.usage.addItems([self.tr(choice) for choice in USAGE_CHOICES])
        self.usage.currentIndexChanged.connect(self._usage_changed)
        dates = self.tr("YYYY, YYYY-MM or YYYY-MM-DD")
        self.since = self._line(self.tr("Using since"), dates)
        self.until = self._line(self.tr("Stopped in"), dates)
        self.affiliate = AffiliateEditor(self)
        self.affiliate.changed.connect(self.changed)
        self.disclose: dict[str, QCheckBox] = {}
        disclosures = QGroupBox(self.tr("Disclosures"), self)
        box = QVBoxLayout(disclosures)
        for flag in DISCLOSURES:
            choice = self.tr(DISCLOSURE_CHOICES[flag])
            check = QCheckBox(choice, disclosures)
            check.setAccessibleName(self.tr("Disclose: {choice}").format(choice=choice))
            check.setToolTip(disclosure_sentence(flag))
            check.toggled.connect(self.changed)
            box.addWidget(check)
            self.disclose[flag] = check

        form = QFormLayout(self)
        form.addRow(self.tr("&Title"), self.title)
        form.addRow(self.tr("&Link"), self.url)
        form.addRow(self.tr("&Category"), self.category)
        form.addRow(self.tr("&Note"), self.note)
        form.addRow(self.tr("Ta&gs"), self.tags)
        ids_row = QHBoxLayout()
        for kind in KINDS:
            self.ids[kind].setPlaceholderText(LABELS[kind])
            ids_row.addWidget(self.ids[kind])
        form.addRow(self.tr("Identifiers"), ids_row)
        form.addRow(self.tr("&Verdict"), self.verdict)
        usage_row = QHBoxLayout()
        usage_row.addWidget(self.usage)
        usage_row.addWidget(self.since)
        usage_row.addWidget(self.until)
        form.addRow(self.tr("&Usage"), usage_row)
        form.addRow(self.tr("Affiliate links"), self.affiliate)
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
            return self.tr(UNDISCLOSED_AFFILIATE)
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
