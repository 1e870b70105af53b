"""The Trust tab: my trust statements in force, and adding, changing or withdrawing one.

Statements are public records; the dialog says so, and warns again before a distrust. Withdrawing
publishes a deletion of the statement after the person confirms.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.core.ids import IdentityKey
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import Refresher, alive, start

from ..core.params import GENERAL
from ..core.views import TrustView
from . import _labels as labels
from ._calls import TrustDraft, TrustListing, load_trust, name_or_id, withdraw_trust
from ._form_dialog import note_label
from ._reputation import fit_columns, table
from ._trust_dialog import TrustDialog
from ._trust_model import TrustModel


class TrustTab(QWidget):
    """My trust statements with Add, Change and Withdraw."""

    message = Signal(str)
    """A sentence for the status line."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setAccessibleName(self.tr("Trust"))
        self.listing: TrustListing | None = None
        self.dialog: TrustDialog | None = None
        """The open add/change dialog, if any."""
        self._keep: tuple[bytes, str] | None = None

        self.model = TrustModel(self)
        self.view = table(self.model, self.tr("My trust statements"), self)
        self.empty = QLabel(self.tr("You have made no trust statements."), self)
        self.add_button = self._button(
            self.tr("&Add…"), self.tr("Make a trust statement"), self.add_statement
        )
        self.change_button = self._button(
            self.tr("&Change…"), self.tr("Change the selected statement"), self.change_selected
        )
        self.withdraw_button = self._button(
            self.tr("&Withdraw…"),
            self.tr("Withdraw the selected statement"),
            self.withdraw_selected,
        )
        buttons = QHBoxLayout()
        for button in (self.add_button, self.change_button, self.withdraw_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            note_label(
                self.tr(
                    "Whom you trust decides whose ratings count for you, and how much. Your "
                    "statements are public. Following someone already counts as a little trust."
                ),
                self,
                name=self.tr("About trust statements"),
            )
        )
        layout.addLayout(buttons)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addStretch(0)  # takes the room while the list is hidden

        self.view.selectionModel().currentChanged.connect(self._update_buttons)
        self.view.activated.connect(lambda _: self.change_selected())
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

    async def _fetch(self) -> TrustListing:
        return await self.ui.service.call(load_trust)

    def _show(self, listing: TrustListing) -> None:
        self.listing = listing
        current = self.selected()
        keep = self._keep or ((current.trustee, current.context) if current else None)
        self.model.set_rows(listing.statements)
        if keep is not None and (row := self.model.row_of(*keep)) is not None:
            self._keep = None
            self.view.setCurrentIndex(self.model.index(row, 0))
        self.view.setVisible(bool(listing.statements))
        fit_columns(self.view)
        self.empty.setVisible(not listing.statements)
        self._update_buttons()

    def selected(self) -> TrustView | None:
        """The statement selected in the list, if any."""
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _update_buttons(self, *_: QModelIndex) -> None:
        chosen = self.selected() is not None
        self.change_button.setEnabled(chosen)
        self.withdraw_button.setEnabled(chosen)

    # -- add and change -----------------------------------------------------------------------

    def add_statement(self, identity: IdentityKey | None = None, name: str = "") -> TrustDialog:
        """Open the dialog for a new statement (about ``identity`` when given)."""
        dialog = self._open(None)
        if identity is not None:
            dialog.choose(identity, name)
        return dialog

    def change_selected(self) -> None:
        """Open the dialog on the selected statement."""
        statement = self.selected()
        if statement is not None:
            self._open(statement)

    def _open(self, statement: TrustView | None) -> TrustDialog:
        if self.dialog is not None and alive(self.dialog) and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        people = self.listing.people if self.listing is not None else ()
        dialog = TrustDialog(self.ui, people, statement, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.succeeded.connect(self._published)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _published(self, draft: object) -> None:
        assert isinstance(draft, TrustDraft)
        self._keep = (draft.trustee, draft.context or GENERAL)
        self.message.emit(
            self.tr("Published: {statement} ({context}).").format(
                statement=labels.trust_weight(draft.weight),
                context=labels.context_label(draft.context),
            )
        )
        self.ui.service.records_changed.emit()

    # -- withdraw -----------------------------------------------------------------------------

    def withdraw_selected(self) -> None:
        """Withdraw the selected statement once the person confirms."""
        statement = self.selected()
        if statement is None:
            return
        name = name_or_id(statement.trustee, statement.trustee_name)
        answer = QMessageBox.question(
            self,
            self.tr("Withdraw trust statement"),
            self.tr(
                "Withdraw your statement about {name} ({context})?\n\n"
                "Its deletion is published; people who hold your feed drop it as it reaches "
                "them, but may have seen it."
            ).format(name=name, context=labels.context_label(statement.context)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        context = None if statement.context == GENERAL else statement.context
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(withdraw_trust, statement.trustee, context),
            lambda _: self._withdrawn(name),
            self.message.emit,
        )

    def _withdrawn(self, name: str) -> None:
        self.message.emit(self.tr("Withdrew your statement about {name}.").format(name=name))
        self.ui.service.records_changed.emit()
