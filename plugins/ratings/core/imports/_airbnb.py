"""Airbnb: ``reviews.json`` from the personal-data download (Account > Privacy > Request your
personal data, JSON format; the file is inside the zip Airbnb sends).

Modelled structure (Airbnb does not publish one; keys not named here are read past)::

    {
      "reviews_received": [          # reviews about you: these are imported, every one
        {"id": "...", "role": "host" | "guest",   # your role in that stay
         "rating": 1..5, "created_at": "2023-07-02T14:05:11Z",
         "reviewer": {...}, "comments": "...", "category_ratings": {...}, ...},
        ...
      ],
      "reviews_written": [...]       # reviews by you, about others: not ratings of you
    }

``role`` becomes the category (``as host``, ``as guest``). A review without a star rating is
refused rather than left out, so no review can drop out of the summary unnoticed.
"""

from __future__ import annotations

from typing import Final

from ._errors import ImportRefused
from ._rules import MAX_ROWS, PLATFORM_NAMES, Platform
from ._summary import ImportSummary, Tally, prepare
from ._tabular import iso_date_ms, load_json, need_date, need_stars

WHAT: Final = "Airbnb's reviews.json"
RECEIVED: Final = "reviews_received"
_ROLES: Final = {"host": "as host", "guest": "as guest"}


def parse_airbnb(data: bytes, profile_url: str) -> ImportSummary:
    """Summarize every review about the member in Airbnb's ``reviews.json``.

    Raises:
        ImportRefused: the file is too large, not such a file, or a review is malformed (named).
    """
    url = prepare(Platform.AIRBNB, data, profile_url)
    document = load_json(data)
    reviews = document.get(RECEIVED) if isinstance(document, dict) else None
    if not isinstance(reviews, list):
        raise ImportRefused(f'the file has no "{RECEIVED}" list, so it is not {WHAT}')
    if len(reviews) > MAX_ROWS:
        raise ImportRefused(
            f"the file has more than {MAX_ROWS:,} ratings, the most one import can hold"
        )
    tally = Tally()
    for index, review in enumerate(reviews, start=1):
        where = f"review {index} of {RECEIVED}"
        if not isinstance(review, dict):
            raise ImportRefused(f"{where} is not a JSON object")
        role = review.get("role")
        category = _ROLES.get(role) if isinstance(role, str) else None
        if category is None:
            raise ImportRefused(f'{where} has no role "host" or "guest"')
        created = review.get("created_at")
        if not isinstance(created, str):
            raise ImportRefused(f"{where} has no created_at text")
        when = need_date(where, created.strip(), iso_date_ms, "2023-07-02T14:05:11Z")
        tally.add(where, when, stars=need_stars(where, review.get("rating")), category=category)
    return tally.summary(Platform.AIRBNB, PLATFORM_NAMES[Platform.AIRBNB], url, data)
