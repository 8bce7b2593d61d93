from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from contributions.parameters import load_reference_parameters, rules_on
from contributions.rules.calculation import compute_line
from tests.factories import NOW


@pytest.mark.parametrize(
    ("scheme", "category", "day", "employee", "employer", "floor", "ceiling"),
    [
        ("LA-LSSO", "private", "2026-04-01", "0.055", "0.06", "1250000.0", "4500000"),
        # The month before the minimum wage rose to 2,500,000: half of 1,600,000.
        ("LA-LSSO", "private", "2024-09-30", "0.055", "0.06", "800000.0", "4500000"),
        ("LA-LSSO", "private", "2016-12-31", "0.055", "0.06", "93600", "2000000"),
        ("LA-LSSO", "private", "2010-06-30", "0.045", "0.05", "93600", "1500000"),
        # Law 34/NA took effect on 26 July 2013: July 2013 keeps the old rates (the version in force on the
        # period's first day), August 2013 is the first period with the new ones.
        ("LA-LSSO", "private", "2013-07-01", "0.045", "0.05", "93600", "1500000"),
        ("LA-LSSO", "private", "2013-08-01", "0.055", "0.06", "93600", "2000000"),
        # Tajikistan: the first period after the 2022 Tax Code uses the new rates, by category.
        ("TJ-SOCTAX", "non_budget", "2021-12-01", "0.01", "0.25", None, None),
        ("TJ-SOCTAX", "non_budget", "2022-01-01", "0.02", "0.20", None, None),
        ("TJ-SOCTAX", "budget", "2022-01-01", "0.01", "0.25", None, None),
    ],
)
def test_parameters_in_force_on_a_day(db, scheme, category, day, employee, employer, floor, ceiling) -> None:
    rules = rules_on(db, scheme, category, dt.date.fromisoformat(day))
    rates, limits = rules.rates(), rules.limits()
    assert (rates.employee, rates.employer) == (D(employee), D(employer))
    assert limits.floor == (D(floor) if floor else None)
    assert limits.ceiling == (D(ceiling) if ceiling else None)


def test_a_lao_line_computed_with_the_parameters_of_its_period(db) -> None:
    rules = rules_on(db, "LA-LSSO", "private", dt.date(2026, 4, 1))
    line = compute_line(D("5000000"), rates=rules.rates(), limits=rules.limits(), rounding=rules.rounding())
    assert (line.employee, line.employer, line.ceiling_applied) == (D("247500"), D("270000"), True)


def test_unconfirmed_values_are_known_as_such(db) -> None:
    rules = rules_on(db, "LA-LSSO", "private", dt.date(2026, 4, 1))
    assert "due.day" in rules.unconfirmed and "rate.employee" not in rules.unconfirmed
    assert rules.get("due.day") == 20
    assert "PwC" in rules.values["due.day"].source


def test_seeding_is_idempotent(db) -> None:
    assert load_reference_parameters(db, now=NOW) == 0
