"""One entry in full: what it is, who wrote it, what they disclose, and who vouches for it.

Read in the core's thread (:func:`load_detail`) when an entry is chosen and again on
``records_changed``. Links open in the system browser through ``ui.open_url``, honouring the
"No affiliate links" setting at the moment of the click. Others' entries can be endorsed here.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
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
from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP, english_plural
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import Refresher, start

from ..core import EndorsementView, EntryView
from ..core.identifiers import LABELS
from ._calls import Shown, author_label, endorse, load_detail, short_id, unendorse
from ._labels import badge, disclosure_sentence, verdict_label
from ._settings import link_for, switch_of

NOTHING_CHOSEN = QT_TRANSLATE_NOOP("EntryDetailView", "Choose an entry to see it here.")
GONE = QT_TRANSLATE_NOOP("EntryDetailView", "This entry is no longer in any directory you hold.")
"""English texts: the view shows them translated."""


def usage_text(entry: EntryView) -> str:
    """How long the author has used it: ``Still using it, since 2021-03`` (translated)."""
    if entry.still_using is False:
        span = " – ".join(d for d in (entry.since, entry.until) if d)
        if span:
            return QCoreApplication.translate(
                "EntryDetailView", "No longer using it ({dates})"
            ).format(dates=span)
        return QCoreApplication.translate("EntryDetailView", "No longer using it")
    if entry.still_using:
        if entry.since:
            return QCoreApplication.translate(
                "EntryDetailView", "Still using it, since {date}"
            ).format(date=entry.since)
        return QCoreApplication.translate("EntryDetailView", "Still using it")
    if entry.since:
        return QCoreApplication.translate("EntryDetailView", "Using it since {date}").format(
            date=entry.since
        )
    return ""


def ids_text(entry: EntryView) -> str:
    """``ISBN 9780…, DOI 10.1000/xyz``."""
    return ", ".join(f"{LABELS[kind]} {value}" for kind, value in entry.ids.as_dict().items())


def endorsement_text(endorsement: EndorsementView, mine: bool) -> str:
    """One endorsement as a list line: ``Bob (you follow): "Great mic"`` (translated)."""
    if mine:
        who = QCoreApplication.translate("EntryDetailView", "You")
    else:
        who = endorsement.endorser_name or short_id(endorsement.endorser)
        if endorsement.followed:
            who = QCoreApplication.translate("EntryDetailView", "{name} (you follow)").format(
                name=who
            )
    if not endorsement.note:
        return who
    return QCoreApplication.translate("EntryDetailView", "{name}: “{note}”").format(
        name=who, note=endorsement.note
    )


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
        self.empty = QLabel(self.tr(NOTHING_CHOSEN), self)
        self.empty.setWordWrap(True)
        self.title = self._label(self.tr("Entry title"))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.author = QPushButton(self)
        self.author.setFlat(True)
        self.author.setAccessibleName(self.tr("Author"))
        self.author.clicked.connect(self._open_author)
        self.category = self._label(self.tr("Category"))
        self.badges: list[QLabel] = []
        self._badge_row = QHBoxLayout()
        self._badge_row.addStretch(1)
        self.verdict = self._label(self.tr("Verdict"))
        self.usage = self._label(self.tr("Usage"))
        self.tags = self._label(self.tr("Tags"))
        self.ids = self._label(self.tr("Identifiers"))
        self.note = self._label(self.tr("Note"))
        self.open_link = QPushButton(self.tr("Open link"), self)
        self.open_link.clicked.connect(lambda: self._open(plain=False))
        self.open_plain = QPushButton(self.tr("Open without affiliate link"), self)
        self.open_plain.setAccessibleName(
            self.tr("Open the canonical link, without affiliate link")
        )
        self.open_plain.clicked.connect(lambda: self._open(plain=True))
        self.endorsed_by = self._label(self.tr("Endorsements"))
        self.endorsements = QListWidget(self)
        self.endorsements.setAccessibleName(self.tr("Who endorses this entry"))
        self.endorse_note = QLineEdit(self)
        self.endorse_note.setPlaceholderText(self.tr("Why you vouch for it (optional)"))
        self.endorse_note.setAccessibleName(self.tr("Endorsement note"))
        self.endorse = QPushButton(self.tr("Endorse"), self)
        self.endorse.setAccessibleName(self.tr("Endorse this entry"))
        self.endorse.clicked.connect(self._endorse)
        self.withdraw = QPushButton(self.tr("Withdraw endorsement"), self)
        self.withdraw.clicked.connect(self._withdraw)
        self.status = self._label(self.tr("Endorsement status"))

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
        self.empty.setText(self.tr(NOTHING_CHOSEN if self.entry_id is None else GONE))
        if shown is not None:
            self._fill(shown)
            if self._focus:
                self.open_link.setFocus()
        self._focus = False
        self.loaded.emit(shown)

    def _fill(self, shown: Shown) -> None:
        entry = shown.detail.entry
        self.title.setText(entry.title)
        author = author_label(entry)
        by = self.tr("by {author} (you)") if shown.mine else self.tr("by {author}")
        self.author.setText(by.format(author=author))
        self.author.setAccessibleName(self.tr("Show the profile of {author}").format(author=author))
        self.category.setText(" / ".join(entry.category) or self.tr("Uncategorized"))
        self._fill_badges(entry)
        self.verdict.setText(verdict_label(entry.verdict))
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
            self.tr("Nobody endorses it yet.")
            if count == 0
            else english_plural(self.tr("Endorsed by %n:", "", count), count)
        )
        self.endorsements.setVisible(count > 0)
        for widget in (self.endorse_note, self.endorse):
            widget.setVisible(not shown.mine)
        self.endorse.setText(
            self.tr("Update endorsement") if shown.endorsed else self.tr("Endorse")
        )
        self.withdraw.setVisible(shown.endorsed)

    def _fill_badges(self, entry: EntryView) -> None:
        for old in self.badges:
            old.hide()
            old.deleteLater()
        self.badges = []
        flags = entry.disclosures or ("none",)
        for flag in flags:
            if flag == "none":
                label = QLabel(self.tr("No disclosures"), self)
                label.setAccessibleName(self.tr("Disclosure: none declared"))
            else:
                name = badge(flag)
                label = QLabel(name, self)
                label.setAccessibleName(self.tr("Disclosure: {badge}").format(badge=name))
                label.setAccessibleDescription(disclosure_sentence(flag))
                label.setToolTip(disclosure_sentence(flag))
                label.setStyleSheet(
                    "border: 1px solid palette(mid); border-radius: 4px; padding: 1px 6px;"
                )
            self._badge_row.insertWidget(len(self.badges), label)
            self.badges.append(label)

    # -- links ----------------------------------------------------------------------------

    def _update_links(self, *_: object) -> None:
        if self.shown is None:
            return
        entry = self.shown.detail.entry
        affiliate = next((a for a in entry.affiliate if a.url == link_for(self.ui, entry)), None)
        if affiliate is None:
            self.open_link.setText(self.tr("Open link"))
            self.open_link.setAccessibleName(self.tr("Open link"))
            self.open_link.setToolTip(entry.url)
        else:
            network = affiliate.network
            self.open_link.setText(
                self.tr("Open link (affiliate: {network})").format(network=network)
            )
            self.open_link.setAccessibleName(
                self.tr("Open affiliate link of {network}").format(network=network)
            )
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
            lambda _: self._written(self.tr("You endorse this entry.")),
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
            lambda _: self._written(self.tr("You no longer endorse this entry.")),
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
