from __future__ import annotations

import datetime as dt

import pytest

from contributions.rules.aging import bucket, days_overdue

DUE = dt.date(2026, 3, 16)


@pytest.mark.parametrize(("days", "expected"), [(0, None), (1, "0-30"), (30, "0-30"), (31, "31-90"), (90, "31-90"),
                                                (91, "91-180"), (180, "91-180"), (181, "181-365"), (365, "181-365"),
                                                (366, "365+"), (2000, "365+")])
def test_aging_buckets(days, expected) -> None:
    as_of = DUE + dt.timedelta(days=days)
    assert bucket(DUE, as_of) == expected
    assert days_overdue(DUE, as_of) == days
