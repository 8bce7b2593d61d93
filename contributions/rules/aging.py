"""Arrears aging: how long an amount has been overdue, in the buckets collection work is organised by."""

from __future__ import annotations

import datetime as dt

# (label, first day, last day) past the due date, inclusive; None: no upper bound.
BUCKETS = (("0-30", 0, 30), ("31-90", 31, 90), ("91-180", 91, 180), ("181-365", 181, 365), ("365+", 366, None))


def days_overdue(due: dt.date, as_of: dt.date) -> int:
    """Days past the due date (0 on the due date itself and before it)."""
    return max((as_of - due).days, 0)


def bucket(due: dt.date, as_of: dt.date) -> str | None:
    """The aging bucket of an amount due on ``due``, as of ``as_of``; None when it is not overdue yet."""
    if as_of <= due:
        return None
    days = days_overdue(due, as_of)
    for label, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    raise AssertionError("the buckets cover every day")
