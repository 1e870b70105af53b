"""eBay feedback: the CSV of the feedback a member received (their Feedback page's download).

Columns (header names ignore case; others, such as ``Item number`` or ``Price``, are ignored):

| column | required | values |
|---|---|---|
| ``Feedback`` | yes | ``Positive``, ``Neutral`` or ``Negative`` |
| ``Date`` | yes | ``Mar-15-24``, ``Mar-15-24 10:22[:31]`` (UTC) or ISO 8601 |
| ``Role`` | no | ``Seller``, ``Buyer`` or empty: the member's role in the deal |
| ``Comment``, ``From/To``, ``Item`` | no | read past |

The role is the category: ``as seller``, ``as buyer``.

A file of feedback *left for others* (a ``To`` column and no ``From/To``) is refused: those
are not ratings of the member.
"""

from __future__ import annotations

from typing import Final

from ._errors import ImportRefused
from ._rules import PLATFORM_NAMES, Platform
from ._summary import Grade, ImportSummary, Tally, prepare
from ._tabular import decode_text, ebay_date_ms, need_date, read_table

WHAT: Final = "an eBay feedback file"
_GRADES: Final = {grade.value: grade for grade in Grade}
_ROLES: Final = {"seller": "as seller", "buyer": "as buyer", "": ""}


def parse_ebay(data: bytes, profile_url: str) -> ImportSummary:
    """Summarize every row of an eBay feedback CSV.

    Raises:
        ImportRefused: the file is too large, not such a CSV, or a row is malformed (named).
    """
    url = prepare(Platform.EBAY, data, profile_url)
    tally = Tally()
    for row in read_table(
        decode_text(data),
        required=("Feedback", "Date"),
        optional=("Role", "To", "From", "From/To"),
        what=WHAT,
    ):
        if "to" in row.cells and "from" not in row.cells and "from/to" not in row.cells:
            raise ImportRefused(
                "the file lists feedback you left for others; download the feedback you received"
            )
        value = row.cells["feedback"]
        grade = _GRADES.get(value.lower())
        if grade is None:
            raise ImportRefused(
                f"{row.where}: the feedback {value!r} is not Positive, Neutral or Negative"
                if value
                else f"{row.where} has no feedback rating"
            )
        role = row.cells.get("role", "")
        category = _ROLES.get(role.lower())
        if category is None:
            raise ImportRefused(f"{row.where}: the role {role!r} is not Seller or Buyer")
        when = need_date(row.where, row.cells["date"], ebay_date_ms, "Mar-15-24")
        tally.add(row.where, when, grade=grade, category=category)
    return tally.summary(Platform.EBAY, PLATFORM_NAMES[Platform.EBAY], url, data)
