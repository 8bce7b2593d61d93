from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.errors import DomainError
from common.money import round_money, to_decimal
from common.period import Period


@pytest.mark.parametrize("text", ["2026-1", "2026/01", "2026-13", "2026-00", "26-01", "", "2026-01-01", "abcd-ef"])
def test_period_rejects_malformed_text(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        Period.parse(text)
    assert caught.value.code == "period.invalid"


def test_period_bounds_and_navigation() -> None:
    period = Period.parse("2024-02")
    assert str(period) == "2024-02"
    assert period.first_day == dt.date(2024, 2, 1)
    assert period.last_day == dt.date(2024, 2, 29)
    assert period.next() == Period(2024, 3)
    assert Period(2026, 1).previous() == Period(2025, 12)
    assert Period(2025, 12).next() == Period(2026, 1)


@given(st.integers(1921, 9000), st.integers(1, 12), st.integers(-240, 240))
def test_period_shift_round_trips(year: int, month: int, months: int) -> None:
    period = Period(year, month)
    assert period.shift(months).shift(-months) == period
    assert Period.parse(str(period)) == period


@pytest.mark.parametrize(
    ("amount", "places", "mode", "expected"),
    [
        ("247500.5", 0, "half_up", "247501"),
        ("247500.4", 0, "half_up", "247500"),
        ("12.345", 2, "half_up", "12.35"),
        ("12.345", 2, "half_even", "12.34"),
        ("12.349", 2, "down", "12.34"),
        ("-0.005", 2, "half_up", "-0.01"),
    ],
)
def test_round_money_by_named_rule(amount: str, places: int, mode: str, expected: str) -> None:
    assert round_money(Decimal(amount), places, mode) == Decimal(expected)


def test_money_refuses_floats_and_non_numbers() -> None:
    with pytest.raises(TypeError):
        to_decimal(0.1)
    with pytest.raises(ValueError):
        to_decimal("12,50")
    with pytest.raises(ValueError):
        to_decimal("NaN")
    assert to_decimal(" 1250000 ") == Decimal("1250000")


@given(st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False, places=6),
       st.integers(0, 2))
def test_rounding_is_within_half_a_unit(amount: Decimal, places: int) -> None:
    rounded = round_money(amount, places)
    assert abs(rounded - amount) <= Decimal(1).scaleb(-places) / 2
    assert round_money(rounded, places) == rounded
