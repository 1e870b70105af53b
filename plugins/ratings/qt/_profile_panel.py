"""A person's reputation on their Profile page, with "Start a deal" and "Set trust".

The reputation is the one the Ratings page shows (:class:`ReputationDisplay`), from my seat;
the buttons open the offer and trust dialogs for this person (not on my own profile).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from smd_desktop.core.ids import IdentityKey
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import alive, start

from ..core.params import GENERAL
from ..core.views import DealView, TrustView
from ._calls import TrustDraft, my_trust_in, name_or_id
from ._deal_dialog import DealDialog
from ._form_dialog import FormDialog
from ._reputation import ReputationDisplay
from ._trust_dialog import TrustDialog


class ReputationPanel(QWidget):
    """``identity``'s reputation from my seat, and what I can do about it."""

    def __init__(self, ui: UiContext, identity: IdentityKey, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.identity = identity
        self.dialog: FormDialog | None = None
        """The open offer or trust dialog, if any."""
        self.setAccessibleName(self.tr("Reputation of this person"))
        self.display = ReputationDisplay(ui, identity, self)
        self.deal_button = QPushButton(self.tr("Start a &deal…"), self)
        self.deal_button.setAccessibleName(self.tr("Start a deal with this person"))
        self.deal_button.clicked.connect(self.start_deal)
        self.trust_button = QPushButton(self.tr("Set &trust…"), self)
        self.trust_button.setAccessibleName(self.tr("Say how much you trust this person"))
        self.trust_button.clicked.connect(self.set_trust)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Reputation status"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.deal_button)
        buttons.addWidget(self.trust_button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.display, 1)
        self.display.loaded.connect(self._loaded)
        for button in (self.deal_button, self.trust_button):
            button.setEnabled(False)

    @property
    def busy(self) -> bool:
        """Whether a read is waiting or running."""
        return self.display.busy

    def name(self) -> str:
        """The person's name as last read (or their shortened id)."""
        standing = self.display.standing
        given = standing.explanation.reputation.target_name if standing else None
        return name_or_id(self.identity, given)

    def _loaded(self) -> None:
        standing = self.display.standing
        others = standing is not None and not standing.mine
        for button in (self.deal_button, self.trust_button):
            button.setVisible(others)
            button.setEnabled(others)

    def _may_open(self) -> bool:
        if self.dialog is not None and alive(self.dialog) and self.dialog.isVisible():
            self.dialog.raise_()
            return False
        return True

    def start_deal(self) -> None:
        """Open the offer dialog for this person."""
        if not self._may_open():
            return
        dialog = DealDialog(self.ui, (), self)
        dialog.choose(self.identity, self.name())
        dialog.person.setEnabled(False)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.succeeded.connect(self._offered)
        self.dialog = dialog
        dialog.open()

    def _offered(self, deal: object) -> None:
        assert isinstance(deal, DealView)
        self.status.setText(
            self.tr("Offered “{what}”; it becomes active when they accept.").format(
                what=deal.terms.what
            )
        )
        self.ui.service.records_changed.emit()

    def set_trust(self) -> None:
        """Open the trust dialog for this person (on my general statement, if I made one)."""
        if not self._may_open():
            return
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(my_trust_in, self.identity),
            self._open_trust,
        )

    def _open_trust(self, statements: tuple[TrustView, ...]) -> None:
        if not self._may_open():
            return
        general = next((s for s in statements if s.context == GENERAL), None)
        dialog = TrustDialog(self.ui, (), None, self)
        if general is not None:
            dialog.prefill(general, lock=False)
        dialog.choose(self.identity, self.name())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.succeeded.connect(self._trusted)
        self.dialog = dialog
        dialog.open()

    def _trusted(self, draft: object) -> None:
        assert isinstance(draft, TrustDraft)
        self.status.setText(self.tr("Your trust statement is published."))
        self.ui.service.records_changed.emit()
