"""The fine for filing a declaration late, as of a date (country rules §1.6, §2.5).

A fine is an ``amount`` of some unit (the currency, or Tajikistan's calculation index, whose value in money
is fixed by law each year), charged once or for each started ``step_days`` days of delay, up to an optional
``cap`` in the same unit.  Days of delay run from the day after the due date up to and including the day
the declaration was filed (or the as-of date while it is still missing): filed on the due date is on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from common.money import round_money

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class FilingFineRule:
    amount: Decimal  # units per step
    unit_value: Decimal  # the unit in money: 1 for the currency, the calculation index otherwise
    step_days: int = 0  # 0: once, whatever the delay
    cap: Decimal | None = None  # units
    places: int = 2
    mode: str = "half_up"

    def __post_init__(self) -> None:
        if self.amount < ZERO or self.unit_value < ZERO or self.step_days < 0 or (self.cap is not None
                                                                                   and self.cap < ZERO):
            raise ValueError("fine amounts, units and steps are never negative")


def days_late(due: dt.date, filed_or_as_of: dt.date) -> int:
    return max((filed_or_as_of - due).days, 0)


def filing_fine(due: dt.date, filed_or_as_of: dt.date, rule: FilingFineRule) -> Decimal:
    """The fine for a declaration due on ``due`` and filed on (or still missing on) ``filed_or_as_of``."""
    late = days_late(due, filed_or_as_of)
    if late == 0:
        return ZERO
    steps = 1 if rule.step_days == 0 else -(-late // rule.step_days)  # each started step counts
    units = rule.amount * steps
    if rule.cap is not None:
        units = min(units, rule.cap)
    return round_money(units * rule.unit_value, rule.places, rule.mode)
