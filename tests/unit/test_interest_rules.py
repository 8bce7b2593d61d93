"""Late-payment interest, hand-computed for both countries, and its properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contributions.rules.interest import InterestRule, Paid, interest_due

TJ = InterestRule("per_day", D("0.0004"), places=2)  # 0.04 % a day (Tax Code 2021, per PwC)
LA = InterestRule("per_day", D("0.001"), places=0)  # tax analogue 0.1 % a day, unconfirmed for social security
DUE = dt.date(2026, 3, 16)


@pytest.mark.parametrize(("payments", "as_of", "expected"), [
    ([], dt.date(2026, 4, 15), "12.00"),  # 1,000 unpaid for 30 days: 1000 x 0.0004 x 30
    ([Paid(dt.date(2026, 3, 16), D(1000))], dt.date(2026, 4, 15), "0.00"),  # paid on the due date
    ([Paid(dt.date(2026, 3, 17), D(1000))], dt.date(2026, 4, 15), "0.40"),  # one day late
    # 600 paid 10 days late (2.40) and 400 still unpaid after 30 days (4.80).
    ([Paid(dt.date(2026, 3, 26), D(600))], dt.date(2026, 4, 15), "7.20"),
    # A payment that bounced was never paid: 30 days on the whole amount.
    ([Paid(dt.date(2026, 3, 20), D(1000)), Paid(dt.date(2026, 3, 25), D(-1000))], dt.date(2026, 4, 15), "12.00"),
    # A payment back-dated before the as-of date counts from its value date, whenever it became known.
    ([Paid(dt.date(2026, 3, 21), D(1000))], dt.date(2026, 4, 15), "2.00"),
    # A payment after the as-of date is not known yet on that date.
    ([Paid(dt.date(2026, 4, 20), D(1000))], dt.date(2026, 4, 15), "12.00"),
    ([], dt.date(2026, 3, 16), "0.00"),  # nothing is late on the due date itself
])
def test_tajik_interest_per_day(payments, as_of, expected) -> None:
    assert interest_due(D(1000), DUE, payments, as_of=as_of, rule=TJ) == D(expected)


def test_lao_interest_is_rounded_to_whole_kip() -> None:
    # 1,006,250 kip due 20 May 2026, unpaid on 19 June: 30 days x 0.1 % = 30,187.5 -> 30,188.
    assert interest_due(D(1006250), dt.date(2026, 5, 20), [], as_of=dt.date(2026, 6, 19), rule=LA) == D(30188)


@pytest.mark.parametrize(("paid_on", "months"), [("2026-03-17", 1), ("2026-04-16", 1), ("2026-04-17", 2),
                                                 ("2026-06-30", 4)])
def test_per_month_counts_months_or_parts_of_months(paid_on, months) -> None:
    rule = InterestRule("per_month", D("0.01"))
    paid = [Paid(dt.date.fromisoformat(paid_on), D(1000))]
    assert interest_due(D(1000), DUE, paid, as_of=dt.date(2026, 12, 31), rule=rule) == D(10 * months)


def test_one_off_cap_and_tolerance() -> None:
    one_off = InterestRule("one_off", D("0.05"))
    assert interest_due(D(1000), DUE, [Paid(DUE, D(600))], as_of=dt.date(2026, 4, 1), rule=one_off) == D("20.00")
    capped = InterestRule("per_day", D("0.01"), cap=D("0.1"))
    assert interest_due(D(1000), DUE, [], as_of=dt.date(2026, 12, 31), rule=capped) == D("100.00")
    tolerant = InterestRule("per_day", D("0.0004"), tolerance=D("1.00"))
    assert interest_due(D(1000), DUE, [Paid(dt.date(2026, 3, 17), D(1000))], as_of=dt.date(2026, 4, 1),
                        rule=tolerant) == 0


payments = st.lists(st.builds(Paid, st.dates(dt.date(2026, 3, 1), dt.date(2026, 8, 31)),
                              st.decimals(1, 2000, places=2)), max_size=5)


@given(payments, st.dates(dt.date(2026, 3, 1), dt.date(2026, 12, 31)), st.randoms())
def test_the_order_in_which_payments_became_known_does_not_matter(items, as_of, random) -> None:
    shuffled = list(items)
    random.shuffle(shuffled)
    assert interest_due(D(1000), DUE, items, as_of=as_of, rule=TJ) == \
        interest_due(D(1000), DUE, shuffled, as_of=as_of, rule=TJ)


@given(payments, st.dates(dt.date(2026, 3, 1), dt.date(2026, 12, 31)), st.integers(0, 200))
def test_interest_never_decreases_with_time_and_is_never_negative(items, as_of, more) -> None:
    earlier = interest_due(D(1000), DUE, items, as_of=as_of, rule=TJ)
    later = interest_due(D(1000), DUE, items, as_of=as_of + dt.timedelta(days=more), rule=TJ)
    assert D(0) <= earlier <= later


@given(st.dates(dt.date(2026, 3, 1), dt.date(2026, 8, 31)), st.integers(1, 60))
def test_paying_earlier_never_costs_more(paid_on, days_earlier) -> None:
    as_of = dt.date(2026, 12, 31)
    late = interest_due(D(1000), DUE, [Paid(paid_on, D(1000))], as_of=as_of, rule=TJ)
    early = interest_due(D(1000), DUE, [Paid(paid_on - dt.timedelta(days=days_earlier), D(1000))], as_of=as_of,
                         rule=TJ)
    assert early <= late
