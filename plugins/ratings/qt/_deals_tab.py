"""The Deals tab: my deals with their status and both ratings, and what I can do with them.

Start a deal (a dialog), accept or decline an offer I received, withdraw one I made before it is
answered, rate an active deal I have not rated, respond to the other side's revealed rating of
me. Every action runs in the core's thread; a success emits ``records_changed`` so every view
re-reads.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.core.ids import IdentityKey
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import Refresher, alive, start

from ..core.views import DealView, RatingView
from . import _labels as labels
from ._calls import DealsListing, accept_deal, decline_deal, load_deals, name_or_id
from ._deal_dialog import DealDialog
from ._deals_model import DealsModel
from ._form_dialog import FormDialog
from ._rate_dialog import RateDialog, RespondDialog


class DealsTab(QWidget):
    """My deals, newest first, with New deal, Accept, Decline, Rate and Respond."""

    message = Signal(str)
    """A sentence for the status line."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setAccessibleName(self.tr("Deals"))
        self.listing: DealsListing | None = None
        self.dialog: FormDialog | None = None
        """The open dialog (offer, rate or respond), if any."""
        self._keep: bytes | None = None
        """The deal to select after the next read."""

        self.model = DealsModel(self)
        self.view = QTreeView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("My deals"))
        self.view.setRootIsDecorated(False)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(self.tr("No deals yet. Start one with a person you deal with."), self)
        self.empty.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName(self.tr("The selected deal"))
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.new_button = self._button(
            self.tr("&New deal…"), self.tr("Start a deal with a person"), self.new_deal
        )
        self.accept_button = self._button(
            self.tr("&Accept"), self.tr("Accept the selected offer"), self.accept_selected
        )
        self.decline_button = self._button(
            self.tr("&Decline"), self.tr("Decline the selected offer"), self.decline_selected
        )
        self.withdraw_button = self._button(
            self.tr("&Withdraw offer"),
            self.tr("Withdraw the offer you made, before they answer"),
            self.withdraw_selected,
        )
        self.rate_button = self._button(
            self.tr("&Rate…"), self.tr("Rate the selected deal"), self.rate_selected
        )
        self.respond_button = self._button(
            self.tr("Res&pond…"),
            self.tr("Respond to their rating of you in the selected deal"),
            self.respond_selected,
        )
        buttons = QHBoxLayout()
        for button in (
            self.new_button,
            self.accept_button,
            self.decline_button,
            self.withdraw_button,
            self.rate_button,
            self.respond_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)

        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activated.connect(lambda _: self._default_action())
        self._reads = Refresher(ui.service, self, self._fetch, self._show)
        ui.service.records_changed.connect(self._reads.request)
        ui.service.unlocked.connect(self._reads.request)
        self._update_buttons()
        self._reads.request()

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.clicked.connect(lambda _=False: slot())  # not clicked's "checked" as an argument
        return button

    @property
    def busy(self) -> bool:
        """Whether a read is waiting or running."""
        return self._reads.busy

    def refresh(self) -> None:
        """Read again soon (done by itself on ``records_changed``)."""
        self._reads.request()

    async def _fetch(self) -> DealsListing:
        return await self.ui.service.call(load_deals)

    def _show(self, listing: DealsListing) -> None:
        self.listing = listing
        current = self.selected()
        keep = self._keep or (current.deal_id if current is not None else None)
        self.model.set_rows(listing.deals)
        if keep is not None and (row := self.model.row_of(keep)) is not None:
            self._keep = None
            self.view.setCurrentIndex(self.model.index(row, 0))
        self.empty.setVisible(not listing.deals)
        self._update_buttons()

    # -- selection ----------------------------------------------------------------------------

    def selected(self) -> DealView | None:
        """The deal selected in the list, if any."""
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select(self, deal_id: bytes) -> bool:
        """Select the deal ``deal_id`` (now, or after the next read if not listed yet)."""
        row = self.model.row_of(deal_id)
        if row is None:
            self._keep = deal_id
            return False
        self.view.setCurrentIndex(self.model.index(row, 0))
        return True

    def _current_changed(self, *_: QModelIndex) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        deal = self.selected()
        received = deal is not None and deal.status == "received"
        self.accept_button.setEnabled(received)
        self.decline_button.setEnabled(received)
        self.withdraw_button.setEnabled(deal is not None and deal.status == "offered")
        self.rate_button.setEnabled(deal is not None and deal.can_rate)
        self.respond_button.setEnabled(self._their_rating(deal) is not None)
        self.detail.setText(self.describe(deal) if deal is not None else "")

    def describe(self, deal: DealView) -> str:
        """The selected deal in full: the row's sentence, its dates and link."""
        text = self.model.describe(deal)
        terms = deal.terms
        if terms.amount and terms.currency:
            text = self.tr("{deal}. Amount: {amount}").format(
                deal=text, amount=labels.amount(terms.amount, terms.currency)
            )
        if terms.start is not None or terms.until is not None:
            text = self.tr("{deal}. Dates: {start} – {until}").format(
                deal=text, start=labels.day(terms.start), until=labels.day(terms.until)
            )
        if terms.link:
            text = self.tr("{deal}. Link: {link}").format(deal=text, link=terms.link)
        if deal.status in ("offered", "received"):
            text = self.tr("{deal}. The offer expires on {date}.").format(
                deal=text, date=labels.day(terms.expires)
            )
        if deal.status == "active" and deal.my_rating.state == "sealed":
            text = self.tr(
                "{deal}. Your rating is sealed until {name} rates too, or 14 days pass."
            ).format(deal=text, name=name_or_id(deal.other, deal.other_name))
        return text

    @staticmethod
    def _their_rating(deal: DealView | None) -> RatingView | None:
        """Their revealed rating of me in ``deal`` when I have not answered it yet."""
        if deal is None or deal.their_rating.rating is None:
            return None
        rating = deal.their_rating.rating
        return rating if rating.response is None else None

    def _default_action(self) -> None:
        """Enter or double-click: the one thing the selected deal waits for."""
        deal = self.selected()
        if deal is None:
            return
        if deal.status == "received":
            self.accept_selected()
        elif deal.can_rate:
            self.rate_selected()

    # -- actions ------------------------------------------------------------------------------

    def _open(self, dialog: FormDialog, on_done: Callable[[object], None]) -> None:
        if self.dialog is not None and alive(self.dialog) and self.dialog.isVisible():
            self.dialog.raise_()
            dialog.deleteLater()
            return
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.succeeded.connect(on_done)
        self.dialog = dialog
        dialog.open()

    def new_deal(self, identity: IdentityKey | None = None, name: str = "") -> DealDialog:
        """Open the offer dialog (for ``identity`` when given)."""
        people = self.listing.people if self.listing is not None else ()
        dialog = DealDialog(self.ui, people, self)
        if identity is not None:
            dialog.choose(identity, name)
        self._open(dialog, self._offered)
        return dialog

    def _offered(self, deal: object) -> None:
        assert isinstance(deal, DealView)
        self._keep = deal.deal_id
        self.message.emit(
            self.tr("Offered “{what}” to {name}; it becomes active when they accept.").format(
                what=deal.terms.what, name=name_or_id(deal.other, deal.other_name)
            )
        )
        self.ui.service.records_changed.emit()

    def accept_selected(self) -> None:
        """Accept the selected received offer (countersign and publish the receipt)."""
        deal = self.selected()
        if deal is None or deal.status != "received":
            return
        self.accept_button.setEnabled(False)
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(accept_deal, deal.deal_id),
            lambda done: self._changed(
                done, self.tr("Accepted “{what}”: the deal is active; you can rate it now.")
            ),
            self._failed,
        )

    def decline_selected(self) -> None:
        """Decline the selected received offer."""
        deal = self.selected()
        if deal is None or deal.status != "received":
            return
        self.decline_button.setEnabled(False)
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(decline_deal, deal.deal_id),
            lambda done: self._changed(done, self.tr("Declined “{what}”.")),
            self._failed,
        )

    def withdraw_selected(self) -> None:
        """Withdraw the selected offer I made (they are told; nothing is published)."""
        deal = self.selected()
        if deal is None or deal.status != "offered":
            return
        self.withdraw_button.setEnabled(False)
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(decline_deal, deal.deal_id),
            lambda done: self._changed(done, self.tr("Withdrew your offer “{what}”.")),
            self._failed,
        )

    def _changed(self, deal: DealView, sentence: str) -> None:
        self._keep = deal.deal_id
        self.message.emit(sentence.format(what=deal.terms.what))
        self.ui.service.records_changed.emit()

    def _failed(self, sentence: str) -> None:
        self.message.emit(sentence)
        self._update_buttons()

    def rate_selected(self) -> None:
        """Open the rating dialog on the selected active deal (not rated by me yet)."""
        deal = self.selected()
        if deal is None or not deal.can_rate:
            return
        self._open(RateDialog(self.ui, deal, self), self._rated)

    def _rated(self, deal: object) -> None:
        assert isinstance(deal, DealView)
        self._changed(
            deal, self.tr("Your rating of “{what}” is published, sealed until it is revealed.")
        )

    def respond_selected(self) -> None:
        """Open the response dialog on their revealed rating of me in the selected deal."""
        rating = self._their_rating(self.selected())
        if rating is None:
            return
        self._open(RespondDialog(self.ui, rating, self), self._responded)

    def _responded(self, _rating: object) -> None:
        self.message.emit(self.tr("Your response is published."))
        self.ui.service.records_changed.emit()
