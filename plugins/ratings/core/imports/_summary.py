"""The summary of one imported platform file, and the tally the parsers build it with.

The figures, shared by every parser:

* a rating is *positive* (4-5 stars, or eBay's "Positive"), *neutral* (3 stars, "Neutral") or
  *negative* (1-2 stars, "Negative");
* ``positive_bp`` = positive / (positive + negative) in basis points, rounded down, neutrals
  left out of the base as eBay does for its "positive feedback" percentage (so a witness can
  compare it with the profile); absent when every rating is neutral;
* ``average_x100`` = the mean number of stars times 100, rounded down (star scales only);
* rounding down never shows 100 % or 5.00 with a single lower rating in the file;
* ``period`` runs from the earliest to the latest rating's time (a date without a time is
  midnight UTC; a time without a zone is UTC);
* ``categories``: the most frequent :data:`MAX_CATEGORIES`, most frequent first, ties in code
  point order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from smd_desktop.core.errors import InvalidRecord

from ..params import POSITIVE_RATING, RATING_MAX, RATING_MIN
from ._errors import ImportRefused
from ._rules import (
    MAX_CATEGORIES,
    MAX_FILE_BYTES,
    MAX_ROWS,
    PLATFORM_NAMES,
    Platform,
    label_problem,
    validate_import,
)
from ._urls import normalize_profile_url, platform_host_problem

NEGATIVE_BELOW: Final = 3
"""Star ratings below this are negative; from it up to ``POSITIVE_RATING`` - 1, neutral."""


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """Every rating of one platform file, summed up: what a ``ratings/import/1`` states.

    Built by the parsers, never by hand-picking reviews. Construction checks the same rules as
    :func:`validate_import` (so a summary always makes a valid record).

    Raises:
        ImportRefused: a field breaks the rules (e.g. a ``platform_name`` the user typed).
    """

    platform: Platform
    platform_name: str
    """The display name: ``eBay``, ``Etsy``, ``Airbnb``, or the user's for a csv file."""
    profile_url: str
    """The public profile the ratings are on, in normal form."""
    count: int
    positive_bp: int | None
    average_x100: int | None
    period_from_ms: int
    period_until_ms: int
    categories: tuple[str, ...]
    file_digest: bytes
    """BLAKE2b-256 of the imported file's exact bytes."""

    def __post_init__(self) -> None:
        if not isinstance(self.platform, Platform):
            raise ImportRefused(f"platform must be one of {', '.join(Platform)}")
        expected = PLATFORM_NAMES.get(self.platform)
        if expected is not None and self.platform_name != expected:
            raise ImportRefused(f"the platform name of {self.platform} imports is {expected}")
        try:
            validate_import(summary_content(self))
        except InvalidRecord as exc:
            raise ImportRefused(f"the summary cannot be imported: {exc}") from exc

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> ImportSummary:
        """The summary a valid ``ratings/import/1`` content states (its link token aside).

        Raises:
            InvalidRecord: the content breaks a rule.
        """
        validate_import(content)
        platform = Platform(content["platform"])
        return cls(
            platform=platform,
            platform_name=content.get("platform_name") or PLATFORM_NAMES[platform],
            profile_url=content["profile_url"],
            count=content["count"],
            positive_bp=content.get("positive_bp"),
            average_x100=content.get("average_x100"),
            period_from_ms=content["period"]["from"],
            period_until_ms=content["period"]["until"],
            categories=tuple(content.get("categories", ())),
            file_digest=content["file_digest"],
        )


def summary_content(summary: ImportSummary) -> dict[str, Any]:
    """The ``ratings/import/1`` content of ``summary`` without a link token (unvalidated)."""
    content: dict[str, Any] = {
        "platform": str(summary.platform),
        "profile_url": summary.profile_url,
        "count": summary.count,
        "period": {"from": summary.period_from_ms, "until": summary.period_until_ms},
        "file_digest": summary.file_digest,
    }
    if summary.platform not in PLATFORM_NAMES:
        content["platform_name"] = summary.platform_name
    if summary.positive_bp is not None:
        content["positive_bp"] = summary.positive_bp
    if summary.average_x100 is not None:
        content["average_x100"] = summary.average_x100
    if summary.categories:
        content["categories"] = list(summary.categories)
    return content


def file_digest(data: bytes) -> bytes:
    """BLAKE2b-256 of a file's exact bytes."""
    return hashlib.blake2b(data, digest_size=32).digest()


