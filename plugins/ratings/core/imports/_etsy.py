"""Etsy shop reviews: Shop Manager > Settings > Options > Download Data > "Download Your
Reviews", as JSON (what Etsy gives today) or as CSV (the same fields as columns, as the
spreadsheet export and older downloads have them). The format is told by the first character.

JSON: an array of reviews, each an object with ``star_rating`` (1..5) and ``date_reviewed``
(``MM/DD/YYYY`` or ISO 8601); ``reviewer``, ``message``, ``order_id`` and any other key are
read past.

CSV: the columns ``Date Reviewed`` and ``Star Rating`` (required), ``Reviewer``, ``Message``,
``Order ID`` (ignored), with the same values.

Etsy reviews carry no category.
"""

from __future__ import annotations

from typing import Final

from ._errors import ImportRefused
from ._rules import MAX_ROWS, PLATFORM_NAMES, Platform
from ._summary import ImportSummary, Tally, prepare
from ._tabular import decode_text, load_json, need_date, need_stars, read_table, us_date_ms

WHAT: Final = "an Etsy reviews file"
_EXAMPLE_DATE: Final = "03/15/2024"


def parse_etsy(data: bytes, profile_url: str) -> ImportSummary:
    """Summarize every review of an Etsy reviews download (JSON or CSV).

    Raises:
        ImportRefused: the file is too large, not such a file, or a review is malformed (named).
    """
    url = prepare(Platform.ETSY, data, profile_url)
    text = decode_text(data)
    tally = Tally()
    if text.lstrip()[:1] in ("[", "{"):
        reviews = load_json(data)
        if not isinstance(reviews, list):
            raise ImportRefused(f"the file's JSON is not a list of reviews, so it is not {WHAT}")
        if len(reviews) > MAX_ROWS:
            raise ImportRefused(
                f"the file has more than {MAX_ROWS:,} ratings, the most one import can hold"
            )
        for index, review in enumerate(reviews, start=1):
            where = f"review {index}"
            if not isinstance(review, dict):
                raise ImportRefused(f"{where} is not a JSON object")
            date = review.get("date_reviewed")
            if not isinstance(date, str):
                raise ImportRefused(f"{where} has no date_reviewed text")
            when = need_date(where, date.strip(), us_date_ms, _EXAMPLE_DATE)
            tally.add(where, when, stars=need_stars(where, review.get("star_rating")))
    else:
        for row in read_table(text, required=("Date Reviewed", "Star Rating"), what=WHAT):
            when = need_date(row.where, row.cells["date reviewed"], us_date_ms, _EXAMPLE_DATE)
            tally.add(row.where, when, stars=need_stars(row.where, row.cells["star rating"]))
    return tally.summary(Platform.ETSY, PLATFORM_NAMES[Platform.ETSY], url, data)
