"""The lists of a reputation: the ratings with how much each counted, the trust paths, and the
imported platform summaries (with their assurance)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP, english_plural

from ..core.views import ExplanationView, ImportView, PathView, RatingView
from . import _labels as labels
from ._calls import name_or_id
from ._table_model import TableModel


@dataclass(frozen=True, slots=True)
class CountedRow:
    """A revealed rating and how much its rater counts from my seat."""

    rating: RatingView
    weight: float
    """The rater's votes (0: outside my network, shown but not in the score)."""
    share: float
    """The part of the score the rater sets (0..1)."""


def counted_rows(explanation: ExplanationView, ratings: tuple[RatingView, ...]) -> list[CountedRow]:
    """Every revealed rating (negative ones too: never hidden) with its rater's weight."""
    by_rater = {c.rater: c for c in explanation.contributions}
    weights = {c.rater: c.weight for c in explanation.reputation.counted}
    rows = []
    for rating in ratings:
        contribution = by_rater.get(rating.rater)
        weight = contribution.weight if contribution else weights.get(rating.rater, 0.0)
        rows.append(CountedRow(rating, weight, contribution.share if contribution else 0.0))
    return rows


def aspects_text(rating: RatingView) -> str:
    """``As described 5/5, Timeliness 3/5``, in the core's order."""
    return ", ".join(
        QCoreApplication.translate("Ratings", "{aspect} {stars}/5").format(
            aspect=labels.aspect(name), stars=value
        )
        for name, value in rating.aspects.items()
    )


class RatingsModel(TableModel[CountedRow]):
    """Revealed ratings: rater, stars, how much they count, the deal, text, the response."""

    columns = (
        QT_TRANSLATE_NOOP("RatingsModel", "Rater"),
        QT_TRANSLATE_NOOP("RatingsModel", "Stars"),
        QT_TRANSLATE_NOOP("RatingsModel", "Counts for"),
        QT_TRANSLATE_NOOP("RatingsModel", "Deal"),
        QT_TRANSLATE_NOOP("RatingsModel", "Rating"),
        QT_TRANSLATE_NOOP("RatingsModel", "Response"),
    )

    def counts_text(self, row: CountedRow) -> str:
        """``1.00 vote (33 % of the score)`` or ``outside your network``."""
        if row.weight <= 0:
            return self.tr("outside your network")
        return self.tr("{votes} ({share} of the score)").format(
            votes=labels.votes(row.weight), share=labels.percent(row.share)
        )

    def rating_text(self, rating: RatingView) -> str:
        """The rating's text, its aspects, and a mark when written after seeing the other."""
        parts = [part for part in (rating.text, aspects_text(rating)) if part]
        if rating.written_after_seeing:
            parts.append(self.tr("written after seeing the other side's rating"))
        return " · ".join(parts)

    def cells(self, row: CountedRow) -> tuple[str, ...]:
        """The texts of one rating."""
        rating = row.rating
        return (
            name_or_id(rating.rater, rating.rater_name),
            QCoreApplication.translate("Ratings", "{stars}/5").format(stars=rating.overall),
            self.counts_text(row),
            self.tr("{what} ({context})").format(
                what=rating.what, context=labels.context_label(rating.context)
            ),
            self.rating_text(rating),
            rating.response or "",
        )

    def describe(self, row: CountedRow) -> str:
        """``Bob rated 2/5 for Bicycle, counts for 1.00 vote…: text. Response: …``."""
        rating = row.rating
        text = self.tr("{rater} rated {stars}/5 for {what}, counts for {counts}").format(
            rater=name_or_id(rating.rater, rating.rater_name),
            stars=rating.overall,
            what=rating.what,
            counts=self.counts_text(row),
        )
        if body := self.rating_text(rating):
            text = self.tr("{summary}: {text}").format(summary=text, text=body)
        if rating.response:
            text = self.tr("{rating}. Response: {response}").format(
                rating=text, response=rating.response
            )
        return text

    def row_of(self, rating_id: bytes) -> int | None:
        """The row of the rating ``rating_id``, if listed."""
        return self.find(lambda row: row.rating.id == rating_id)


@dataclass(frozen=True, slots=True)
class PathRow:
    """A trust path from me to the person and its share of their trust mass."""

    path: PathView
    share: float


def path_rows(explanation: ExplanationView) -> list[PathRow]:
    """The heaviest paths, each with its share of the target's trust mass."""
    total = explanation.target_mass
    return [PathRow(p, p.mass / total if total > 0 else 0.0) for p in explanation.paths]


def path_text(path: PathView) -> str:
    """``via Alice → Bob``; ``directly`` for my own statement about the person."""
    between = path.people[1:-1]
    if not between:
        return QCoreApplication.translate("Ratings", "directly (you trust them)")
    names = " → ".join(name_or_id(identity, name) for identity, name in between)
    return QCoreApplication.translate("Ratings", "via {people}").format(people=names)


class PathsModel(TableModel[PathRow]):
    """The heaviest trust paths from me to the person, with their share."""

    columns = (
        QT_TRANSLATE_NOOP("PathsModel", "Trust path"),
        QT_TRANSLATE_NOOP("PathsModel", "Share"),
    )

    def cells(self, row: PathRow) -> tuple[str, ...]:
        """The path and its share."""
        return (path_text(row.path), labels.percent(row.share))

    def describe(self, row: PathRow) -> str:
        """``via Alice → Bob, 42 % of the trust that reaches them``."""
        return self.tr("{path}, {share} of the trust that reaches them").format(
            path=path_text(row.path), share=labels.percent(row.share)
        )


class ImportsModel(TableModel[ImportView]):
    """Imported platform summaries with their assurance; never part of the score."""

    columns = (
        QT_TRANSLATE_NOOP("ImportsModel", "Platform"),
        QT_TRANSLATE_NOOP("ImportsModel", "Figures"),
        QT_TRANSLATE_NOOP("ImportsModel", "Period"),
        QT_TRANSLATE_NOOP("ImportsModel", "Assurance"),
        QT_TRANSLATE_NOOP("ImportsModel", "Profile"),
    )
    ASSURANCE_COLUMN = 3

    def assurance_text(self, row: ImportView) -> str:
        """``Witnessed (2 witness reports)`` or just the label."""
        label = labels.assurance(row.assurance)
        if row.witnesses:
            seen = english_plural(self.tr("%n witness report(s)", "", row.witnesses), row.witnesses)
            return self.tr("{label} ({witnesses})").format(label=label, witnesses=seen)
        return label

    def cells(self, row: ImportView) -> tuple[str, ...]:
        """The texts of one summary."""
        return (
            labels.platform(row.platform, row.platform_name),
            labels.figures(row.count, row.positive_bp, row.average_x100),
            labels.period(*row.period),
            self.assurance_text(row),
            row.profile_url,
        )

    def describe(self, row: ImportView) -> str:
        """``eBay: 120 ratings, 98 % positive, 2021-01-01 – 2024-05-31; Self-asserted: …``."""
        return self.tr("{platform}: {figures}, {period}; {assurance}: {hint} ({url})").format(
            platform=labels.platform(row.platform, row.platform_name),
            figures=labels.figures(row.count, row.positive_bp, row.average_x100),
            period=labels.period(*row.period),
            assurance=self.assurance_text(row),
            hint=labels.assurance_hint(row.assurance),
            url=row.profile_url,
        )

    def tooltip(self, row: ImportView, column: int) -> str:
        """The assurance column explains the level."""
        if column == self.ASSURANCE_COLUMN:
            return labels.assurance_hint(row.assurance)
        return self.describe(row)
