"""A person's reputation from my seat: the native score with its explanation, and the imported
platform summaries beside it, never merged.

Shown on the Ratings page (mine: "My reputation") and on every Profile page. The numbers are
computed in the core's thread by the facade (:func:`load_standing`) when shown, when the context
changes and on ``records_changed``; negative ratings are listed like any other.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from smd_desktop.core.ids import IdentityKey
from smd_desktop.ui.i18n import english_plural
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import Refresher, alive

from ..core.params import GENERAL
from ..core.views import RatingView
from . import _labels as labels
from ._calls import Standing, load_standing, name_or_id
from ._deal_dialog import context_problem
from ._rate_dialog import RespondDialog
from ._reputation_models import (
    CountedRow,
    ImportsModel,
    PathsModel,
    RatingsModel,
    counted_rows,
    path_rows,
)


def table(model: QAbstractItemModel, name: str, parent: QWidget) -> QTreeView:
    """A flat, read-only, row-selecting view of ``model`` (the last column stretches)."""
    view = QTreeView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setRootIsDecorated(False)
    view.setAlternatingRowColors(True)
    view.setUniformRowHeights(True)
    view.setWordWrap(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.header().setStretchLastSection(True)
    return view


MAX_COLUMN_WIDTH = 320
"""Widest a column grows to fit its texts (a long rating text wraps in its tooltip instead)."""


def fit_columns(view: QTreeView) -> None:
    """Size every column but the last to its contents, at most :data:`MAX_COLUMN_WIDTH`."""
    header = view.header()
    header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
    for column in range(header.count() - 1):
        if header.sectionSize(column) > MAX_COLUMN_WIDTH:
            header.resizeSection(column, MAX_COLUMN_WIDTH)


def line(parent: QWidget, name: str) -> QLabel:
    """A wrapped, selectable label with an accessible name."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ReputationDisplay(QWidget):
    """``identity``'s reputation from my seat (mine when ``identity`` is None)."""

    loaded = Signal()
    """A read was shown."""

    def __init__(
        self, ui: UiContext, identity: IdentityKey | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = ui
        self.identity = identity
        self.standing: Standing | None = None
        self.dialog: RespondDialog | None = None
        """The open response dialog, if any."""
        self.setAccessibleName(
            self.tr("My reputation") if identity is None else self.tr("Reputation")
        )

        self.heading = line(self, self.tr("Whose reputation"))
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setText(self.tr("Loading…"))
        self.context = QComboBox(self)
        self.context.setEditable(True)
        self.context.addItems([GENERAL, *labels.SUGGESTED_CONTEXTS])
        self.context.setAccessibleName(self.tr("Context of the reputation"))
        self.context.setToolTip(
            self.tr("Whose judgement counts can depend on the kind of deal: choose a context.")
        )
        self.context.activated.connect(lambda _: self.refresh())
        edit = self.context.lineEdit()
        assert edit is not None
        edit.editingFinished.connect(self.refresh)
        self.context_problem = line(self, self.tr("Problem with the context"))
        self.context_problem.setStyleSheet("color: #b3261e;")
        self.context_problem.hide()
        self.score = line(self, self.tr("Score"))
        big = QFont(self.score.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.score.setFont(big)
        self.votes = line(self, self.tr("How the score is made"))
        self.network = line(self, self.tr("Ratings from your network and from outside"))
        self.positive = line(self, self.tr("Share of positive ratings"))
        self.sealed = line(self, self.tr("Ratings still sealed"))

        self.paths = PathsModel(self)
        self.paths_view = table(self.paths, self.tr("Trust paths from you to them"), self)
        self.paths_note = line(self, self.tr("About the trust paths"))
        self.ratings = RatingsModel(self)
        self.ratings_view = table(self.ratings, self.tr("Ratings and how much each counts"), self)
        self.ratings_note = line(self, self.tr("About the ratings"))
        self.respond_button = QPushButton(self.tr("&Respond…"), self)
        self.respond_button.setAccessibleName(self.tr("Respond to the selected rating"))
        self.respond_button.setEnabled(False)
        self.respond_button.clicked.connect(self.respond_to_selected)
        self.imports = ImportsModel(self)
        self.imports_view = table(self.imports, self.tr("Imported platform ratings"), self)
        self.imports_note = line(self, self.tr("About imported ratings"))
        self.imports_note.setText(
            self.tr(
                "Figures imported from other platforms, with how far they are backed. They are "
                "shown beside the score and never merged into it."
            )
        )

        self.no_imports = line(self, self.tr("No imported ratings"))
        self.no_imports.setText(self.tr("No ratings imported from other platforms."))
        self.no_imports.hide()
        self.paths_view.setMaximumHeight(140)

        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(QLabel(self.tr("Context:"), self))
        head.addWidget(self.context)
        native = QGroupBox(self.tr("Native reputation, from your seat"), self)
        native_layout = QVBoxLayout(native)
        for widget in (self.score, self.votes, self.network, self.positive, self.sealed):
            native_layout.addWidget(widget)
        native_layout.addWidget(self.paths_note)
        native_layout.addWidget(self.paths_view, 1)
        native_layout.addWidget(self.ratings_note)
        native_layout.addWidget(self.ratings_view, 2)
        respond_row = QHBoxLayout()
        respond_row.addStretch(1)
        respond_row.addWidget(self.respond_button)
        native_layout.addLayout(respond_row)
        # Takes the room the hidden lists leave, so the lines above stay together at the top.
        self._filler = native_layout.count()
        native_layout.addStretch(0)
        self._native_layout = native_layout
        imported = QGroupBox(self.tr("Imported from other platforms"), self)
        imported_layout = QVBoxLayout(imported)
        imported_layout.addWidget(self.imports_note)
        imported_layout.addWidget(self.no_imports)
        imported_layout.addWidget(self.imports_view, 1)
        imported_layout.addStretch(0)
        splitter = QSplitter(self)
        splitter.addWidget(native)
        splitter.addWidget(imported)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.context_problem)
        layout.addWidget(splitter, 1)

        self.respond_button.setVisible(False)  # until it shows my own reputation
        self.ratings_view.selectionModel().currentChanged.connect(self._update_respond)
        self._reads = Refresher(ui.service, self, self._fetch, self._show)
        ui.service.records_changed.connect(self._reads.request)
        ui.service.unlocked.connect(self._reads.request)
        self._reads.request()

    @property
    def busy(self) -> bool:
        """Whether a read is waiting or running."""
        return self._reads.busy

    def refresh(self) -> None:
        """Read again soon (done by itself on ``records_changed``)."""
        self._reads.request()

    def chosen_context(self) -> str:
        """The context asked for (``general`` when the box is empty)."""
        return self.context.currentText().strip() or GENERAL

    def set_context(self, context: str) -> None:
        """Show the reputation in ``context``."""
        self.context.setEditText(context)
        self.refresh()

    async def _fetch(self) -> Standing | str:
        context = self.chosen_context()
        if problem := context_problem(context):
            return problem
        return await self.ui.service.call(load_standing, self.identity, context)

    # -- showing ------------------------------------------------------------------------------

    def _show(self, read: Standing | str) -> None:
        if isinstance(read, str):  # a malformed context: say so, keep what is shown
            self.context_problem.setText(read)
            self.context_problem.setVisible(True)
            self.loaded.emit()
            return
        self.context_problem.setVisible(False)
        standing = self.standing = read
        explanation = standing.explanation
        rep = explanation.reputation
        name = name_or_id(rep.target, rep.target_name)
        self.heading.setText(
            self.tr("Your reputation, as you see it from your own seat")
            if standing.mine
            else self.tr("{name}'s reputation, from your seat").format(name=name)
        )
        self.score.setText(self.tr("{score} / 5").format(score=labels.stars(rep.score)))
        self.score.setAccessibleDescription(
            self.tr("Score {score} out of 5, in {context}").format(
                score=labels.stars(rep.score), context=labels.context_label(rep.context)
            )
        )
        self.votes.setText(
            self.tr(
                "{votes} from raters you trust, starting from a neutral {prior} that counts as "
                "{prior_votes}."
            ).format(
                votes=labels.votes(rep.votes),
                prior=labels.stars(rep.prior),
                prior_votes=labels.votes(rep.prior_weight),
            )
        )
        self.network.setText(labels.network_line(rep.in_network, rep.outside))
        if rep.positive_share is None:
            self.positive.setText(self.tr("No ratings from your network yet."))
        else:
            self.positive.setText(
                self.tr("{share} positive among the raters who count (at least {bound}).").format(
                    share=labels.percent(rep.positive_share),
                    bound=labels.percent(rep.positive_lower_bound),
                )
            )
        self.sealed.setText(
            english_plural(
                self.tr("%n rating(s) still sealed: they count once revealed.", "", rep.sealed),
                rep.sealed,
            )
        )
        self.sealed.setVisible(rep.sealed > 0)

        # From my seat to myself there is no path to show: only whose ratings count.
        self.paths.set_rows([] if standing.mine else path_rows(explanation))
        self.paths_view.setVisible(self.paths.rowCount() > 0)
        if standing.mine:
            self.paths_note.setText(
                self.tr("Ratings count by how much you trust the people who wrote them.")
            )
        elif explanation.paths:
            note = self.tr("How your trust reaches {name}: the heaviest paths.").format(name=name)
            if not explanation.complete:
                note = self.tr("{note} (there may be more.)").format(note=note)
            self.paths_note.setText(note)
        else:
            self.paths_note.setText(
                self.tr("No trust path from you reaches {name} yet.").format(name=name)
            )

        selected = self.selected_rating()
        self.ratings.set_rows(counted_rows(explanation, standing.ratings))
        self.ratings_view.setVisible(bool(standing.ratings))
        lists_shown = self.ratings_view.isVisibleTo(self) or self.paths_view.isVisibleTo(self)
        self._native_layout.setStretch(self._filler, 0 if lists_shown else 1)
        self.ratings_note.setText(
            self.tr(
                "Every revealed rating, negative ones included, with how much it counts for "
                "you. Raters outside your network are shown but do not count."
            )
            if standing.ratings
            else self.tr("No revealed ratings yet.")
        )
        if selected is not None and (row := self.ratings.row_of(selected.id)) is not None:
            self.ratings_view.setCurrentIndex(self.ratings.index(row, 0))
        self.imports.set_rows(list(rep.imported))
        self.imports_view.setVisible(bool(rep.imported))
        self.no_imports.setVisible(not rep.imported)
        for view in (self.paths_view, self.ratings_view, self.imports_view):
            fit_columns(view)
        self.respond_button.setVisible(standing.mine)
        self._update_respond()
        self.loaded.emit()

    # -- responding (my own reputation) ------------------------------------------------------------

    def selected_rating(self) -> RatingView | None:
        """The rating selected in the list, if any."""
        index = self.ratings_view.currentIndex()
        if not index.isValid():
            return None
        row: CountedRow = self.ratings.row_at(index.row())
        return row.rating

    def _update_respond(self, *_: QModelIndex) -> None:
        rating = self.selected_rating()
        mine = self.standing is not None and self.standing.mine
        self.respond_button.setEnabled(mine and rating is not None and rating.response is None)

    def respond_to_selected(self) -> None:
        """Open the response dialog on the selected rating (about me, not answered yet)."""
        rating = self.selected_rating()
        if rating is None or rating.response is not None:
            return
        if self.standing is None or not self.standing.mine:
            return
        if self.dialog is not None and alive(self.dialog) and self.dialog.isVisible():
            self.dialog.raise_()
            return
        dialog = RespondDialog(self.ui, rating, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.succeeded.connect(lambda _: self.ui.service.records_changed.emit())
        self.dialog = dialog
        dialog.open()
