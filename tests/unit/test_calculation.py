"""Hand-computed cases for both countries, and the properties every calculation must keep."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contributions.rules.calculation import BaseLimits, Rates, Rounding, compute_line, floor_amount

LAO_RATES = Rates(employee=D("0.055"), employer=D("0.06"))
LAO_LIMITS = BaseLimits(floor=floor_amount(factor=D("0.5"), minimum_wage=D("2500000")), ceiling=D("4500000"))
KIP = Rounding(places=0)
TJ_NON_BUDGET = Rates(employee=D("0.02"), employer=D("0.20"))
TJ_BUDGET = Rates(employee=D("0.01"), employer=D("0.25"))
TJ_2021 = Rates(employee=D("0.01"), employer=D("0.25"))
DIRAM = Rounding(places=2)


@pytest.mark.parametrize(
    ("label", "gross", "rates", "limits", "rounding", "base", "employee", "employer", "flags"),
    [
        # Above the ceiling: the base is the ceiling; the maximum contributions of MPA-2016 (247,500 / 270,000).
        ("lao above ceiling", "5000000", LAO_RATES, LAO_LIMITS, KIP, "4500000", "247500", "270000", "ceiling"),
        ("lao at ceiling", "4500000", LAO_RATES, LAO_LIMITS, KIP, "4500000", "247500", "270000", ""),
        # Below the floor (50 % of LAK 2,500,000): raised to 1,250,000.
        ("lao below floor", "1000000", LAO_RATES, LAO_LIMITS, KIP, "1250000", "68750", "75000", "floor"),
        ("lao ordinary", "3333333", LAO_RATES, LAO_LIMITS, KIP, "3333333", "183333", "200000", ""),
        ("lao no pay", "0", LAO_RATES, LAO_LIMITS, KIP, "0", "0", "0", ""),
        ("tj non-budget", "2450.50", TJ_NON_BUDGET, BaseLimits(), DIRAM, "2450.50", "49.01", "490.10", ""),
        # Budget-funded: 1 % and 25 %; 24.505 and 612.625 round half up.
        ("tj budget", "2450.50", TJ_BUDGET, BaseLimits(), DIRAM, "2450.50", "24.51", "612.63", ""),
        ("tj old code 2021", "1000", TJ_2021, BaseLimits(), DIRAM, "1000", "10.00", "250.00", ""),
        ("tj no ceiling", "900000", TJ_NON_BUDGET, BaseLimits(), DIRAM, "900000", "18000.00", "180000.00", ""),
    ],
)
def test_hand_computed_lines(label, gross, rates, limits, rounding, base, employee, employer, flags) -> None:
    line = compute_line(D(gross), rates=rates, limits=limits, rounding=rounding)
    assert (line.base, line.employee, line.employer) == (D(base), D(employee), D(employer)), label
    assert line.floor_applied == (flags == "floor") and line.ceiling_applied == (flags == "ceiling")
    assert line.total == line.employee + line.employer


def test_floor_needs_the_minimum_wage_when_given_as_a_factor() -> None:
    with pytest.raises(ValueError):
        floor_amount(factor=D("0.5"))
    assert floor_amount(absolute=D("450000")) == D("450000")
    assert floor_amount() is None


def test_negative_wages_are_refused() -> None:
    with pytest.raises(ValueError):
        compute_line(D("-1"), rates=LAO_RATES, limits=LAO_LIMITS, rounding=KIP)


wages = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
schemes = st.sampled_from([(LAO_RATES, LAO_LIMITS, KIP), (TJ_NON_BUDGET, BaseLimits(), DIRAM),
                           (TJ_BUDGET, BaseLimits(), DIRAM)])


@given(wages, schemes)
def test_no_negative_amounts_and_shares_add_up(gross, scheme) -> None:
    rates, limits, rounding = scheme
    line = compute_line(gross, rates=rates, limits=limits, rounding=rounding)
    assert min(line.base, line.employee, line.employer) >= 0
    assert line.total == line.employee + line.employer
    assert line.employee.as_tuple().exponent >= -rounding.places


@given(wages, schemes)
def test_ceiling_respected_and_same_input_same_output(gross, scheme) -> None:
    rates, limits, rounding = scheme
    line = compute_line(gross, rates=rates, limits=limits, rounding=rounding)
    if limits.ceiling is not None:
        assert line.base <= limits.ceiling
    assert line == compute_line(gross, rates=rates, limits=limits, rounding=rounding)


@given(wages, wages, schemes)
def test_monotone_in_wage(a, b, scheme) -> None:
    rates, limits, rounding = scheme
    low, high = sorted((a, b))
    first = compute_line(low, rates=rates, limits=limits, rounding=rounding)
    second = compute_line(high, rates=rates, limits=limits, rounding=rounding)
    if low > 0:  # from no pay to some pay the floor makes a step, which is still monotone
        assert first.base <= second.base
    assert first.total <= second.total
