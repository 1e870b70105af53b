"""A generic CSV, for platforms without a parser of their own: the user names the platform.

Columns (header names ignore case; others are ignored):

| column | required | values |
|---|---|---|
| ``date`` | yes | ISO 8601: ``2024-03-15``, ``2024-03-15 10:22``, ``2024-03-15T10:22:31Z`` |
| ``rating`` | yes | ``1``..``5`` stars, or ``positive`` / ``neutral`` / ``negative`` |
| ``category`` | no | a label of at most 64 characters; empty = none |

One file uses one scale: stars or positive / neutral / negative.
"""

from __future__ import annotations

from typing import Final

from ._errors import ImportRefused
from ._rules import Platform, label_problem
from ._summary import Grade, ImportSummary, Tally, prepare
from ._tabular import decode_text, iso_date_ms, need_date, need_stars, read_table

WHAT: Final = "a ratings CSV with date and rating columns"
_GRADES: Final = {grade.value: grade for grade in Grade}


def parse_generic_csv(data: bytes, profile_url: str, platform_name: str) -> ImportSummary:
    """Summarize every row of a generic ratings CSV from the platform ``platform_name``.

    Raises:
        ImportRefused: the platform name is not a label, the file is too large or not such a
            CSV, or a row is malformed (named).
    """
    name = platform_name.strip()
    if problem := label_problem(name):
        raise ImportRefused(f"the platform name {problem}")
    url = prepare(Platform.CSV, data, profile_url)
    tally = Tally()
    for row in read_table(
        decode_text(data), required=("date", "rating"), optional=("category",), what=WHAT
    ):
        where = row.where
        when = need_date(where, row.cells["date"], iso_date_ms, "2024-03-15")
        rating = row.cells["rating"]
        grade = _GRADES.get(rating.lower())
        category = row.cells.get("category", "")
        if grade is not None:
            tally.add(where, when, grade=grade, category=category)
        else:
            tally.add(where, when, stars=_stars(where, rating), category=category)
    return tally.summary(Platform.CSV, name, url, data)


def _stars(where: str, rating: str) -> int:
    try:
        return need_stars(where, rating)
    except ImportRefused:
        if not rating:
            raise
        shown = rating if len(rating) <= 40 else rating[:40] + "..."
        raise ImportRefused(
            f"{where}: the rating {shown!r} is not 1 to 5 stars or positive, neutral, negative"
        ) from None
