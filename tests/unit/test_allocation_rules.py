"""The allocation order of a payment: designated period, oldest period, employee share first; exact amounts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contributions.rules.allocation import Allocation, Due, allocate

DUES = [Due("2026-04", "employer_share", D(180)), Due("2026-03", "employer_share", D(180)),
        Due("2026-04", "employee_share", D(165)), Due("2026-03", "employee_share", D(165)),
        Due("2026-03", "interest", D(10))]


@pytest.mark.parametrize(("amount", "designated", "expected", "left"), [
    (D(100), None, [("2026-03", "employee_share", 100)], 0),
    (D(400), None, [("2026-03", "employee_share", 165), ("2026-03", "employer_share", 180),
                    ("2026-03", "interest", 10), ("2026-04", "employee_share", 45)], 0),
    (D(200), "2026-04", [("2026-04", "employee_share", 165), ("2026-04", "employer_share", 35)], 0),
    (D(1000), None, [("2026-03", "employee_share", 165), ("2026-03", "employer_share", 180),
                     ("2026-03", "interest", 10), ("2026-04", "employee_share", 165),
                     ("2026-04", "employer_share", 180)], 300),
    (D(0), None, [], 0),
])
def test_allocation_order(amount, designated, expected, left) -> None:
    allocations, rest = allocate(amount, DUES, designated_period=designated)
    assert [(a.period, a.component, a.amount) for a in allocations] == [(p, c, D(v)) for p, c, v in expected]
    assert rest == left


def test_newest_first_and_another_component_order() -> None:
    allocations, _ = allocate(D(200), DUES, period_order="newest_first",
                              component_order=("employer_share", "employee_share", "interest"))
    assert allocations == [Allocation("2026-04", "employer_share", D(180)), Allocation("2026-04", "employee_share",
                                                                                       D(20))]


dues = st.lists(st.builds(Due, st.sampled_from(["2025-12", "2026-01", "2026-02"]),
                          st.sampled_from(["employee_share", "employer_share", "interest", "fine"]),
                          st.decimals(0, 10**9, places=2)), max_size=8)


@given(st.decimals(0, 10**10, places=2), dues, st.sampled_from([None, "2026-01"]))
def test_an_allocation_is_exact_and_never_pays_more_than_is_due(amount, items, designated) -> None:
    allocations, left = allocate(amount, items, designated_period=designated)
    assert sum((a.amount for a in allocations), D(0)) + left == amount
    assert left >= 0 and all(a.amount > 0 for a in allocations)
    owed: dict[tuple[str, str], D] = {}
    for due in items:
        owed[(due.period, due.component)] = owed.get((due.period, due.component), D(0)) + max(due.amount, D(0))
    paid: dict[tuple[str, str], D] = {}
    for a in allocations:
        paid[(a.period, a.component)] = paid.get((a.period, a.component), D(0)) + a.amount
    assert all(paid[key] <= owed[key] for key in paid)
    # Money is left over only when every due amount is paid.
    if left > 0:
        assert paid == {key: value for key, value in owed.items() if value > 0}