def prepare(platform: Platform, data: bytes, profile_url: str) -> str:
    """Check a file's size and return the normal form of the profile URL the user gave.

    Raises:
        ImportRefused: the file is empty or too large, or the URL is not an https profile
            URL on the platform's domain.
    """
    check_file_size(data)
    url = normalize_profile_url(profile_url)
    if problem := platform_host_problem(platform, url):
        raise ImportRefused(f"the profile URL {problem}")
    return url


def check_file_size(data: bytes) -> None:
    """Refuse a file over :data:`MAX_FILE_BYTES` or an empty one."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            f"the file is larger than 20 MB ({MAX_FILE_BYTES:,} bytes), the most one import "
            "can read"
        )
    if not data.strip():
        raise ImportRefused("the file is empty")


class Grade(Enum):
    """How one rating counts in the positive share."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


def grade_of_stars(stars: int) -> Grade:
    """4-5 stars positive, 3 neutral, 1-2 negative."""
    if stars >= POSITIVE_RATING:
        return Grade.POSITIVE
    return Grade.NEUTRAL if stars >= NEGATIVE_BELOW else Grade.NEGATIVE


@dataclass(slots=True)
class Tally:
    """Adds up a file's ratings, one at a time, then makes the :class:`ImportSummary`.

    ``where`` names the row or review in every error ("row 7", "review 3 of reviews_received").
    One file uses one scale: stars, or positive / neutral / negative.
    """

    count: int = 0
    grades: Counter[Grade] = field(default_factory=Counter)
    star_sum: int = 0
    stars_used: bool | None = None
    first_ms: int | None = None
    last_ms: int | None = None
    categories: Counter[str] = field(default_factory=Counter)

    def add(
        self,
        where: str,
        when_ms: int,
        *,
        stars: int | None = None,
        grade: Grade | None = None,
        category: str = "",
    ) -> None:
        """Count one rating: ``stars`` (1..5) or a ``grade``, never both.

        Raises:
            ImportRefused: the file has too many ratings, mixes scales, or the category is bad.
        """
        if self.count >= MAX_ROWS:
            raise ImportRefused(
                f"the file has more than {MAX_ROWS:,} ratings, the most one import can hold"
            )
        uses_stars = stars is not None
        if self.stars_used is not None and self.stars_used != uses_stars:
            raise ImportRefused(
                f"{where} mixes star ratings and positive/neutral/negative ones in one file"
            )
        self.stars_used = uses_stars
        if stars is not None:
            if not RATING_MIN <= stars <= RATING_MAX:  # the parsers check first; a guard
                raise ImportRefused(f"{where}: the rating must be from 1 to 5 stars")
            self.star_sum += stars
            grade = grade_of_stars(stars)
        elif grade is None:
            raise TypeError("a rating has stars or a grade")
        self.grades[grade] += 1
        self.count += 1
        self.first_ms = when_ms if self.first_ms is None else min(self.first_ms, when_ms)
        self.last_ms = when_ms if self.last_ms is None else max(self.last_ms, when_ms)
        if category := category.strip():
            if category not in self.categories and (problem := label_problem(category)):
                raise ImportRefused(f"{where}: the category {problem}")
            self.categories[category] += 1

    def summary(
        self, platform: Platform, platform_name: str, profile_url: str, data: bytes
    ) -> ImportSummary:
        """The summary of everything added.

        Raises:
            ImportRefused: nothing was added, or every rating is neutral on a scale without
                stars (there is no figure to import).
        """
        if self.count == 0 or self.first_ms is None or self.last_ms is None:
            raise ImportRefused("the file has no ratings to import")
        decided = self.grades[Grade.POSITIVE] + self.grades[Grade.NEGATIVE]
        positive_bp = 10_000 * self.grades[Grade.POSITIVE] // decided if decided else None
        average_x100 = 100 * self.star_sum // self.count if self.stars_used else None
        if positive_bp is None and average_x100 is None:
            raise ImportRefused(
                "every rating in the file is neutral, so there is no positive share to import"
            )
        ranked = sorted(self.categories.items(), key=lambda item: (-item[1], item[0]))
        return ImportSummary(
            platform=platform,
            platform_name=platform_name,
            profile_url=profile_url,
            count=self.count,
            positive_bp=positive_bp,
            average_x100=average_x100,
            period_from_ms=self.first_ms,
            period_until_ms=self.last_ms,
            categories=tuple(name for name, _ in ranked[:MAX_CATEGORIES]),
            file_digest=file_digest(data),
        )
