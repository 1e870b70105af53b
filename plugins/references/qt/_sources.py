"""Choosing whose entries: the page's source selector and the search's person filter.

Both list the people I follow (read with the page's data); both keep the current choice when
the list is refreshed, and fall back to their first choice when that person left the list.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from smd_desktop.core.ids import IdentityKey
from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP

from ._calls import ALL, MINE, Author, Source, SourceKind

MY_DIRECTORY = QT_TRANSLATE_NOOP("SourceSelector", "My directory")
ALL_DIRECTORIES = QT_TRANSLATE_NOOP("SourceSelector", "All directories")
ANYONE = QT_TRANSLATE_NOOP("PersonBox", "Anyone")
ME = QT_TRANSLATE_NOOP("PersonBox", "Me")
"""The fixed choices, in English: the boxes show them translated."""


class _AuthorBox(QComboBox):
    """A combo box of fixed first choices followed by one choice per followed author."""

    def __init__(self, fixed: Sequence[tuple[str, object]], parent: QWidget | None) -> None:
        super().__init__(parent)
        self._fixed = list(fixed)
        self._authors: tuple[Author, ...] = ()
        self._fill()

    def _fill(self) -> None:
        for text, data in self._fixed:
            self.addItem(text, data)
        for author in self._authors:
            self.addItem(self._author_text(author), author.identity)

    def _author_text(self, author: Author) -> str:
        return author.name

    def set_authors(self, authors: Sequence[Author]) -> None:
        """List ``authors`` after the fixed choices, keeping the current choice if listed
        (without emitting a change when it stays)."""
        authors = tuple(authors)
        if authors == self._authors:
            return
        current = self.currentData()
        self.blockSignals(True)
        try:
            self.clear()
            self._authors = authors
            self._fill()
            index = self.findData(current)
            self.setCurrentIndex(max(index, 0))
        finally:
            self.blockSignals(False)
        if self.findData(current) < 0:
            self.currentIndexChanged.emit(0)


class SourceSelector(_AuthorBox):
    """ "My directory", each followed author's directory, or "All directories"."""

    source_changed = Signal(object)
    """The chosen :class:`Source`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        fixed = [
            (QCoreApplication.translate("SourceSelector", MY_DIRECTORY), "mine"),
            (QCoreApplication.translate("SourceSelector", ALL_DIRECTORIES), "all"),
        ]
        super().__init__(fixed, parent)
        self.setAccessibleName(self.tr("Whose directory"))
        self.currentIndexChanged.connect(lambda _: self.source_changed.emit(self.source()))

    def _author_text(self, author: Author) -> str:
        return self.tr("{name}’s directory").format(name=author.name)

    def source(self) -> Source:
        """What is chosen."""
        data = self.currentData()
        if data == "all":
            return ALL
        if isinstance(data, bytes):
            return Source(SourceKind.AUTHOR, IdentityKey(data))
        return MINE

    def choose(self, source: Source) -> bool:
        """Select ``source``; False when it is not listed (an author I do not follow)."""
        data = {SourceKind.MINE: "mine", SourceKind.ALL: "all"}.get(source.kind, source.author)
        index = self.findData(data)
        if index >= 0:
            self.setCurrentIndex(index)
        return index >= 0


class PersonBox(_AuthorBox):
    """The search's person filter: anyone, me, or someone I follow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        fixed = [
            (QCoreApplication.translate("PersonBox", ANYONE), None),
            (QCoreApplication.translate("PersonBox", ME), "me"),
        ]
        super().__init__(fixed, parent)
        self.setAccessibleName(self.tr("Search in the directory of"))
        self._me: IdentityKey | None = None

    def set_me(self, me: IdentityKey) -> None:
        """Who "Me" is."""
        self._me = me

    def person(self) -> IdentityKey | None:
        """The chosen person (None: anyone)."""
        data = self.currentData()
        if data == "me":
            return self._me
        return IdentityKey(data) if isinstance(data, bytes) else None
