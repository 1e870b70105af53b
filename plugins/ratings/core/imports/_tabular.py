"""Reading platform files: UTF-8 text, CSV tables with named columns, JSON, and dates.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first rating row 2 (a
quoted comment spanning several lines is still one row). Rows whose every cell is empty are
not ratings and are passed over; every other row is a rating or makes the import fail.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from ._errors import ImportRefused
from ._rules import MAX_MS

_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_ISO: Final = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_EBAY: Final = re.compile(
    r"^(?P<month>[A-Za-z]{3})-(?P<day>\d{2})-(?P<year>\d{2})"
    r"(?: (?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)
_US: Final = re.compile(r"^(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})$")


def decode_text(data: bytes) -> str:
    """The file as text: UTF-8, with or without a byte order mark.

    Raises:
        ImportRefused: the bytes are not UTF-8 text.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"the file is not UTF-8 text (at byte {exc.start + 1}); save or export it as UTF-8"
        ) from exc
    if "\x00" in text:
        raise ImportRefused("the file contains NUL characters, so it is not a text file")
    return text


def load_json(data: bytes) -> Any:
    """The JSON value of the file.

    Raises:
        ImportRefused: the file is not UTF-8 JSON, or is nested absurdly deep.
    """
    text = decode_text(data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise ImportRefused("the file's JSON is nested too deeply to read") from exc


@dataclass(frozen=True, slots=True)
class Row:
    """One non-blank data row: its spreadsheet number and its cells by column name."""

    number: int
    cells: dict[str, str]

    @property
    def where(self) -> str:
        """``row N``, for error messages."""
        return f"row {self.number}"


def read_table(
    text: str, *, required: Sequence[str], optional: Sequence[str] = (), what: str
) -> Iterator[Row]:
    """The rows of a CSV file, cells keyed by the lowercased names in ``required``/``optional``
    (present only when the file has that column).

    Header cells are matched ignoring case and runs of spaces; other columns are ignored.
    ``what`` names the expected file in errors ("an eBay feedback file").

    Raises:
        ImportRefused: no header, a required column missing or doubled, a row that is not
            valid CSV or has another number of cells than the header.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 1
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRefused(f"row 1 (the header) is not valid CSV ({exc})") from exc
    if header is None or not any(cell.strip() for cell in header):
        raise ImportRefused(f"the file has no header row, so it is not {what}")
    names = [" ".join(cell.lower().split()) for cell in header]
    columns: dict[str, int] = {}
    for shown in (*required, *optional):
        name = shown.lower()
        positions = [i for i, cell in enumerate(names) if cell == name]
        if len(positions) > 1:
            raise ImportRefused(f'the file has the column "{shown}" twice')
        if positions:
            columns[name] = positions[0]
        elif shown in required:
            raise ImportRefused(f'the file has no "{shown}" column, so it is not {what}')
    while True:
        number += 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise ImportRefused(f"row {number} is not valid CSV ({exc})") from exc
        if cells is None:
            return
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise ImportRefused(
                f"row {number} has {len(cells)} cells where the header has {len(header)}"
            )
        yield Row(number, {name: cells[i].strip() for name, i in columns.items()})


def iso_date_ms(value: str) -> int | None:
    """``2024-03-15``, ``2024-03-15 10:22``, ``2024-03-15T10:22:31Z``, ``...+02:00``; None if
    the text is not such a date."""
    if not _ISO.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return _ms(moment)


def ebay_date_ms(value: str) -> int | None:
    """eBay's ``Mar-15-24`` or ``Mar-15-24 10:22[:31]`` (UTC; years 69-99 are 19xx), or an ISO
    date; None otherwise."""
    match = _EBAY.fullmatch(value)
    if match is None:
        return iso_date_ms(value)
    month = _MONTHS.get(match["month"].lower())
    if month is None:
        return None
    year = int(match["year"])
    year += 1900 if year >= 69 else 2000
    try:
        moment = datetime(
            year,
            month,
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
        )
    except ValueError:
        return None
    return _ms(moment)


def us_date_ms(value: str) -> int | None:
    """Etsy's ``MM/DD/YYYY`` (UTC midnight), or an ISO date; None otherwise."""
    match = _US.fullmatch(value)
    if match is None:
        return iso_date_ms(value)
    try:
        moment = datetime(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None
    return _ms(moment)


def _ms(moment: datetime) -> int | None:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Integer arithmetic: a float timestamp can be off by a millisecond.
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    ms = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return ms if 0 <= ms <= MAX_MS else None


def need_date(where: str, value: str, parse: Callable[[str], int | None], example: str) -> int:
    """``parse(value)``, or a refusal naming ``where`` and an example of the expected form."""
    ms = parse(value)
    if ms is None:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise ImportRefused(
            f"{where}: {shown!r} is not a date from 1970 on like {example}"
            if value
            else f"{where} has no date"
        )
    return ms


def need_stars(where: str, value: Any) -> int:
    """A whole number of stars from 1 to 5 (an int, or its decimal text).

    Raises:
        ImportRefused: anything else, naming ``where``.
    """
    if isinstance(value, str) and re.fullmatch(r"[1-5]", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    if value is None or value == "":
        raise ImportRefused(f"{where} has no rating")
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
    raise ImportRefused(f"{where}: the rating {shown} is not a whole number of stars from 1 to 5")
