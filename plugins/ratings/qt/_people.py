"""Choosing a person: one of the people I follow, or any identity id typed or pasted."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from smd_desktop.core.errors import MalformedId
from smd_desktop.core.ids import IdentityKey, parse_identity

from ._calls import Person


class PersonPicker(QComboBox):
    """An editable list of people by name; the text may also be an identity id (``z6Mk…``).

    Rule: :meth:`set_people` fills the choices; :meth:`chosen` is the person picked or typed,
    None while the text names nobody.
    """

    changed = Signal()
    """The choice or the typed text changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        edit = self.lineEdit()
        assert edit is not None
        edit.setPlaceholderText(self.tr("A person you follow, or an identity id"))
        self.setAccessibleName(self.tr("Person"))
        self.setAccessibleDescription(
            self.tr("Pick a person you follow, or paste their identity id (z6Mk…).")
        )
        self.setToolTip(self.accessibleDescription())
        self._people: tuple[Person, ...] = ()
        self.editTextChanged.connect(lambda _: self.changed.emit())
        self.currentIndexChanged.connect(lambda _: self.changed.emit())

    def set_people(self, people: Sequence[Person], *, keep_text: bool = True) -> None:
        """Offer ``people`` (by name); the typed text stays unless ``keep_text`` is False."""
        text = self.currentText()
        self._people = tuple(people)
        self.blockSignals(True)
        self.clear()
        for person in self._people:
            self.addItem(person.name, bytes(person.identity))
        self.setCurrentIndex(-1)
        self.setEditText(text if keep_text else "")
        self.blockSignals(False)
        self.changed.emit()

    def choose(self, identity: IdentityKey, name: str) -> None:
        """Pick ``identity`` (added to the choices if it is not among them)."""
        index = self.findData(bytes(identity))
        if index < 0:
            self.addItem(name, bytes(identity))
            index = self.count() - 1
        self.setCurrentIndex(index)
        self.setEditText(self.itemText(index))

    def chosen(self) -> IdentityKey | None:
        """The person named by the text: a listed name, else a valid identity id."""
        text = self.currentText().strip()
        if not text:
            return None
        for index in range(self.count()):
            if self.itemText(index) == text:
                return IdentityKey(self.itemData(index))
        try:
            return parse_identity(text)
        except MalformedId:
            return None

    def problem(self) -> str | None:
        """Why no person is chosen yet (a sentence), or None."""
        if not self.currentText().strip():
            return self.tr("Choose a person.")
        if self.chosen() is None:
            return self.tr(
                "That is neither the name of a person you follow nor an identity id (z6Mk…)."
            )
        return None
