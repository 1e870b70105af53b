"""Rate an active deal (1-5 overall, optional aspects, a text) and answer a rating about me.

A rating is published sealed: the other party sees that I rated, not how, until both of us
rated or 14 days passed; then both ratings are revealed, so neither can answer the other's in
kind. The dialog says so before anything is published.
"""

from __future__ import annotations

from collections.abc import Awaitable

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from smd_desktop.ui.plugin_api import UiContext

from ..core.params import RATING_MAX, RATING_MIN
from ..core.records import ASPECTS, MAX_RATING_TEXT, MAX_RESPONSE_TEXT, REVEAL_AFTER_MS
from ..core.views import DealView, RatingView
from . import _labels as labels
from ._calls import RatingDraft, name_or_id, rate_deal, respond
from ._form_dialog import FormDialog, note_label

REVEAL_AFTER_DAYS = REVEAL_AFTER_MS // (24 * 3600 * 1000)


class RateDialog(FormDialog):
    """Rate ``deal`` (active, not rated by me yet); :attr:`succeeded` carries the deal."""

    def __init__(self, ui: UiContext, deal: DealView, parent: QWidget | None = None) -> None:
        super().__init__(ui, parent)
        self.deal = deal
        name = name_or_id(deal.other, deal.other_name)
        self.set_titles(self.tr("Rate {name}").format(name=name), self.tr("&Publish sealed rating"))
        self.stars = QButtonGroup(self)
        row = QHBoxLayout()
        for value in range(RATING_MIN, RATING_MAX + 1):
            button = QRadioButton(str(value), self)
            button.setAccessibleName(self.tr("{stars} out of 5").format(stars=value))
            self.stars.addButton(button, value)
            row.addWidget(button)
        row.addStretch(1)
        self.aspects: dict[str, QComboBox] = {}
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName(self.tr("What you want to say about the deal"))
        self.text.setPlaceholderText(self.tr("Optional: how did it go?"))
        self.form.addRow(
            note_label(
                self.tr("{what}, with {name} ({context})").format(
                    what=deal.terms.what,
                    name=name,
                    context=labels.context_label(deal.terms.context),
                ),
                self,
                name=self.tr("The deal"),
            )
        )
        self.form.addRow(self.tr("Overall:"), row)
        for aspect in ASPECTS:
            box = QComboBox(self)
            box.addItem(self.tr("Not rated"), None)
            for value in range(RATING_MAX, RATING_MIN - 1, -1):
                box.addItem(self.tr("{stars}/5").format(stars=value), value)
            box.setAccessibleName(
                self.tr("{aspect}, optional").format(aspect=labels.aspect(aspect))
            )
            self.aspects[aspect] = box
            self.form.addRow(self.tr("{aspect}:").format(aspect=labels.aspect(aspect)), box)
        self.form.addRow(self.tr("Text:"), self.text)
        self.explanation = note_label(
            self.tr(
                "Your rating is double-blind: it is published sealed, so {name} sees only that "
                "you rated, not how. It is revealed when both of you have rated, or after "
                "{days} days, whichever comes first; neither of you can change it or reply "
                "to the other's rating with your own. You can rate this deal once."
            ).format(name=name, days=REVEAL_AFTER_DAYS),
            self,
            name=self.tr("How the rating stays sealed"),
        )
        self.form.addRow(self.explanation)
        self.stars.idToggled.connect(lambda *_: self.check())
        self.text.textChanged.connect(self.check)
        self.resize(520, 480)
        self.check()

    def overall(self) -> int | None:
        """The stars chosen, if any."""
        value = self.stars.checkedId()
        return value if value > 0 else None

    def set_overall(self, value: int) -> None:
        """Choose ``value`` stars."""
        button = self.stars.button(value)
        if button is not None:
            button.setChecked(True)

    def problem(self) -> str | None:
        """The stars are required; the text has a limit."""
        if self.overall() is None:
            return self.tr("Choose from 1 to 5 stars overall.")
        if len(self.text.toPlainText()) > MAX_RATING_TEXT:
            return self.tr("The text is longer than {limit} characters.").format(
                limit=MAX_RATING_TEXT
            )
        return None

    def draft(self) -> RatingDraft:
        """The rating as filled in (call only when :meth:`problem` is None)."""
        overall = self.overall()
        assert overall is not None
        aspects = {
            name: int(box.currentData())
            for name, box in self.aspects.items()
            if box.currentData() is not None
        }
        return RatingDraft(overall, aspects, self.text.toPlainText().strip())

    def work(self) -> Awaitable[DealView]:
        """Publish the sealed rating."""
        return self.ui.service.call(rate_deal, self.deal.deal_id, self.draft())


class RespondDialog(FormDialog):
    """Answer ``rating`` (about me) once; :attr:`succeeded` carries the rating."""

    def __init__(self, ui: UiContext, rating: RatingView, parent: QWidget | None = None) -> None:
        super().__init__(ui, parent)
        self.rating = rating
        name = name_or_id(rating.rater, rating.rater_name)
        self.set_titles(
            self.tr("Respond to {name}").format(name=name), self.tr("&Publish response")
        )
        shown = self.tr("{name} rated you {stars}/5 for {what}.").format(
            name=name, stars=rating.overall, what=rating.what
        )
        if rating.text:
            shown = self.tr("{rating} “{text}”").format(rating=shown, text=rating.text)
        self.form.addRow(note_label(shown, self, name=self.tr("The rating")))
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName(self.tr("Your response"))
        self.form.addRow(self.tr("Response:"), self.text)
        self.form.addRow(
            note_label(
                self.tr(
                    "Your response is public and shown beside the rating. You can respond "
                    "once; the rating itself stays as it is."
                ),
                self,
                name=self.tr("About responses"),
            )
        )
        self.text.textChanged.connect(self.check)
        self.resize(480, 340)
        self.check()
        self.text.setFocus()

    def problem(self) -> str | None:
        """A response needs some text, within the limit."""
        text = self.text.toPlainText().strip()
        if not text:
            return self.tr("Write your response.")
        if len(text) > MAX_RESPONSE_TEXT:
            return self.tr("The response is longer than {limit} characters.").format(
                limit=MAX_RESPONSE_TEXT
            )
        return None

    def work(self) -> Awaitable[RatingView]:
        """Publish the response."""
        return self.ui.service.call(respond, self.rating.id, self.text.toPlainText().strip())
