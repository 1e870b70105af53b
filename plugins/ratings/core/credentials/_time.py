"""RFC 3339 / XML Schema ``dateTimeStamp`` texts for millisecond timestamps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

MAX_MS: Final = 253_402_300_799_999
"""The last millisecond of the year 9999: the largest time a four-digit year can show."""

_DATE_TIME: Final = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$"
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def format_ms(ms: int) -> str:
    """``2024-05-01T12:00:00Z`` (``.123`` before the ``Z`` when the milliseconds are not 0).

    ``ms`` must be in ``0..MAX_MS``; the caller checks.
    """
    t = _EPOCH + timedelta(milliseconds=ms)
    frac = f".{ms % 1000:03d}" if ms % 1000 else ""
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}{frac}Z"
    )


def parse_ms(text: object) -> int | None:
    """Milliseconds since the epoch of an RFC 3339 date-time with a time zone (``Z`` or
    ``+hh:mm``); digits past the millisecond are dropped. ``None`` if ``text`` is not one."""
    if not isinstance(text, str):
        return None
    m = _DATE_TIME.match(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac, zone = m.group(7) or "", m.group(8)
    if zone == "Z":
        tz = UTC
    else:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        sign = -1 if zone[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        t = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:  # month 13, 31 February, second 60 (leap seconds are not supported)
        return None
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + int((frac + "000")[:3])
