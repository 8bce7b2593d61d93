"""The risk score rule: hand-computed points per factor, the total's cap and the bands, and properties of
the proportional points."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspections.scoring import FACTORS, SECTOR, UNITS, Weight, band_of, factor_points, score

# The seeded weights of both schemes (contributions/reference/parameters.json).
SEEDED = {"months_not_filed": Weight(D(25), D(3)), "late_filings": Weight(D(10), D(4)),
          "late_payments": Weight(D(10), D(6)), "arrears_size": Weight(D(15), D(6)),
          "arrears_age": Weight(D(10), D(365)), "headcount_drop": Weight(D(8), D("0.5")),
          "wages_at_floor": Weight(D(7), D("0.8")), "wage_drop": Weight(D(7), D("0.3")),
          "worker_reports": Weight(D(8), D(2))}
BANDS = {"medium": D(30), "high": D(60)}

# Weights and measures as the parameters hold them: points to the hundredth, measures to the ten-thousandth.
points = st.decimals(min_value=D("0.01"), max_value=D(100), places=2)
measures = st.decimals(min_value=D("0.0001"), max_value=D(1000), places=4)


@pytest.mark.parametrize(("value", "weight", "full", "expected"), [
    (D(1), D(25), D(3), D("8.33")),  # 25 x 1/3 = 8.333...
    (D(2), D(25), D(3), D("16.67")),  # 16.666... rounds half up
    (D(3), D(25), D(3), D(25)),  # full measure: every point
    (D(7), D(25), D(3), D(25)),  # beyond it: still the weight
    (D(35), D(10), D(365), D("0.96")),  # days: 0.9589...
    (D("0.25"), D(8), D("0.5"), D(4)),  # a share
    (D("0.025"), D("0.2"), D(1), D("0.01")),  # 0.005 rounds half up to the hundredth
    (D("0.0249"), D("0.2"), D(1), D(0)),  # 0.00498 rounds down
    (D(0), D(25), D(3), D(0)),
    (D(-2), D(25), D(3), D(0)),  # a negative measure gives nothing
    (D(2), D(0), D(3), D(0)),  # a factor without weight
    (D(2), D(-5), D(3), D(0)),
    (D(2), D(25), D(0), D(0)),  # nor without a full measure
])
def test_factor_points(value: D, weight: D, full: D, expected: D) -> None:
    assert factor_points(value, Weight(weight, full)) == expected


def test_a_hand_computed_score() -> None:
    values = {"months_not_filed": D(1), "late_filings": D(1), "late_payments": D(1),
              "arrears_size": D("1.0909"), "arrears_age": D(35)}
    result = score(values, SEEDED, sector_points=D(10), **BANDS)
    parts = {part.factor: part.points for part in result.factors}
    # 25/3 + 10/4 + 10/6 + 15 x 1.0909/6 + 10 x 35/365 + the sector's 10.
    assert parts == {"months_not_filed": D("8.33"), "late_filings": D("2.50"), "late_payments": D("1.67"),
                     "arrears_size": D("2.73"), "arrears_age": D("0.96"), "headcount_drop": 0,
                     "wages_at_floor": 0, "wage_drop": 0, "worker_reports": 0, SECTOR: D(10)}
    assert (result.total, result.band) == (D("26.19"), "low")
    # Every factor is shown, in order, with the measure and the weight it was scored with; the sector last.
    assert [part.factor for part in result.factors] == [*FACTORS, SECTOR]
    months = result.factors[0]
    assert (months.value, months.weight, months.full) == (D(1), D(25), D(3))
    assert set(UNITS) == set(FACTORS)


def test_missing_factors_and_weights_count_nothing() -> None:
    result = score({}, {}, sector_points=D(0), **BANDS)
    assert result.total == 0 and result.band == "low"
    assert all(part.points == 0 and part.value == 0 for part in result.factors)
    # A sector's negative points are not a discount.
    assert score({}, {}, sector_points=D(-5), **BANDS).total == 0


def test_the_total_is_capped_at_one_hundred() -> None:
    heavy = {factor: Weight(D(20), D(1)) for factor in FACTORS}
    result = score({factor: D(5) for factor in FACTORS}, heavy, sector_points=D(10), **BANDS)
    assert sum(part.points for part in result.factors) == D(190)
    assert (result.total, result.band) == (D(100), "high")


@pytest.mark.parametrize(("total", "band"), [
    (D(0), "low"), (D("29.99"), "low"), (D(30), "medium"), (D("59.99"), "medium"), (D(60), "high"),
    (D(100), "high")])
def test_band_thresholds_are_inclusive(total: D, band: str) -> None:
    assert band_of(total, **BANDS) == band


def test_a_score_exactly_on_a_threshold_takes_the_higher_band() -> None:
    only = {"months_not_filed": Weight(D(30), D(3))}
    assert score({"months_not_filed": D(3)}, only, sector_points=D(0), **BANDS).band == "medium"
    assert score({"months_not_filed": D(3)}, only, sector_points=D(30), **BANDS).band == "high"


@given(measures, points, measures)
def test_points_never_exceed_the_weight(value: D, weight: D, full: D) -> None:
    assert D(0) <= factor_points(value, Weight(weight, full)) <= weight


@given(measures, measures, points, measures)
def test_points_never_fall_as_the_measure_grows(value: D, more: D, weight: D, full: D) -> None:
    rule = Weight(weight, full)
    assert factor_points(value, rule) <= factor_points(value + more, rule)


@given(st.decimals(max_value=D(0), places=4, allow_nan=False), points, measures)
def test_zero_or_negative_measures_give_nothing(value: D, weight: D, full: D) -> None:
    assert factor_points(value, Weight(weight, full)) == 0


@given(st.dictionaries(st.sampled_from(FACTORS), measures),
       st.dictionaries(st.sampled_from(FACTORS), st.tuples(points, measures)),
       st.decimals(min_value=D(-50), max_value=D(100), places=2), points, points)
def test_the_total_is_the_capped_sum_and_its_band(values: dict, weights: dict, sector: D, medium: D,
                                                  high: D) -> None:
    medium, high = min(medium, high), max(medium, high)
    rules = {factor: Weight(*pair) for factor, pair in weights.items()}
    result = score(values, rules, sector_points=sector, medium=medium, high=high)
    assert D(0) <= result.total <= D(100)
    assert result.total == min(sum(part.points for part in result.factors), D(100))
    assert all(part.points <= part.weight for part in result.factors)
    assert result.band == ("high" if result.total >= high else "medium" if result.total >= medium else "low")
