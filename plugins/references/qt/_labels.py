"""The core's labels (disclosure badges and sentences, verdicts) as the widgets show them.

The core (``plugins/references/core/model.py``) keeps them in English: records and the HTML
export use them, and lupdate does not read the core. The marks below give lupdate the same
texts under the context ``References``; :func:`badge`, :func:`disclosure_sentence` and
:func:`verdict_label` translate the core's text where it is shown. A label the core adds or
changes needs its mark here too (``tests/plugins/references_qt`` compares them).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP

from ..core.model import DISCLOSURE_BADGES, DISCLOSURE_TEXT, VERDICT_LABELS

BADGE_MARKS = {
    "affiliate": QT_TRANSLATE_NOOP("References", "Affiliate"),
    "sponsored": QT_TRANSLATE_NOOP("References", "Sponsored"),
    "free": QT_TRANSLATE_NOOP("References", "Received free"),
    "owner": QT_TRANSLATE_NOOP("References", "Owner/employee"),
}
"""The marks of :data:`DISCLOSURE_BADGES` (same keys, same English)."""
DISCLOSURE_MARKS = {
    "affiliate": QT_TRANSLATE_NOOP(
        "References", "I earn a commission if you buy through this link."
    ),
    "sponsored": QT_TRANSLATE_NOOP("References", "Sponsored: I was paid to feature this."),
    "free": QT_TRANSLATE_NOOP("References", "I received this for free."),
    "owner": QT_TRANSLATE_NOOP("References", "I own or work for this company."),
}
"""The marks of :data:`DISCLOSURE_TEXT`."""
VERDICT_MARKS = {
    "essential": QT_TRANSLATE_NOOP("References", "Can't do without it"),
    "recommend": QT_TRANSLATE_NOOP("References", "Recommended"),
    "mixed": QT_TRANSLATE_NOOP("References", "Mixed feelings"),
    "avoid": QT_TRANSLATE_NOOP("References", "Avoid"),
}
"""The marks of :data:`VERDICT_LABELS`."""


def badge(flag: str) -> str:
    """A disclosure flag's short badge (``Affiliate``), translated."""
    return QCoreApplication.translate("References", DISCLOSURE_BADGES[flag])


def disclosure_sentence(flag: str) -> str:
    """What a disclosure flag says to a reader, translated."""
    return QCoreApplication.translate("References", DISCLOSURE_TEXT[flag])


def verdict_label(verdict: str | None) -> str:
    """A verdict's label, translated (empty for no verdict or an unknown one)."""
    label = VERDICT_LABELS.get(verdict or "", "")
    return QCoreApplication.translate("References", label) if label else ""
