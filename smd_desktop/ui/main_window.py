"""The main window: a page list on the left, the page on the right, errors as a banner.

The window knows pages only as named widgets (app.py builds them), restores its geometry and
last page from QSettings, and on close waits for the app's shutdown (node, store, Trio) to
finish before it really closes: Qt 6 re-sends the close, which is then accepted.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .i18n import QT_TRANSLATE_NOOP
from .service import CoreService

CORE_PAGE_TITLES = (
    QT_TRANSLATE_NOOP("MainWindow", "Home"),
    QT_TRANSLATE_NOOP("MainWindow", "People"),
    QT_TRANSLATE_NOOP("MainWindow", "Profile"),
    QT_TRANSLATE_NOOP("MainWindow", "Network"),
    QT_TRANSLATE_NOOP("MainWindow", "Settings"),
)
"""The titles app.py gives the core pages, marked here so they are extracted for translating.
Titles are the pages' names in code (:meth:`MainWindow.show_page`); only the list shows them
translated."""


class ErrorBanner(QWidget):
    """A dismissible line at the top of the window with the last error, in plain words."""

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName(self.tr("Error message"))
        close = QPushButton(self.tr("Dismiss"))
        close.setAccessibleName(self.tr("Dismiss the error message"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.setStyleSheet("ErrorBanner { background: #fdecea; } QLabel { color: #611a15; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.hide()

    def show_error(self, text: str) -> None:
        """Show ``text`` (a sentence) until dismissed or replaced."""
        self.label.setText(text)
        self.show()


class MainWindow(QMainWindow):
    """The window. ``pages`` are (title, widget) pairs; ``on_quit`` runs the app's shutdown
    and calls its argument once everything is closed."""

    def __init__(
        self,
        service: CoreService,
        pages: list[tuple[str, QWidget]],
        *,
        on_quit: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.setWindowTitle("SMD")
        self._on_quit = on_quit
        self._closing = False
        self._may_close = on_quit is None

        self.nav = QListWidget()
        self.nav.setAccessibleName(self.tr("Pages"))
        self.nav.setFixedWidth(160)
        self.stack = QStackedWidget()
        self._titles = [title for title, _ in pages]
        for title, widget in pages:
            # A plugin's title has no entry in SMD's catalogue and shows as it is.
            self.nav.addItem(QCoreApplication.translate("MainWindow", title))
            self.stack.addWidget(widget)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.banner = ErrorBanner()
        service.error.connect(self.banner.show_error)

        right = QVBoxLayout()
        right.addWidget(self.banner)
        right.addWidget(self.stack, 1)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.addWidget(self.nav)
        layout.addLayout(right, 1)
        self.setCentralWidget(body)

        self.busy = QLabel("")
        self.statusBar().addPermanentWidget(self.busy)
        service.busy_changed.connect(
            lambda busy: self.busy.setText(self.tr("Working…") if busy else "")
        )

        for index in range(min(len(pages), 9)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda i=index: self.nav.setCurrentRow(i))
        self._restore()

    def page_titles(self) -> list[str]:
        """The pages' titles as given (untranslated), in list order."""
        return list(self._titles)

    def show_page(self, title: str) -> None:
        """Switch to the page named ``title``."""
        self.nav.setCurrentRow(self.page_titles().index(title))

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1000, 720)
        page = settings.value("window/page", 0)
        row = int(page) if isinstance(page, (int, str)) and str(page).isdigit() else 0
        self.nav.setCurrentRow(min(row, max(0, self.nav.count() - 1)))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Save geometry, then let the app shut down cleanly before the window goes."""
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/page", self.nav.currentRow())
        if self._may_close:
            event.accept()
            return
        event.ignore()
        if not self._closing and self._on_quit is not None:
            self._closing = True
            self.statusBar().showMessage(self.tr("Closing…"))
            self._on_quit(self._finish_close)

    def _finish_close(self) -> None:
        self._may_close = True
        self.close()
