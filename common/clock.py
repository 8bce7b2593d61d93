"""The one place that reads the wall clock; everything else takes ``now``/``as_of`` as an argument."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_in(tz_name: str) -> dt.date:
    """Today's date in a scheme's time zone (a due date passes at local midnight, not UTC midnight)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(tz_name)).date()
