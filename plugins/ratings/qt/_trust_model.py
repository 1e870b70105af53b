"""The Trust tab's list: my trust statements in force, by person then context."""

from __future__ import annotations

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP

from ..core.views import TrustView
from . import _labels as labels
from ._calls import name_or_id
from ._table_model import TableModel


class TrustModel(TableModel[TrustView]):
    """Trust statements: person, context, weight, note, date; read-only."""

    columns = (
        QT_TRANSLATE_NOOP("TrustModel", "Person"),
        QT_TRANSLATE_NOOP("TrustModel", "Context"),
        QT_TRANSLATE_NOOP("TrustModel", "Statement"),
        QT_TRANSLATE_NOOP("TrustModel", "Note"),
        QT_TRANSLATE_NOOP("TrustModel", "Since"),
    )

    def cells(self, row: TrustView) -> tuple[str, ...]:
        """The texts of one statement."""
        return (
            name_or_id(row.trustee, row.trustee_name),
            labels.context_label(row.context),
            labels.trust_weight(row.weight),
            row.note,
            labels.day(row.ts),
        )

    def describe(self, row: TrustView) -> str:
        """``Bob, in p2p-sale: Trust fully (note)``."""
        text = self.tr("{person}, in {context}: {statement}").format(
            person=name_or_id(row.trustee, row.trustee_name),
            context=labels.context_label(row.context),
            statement=labels.trust_weight(row.weight),
        )
        return (
            self.tr("{statement} ({note})").format(statement=text, note=row.note)
            if row.note
            else text
        )

    def row_of(self, trustee: bytes, context: str) -> int | None:
        """The row of my statement about ``trustee`` in ``context``, if listed."""
        return self.find(lambda s: s.trustee == trustee and s.context == context)
