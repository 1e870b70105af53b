"""Make or change a trust statement: about whom, in which context, how much, a note.

Trust statements are public records: the dialog says so, and says it again, in red, before a
distrust statement is published.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from smd_desktop.core.ids import IdentityKey
from smd_desktop.ui.plugin_api import UiContext

from ..core.params import GENERAL
from ..core.records import MAX_TRUST_NOTE
from ..core.views import TrustView
from . import _labels as labels
from ._calls import Person, TrustDraft, name_or_id, set_trust
from ._deal_dialog import context_problem
from ._form_dialog import FormDialog, note_label
from ._people import PersonPicker


class TrustDialog(FormDialog):
    """A new statement, or a new version of ``statement``; :attr:`succeeded` carries the
    :class:`TrustDraft` published."""

    def __init__(
        self,
        ui: UiContext,
        people: Sequence[Person],
        statement: TrustView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ui, parent)
        self.set_titles(
            self.tr("Trust someone") if statement is None else self.tr("Change trust"),
            self.tr("&Publish statement"),
        )
        self.person = PersonPicker(self)
        self.person.set_people(people, keep_text=False)
        self.context = QComboBox(self)
        self.context.setEditable(True)
        self.context.addItems([GENERAL, *labels.SUGGESTED_CONTEXTS])
        self.context.setAccessibleName(self.tr("Context of the trust"))
        self.context.setToolTip(
            self.tr(
                "general counts for everything; a context such as p2p-sale overrides it for "
                "that kind of deal only."
            )
        )
        self.weight = QComboBox(self)
        for weight, mark in labels.TRUST_WEIGHT_MARKS.items():
            self.weight.addItem(labels.translated(mark), weight)
        self.weight.setAccessibleName(self.tr("How much you trust them"))
        self.note = QLineEdit(self)
        self.note.setMaxLength(MAX_TRUST_NOTE)
        self.note.setPlaceholderText(self.tr("Optional: why"))
        self.note.setAccessibleName(self.tr("Note about the statement"))
        self.public = note_label(
            self.tr(
                "Trust statements are public: everyone who holds your feed can read them, "
                "including the person they are about."
            ),
            self,
            name=self.tr("Trust statements are public"),
        )
        self.distrust_warning = note_label("", self, name=self.tr("Distrust warning"))
        self.distrust_warning.setStyleSheet("color: #b3261e;")
        self.form.addRow(self.tr("Person:"), self.person)
        self.form.addRow(self.tr("Context:"), self.context)
        self.form.addRow(self.tr("Statement:"), self.weight)
        self.form.addRow(self.tr("Note:"), self.note)
        self.form.addRow(self.public)
        self.form.addRow(self.distrust_warning)
        if statement is not None:
            self.prefill(statement, lock=True)
        self.person.changed.connect(self.check)
        self.context.editTextChanged.connect(self.check)
        self.weight.currentIndexChanged.connect(self.check)
        self.resize(520, 360)
        self.check()

    def prefill(self, statement: TrustView, *, lock: bool) -> None:
        """Start from ``statement``; with ``lock``, its person and context cannot change."""
        name = name_or_id(statement.trustee, statement.trustee_name)
        self.person.choose(statement.trustee, name)
        self.context.setEditText(statement.context)
        self.weight.setCurrentIndex(self.weight.findData(statement.weight))
        self.note.setText(statement.note)
        self.person.setEnabled(not lock)
        self.context.setEnabled(not lock)

    def choose(self, identity: IdentityKey, name: str) -> None:
        """Make the statement about ``identity`` (from a profile page)."""
        self.person.choose(identity, name)
        self.person.setEnabled(False)
        self.weight.setFocus()

    def chosen_weight(self) -> int:
        """The weight chosen (``TRUST_WEIGHTS``)."""
        return int(self.weight.currentData())

    def check(self) -> None:
        """Also show the distrust warning while a negative weight is chosen."""
        name = self.person.currentText().strip() or self.tr("this person")
        distrust = self.chosen_weight() < 0
        self.distrust_warning.setText(
            self.tr(
                "A distrust statement is public too: {name} and everyone else will see that "
                "you distrust them. It lowers the weight of their ratings for the people who "
                "trust you."
            ).format(name=name)
            if distrust
            else ""
        )
        self.distrust_warning.setVisible(distrust)
        super().check()

    def problem(self) -> str | None:
        """A person and a valid context are needed."""
        if problem := self.person.problem():
            return problem
        return context_problem(self.context.currentText().strip())

    def draft(self) -> TrustDraft:
        """The statement as filled in (call only when :meth:`problem` is None)."""
        trustee = self.person.chosen()
        assert trustee is not None
        context = self.context.currentText().strip()
        return TrustDraft(
            trustee,
            self.chosen_weight(),
            None if context == GENERAL else context,
            self.note.text().strip() or None,
        )

    def work(self) -> Awaitable[TrustDraft]:
        """Publish the statement; the result is what was published."""
        draft = self.draft()

        async def publish() -> TrustDraft:
            await self.ui.service.call(set_trust, draft)
            return draft

        return publish()
