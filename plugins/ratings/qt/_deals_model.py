"""The Deals tab's list: one row per deal I am a party of, newest first."""

from __future__ import annotations

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP

from ..core.views import DealView, RatingState
from . import _labels as labels
from ._calls import name_or_id
from ._table_model import TableModel


def state_text(state: RatingState) -> str:
    """``Sealed``, ``Not rated``, ``Revealed: 4/5``."""
    overall = state.rating.overall if state.rating is not None else None
    return labels.rating_state(state.state, overall)


class DealsModel(TableModel[DealView]):
    """Deals: with whom, what, context, amount, status, both ratings, date; read-only."""

    columns = (
        QT_TRANSLATE_NOOP("DealsModel", "With"),
        QT_TRANSLATE_NOOP("DealsModel", "What"),
        QT_TRANSLATE_NOOP("DealsModel", "Context"),
        QT_TRANSLATE_NOOP("DealsModel", "Amount"),
        QT_TRANSLATE_NOOP("DealsModel", "Status"),
        QT_TRANSLATE_NOOP("DealsModel", "My rating"),
        QT_TRANSLATE_NOOP("DealsModel", "Their rating"),
        QT_TRANSLATE_NOOP("DealsModel", "Offered"),
    )
    STATUS_COLUMN = 4

    def cells(self, row: DealView) -> tuple[str, ...]:
        """The texts of one deal."""
        terms = row.terms
        return (
            name_or_id(row.other, row.other_name),
            terms.what,
            labels.context_label(terms.context),
            labels.amount(terms.amount, terms.currency),
            labels.deal_status(row.status),
            state_text(row.my_rating) if row.status == "active" else "",
            state_text(row.their_rating) if row.status == "active" else "",
            labels.day(row.created),
        )

    def describe(self, row: DealView) -> str:
        """``Bicycle with Bob: Active (signed by both of you…); my rating: Sealed; …``."""
        text = self.tr("{what} with {name}: {status} ({hint})").format(
            what=row.terms.what,
            name=name_or_id(row.other, row.other_name),
            status=labels.deal_status(row.status),
            hint=labels.deal_status_hint(row.status),
        )
        if row.status == "active":
            text = self.tr("{deal}; my rating: {mine}; their rating: {theirs}").format(
                deal=text, mine=state_text(row.my_rating), theirs=state_text(row.their_rating)
            )
        return text

    def tooltip(self, row: DealView, column: int) -> str:
        """The status column explains the status; the others say the whole row."""
        if column == self.STATUS_COLUMN:
            return labels.deal_status_hint(row.status)
        return self.describe(row)

    def row_of(self, deal_id: bytes) -> int | None:
        """The row of the deal ``deal_id``, if listed."""
        return self.find(lambda deal: deal.deal_id == deal_id)
