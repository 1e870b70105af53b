"""The words the Ratings widgets show for the core's codes: deal statuses, rating states,
assurance levels, platforms, trust weights, aspects, and the numbers of a reputation.

The core speaks in codes (``"received"``, ``"account-linked"``, ``-2``); the marks below give
lupdate their English under the context ``Ratings`` and the functions translate them where they
are shown. A code the core adds needs its mark here (``tests/plugins/ratings_qt`` compares them
with the core's lists).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication

from smd_desktop.ui.i18n import QT_TRANSLATE_NOOP, english_plural

CONTEXT = "Ratings"
"""The translation context of every mark in this module."""

DEAL_STATUS_MARKS = {
    "offered": QT_TRANSLATE_NOOP("Ratings", "Offered"),
    "received": QT_TRANSLATE_NOOP("Ratings", "Received"),
    "active": QT_TRANSLATE_NOOP("Ratings", "Active"),
    "declined": QT_TRANSLATE_NOOP("Ratings", "Declined"),
    "expired": QT_TRANSLATE_NOOP("Ratings", "Expired"),
}
"""A deal's status as one word (``DealView.status``)."""
DEAL_STATUS_HINTS = {
    "offered": QT_TRANSLATE_NOOP("Ratings", "you offered it; waiting for their answer"),
    "received": QT_TRANSLATE_NOOP("Ratings", "offered to you; accept or decline it"),
    "active": QT_TRANSLATE_NOOP("Ratings", "signed by both of you; it can be rated"),
    "declined": QT_TRANSLATE_NOOP("Ratings", "declined; nothing was published"),
    "expired": QT_TRANSLATE_NOOP("Ratings", "the offer expired before it was accepted"),
}
"""What a status means, for tooltips and screen readers."""
RATING_STATE_MARKS = {
    "none": QT_TRANSLATE_NOOP("Ratings", "Not rated"),
    "sealed": QT_TRANSLATE_NOOP("Ratings", "Sealed"),
    "revealed": QT_TRANSLATE_NOOP("Ratings", "Revealed"),
}
"""Where one side's rating of a deal stands (``RatingState``)."""
ASSURANCE_MARKS = {
    "self-asserted": QT_TRANSLATE_NOOP("Ratings", "Self-asserted"),
    "account-linked": QT_TRANSLATE_NOOP("Ratings", "Account-linked"),
    "witnessed": QT_TRANSLATE_NOOP("Ratings", "Witnessed"),
}
"""How far an imported summary is backed (``ImportView.assurance``)."""
ASSURANCE_HINTS = {
    "self-asserted": QT_TRANSLATE_NOOP(
        "Ratings", "Only the person's own word: nobody has checked these figures."
    ),
    "account-linked": QT_TRANSLATE_NOOP(
        "Ratings",
        "The person says their link token is on this platform profile: anyone can look.",
    ),
    "witnessed": QT_TRANSLATE_NOOP(
        "Ratings", "Someone in your network saw the link token on this platform profile."
    ),
}
"""What each assurance level means."""
PLATFORM_MARKS = {
    "ebay": QT_TRANSLATE_NOOP("Ratings", "eBay"),
    "etsy": QT_TRANSLATE_NOOP("Ratings", "Etsy"),
    "airbnb": QT_TRANSLATE_NOOP("Ratings", "Airbnb"),
    "csv": QT_TRANSLATE_NOOP("Ratings", "Other platform (CSV)"),
}
"""The platforms an export can be imported from, in the order the Import tab offers them."""
TRUST_WEIGHT_MARKS = {
    3: QT_TRANSLATE_NOOP("Ratings", "Trust fully"),
    2: QT_TRANSLATE_NOOP("Ratings", "Trust"),
    1: QT_TRANSLATE_NOOP("Ratings", "Trust a little"),
    -1: QT_TRANSLATE_NOOP("Ratings", "Be careful (distrust)"),
    -2: QT_TRANSLATE_NOOP("Ratings", "Do not trust (distrust)"),
}
"""The trust weights (``TRUST_WEIGHTS``), strongest trust first."""
ASPECT_MARKS = {
    "as_described": QT_TRANSLATE_NOOP("Ratings", "As described"),
    "communication": QT_TRANSLATE_NOOP("Ratings", "Communication"),
    "timeliness": QT_TRANSLATE_NOOP("Ratings", "Timeliness"),
}
"""The optional aspects of a rating (``records.ASPECTS``)."""
GENERAL_MARK = QT_TRANSLATE_NOOP("Ratings", "general (everything)")
"""How the ``general`` context is shown."""
SUGGESTED_CONTEXTS = ("p2p-sale", "service", "rental")
"""Contexts offered in the pickers (any ``[a-z0-9][a-z0-9-]*`` name may be typed)."""


