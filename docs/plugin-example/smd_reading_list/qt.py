"""The reading list's desktop page: imported only by the desktop app."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.core.ids import identity_text
from smd_desktop.core.plugins import SearchHit, hookimpl
from smd_desktop.core.profile import Profile
from smd_desktop.ui.plugin_api import PluginPage, UiContext

from .plugin import NAME, STATUSES, Book, add_book, list_books

TITLE = "Reading list"


def books_with_names(profile: Profile) -> list[tuple[Book, str]]:
    """Runs in the core thread: the books and their readers' names."""
    result = []
    for book in list_books(profile):
        view = profile.store.profile(book.reader)
        result.append((book, view.name if view else identity_text(book.reader)[:16]))
    return result


class ReadingListPage(QWidget):
    """Add a book; see yours and your friends' books (refreshed when records arrive)."""

    def __init__(self, ui: UiContext) -> None:
        super().__init__()
        self.ui = ui
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title")
        self.title.setAccessibleName("Book title")
        self.author = QLineEdit()
        self.author.setPlaceholderText("Author (optional)")
        self.author.setAccessibleName("Book author")
        self.status = QComboBox()
        self.status.addItems(STATUSES)
        self.status.setAccessibleName("Reading status")
        self.add = QPushButton("Add")
        self.add.clicked.connect(self.add_clicked)
        self.model = QStandardItemModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName("Books")
        row = QHBoxLayout()
        for widget in (self.title, self.author, self.status, self.add):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        ui.service.records_changed.connect(self.reload)
        ui.service.unlocked.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        async def load() -> None:
            self.show_books(await self.ui.service.call(books_with_names))

        if self.ui.service.is_open:
            self.ui.service.run(load)

    def show_books(self, books: Sequence[tuple[Book, str]]) -> None:
        self.model.clear()
        for book, name in books:
            by = f" by {book.author}" if book.author else ""
            self.model.appendRow(QStandardItem(f"{book.title}{by} — {book.status} ({name})"))

    def add_clicked(self) -> None:
        title, author, status = self.title.text(), self.author.text(), self.status.currentText()

        async def add() -> None:
            await self.ui.service.call(
                lambda p: add_book(p, title, author=author or None, status=status)
            )
            self.title.clear()
            self.author.clear()
            self.ui.service.records_changed.emit()

        self.ui.service.run(add)


@hookimpl
def smd_ui_pages(ui: UiContext) -> Sequence[PluginPage]:
    return [PluginPage(TITLE, ReadingListPage(ui))]


@hookimpl
def smd_open_search_hit(ui: UiContext, hit: SearchHit) -> bool | None:
    if hit.plugin != NAME:
        return None
    ui.show_page(TITLE)
    return True
