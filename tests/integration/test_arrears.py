"""Arrears as of any date, with their age: charges known by then, money by the date it was paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from common.period import Period
from contributions.arrears import aging, arrears_lines
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.payments import Payment
from contributions.reconciliation import reconcile_batch
from tests import factories
from tests.factories import ACTOR


def test_arrears_as_of_dates_before_and_after_a_late_payment(db) -> None:
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer, wage="3000000")  # 165,000 + 180,000 a month
    filed = {}
    # February is filed late, on 15 April: on 1 April nobody knew what it owed.
    for month, when in ((1, dt.datetime(2026, 2, 10, 3, 0, tzinfo=dt.UTC)),
                        (2, dt.datetime(2026, 4, 15, 3, 0, tzinfo=dt.UTC)),
                        (3, dt.datetime(2026, 4, 10, 3, 0, tzinfo=dt.UTC))):
        draft = open_draft(db, employer, Period(2026, month), actor=ACTOR, now=when)
        filed[month] = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=when).declaration
    # January (due 20 Feb) is paid on 15 April, imported only in June.
    db.add(Payment(scheme_code="LA-LSSO", bank_code="BCEL", transaction_id="JAN", channel="bank",
                   booking_date=dt.date(2026, 4, 15), value_date=dt.date(2026, 4, 15), amount=D(345000),
                   currency="LAK", remittance=filed[1].payment_reference, status="new", matches=0, payer_name="",
                   payer_account="", note="", received_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), recorded_by="t"))
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))

    on_april_1 = arrears_lines(db, as_of=dt.date(2026, 4, 1), employer_id=employer.id)
    # On 1 April January is overdue (due 20 Feb); February was not filed yet and March is not due.
    assert [(line.period, line.component, line.days, line.bucket) for line in on_april_1] == [
        ("2026-01", "employee_share", 40, "31-90"), ("2026-01", "employer_share", 40, "31-90")]
    assert aging(on_april_1) == {"0-30": 0, "31-90": D(345000), "91-180": 0, "181-365": 0, "365+": 0}
    # On 1 May January is paid (by its value date, whatever day it was imported); February and March are owed.
    on_may_1 = arrears_lines(db, as_of=dt.date(2026, 5, 1), employer_id=employer.id)
    assert sorted({line.period for line in on_may_1}) == ["2026-02", "2026-03"]
    assert sum(line.outstanding for line in on_may_1) == D(690000)
    # Before the declarations were filed, nothing was known to be owed.
    assert arrears_lines(db, as_of=dt.date(2026, 2, 1), employer_id=employer.id) == []
    assert arrears_lines(db, as_of=dt.date(2026, 5, 1), scheme_code="TJ-SOCTAX") == []