def translated(text: str) -> str:
    """``text`` (a mark of this module) translated."""
    return QCoreApplication.translate(CONTEXT, text)


def _code(marks: dict[str, str], code: str) -> str:
    mark = marks.get(code)
    return translated(mark) if mark is not None else code


def deal_status(status: str) -> str:
    """``"received"`` -> ``Received`` (an unknown code is shown as it is)."""
    return _code(DEAL_STATUS_MARKS, status)


def deal_status_hint(status: str) -> str:
    """What a deal status means, for tooltips."""
    return _code(DEAL_STATUS_HINTS, status)


def rating_state(state: str, overall: int | None = None) -> str:
    """``Sealed``, ``Not rated``, or ``Revealed: 4/5`` when the stars are known."""
    label = _code(RATING_STATE_MARKS, state)
    if state == "revealed" and overall is not None:
        return QCoreApplication.translate("Ratings", "{state}: {stars}/5").format(
            state=label, stars=overall
        )
    return label


def assurance(level: str) -> str:
    """``account-linked`` -> ``Account-linked``."""
    return _code(ASSURANCE_MARKS, level)


def assurance_hint(level: str) -> str:
    """What an assurance level means."""
    return _code(ASSURANCE_HINTS, level)


def platform(code: str, name: str | None = None) -> str:
    """A platform's name: ``eBay``; a CSV import shows the name it gave when it has one."""
    if code == "csv" and name:
        return name
    return _code(PLATFORM_MARKS, code)


def trust_weight(weight: int) -> str:
    """``-2`` -> ``Do not trust (distrust)``."""
    mark = TRUST_WEIGHT_MARKS.get(weight)
    return translated(mark) if mark is not None else str(weight)


def aspect(name: str) -> str:
    """``as_described`` -> ``As described``."""
    return _code(ASPECT_MARKS, name)


def context_label(context: str | None) -> str:
    """A context as shown: ``general (everything)`` for none or ``general``."""
    return translated(GENERAL_MARK) if context in (None, "", "general") else context


def stars(value: float) -> str:
    """A score or mean with two decimals: ``3.67``."""
    return f"{value:.2f}"


def percent(share: float) -> str:
    """A share as a whole percentage: ``42 %`` (locale-neutral)."""
    return QCoreApplication.translate("Ratings", "{value} %").format(value=round(100 * share))


def votes(value: float) -> str:
    """A rater's weight in votes: ``1.00 vote``, ``0.35 votes``."""
    return english_plural(
        QCoreApplication.translate("Ratings", "{value} vote(s)"), 1 if value == 1 else 2
    ).format(value=f"{value:.2f}")


def network_line(in_network: int, outside: int) -> str:
    """``2 ratings from your network, 1 from outside``."""
    first = english_plural(
        QCoreApplication.translate(CONTEXT, "%n rating(s) from your network", "", in_network),
        in_network,
    )
    second = english_plural(
        QCoreApplication.translate(CONTEXT, "%n from outside", "", outside), outside
    )
    return QCoreApplication.translate("Ratings", "{network}, {outside}").format(
        network=first, outside=second
    )


def day(ms: int | None) -> str:
    """A time in milliseconds as an ISO date in local time (``2024-05-01``); empty for none."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000).date().isoformat()


def figures(count: int, positive_bp: int | None, average_x100: int | None) -> str:
    """An imported summary's numbers: ``120 ratings, 98 % positive`` or ``…, average 4.80``."""
    text = english_plural(QCoreApplication.translate(CONTEXT, "%n rating(s)", "", count), count)
    if positive_bp is not None:
        text = QCoreApplication.translate("Ratings", "{count}, {share} positive").format(
            count=text, share=percent(positive_bp / 10_000)
        )
    if average_x100 is not None:
        text = QCoreApplication.translate("Ratings", "{count}, average {average}").format(
            count=text, average=stars(average_x100 / 100)
        )
    return text


def period(start: int, until: int) -> str:
    """A period of time as two dates: ``2021-01-01 – 2024-05-31``."""
    return QCoreApplication.translate("Ratings", "{start} – {until}").format(
        start=day(start), until=day(until)
    )


def amount(value: str | None, currency: str | None) -> str:
    """``12.50 EUR``, or empty when the deal names no amount."""
    return f"{value} {currency}" if value and currency else ""
