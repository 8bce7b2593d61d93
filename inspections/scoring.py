"""The risk score of an employer: a sum of points, one part per factor, each part shown with what it was
computed from.  Pure: the measured values and the weights (scheme parameters ``risk.*``) come in as arguments.

A factor gives ``weight`` points when its measured value reaches ``full`` and a proportional share below it
(0 at 0): ``points = weight x min(value / full, 1)``, rounded half up to 0.01 point.  The sector adds its
own points (``risk.sector.<ISIC section>``).  The total is capped at 100.  Bands: ``high`` from
``risk.band.high`` points, ``medium`` from ``risk.band.medium``, else ``low``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# What is measured, in the order pages show it (the unit of each value is in ``UNITS``).
FACTORS = ("months_not_filed", "late_filings", "late_payments", "arrears_size", "arrears_age", "headcount_drop",
           "wages_at_floor", "wage_drop", "worker_reports")
UNITS = {"months_not_filed": "months", "late_filings": "count", "late_payments": "months",
         "arrears_size": "months", "arrears_age": "days", "headcount_drop": "share", "wages_at_floor": "share",
         "wage_drop": "share", "worker_reports": "count"}
SECTOR = "sector"
BANDS = ("low", "medium", "high")
MAXIMUM = Decimal(100)
ZERO = Decimal(0)
_POINT = Decimal("0.01")


@dataclass(frozen=True)
class Weight:
    weight: Decimal  # the points at full measure
    full: Decimal  # the measured value that gives all the points


@dataclass(frozen=True)
class FactorScore:
    factor: str
    value: Decimal
    points: Decimal
    weight: Decimal
    full: Decimal


@dataclass(frozen=True)
class Score:
    total: Decimal
    band: str
    factors: tuple[FactorScore, ...]  # every factor, in ``FACTORS`` order, then the sector


def factor_points(value: Decimal, weight: Weight) -> Decimal:
    """``weight x min(value / full, 1)`` to 0.01 point; 0 for a value at or below 0 or a factor without weight."""
    if value <= 0 or weight.weight <= 0 or weight.full <= 0:
        return ZERO
    return (weight.weight * min(value / weight.full, Decimal(1))).quantize(_POINT, rounding=ROUND_HALF_UP)


def band_of(total: Decimal, *, medium: Decimal, high: Decimal) -> str:
    return "high" if total >= high else "medium" if total >= medium else "low"


def score(values: Mapping[str, Decimal], weights: Mapping[str, Weight], *, sector_points: Decimal,
          medium: Decimal, high: Decimal) -> Score:
    """The score of measured ``values`` (a missing factor counts 0, a factor without a weight gives 0)."""
    parts = []
    for factor in FACTORS:
        value = values.get(factor, ZERO)
        weight = weights.get(factor, Weight(ZERO, ZERO))
        parts.append(FactorScore(factor, value, factor_points(value, weight), weight.weight, weight.full))
    sector = max(sector_points, ZERO)
    parts.append(FactorScore(SECTOR, sector, sector, sector, ZERO))
    total = min(sum((part.points for part in parts), ZERO), MAXIMUM)
    return Score(total, band_of(total, medium=medium, high=high), tuple(parts))
