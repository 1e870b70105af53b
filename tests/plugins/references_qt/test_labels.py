"""The core's labels reach lupdate through the marks of the desktop part, and the English
texts the widgets build stay plain English without a catalogue."""

from __future__ import annotations

from plugins.references.core.model import DISCLOSURE_BADGES, DISCLOSURE_TEXT, VERDICT_LABELS
from plugins.references.qt._category_model import entries_text
from plugins.references.qt._labels import (
    BADGE_MARKS,
    DISCLOSURE_MARKS,
    VERDICT_MARKS,
    badge,
    disclosure_sentence,
    verdict_label,
)


def test_every_core_label_is_marked_with_the_same_english() -> None:
    # A label the core adds or rewords must be marked again, or it shows untranslated.
    assert BADGE_MARKS == DISCLOSURE_BADGES
    assert DISCLOSURE_MARKS == DISCLOSURE_TEXT
    assert VERDICT_MARKS == VERDICT_LABELS


def test_without_a_catalogue_the_labels_and_counts_are_english() -> None:
    assert badge("free") == "Received free"
    assert disclosure_sentence("owner") == "I own or work for this company."
    assert (verdict_label("recommend"), verdict_label(None), verdict_label("?")) == (
        "Recommended",
        "",
        "",
    )
    assert [entries_text(n) for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
