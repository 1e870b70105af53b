"""Search (Ctrl+F): one box over every search provider the active plugins offer (e.g. all
the reference directories we hold); a result opens in its plugin's page."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.ids import identity_text
from ..core.plugins import SearchHit
from ..core.profile import Profile
from .service import CoreService

DEBOUNCE_MS = 200
LIMIT = 50


def search_with_names(profile: Profile, text: str) -> list[tuple[SearchHit, str]]:
    """Hits for ``text`` with their authors' display names (runs in the core thread)."""
    hits = profile.search(text, limit=LIMIT)
    names: dict[bytes, str] = {}
    for hit in hits:
        if hit.author not in names:
            view = profile.store.profile(hit.author)
            names[hit.author] = view.name if view else identity_text(hit.author)[:16] + "…"
    return [(hit, names[hit.author]) for hit in hits]


class SearchDialog(QDialog):
    """A non-modal search box with results; ``open_hit`` decides what activating one does."""

    searched = Signal(int)
    """A search finished with this many results (tests wait on it)."""

    def __init__(
        self,
        service: CoreService,
        open_hit: Callable[[SearchHit], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Search"))
        self.service = service
        self._open_hit = open_hit
        self._generation = 0
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("Search everything you hold (references, …)"))
        self.query.setAccessibleName(self.tr("Search words"))
        self.results = QListWidget()
        self.results.setAccessibleName(self.tr("Search results"))
        self.status = QLabel("")
        self.status.setAccessibleName(self.tr("Search status"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self.resize(560, 420)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.query.textChanged.connect(lambda _: self._timer.start())
        self.query.returnPressed.connect(self.search_now)
        self.results.itemActivated.connect(self._activated)

    def search_now(self) -> None:
        """Run the search for the current text (older answers are dropped)."""
        self._timer.stop()
        text = self.query.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self.results.clear()
            self.status.setText("")
            return

        async def run() -> None:
            found = await self.service.call(search_with_names, text)
            if generation == self._generation:
                self.show_hits(found)

        self.service.run(run)

    def show_hits(self, found: list[tuple[SearchHit, str]]) -> None:
        """List the hits (best first)."""
        self.results.clear()
        for hit, author in found:
            line = self.tr("{title} — {author}").format(title=hit.title, author=author)
            if hit.snippet:
                line += f"\n{hit.snippet}"
            item = QListWidgetItem(line)
            item.setData(Qt.ItemDataRole.UserRole, hit)
            item.setToolTip(f"{hit.plugin}: {hit.kind}")
            self.results.addItem(item)
        self.status.setText(
            self.tr("%n result(s)", "", len(found)) if found else self.tr("Nothing found.")
        )
        self.searched.emit(len(found))

    def _activated(self, item: QListWidgetItem) -> None:
        hit = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(hit, SearchHit) and self._open_hit(hit):
            self.hide()
