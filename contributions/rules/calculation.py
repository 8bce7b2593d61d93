"""The contribution of one declaration line: insurable base, each party's share, the total.

Units: amounts are in the scheme's currency (LAK, TJS) as ``Decimal``; rates are fractions (``0.055`` for
5.5 %).  Rounding happens once per share, with the scheme's rule (LAK whole kip, TJS two decimals, half up
unless the scheme says otherwise), and the total is the sum of the rounded shares, so the shares always add
up to the total that is charged.

Sources (country-rules research): Lao PDR Law on Social Security No. 34/NA and the 2018 law: employee 5.5 %,
employer 6 % of insurable earnings, ceiling LAK 4,500,000 from 1 January 2017 (MLSW Decision 1740), floor a
share of the minimum wage; Tajikistan Tax Code of 23 December 2021: social tax 20 % (non-budget employers)
or 25 % (budget-funded), insured person 2 % or 1 %, from 1 January 2022, no ceiling known.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common.money import round_money

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Rates:
    employee: Decimal
    employer: Decimal


@dataclass(frozen=True, slots=True)
class BaseLimits:
    """Monthly insurable-earnings floor and ceiling; None where the scheme has none."""

    floor: Decimal | None = None
    ceiling: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Rounding:
    places: int
    mode: str = "half_up"


@dataclass(frozen=True, slots=True)
class LineResult:
    gross: Decimal
    base: Decimal
    floor_applied: bool
    ceiling_applied: bool
    employee: Decimal
    employer: Decimal

    @property
    def total(self) -> Decimal:
        return self.employee + self.employer


def floor_amount(*, absolute: Decimal | None = None, factor: Decimal | None = None,
                 minimum_wage: Decimal | None = None) -> Decimal | None:
    """The floor as the scheme states it: an absolute amount, or a factor of the minimum wage in force
    (Lao Decision 1740: 50 % of the minimum wage).  None when the scheme has no floor."""
    if absolute is not None:
        return absolute
    if factor is not None:
        if minimum_wage is None:
            raise ValueError("a floor given as a factor needs the minimum wage in force")
        return factor * minimum_wage
    return None


def insurable_base(gross: Decimal, limits: BaseLimits) -> tuple[Decimal, bool, bool]:
    """(base, floor applied, ceiling applied).  A line with no pay (gross 0) has base 0: the floor applies
    only to wages actually paid below it."""
    if gross < ZERO:
        raise ValueError("gross wage must not be negative")
    if gross == ZERO:
        return ZERO, False, False
    if limits.ceiling is not None and gross > limits.ceiling:
        return limits.ceiling, False, True
    if limits.floor is not None and gross < limits.floor:
        return limits.floor, True, False
    return gross, False, False


def compute_line(gross: Decimal, *, rates: Rates, limits: BaseLimits, rounding: Rounding) -> LineResult:
    """Contributions of one worker for one month."""
    base, floor_applied, ceiling_applied = insurable_base(gross, limits)
    return LineResult(
        gross=gross,
        base=base,
        floor_applied=floor_applied,
        ceiling_applied=ceiling_applied,
        employee=round_money(base * rates.employee, rounding.places, rounding.mode),
        employer=round_money(base * rates.employer, rounding.places, rounding.mode),
    )


def split_total(total: Decimal, shares: dict[str, Decimal], places: int) -> dict[str, Decimal]:
    """Split ``total`` between branches by their shares (fractions adding up to 1), each part rounded down to
    ``places`` decimals and the units left over given to the largest remainders, so the parts add up to the
    total exactly.  Ties go to the branch listed first."""
    if not shares:
        return {}
    if sum(shares.values()) != Decimal(1) or any(share < ZERO for share in shares.values()):
        raise ValueError("branch shares must be fractions that add up to 1")
    unit = Decimal(1).scaleb(-places)
    exact = {branch: total * share for branch, share in shares.items()}
    parts = {branch: (amount / unit).to_integral_value(rounding="ROUND_FLOOR") * unit
             for branch, amount in exact.items()}
    left = int(((total - sum(parts.values())) / unit).to_integral_value())
    order = sorted(shares, key=lambda branch: (-(exact[branch] - parts[branch]), list(shares).index(branch)))
    for branch in order[:left]:
        parts[branch] += unit
    return parts
