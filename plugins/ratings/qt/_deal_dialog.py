"""Offer a deal to a person: who, what, context, amount and currency, a link, the dates.

The offer is signed by this device and sent directly to the other person; the deal becomes
"active" (and can be rated) only once they accept it, which publishes the co-signed receipt.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Sequence

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from smd_desktop.core.ids import IdentityKey
from smd_desktop.ui.plugin_api import UiContext

from ..core.deals import AMOUNT_PATTERN, CURRENCY_PATTERN, MAX_LINK, MAX_OFFER_TTL_MS, MAX_WHAT
from ..core.records import CONTEXT_PATTERN
from ..core.views import DealView
from . import _labels as labels
from ._calls import DealDraft, Person, offer_deal
from ._form_dialog import FormDialog, note_label
from ._people import PersonPicker

DAY_MS = 24 * 3600 * 1000
MAX_TTL_DAYS = MAX_OFFER_TTL_MS // DAY_MS


def date_ms(date: QDate) -> int:
    """The start of ``date`` in local time, in milliseconds since the epoch."""
    return QDateTime(date, QTime(0, 0)).toMSecsSinceEpoch()


def context_problem(text: str) -> str | None:
    """Why ``text`` is not a context name, or None (a sentence, translated)."""
    if not CONTEXT_PATTERN.fullmatch(text):
        return QCoreApplication.translate(
            "Ratings",
            "A context is a short name in lower-case letters, digits and dashes, "
            "like p2p-sale or service.",
        )
    return None


class DealDialog(FormDialog):
    """Fill in an offer and send it; :attr:`succeeded` carries the stored :class:`DealView`."""

    def __init__(
        self, ui: UiContext, people: Sequence[Person], parent: QWidget | None = None
    ) -> None:
        super().__init__(ui, parent)
        self.set_titles(self.tr("Start a deal"), self.tr("&Offer deal"))
        self.person = PersonPicker(self)
        self.person.set_people(people, keep_text=False)
        self.what = QLineEdit(self)
        self.what.setMaxLength(MAX_WHAT)
        self.what.setPlaceholderText(self.tr("What is exchanged, e.g. a used bicycle"))
        self.what.setAccessibleName(self.tr("What the deal is about"))
        self.context = QComboBox(self)
        self.context.setEditable(True)
        self.context.addItems(list(labels.SUGGESTED_CONTEXTS))
        self.context.setAccessibleName(self.tr("Context of the deal"))
        self.context.setToolTip(
            self.tr("The kind of deal; people can trust someone more for one kind than another.")
        )
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText(self.tr("e.g. 120.00 (optional)"))
        self.amount.setAccessibleName(self.tr("Amount"))
        self.currency = QLineEdit(self)
        self.currency.setPlaceholderText(self.tr("EUR"))
        self.currency.setMaxLength(10)
        self.currency.setAccessibleName(self.tr("Currency code"))
        money = QHBoxLayout()
        money.addWidget(self.amount, 2)
        money.addWidget(self.currency, 1)
        self.link = QLineEdit(self)
        self.link.setPlaceholderText(self.tr("https://… (optional)"))
        self.link.setAccessibleName(self.tr("Link to the item or listing"))
        today = QDate.currentDate()
        self.has_start = QCheckBox(self.tr("From"), self)
        self.has_start.setAccessibleName(self.tr("The deal has a start date"))
        self.start = QDateEdit(today, self)
        self.start.setCalendarPopup(True)
        self.start.setAccessibleName(self.tr("Start date"))
        self.has_until = QCheckBox(self.tr("Until"), self)
        self.has_until.setAccessibleName(self.tr("The deal has an end date"))
        self.until = QDateEdit(today, self)
        self.until.setCalendarPopup(True)
        self.until.setAccessibleName(self.tr("End date"))
        dates = QHBoxLayout()
        for widget in (self.has_start, self.start, self.has_until, self.until):
            dates.addWidget(widget)
        dates.addStretch(1)
        self.ttl = QSpinBox(self)
        self.ttl.setRange(1, MAX_TTL_DAYS)
        self.ttl.setValue(7)
        self.ttl.setSuffix(self.tr(" days"))
        self.ttl.setAccessibleName(self.tr("How long the offer stays open, in days"))

        self.form.addRow(self.tr("With:"), self.person)
        self.form.addRow(self.tr("What:"), self.what)
        self.form.addRow(self.tr("Context:"), self.context)
        self.form.addRow(self.tr("Amount:"), money)
        self.form.addRow(self.tr("Link:"), self.link)
        self.form.addRow(self.tr("Dates:"), dates)
        self.form.addRow(self.tr("Offer open for:"), self.ttl)
        self.form.addRow(
            note_label(
                self.tr(
                    "The offer goes directly to them. Once they accept, you both sign and "
                    "publish the deal, and each of you can rate the other."
                ),
                self,
                name=self.tr("How a deal works"),
            )
        )
        self.person.changed.connect(self.check)
        for edit in (self.what, self.amount, self.currency, self.link):
            edit.textChanged.connect(self.check)
        self.context.editTextChanged.connect(self.check)
        for box in (self.has_start, self.has_until):
            box.toggled.connect(self._dates_toggled)
        self.start.dateChanged.connect(self.check)
        self.until.dateChanged.connect(self.check)
        self._dates_toggled()
        self.resize(560, 460)
        self.person.setFocus()

    def choose(self, identity: IdentityKey, name: str) -> None:
        """Offer the deal to ``identity`` (from a profile page)."""
        self.person.choose(identity, name)
        self.what.setFocus()

    def _dates_toggled(self) -> None:
        self.start.setEnabled(self.has_start.isChecked())
        self.until.setEnabled(self.has_until.isChecked())
        self.check()

    def problem(self) -> str | None:
        """The first thing the offer lacks, as a sentence."""
        if problem := self.person.problem():
            return problem
        if not self.what.text().strip():
            return self.tr("Say what the deal is about.")
        if problem := context_problem(self.context.currentText().strip()):
            return problem
        amount, currency = self.amount.text().strip(), self.currency.text().strip()
        if bool(amount) != bool(currency):
            return self.tr("Give both an amount and its currency, or neither.")
        if amount and not AMOUNT_PATTERN.fullmatch(amount):
            return self.tr("Write the amount as a number like 120 or 120.50.")
        if currency and not CURRENCY_PATTERN.fullmatch(currency.upper()):
            return self.tr("Write the currency as a code like EUR, USD or BTC.")
        link = self.link.text().strip()
        if link:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme not in ("http", "https") or not parts.hostname or len(link) > MAX_LINK:
                return self.tr("The link must be a web address starting with https://.")
        if (
            self.has_start.isChecked()
            and self.has_until.isChecked()
            and self.until.date() < self.start.date()
        ):
            return self.tr("The deal cannot end before it starts.")
        return None

    def draft(self) -> DealDraft:
        """The offer as filled in (call only when :meth:`problem` is None)."""
        to = self.person.chosen()
        assert to is not None
        amount, currency = self.amount.text().strip(), self.currency.text().strip().upper()
        return DealDraft(
            to=to,
            what=self.what.text().strip(),
            context=self.context.currentText().strip(),
            amount=amount or None,
            currency=currency or None,
            link=self.link.text().strip() or None,
            start=date_ms(self.start.date()) if self.has_start.isChecked() else None,
            until=date_ms(self.until.date()) if self.has_until.isChecked() else None,
            ttl_days=self.ttl.value(),
        )

    def work(self) -> Awaitable[DealView]:
        """Sign and send the offer."""
        return self.ui.service.call(offer_deal, self.draft())
