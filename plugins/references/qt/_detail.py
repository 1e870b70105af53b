"""One entry in full: what it is, who wrote it, what they disclose, and who vouches for it.

Read in the core's thread (:func:`load_detail`) when an entry is chosen and again on
``records_changed``. Links open in the system browser through ``ui.open_url``, honouring the
"No affiliate links" setting at the moment of the click. Others' entries can be endorsed here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.core.ids import RecordId
from smd_desktop.ui.plugin_api import UiContext

from ..core import EndorsementView, EntryView
from ..core.identifiers import LABELS
from ..core.model import DISCLOSURE_BADGES, DISCLOSURE_TEXT, VERDICT_LABELS
from ._calls import Shown, author_label, endorse, load_detail, short_id, unendorse
from ._settings import link_for, switch_of
from ._work import Refresher, start

NOTHING_CHOSEN = "Choose an entry to see it here."
GONE = "This entry is no longer in any directory you hold."


def usage_text(entry: EntryView) -> str:
    """How long the author has used it: ``Still using it, since 2021-03``."""
    since = f"since {entry.since}" if entry.since else ""
    if entry.still_using is False:
        span = " – ".join(d for d in (entry.since, entry.until) if d)
        return f"No longer using it ({span})" if span else "No longer using it"
    if entry.still_using:
        return f"Still using it, {since}" if since else "Still using it"
    return f"Using it {since}" if since else ""


def ids_text(entry: EntryView) -> str:
    """``ISBN 9780…, DOI 10.1000/xyz``."""
    return ", ".join(f"{LABELS[kind]} {value}" for kind, value in entry.ids.as_dict().items())


def endorsement_text(endorsement: EndorsementView, mine: bool) -> str:
    """One endorsement as a list line: ``Bob (you follow): "Great mic"``."""
    who = "You" if mine else endorsement.endorser_name or short_id(endorsement.endorser)
    if endorsement.followed and not mine:
        who += " (you follow)"
    return f"{who}: \u201c{endorsement.note}\u201d" if endorsement.note else who


class EntryDetailView(QWidget):
    """Shows :meth:`show_entry`'s entry; emits :attr:`loaded` after each read."""

    loaded = Signal(object)
    """The :class:`Shown` read (None: the entry is gone or none is chosen)."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.entry_id: RecordId | None = None
        self.shown: Shown | None = None
        self._focus = False
        self.empty = QLabel(NOTHING_CHOSEN, self)
        self.empty.setWordWrap(True)
        self.title = self._label("Entry title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.author = QPushButton(self)
        self.author.setFlat(True)
        self.author.setAccessibleName("Author")
        self.author.clicked.connect(self._open_author)
        self.category = self._label("Category")
        self.badges: list[QLabel] = []
        self._badge_row = QHBoxLayout()
        self._badge_row.addStretch(1)
        self.verdict = self._label("Verdict")
        self.usage = self._label("Usage")
        self.tags = self._label("Tags")
        self.ids = self._label("Identifiers")
        self.note = self._label("Note")
        self.open_link = QPushButton("Open link", self)
        self.open_link.clicked.connect(lambda: self._open(plain=False))
        self.open_plain = QPushButton("Open without affiliate link", self)
        self.open_plain.setAccessibleName("Open the canonical link, without affiliate link")
        self.open_plain.clicked.connect(lambda: self._open(plain=True))
        self.endorsed_by = self._label("Endorsements")
        self.endorsements = QListWidget(self)
        self.endorsements.setAccessibleName("Who endorses this entry")
        self.endorse_note = QLineEdit(self)
        self.endorse_note.setPlaceholderText("Why you vouch for it (optional)")
        self.endorse_note.setAccessibleName("Endorsement note")
        self.endorse = QPushButton("Endorse", self)
        self.endorse.setAccessibleName("Endorse this entry")
        self.endorse.clicked.connect(self._endorse)
        self.withdraw = QPushButton("Withdraw endorsement", self)
        self.withdraw.clicked.connect(self._withdraw)
        self.status = self._label("Endorsement status")

        links = QVBoxLayout()  # stacked: the labels are long and the pane is narrow
        links.addWidget(self.open_link, 0, Qt.AlignmentFlag.AlignLeft)
        links.addWidget(self.open_plain, 0, Qt.AlignmentFlag.AlignLeft)
        endorse_row = QHBoxLayout()
        endorse_row.addWidget(self.endorse_note, 1)
        endorse_row.addWidget(self.endorse)
        endorse_row.addWidget(self.withdraw)
        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.title)
        body.addWidget(self.author, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.category)
        body.addLayout(self._badge_row)
        for label in (self.verdict, self.usage, self.tags, self.ids, self.note):
            body.addWidget(label)
        body.addLayout(links)
        body.addWidget(self.endorsed_by)
        body.addWidget(self.endorsements, 1)
        body.addLayout(endorse_row)
        body.addWidget(self.status)
        body.addStretch(1)  # pack the fields at the top when there are no endorsements
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.body, 1)
        self.body.hide()
        self._reads = Refresher(ui.service, self, self._fetch, self._show)
        ui.service.records_changed.connect(self._reads.request)
        ui.service.unlocked.connect(self._reads.request)
        switch_of(ui).changed.connect(self._update_links)

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # -- reading --------------------------------------------------------------------------

    def show_entry(self, entry_id: RecordId | None, *, focus: bool = False) -> None:
        """Show the entry ``entry_id`` is a version of (None: nothing); ``focus`` moves the
        keyboard focus to its first button once it is shown."""
        if entry_id != self.entry_id:
            self.status.clear()
            self.endorse_note.clear()
        self.entry_id = entry_id
        self._focus = focus
        if entry_id is None:
            self._show(None)
        else:
            self._reads.request()

    async def _fetch(self) -> tuple[RecordId | None, Shown | None]:
        wanted = self.entry_id
        if wanted is None:
            return None, None
        return wanted, await self.ui.service.call(load_detail, wanted)

    def _show(self, read: tuple[RecordId | None, Shown | None] | None) -> None:
        wanted, shown = read if read is not None else (None, None)
        if wanted != self.entry_id:
            return  # another entry was chosen meanwhile: its own read follows
        self.shown = shown
        self.body.setVisible(shown is not None)
        self.empty.setVisible(shown is None)
        self.empty.setText(NOTHING_CHOSEN if self.entry_id is None else GONE)
        if shown is not None:
            self._fill(shown)
            if self._focus:
                self.open_link.setFocus()
        self._focus = False
        self.loaded.emit(shown)

    def _fill(self, shown: Shown) -> None:
        entry = shown.detail.entry
        self.title.setText(entry.title)
        self.author.setText(f"by {author_label(entry)}" + (" (you)" if shown.mine else ""))
        self.author.setAccessibleName(f"Show the profile of {author_label(entry)}")
        self.category.setText(" / ".join(entry.category) or "Uncategorized")
        self._fill_badges(entry)
        self.verdict.setText(VERDICT_LABELS.get(entry.verdict or "", ""))
        self.usage.setText(usage_text(entry))
        self.tags.setText(" ".join(f"#{t}" for t in entry.tags))
        self.ids.setText(ids_text(entry))
        self.note.setText(entry.note)
        for label in (self.verdict, self.usage, self.tags, self.ids, self.note):
            label.setVisible(bool(label.text()))
        self._update_links()
        self.endorsements.clear()
        for endorsement in shown.detail.endorsements:
            self.endorsements.addItem(
                endorsement_text(endorsement, endorsement.endorser == shown.me)
            )
        count = len(shown.detail.endorsements)
        self.endorsed_by.setText(
            "Nobody endorses it yet." if count == 0 else f"Endorsed by {count}:"
        )
        self.endorsements.setVisible(count > 0)
        for widget in (self.endorse_note, self.endorse):
            widget.setVisible(not shown.mine)
        self.endorse.setText("Update endorsement" if shown.endorsed else "Endorse")
        self.withdraw.setVisible(shown.endorsed)

    def _fill_badges(self, entry: EntryView) -> None:
        for badge in self.badges:
            badge.hide()
            badge.deleteLater()
        self.badges = []
        flags = entry.disclosures or ("none",)
        for flag in flags:
            if flag == "none":
                badge = QLabel("No disclosures", self)
                badge.setAccessibleName("Disclosure: none declared")
            else:
                badge = QLabel(DISCLOSURE_BADGES[flag], self)
                badge.setAccessibleName(f"Disclosure: {DISCLOSURE_BADGES[flag]}")
                badge.setAccessibleDescription(DISCLOSURE_TEXT[flag])
                badge.setToolTip(DISCLOSURE_TEXT[flag])
                badge.setStyleSheet(
                    "border: 1px solid palette(mid); border-radius: 4px; padding: 1px 6px;"
                )
            self._badge_row.insertWidget(len(self.badges), badge)
            self.badges.append(badge)

    # -- links ----------------------------------------------------------------------------

    def _update_links(self, *_: object) -> None:
        if self.shown is None:
            return
        entry = self.shown.detail.entry
        affiliate = next((a for a in entry.affiliate if a.url == link_for(self.ui, entry)), None)
        if affiliate is None:
            self.open_link.setText("Open link")
            self.open_link.setAccessibleName("Open link")
            self.open_link.setToolTip(entry.url)
        else:
            self.open_link.setText(f"Open link (affiliate: {affiliate.network})")
            self.open_link.setAccessibleName(f"Open affiliate link of {affiliate.network}")
            self.open_link.setToolTip(affiliate.url)
        self.open_plain.setVisible(affiliate is not None)

    def _open(self, *, plain: bool) -> None:
        if self.shown is not None:
            entry = self.shown.detail.entry
            self.ui.open_url(entry.url if plain else link_for(self.ui, entry))

    def _open_author(self) -> None:
        if self.shown is not None:
            self.ui.open_identity(self.shown.detail.entry.author)

    # -- endorsing ------------------------------------------------------------------------

    def _endorse(self) -> None:
        if self.shown is None:
            return
        entry_id, note = self.shown.detail.entry.id, self.endorse_note.text()
        self.endorse.setEnabled(False)
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(endorse, entry_id, note),
            lambda _: self._written("You endorse this entry."),
            self._refused,
        )

    def _withdraw(self) -> None:
        if self.shown is None:
            return
        entry_id = self.shown.detail.entry.id
        self.withdraw.setEnabled(False)
        start(
            self.ui.service,
            self,
            lambda: self.ui.service.call(unendorse, entry_id),
            lambda _: self._written("You no longer endorse this entry."),
            self._refused,
        )

    def _written(self, sentence: str) -> None:
        self.endorse.setEnabled(True)
        self.withdraw.setEnabled(True)
        self.endorse_note.clear()
        self.status.setText(sentence)
        self.ui.service.records_changed.emit()

    def _refused(self, sentence: str) -> None:
        self.endorse.setEnabled(True)
        self.withdraw.setEnabled(True)
        self.status.setText(sentence)
