"""Late-payment interest on one debt (one period and component of one employer), as of a date.

The interest is a function of the facts only: the amount charged and its due date, and each payment with the
date the money was paid (its value date).  Whatever the order in which the facts became known (a statement
arriving late, a payment back-dated by its value date, a reversal), computing again as of the same date gives
the same figure, and the ledger receives only the difference with what was charged before.

Shapes (country rules §4.5):
* ``per_day``: ``rate`` of the unpaid amount for each day late (Tajikistan: 0.04 % a day, Tax Code 2021 as
  summarised by PwC; Lao tax analogue 0.1 % a day, unconfirmed for social security);
* ``per_month``: ``rate`` for each month or part of a month late, counted from the day after the due date;
* ``one_off``: ``rate`` once, on any amount paid late or still unpaid after the due date.
Days late: from the day after the due date up to and including the value date of the payment (or the as-of
date for what is still unpaid): paid on the due date is on time, paid the day after is one day late.
An optional ``cap`` limits the interest to a share of the amount charged; below ``tolerance`` (a total
amount) nothing is charged.  The result is rounded once, with the scheme's rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from common.money import round_money

ZERO = Decimal(0)
SHAPES = ("per_day", "per_month", "one_off")


@dataclass(frozen=True, slots=True)
class InterestRule:
    shape: str
    rate: Decimal
    cap: Decimal | None = None  # a share of the amount charged, e.g. 0.5; None: no cap
    tolerance: Decimal = ZERO  # below this total, no interest
    places: int = 2
    mode: str = "half_up"

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"unknown interest shape {self.shape!r}")
        if self.rate < ZERO or (self.cap is not None and self.cap < ZERO) or self.tolerance < ZERO:
            raise ValueError("rates, caps and tolerances are never negative")


@dataclass(frozen=True, slots=True)
class Paid:
    value_date: dt.date
    amount: Decimal  # negative for a reversal of an earlier payment


def _months_late(due: dt.date, until: dt.date) -> int:
    """Months or parts of months from the day after ``due`` to ``until`` (0 when not late)."""
    if until <= due:
        return 0
    months = (until.year - due.year) * 12 + (until.month - due.month)
    if until.day > due.day:
        months += 1
    return max(months, 1)


def _slices(charged: Decimal, payments: Sequence[Paid], as_of: dt.date) -> list[tuple[Decimal, dt.date]]:
    """The debt cut into (amount, date it was settled) slices: paid amounts in value-date order (a reversal
    takes back the latest payments first), the rest still unpaid as of ``as_of``."""
    paid: list[list] = []  # [amount, value date], in value-date order
    for payment in sorted((p for p in payments if p.value_date <= as_of), key=lambda p: p.value_date):
        if payment.amount >= ZERO:
            paid.append([payment.amount, payment.value_date])
            continue
        take = -payment.amount
        for entry in reversed(paid):
            part = min(take, entry[0])
            entry[0] -= part
            take -= part
            if take == ZERO:
                break
    slices, left = [], charged
    for amount, value_date in paid:
        part = min(amount, left)
        if part > ZERO:
            slices.append((part, value_date))
            left -= part
    if left > ZERO:
        slices.append((left, as_of))
    return slices


def interest_due(charged: Decimal, due: dt.date, payments: Sequence[Paid], *, as_of: dt.date,
                 rule: InterestRule) -> Decimal:
    """Interest owed as of ``as_of`` on a debt of ``charged`` due on ``due`` (inclusive)."""
    if charged <= ZERO or as_of <= due:
        return ZERO
    total = ZERO
    for amount, settled in _slices(charged, payments, as_of):
        if settled <= due:
            continue
        if rule.shape == "per_day":
            total += amount * rule.rate * (settled - due).days
        elif rule.shape == "per_month":
            total += amount * rule.rate * _months_late(due, settled)
        else:
            total += amount * rule.rate
    if rule.cap is not None:
        total = min(total, charged * rule.cap)
    total = round_money(total, rule.places, rule.mode)
    return ZERO if total < rule.tolerance else total
