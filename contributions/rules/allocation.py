"""How a payment settles what an employer owes: the order of periods and of components within a period.

Default (country rules §4.2, after France's CSS L.133-4-11 and the worker-protecting choice it makes): a
declaration the payer designated (by its payment reference) first; then the oldest period first; within a
period the employee share, then the employer share, then interest, then fines.  The order is a scheme
parameter, so a country whose law says otherwise changes data, not code.  Whatever is left after every due
amount is settled is a credit of the employer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
DEFAULT_COMPONENT_ORDER = ("employee_share", "employer_share", "interest", "fine", "assessment")
PERIOD_ORDERS = ("oldest_first", "newest_first")


@dataclass(frozen=True, slots=True)
class Due:
    period: str  # YYYY-MM
    component: str
    amount: Decimal  # still to pay, > 0


@dataclass(frozen=True, slots=True)
class Allocation:
    period: str
    component: str
    amount: Decimal


def order_dues(dues: Sequence[Due], *, component_order: Sequence[str] = DEFAULT_COMPONENT_ORDER,
               period_order: str = "oldest_first", designated_period: str | None = None) -> list[Due]:
    if period_order not in PERIOD_ORDERS:
        raise ValueError(f"unknown period order {period_order!r}")
    rank = {component: i for i, component in enumerate(component_order)}
    sign = 1 if period_order == "oldest_first" else -1
    periods = sorted({due.period for due in dues}, reverse=sign < 0)
    position = {period: i for i, period in enumerate(periods)}
    return sorted(dues, key=lambda due: (due.period != designated_period, position[due.period],
                                         rank.get(due.component, len(rank)), due.component))


def allocate(amount: Decimal, dues: Sequence[Due], *, component_order: Sequence[str] = DEFAULT_COMPONENT_ORDER,
             period_order: str = "oldest_first",
             designated_period: str | None = None) -> tuple[list[Allocation], Decimal]:
    """Split ``amount`` over ``dues`` in the scheme's order; returns the allocations and what is left (a
    credit).  Amounts are exact: nothing is rounded, each allocation is min(left, due)."""
    if amount < ZERO:
        raise ValueError("a payment is never negative")
    left = amount
    allocations = []
    for due in order_dues(dues, component_order=component_order, period_order=period_order,
                          designated_period=designated_period):
        if left == ZERO:
            break
        if due.amount <= ZERO:
            continue
        part = min(left, due.amount)
        allocations.append(Allocation(due.period, due.component, part))
        left -= part
    return allocations, left
