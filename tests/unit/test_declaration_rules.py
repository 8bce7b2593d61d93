"""Pure rules of declarations: due dates, payment references, reading a line, splitting between branches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contributions.rules.calculation import split_total
from contributions.rules.declaration_lines import LineInput, mark_duplicates, parse_wage, read_line
from contributions.rules.due_dates import due_date, is_business_day, parse_weekend
from contributions.rules.references import body_of, format_rf, numeric_reference, reference_body, rf_reference


@pytest.mark.parametrize(("year", "month", "day", "roll", "holidays", "expected"), [
    (2026, 4, 20, "next_business_day", (), "2026-05-20"),  # a Wednesday
    (2026, 5, 20, "next_business_day", (), "2026-06-22"),  # Saturday 20 June -> Monday
    (2026, 5, 20, "previous_business_day", (), "2026-06-19"),
    (2026, 5, 20, "none", (), "2026-06-20"),
    (2026, 2, 15, "next_business_day", (), "2026-03-16"),  # Tajik February: Sunday 15 March -> Monday
    (2026, 1, 31, "none", (), "2026-02-28"),  # "day 31" is the last day of the month
    (2026, 12, 20, "next_business_day", (), "2027-01-20"),  # December is due in January of the next year
    # Lao New Year: 14-16 April 2027; March 2027 due on the 14th would roll past the holidays and weekend.
    (2027, 3, 14, "next_business_day", ("2027-04-14", "2027-04-15", "2027-04-16"), "2027-04-19"),
])
def test_due_dates(year, month, day, roll, holidays, expected) -> None:
    assert due_date(year, month, day=day, roll=roll, holidays={dt.date.fromisoformat(h) for h in holidays}) == \
        dt.date.fromisoformat(expected)


@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(1, 31),
       st.sets(st.dates(dt.date(2000, 1, 1), dt.date(2101, 3, 31)), max_size=20))
def test_a_rolled_due_date_is_a_business_day_on_or_after_the_due_day(year, month, day, holidays) -> None:
    result = due_date(year, month, day=day, roll="next_business_day", holidays=holidays)
    nominal = due_date(year, month, day=day, roll="none")
    assert result >= nominal and is_business_day(result, weekend={6, 7}, holidays=holidays)
    assert all(not is_business_day(nominal + dt.timedelta(days=i), weekend={6, 7}, holidays=holidays)
               for i in range((result - nominal).days))


def test_weekend_parameter() -> None:
    assert parse_weekend("5, 6") == {5, 6} and parse_weekend(None) == {6, 7}
    with pytest.raises(ValueError):
        parse_weekend("1,2,3,4,5,6,7")


def test_a_reference_in_both_forms() -> None:
    body = reference_body("2026-04", 123)
    assert body == "2026040000123"
    assert numeric_reference(body) == "202604000012336"
    assert rf_reference(body) == "RF282026040000123"
    assert format_rf("RF282026040000123") == "RF28 2026 0400 0012 3"
    # Spaces, dashes and lower case are tolerated; wrong check digits are not.
    assert body_of("rf28 2026-0400 0012 3") == body_of("2026 0400 0012 336") == body
    assert body_of("202604000012337") is None and body_of("RF292026040000123") is None


@given(st.sampled_from(["2026-04", "2025-12", "2031-01"]), st.integers(1, 10**9),
       st.integers(0, 14), st.integers(1, 9))
def test_a_single_wrong_digit_is_never_read_as_a_reference(period, number, position, delta) -> None:
    reference = numeric_reference(reference_body(period, number))
    position %= len(reference)
    wrong = reference[:position] + str((int(reference[position]) + delta) % 10) + reference[position + 1:]
    assert body_of(wrong) is None


@given(st.integers(1, 10**9), st.integers(0, 13))
def test_swapping_two_neighbouring_digits_is_detected(number, position) -> None:
    reference = numeric_reference(reference_body("2026-04", number))
    position %= len(reference) - 1
    swapped = reference[:position] + reference[position + 1] + reference[position] + reference[position + 2:]
    if swapped != reference:
        assert body_of(swapped) is None


@pytest.mark.parametrize(("text", "places", "expected"), [
    ("3,000,000", 0, D("3000000")), ("4500000.00", 0, D("4500000")), ("1 250 000", 0, D("1250000")),
    ("2450.5", 2, D("2450.50")), (2450.5, 2, D("2450.50")), ("100.5", 0, None), ("1.500.000", 0, None),
    ("abc", 0, None), ("NaN", 0, None), ("", 0, None), (True, 0, None), ("-5", 0, D("-5")),
    ("1e30", 0, None), ("99999999999999999999999999999", 2, None), ("Infinity", 0, None),
])
def test_reading_a_wage(text, places, expected) -> None:
    assert parse_wage(text, places) == expected


def test_a_line_lists_all_its_problems() -> None:
    line = read_line(7, {"social_security_number": "", "gross_wage": "-1", "days_worked": "32",
                         "absence_reason": "holiday"}, places=0, days_in_month=30)
    assert [(field, code) for field, code, _ in line.problems] == [
        ("social_security_number", "field.required"), ("gross_wage", "declaration.wage_negative"),
        ("days_worked", "declaration.days_invalid"), ("absence_reason", "declaration.absence_reason_unknown")]
    assert line.row == 7 and not line.valid


def test_duplicates_name_the_first_row() -> None:
    lines = [LineInput(row, number, D(1), None, None) for row, number in ((2, "A"), (3, "B"), (4, "A"), (5, "A"))]
    mark_duplicates(lines)
    assert [(line.row, line.problems) for line in lines if line.problems] == [
        (4, [("social_security_number", "declaration.duplicate_line", {"row": 2})]),
        (5, [("social_security_number", "declaration.duplicate_line", {"row": 2})])]


@given(st.decimals(0, 10**12, places=2), st.lists(st.integers(1, 1000), min_size=1, max_size=6),
       st.sampled_from([0, 2]))
def test_a_split_adds_up_to_the_total_and_each_part_is_within_one_unit(total, weights, places) -> None:
    total = total.quantize(D(1).scaleb(-places), rounding="ROUND_DOWN")
    weight_sum = sum(weights)
    shares = {f"b{i}": D(w) / D(weight_sum) for i, w in enumerate(weights)}
    # Shares must add up to exactly 1: give the rounding rest to the last branch.
    last = f"b{len(weights) - 1}"
    shares[last] = D(1) - sum(v for k, v in shares.items() if k != last)
    parts = split_total(total, shares, places)
    assert sum(parts.values()) == total
    unit = D(1).scaleb(-places)
    assert all(abs(parts[b] - total * shares[b]) < unit for b in shares) or any(s < 0 for s in shares.values())


def test_a_split_needs_shares_that_add_up_to_one() -> None:
    with pytest.raises(ValueError):
        split_total(D(100), {"pension": D("0.6"), "health": D("0.3")}, 0)
    assert split_total(D(100), {}, 0) == {}


@pytest.mark.parametrize("days", ["1e999999", "1e400000", "31.000001", "-0", "3e1"])
def test_days_that_are_not_a_small_whole_number_are_refused_at_once(days) -> None:
    line = read_line(2, {"social_security_number": "1", "gross_wage": "1", "days_worked": days},
                     places=0, days_in_month=31)
    expected = [] if days in ("-0", "3e1") else [("days_worked", "declaration.days_invalid", {"days": 31})]
    assert line.problems == expected
