from __future__ import annotations

import pytest

from contributions.rules.worker_record import STATUSES, month_status


@pytest.mark.parametrize(("share_status", "expected"), [("paid", "paid"), ("partly_paid", "partly_paid"),
                                                         ("unpaid", "unpaid"), ("nothing_due", "paid"),
                                                         (None, "paid")])
@pytest.mark.parametrize("assessed", [False, True])
@pytest.mark.parametrize("due_passed", [False, True])
def test_a_declared_month_shows_how_much_of_the_employee_share_was_paid(share_status, expected, assessed,
                                                                          due_passed) -> None:
    # Declared, the month is what the employer paid, whatever an estimate before; before the due date a
    # month not fully paid is not late yet.
    if not due_passed and expected in ("partly_paid", "unpaid"):
        expected = "not_due"
    assert month_status(declared=True, share_status=share_status, assessed=assessed, due_passed=due_passed) == \
        expected


@pytest.mark.parametrize("share_status", [None, "nothing_due", "unpaid", "partly_paid", "paid"])
@pytest.mark.parametrize("due_passed", [False, True])
def test_an_assessed_month_not_declared_is_estimated(share_status, due_passed) -> None:
    assert month_status(declared=False, share_status=share_status, assessed=True, due_passed=due_passed) == \
        "estimated"


@pytest.mark.parametrize("share_status", [None, "nothing_due", "unpaid", "partly_paid", "paid"])
def test_a_month_not_declared_is_missing_once_due(share_status) -> None:
    # The employer's share status is that of the other workers: it says nothing of this one.
    assert month_status(declared=False, share_status=share_status, assessed=False, due_passed=True) == "not_declared"
    assert month_status(declared=False, share_status=share_status, assessed=False, due_passed=False) == "not_due"


def test_an_unknown_share_status_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        month_status(declared=True, share_status="overpaid", assessed=False, due_passed=True)


def test_every_status_is_listed() -> None:
    assert STATUSES == ("paid", "partly_paid", "unpaid", "not_declared", "estimated", "not_due")
