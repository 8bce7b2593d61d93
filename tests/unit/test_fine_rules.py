"""The late-filing fine rule: hand-computed Tajik figures and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from contributions.rules.fines import FilingFineRule, filing_fine

DUE = dt.date(2026, 3, 16)
# Tajikistan: 1 calculation index (68 TJS in 2023) for each started 10 days of delay.
TAJIK = FilingFineRule(amount=D(1), unit_value=D(68), step_days=10)


def test_on_time_is_not_fined() -> None:
    assert filing_fine(DUE, DUE, TAJIK) == 0
    assert filing_fine(DUE, DUE - dt.timedelta(days=3), TAJIK) == 0


def test_each_started_ten_days_costs_one_index() -> None:
    assert filing_fine(DUE, DUE + dt.timedelta(days=1), TAJIK) == D("68.00")
    assert filing_fine(DUE, DUE + dt.timedelta(days=10), TAJIK) == D("68.00")
    assert filing_fine(DUE, DUE + dt.timedelta(days=11), TAJIK) == D("136.00")
    assert filing_fine(DUE, DUE + dt.timedelta(days=95), TAJIK) == D("680.00")


def test_a_cap_and_a_one_off_fine() -> None:
    capped = FilingFineRule(amount=D(1), unit_value=D(68), step_days=10, cap=D(3))
    assert filing_fine(DUE, DUE + dt.timedelta(days=95), capped) == D("204.00")
    once = FilingFineRule(amount=D(100000), unit_value=D(1), step_days=0, places=0)
    assert filing_fine(DUE, DUE + dt.timedelta(days=400), once) == D(100000)


@given(st.integers(min_value=0, max_value=2000), st.integers(min_value=0, max_value=30),
       st.integers(min_value=1, max_value=60))
def test_the_fine_never_falls_as_the_delay_grows(days: int, more: int, step: int) -> None:
    rule = FilingFineRule(amount=D("1.5"), unit_value=D(68), step_days=step)
    earlier = filing_fine(DUE, DUE + dt.timedelta(days=days), rule)
    later = filing_fine(DUE, DUE + dt.timedelta(days=days + more), rule)
    assert D(0) <= earlier <= later
    assert later <= earlier + rule.amount * rule.unit_value * (-(-more // step) + 1)
