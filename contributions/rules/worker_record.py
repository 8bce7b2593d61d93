"""What a worker's record says of one month with one employer.

Payment is known per employer and month, not per worker: an employer pays the month's contributions of all
its workers together, and a payment settles the month's employee share as a whole, never one worker's part
of it.  A month partly paid is therefore partly paid for every worker on it; the record cannot say that one
worker's share was paid and another's was not.

The statuses:

* ``paid``, ``partly_paid``, ``unpaid``: the worker is on the declaration in force for the month, and that is
  how much of the month's employee share the employer has paid (nothing owed, e.g. a zero wage, is paid);
  before the due date a month not fully paid is ``not_due`` instead: it is not late yet;
* ``estimated``: the employer filed nothing for the month and was assessed an estimate instead;
* ``not_declared``: the worker is not on a declaration (or none was filed) and the due date has passed;
* ``not_due``: not declared, or declared and not fully paid, but the employer may still do it on time.
"""

from __future__ import annotations

STATUSES = ("paid", "partly_paid", "unpaid", "not_declared", "estimated", "not_due")
DECLARED = ("paid", "partly_paid", "unpaid")
# What the worker may want to raise: a month missing, estimated only, or not (fully) paid.
GAPS = ("not_declared", "unpaid", "partly_paid", "estimated")


def month_status(*, declared: bool, share_status: str | None, assessed: bool, due_passed: bool) -> str:
    """The status of a month: ``declared`` the worker is on the version in force of the employer's declaration;
    ``share_status`` the employer's employee-share status for the month (paid, partly_paid, unpaid,
    nothing_due; None when nothing is in the account); ``assessed`` the month is estimated by an active
    assessment; ``due_passed`` the month's due date has passed."""
    if declared:
        if share_status in (None, "nothing_due"):
            return "paid"
        if share_status not in DECLARED:
            raise ValueError(f"unknown share status {share_status!r}")
        # Declared early and not (fully) paid yet: the employer has until the due date, nothing is missing.
        return share_status if share_status == "paid" or due_passed else "not_due"
    if assessed:
        return "estimated"
    return "not_declared" if due_passed else "not_due"
