"""When a period's declaration and payment are due.

The scheme names a day of the following month (Lao PDR: the 20th, unconfirmed; Tajikistan: the 15th, likely;
country rules §1.5 and §2.4).  A day past the month's end means its last day (31 is "the last day of the
month").  When that day is a weekend day or a public holiday, the roll rule moves it: ``next_business_day``
(the usual rule for tax and social-security deadlines), ``previous_business_day``, or ``none``.

The due date itself is the last day on which filing or paying is on time: filed on the due date is on time,
the day after is late.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection

ROLL_RULES = ("next_business_day", "previous_business_day", "none")
# ISO weekdays (Monday 1 ... Sunday 7).
DEFAULT_WEEKEND = frozenset({6, 7})


def parse_weekend(text: str | None) -> frozenset[int]:
    """``"6,7"`` -> {6, 7}; empty or None: Saturday and Sunday."""
    if not text:
        return DEFAULT_WEEKEND
    days = frozenset(int(part) for part in text.split(",") if part.strip())
    if not days <= set(range(1, 8)) or len(days) > 6:
        raise ValueError(f"not a weekend: {text!r}")
    return days


def is_business_day(day: dt.date, *, weekend: Collection[int], holidays: Collection[dt.date]) -> bool:
    return day.isoweekday() not in weekend and day not in holidays


def due_date(year: int, month: int, *, day: int, roll: str, weekend: Collection[int] = DEFAULT_WEEKEND,
             holidays: Collection[dt.date] = ()) -> dt.date:
    """The due date of period ``year-month``: ``day`` of the following month, rolled off non-business days.

    >>> due_date(2026, 4, day=20, roll="next_business_day")   # 20 May 2026 is a Wednesday
    datetime.date(2026, 5, 20)
    >>> due_date(2026, 5, day=20, roll="next_business_day")   # 20 June 2026 is a Saturday
    datetime.date(2026, 6, 22)
    """
    if roll not in ROLL_RULES:
        raise ValueError(f"unknown roll rule {roll!r}")
    if not 1 <= day <= 31:
        raise ValueError("the due day must be between 1 and 31")
    following_year, following_month = (year + 1, 1) if month == 12 else (year, month + 1)
    last = calendar.monthrange(following_year, following_month)[1]
    result = dt.date(following_year, following_month, min(day, last))
    if roll == "none":
        return result
    step = dt.timedelta(days=1 if roll == "next_business_day" else -1)
    for _ in range(60):  # a calendar with 60 holidays in a row is a data error, not a deadline
        if is_business_day(result, weekend=weekend, holidays=holidays):
            return result
        result += step
    raise ValueError("no business day within 60 days of the due day: check the holiday calendar")
