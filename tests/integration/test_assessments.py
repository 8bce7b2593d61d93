"""Assessing non-filers: hand-computed estimates (last declared amount plus 25 %, then 5 points a month;
head count times the minimum wage without history), idempotent and caught up, replaced by the real
declaration with interest recomputed on the real amounts and the money paid towards the estimate kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from common.period import Period
from contributions.assessments import Assessment, assess_non_filers
from contributions.drafts import open_draft
from contributions.filing import file_nil, submit_declaration
from contributions.interest import post_interest
from contributions.ledger import LedgerEntry
from contributions.payment_actions import record_counter_receipt
from tests import factories
from tests.factories import ACTOR

NOW = dt.datetime(2026, 4, 20, 5, 0, tzinfo=dt.UTC)


def _file(db, employer, period: Period, when: dt.datetime):
    draft = open_draft(db, employer, period, actor=ACTOR, now=when)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=when).declaration


def _assess(db, day: str):
    return assess_non_filers(db, "TJ-SOCTAX", as_of=dt.date.fromisoformat(day), actor=ACTOR, now=NOW)


def _component(db, employer_id: int, component: str, period: str | None = None) -> D:
    query = select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0)).where(
        LedgerEntry.employer_id == employer_id, LedgerEntry.component == component)
    if period is not None:
        query = query.where(LedgerEntry.period == period)
    return D(db.scalar(query))


def _assessments(db, employer_id: int) -> dict[str, Assessment]:
    return {a.period: a for a in db.scalars(select(Assessment).where(Assessment.employer_id == employer_id))}


@pytest.fixture
def tajik(db):
    """One worker at 2,000.00 TJS (non-budget: 40.00 + 400.00); December 2025 declared, nothing since.
    January 2026 is due Monday 16 February, February on Monday 16 March."""
    employer = factories.employer_since(db, dt.date(2025, 6, 1), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2000.00", hired_on="2025-06-01", document_type="passport")
    _file(db, employer, Period(2025, 12), dt.datetime(2026, 1, 10, 5, 0, tzinfo=dt.UTC))
    return employer


def test_missing_months_are_estimated_from_the_last_declaration(db, tajik) -> None:
    assert _assess(db, "2026-03-18").assessed == 0  # 16 February + 30 days: still in the grace period
    assert _assess(db, "2026-03-19").assessed == 1
    january = _assessments(db, tajik.id)["2026-01"]
    # 440.00 declared for December, plus 25 %.
    assert (january.basis, january.basis_period, january.base_amount, january.uplift, january.amount) == \
        ("last_declared", "2025-12", D("440.00"), D("0.25"), D("550.00"))
    assert (january.due_date, january.months_missing, january.status) == (dt.date(2026, 2, 16), 1, "active")
    assert _component(db, tajik.id, "assessment", "2026-01") == D("550.00")
    _assess(db, "2026-04-16")
    february = _assessments(db, tajik.id)["2026-02"]
    # The second consecutive month: 25 + 5 points.
    assert (february.months_missing, february.uplift, february.amount) == (2, D("0.30"), D("572.00"))
    assert _assess(db, "2026-04-16").assessed == 0  # nothing twice
    assert _component(db, tajik.id, "assessment") == D("1122.00")


def test_one_run_after_days_off_assesses_what_daily_runs_would_have(db, tajik) -> None:
    _assess(db, "2026-04-16")
    assert {p: (a.months_missing, a.amount) for p, a in _assessments(db, tajik.id).items()} == \
        {"2026-01": (1, D("550.00")), "2026-02": (2, D("572.00"))}


def test_without_history_the_head_count_times_the_minimum_wage(db) -> None:
    employer = factories.employer_since(db, dt.date(2025, 12, 1), scheme_code="TJ-SOCTAX")
    for _ in range(3):
        factories.hire(db, employer, wage="5000.00", hired_on="2025-12-01", document_type="passport")
    _assess(db, "2026-03-19")
    january = _assessments(db, employer.id)["2026-01"]
    # No floor in Tajikistan: the minimum wage, 1,000.00 TJS, at 2 % + 20 % = 220.00 a worker; 3 workers, +25 %.
    assert (january.basis, january.head_count, january.base_amount, january.amount) == \
        ("head_count", 3, D("660.00"), D("825.00"))


def test_who_is_not_assessed(db, tajik) -> None:
    nil = factories.employer_since(db, dt.date(2025, 6, 1), scheme_code="TJ-SOCTAX")
    factories.hire(db, nil, wage="2000.00", hired_on="2025-06-01", document_type="passport")
    file_nil(db, nil, Period(2026, 1), "Seasonal closure", actor=ACTOR, now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    nobody = factories.employer_since(db, dt.date(2025, 6, 1), scheme_code="TJ-SOCTAX")  # no workers
    lao = factories.employer_since(db, dt.date(2025, 6, 1))
    factories.hire(db, lao, hired_on="2025-06-01")
    _assess(db, "2026-03-19")
    assert _assessments(db, nil.id) == {} and _assessments(db, nobody.id) == {}
    assert _assessments(db, tajik.id).keys() == {"2026-01"}
    # Lao PDR is assessed by its own scheme's run, from its own parameters.
    assess_non_filers(db, "LA-LSSO", as_of=dt.date(2026, 3, 25), actor=ACTOR, now=NOW)
    assert _assessments(db, lao.id)["2026-01"].basis == "head_count"


def test_the_real_declaration_replaces_the_estimate(db, tajik) -> None:
    _assess(db, "2026-03-19")
    # On 20 March the employer pays December (440.00, the oldest debt) and the estimate for January (550.00)
    # at the counter, then files January on 22 April.
    record_counter_receipt(db, tajik, amount=D("990.00"), value_date=dt.date(2026, 3, 20), channel="cash",
                           payer_name="", reference="", declaration_id=None, actor=ACTOR,
                           now=dt.datetime(2026, 3, 20, 5, 0, tzinfo=dt.UTC))
    assert _component(db, tajik.id, "assessment", "2026-01") == 0
    post_interest(db, "TJ-SOCTAX", as_of=dt.date(2026, 4, 22), actor=ACTOR, now=NOW)
    # 550.00 paid 32 days late (16 February to 20 March): 550 x 0.04 % x 32 = 7.04.
    assert _component(db, tajik.id, "interest", "2026-01") == D("7.04")
    filed = _file(db, tajik, Period(2026, 1), dt.datetime(2026, 4, 22, 5, 0, tzinfo=dt.UTC))
    january = _assessments(db, tajik.id)["2026-01"]
    assert (january.status, january.replaced_by_declaration_id) == ("replaced", filed.id)
    # The estimate is gone; the real 440.00 is charged and paid from the 550.00.  Of the 110.00 left, 18.30
    # pays the interest charged so far (11.26 on December, 7.04 on the estimate); 91.70 is credit.
    assert _component(db, tajik.id, "assessment", "2026-01") == 0
    assert _component(db, tajik.id, "employee_share", "2026-01") == 0
    assert _component(db, tajik.id, "employer_share", "2026-01") == 0
    assert _component(db, tajik.id, "interest") == 0
    assert _component(db, tajik.id, "credit") == D("-91.70")
    post_interest(db, "TJ-SOCTAX", as_of=dt.date(2026, 4, 22), actor=ACTOR, now=NOW)
    # Interest on the real amounts, paid by the money of 20 March: 32 days on 40.00 -> 0.51 and on
    # 400.00 -> 5.12; the 7.04 on the estimate is brought down to 5.63 and the 1.41 paid too much is credit.
    assert db.scalar(select(func.sum(LedgerEntry.debit - LedgerEntry.credit)).where(
        LedgerEntry.employer_id == tajik.id, LedgerEntry.period == "2026-01", LedgerEntry.component == "interest",
        LedgerEntry.kind.in_(("charge", "charge_reduction")))) == D("5.63")
    assert _component(db, tajik.id, "interest") == 0
    assert _component(db, tajik.id, "credit") == D("-93.11")
    assert _assess(db, "2026-04-22").assessed == 1  # February is still missing; January is not assessed again
    assert set(_assessments(db, tajik.id)) == {"2026-01", "2026-02"}


def test_a_nil_month_is_not_the_last_declared_amount(db) -> None:
    employer = factories.employer_since(db, dt.date(2025, 10, 1), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2000.00", hired_on="2025-10-01", document_type="passport")
    _file(db, employer, Period(2025, 11), dt.datetime(2025, 12, 10, 5, 0, tzinfo=dt.UTC))
    file_nil(db, employer, Period(2025, 12), "Closed for repairs", actor=ACTOR,
             now=dt.datetime(2026, 1, 10, 5, 0, tzinfo=dt.UTC))
    _assess(db, "2026-03-19")
    january = _assessments(db, employer.id)["2026-01"]
    assert (january.basis, january.basis_period, january.amount) == ("last_declared", "2025-11", D("550.00"))
