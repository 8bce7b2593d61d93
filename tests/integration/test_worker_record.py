"""A worker's contribution record, hand-counted.

The worker is hired on 5 January 2026 by a Tajik employer (non-budget: 2 % + 20 %) at 2,000.00 TJS beside a
colleague at the same wage, so a month of both is charged 80.00 of employee share and 800.00 of employer
share.  January to March are declared with both; April only with the colleague; May is never filed and is
assessed; June is never filed.  The employer pays 920.00 in May: January whole (880.00), then 40.00 of
February's employee share of 80.00.  Before that, a Lao employer declared the worker for October to December
2025 at 3,000,000 LAK (5.5 % + 6 %: 165,000 + 180,000) and paid it all; the employment there was then
corrected to start in November, so October is declared outside it.  The record is read on Monday
10 August 2026.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from common.period import Period
from contributions.assessments import assess_non_filers
from contributions.calendar import PublicHoliday, period_due_date
from contributions.declarations import DeclarationLine
from contributions.drafts import LineChange, open_draft, update_lines
from contributions.filing import submit_declaration
from contributions.worker_record import RecordMonth, Totals, record_month, worker_record
from employers.accounts import Role
from employers.persons import Employment
from employers.workers import correct_employment_dates, register_hire
from tests import factories
from tests.factories import ACTOR
from tests.integration.test_compliance_facts import at, file, pay_at_counter, tajik

TODAY = dt.date(2026, 8, 10)
WORKER = 770_001  # the number in the worker's passport and Latin family name


def worker_details() -> dict[str, object]:
    return factories.person_values(WORKER, document_type="passport", document_country="TJ", nationality="TJ")


def file_without(db, employer, period: str, day: str, person_id: int) -> None:
    """File ``period`` on ``day`` with every worker on the register but ``person_id``."""
    draft = open_draft(db, employer, Period.parse(period), actor=ACTOR, now=at(day))
    line = db.scalar(select(DeclarationLine).where(DeclarationLine.declaration_id == draft.id,
                                                   DeclarationLine.person_id == person_id))
    update_lines(db, employer, draft.id, [LineChange(line.id, "0", remove=True)], revision=None, actor=ACTOR,
                 now=at(day))
    submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=at(day))


@pytest.fixture
def career(db) -> dict:
    lao = factories.employer_since(db, dt.date(2025, 6, 1))
    job = register_hire(db, lao, person=worker_details(),
                        employment=factories.employment_values(hired_on="2025-10-01", monthly_wage="3000000"),
                        actor=ACTOR, now=at("2025-10-01")).employment
    for period, day in (("2025-10", "2025-11-10"), ("2025-11", "2025-12-10"), ("2025-12", "2026-01-10")):
        file(db, lao, period, day)
    pay_at_counter(db, lao, "1035000", "2026-01-12")
    correct_employment_dates(db, lao, job.id, hired_on="2025-11-03", ended_on="2025-12-31",
                             end_reason="end_of_contract", actor=ACTOR, now=at("2026-01-12"))
    employer = tajik(db, "2025-12-01")
    register_hire(db, employer, person=worker_details(),
                  employment=factories.employment_values(hired_on="2026-01-05", monthly_wage="2000.00"),
                  actor=ACTOR, now=at("2026-01-05"))
    person_id = job.person_id
    colleague = factories.hire(db, employer, wage="2000.00", hired_on="2026-01-05", document_type="passport")
    for period, day in (("2026-01", "2026-02-10"), ("2026-02", "2026-03-10"), ("2026-03", "2026-04-10")):
        file(db, employer, period, day)
    file_without(db, employer, "2026-04", "2026-05-10", person_id)
    pay_at_counter(db, employer, "920.00", "2026-05-12")
    # May is due on 15 June: 30 days later it is estimated.  June (due 15 July) is not missing long enough.
    assess_non_filers(db, "TJ-SOCTAX", as_of=dt.date(2026, 7, 20), actor=ACTOR, now=at("2026-07-20"))
    return {"person_id": person_id, "lao": lao, "tajik": employer, "colleague": colleague.person_id}


def month(period: str, employer, status: str, due: str, *amounts: str) -> RecordMonth:
    gross, base, employee, employer_share = (D(a) for a in amounts) if amounts else (None,) * 4
    return RecordMonth(period=period, employer_id=employer.id, employer_name=employer.legal_name,
                       employer_number=employer.employer_number, currency=employer.scheme.currency, status=status,
                       gross_wage=gross, base=base, employee_share=employee, employer_share=employer_share,
                       due_date=dt.date.fromisoformat(due))


def test_the_record_month_by_month(db, career) -> None:
    record = worker_record(db, career["person_id"], today=TODAY)
    tj, lao = career["tajik"], career["lao"]
    assert [year.year for year in record.years] == [2026, 2025]
    assert record.years[0].months == [
        month("2026-08", tj, "not_due", "2026-09-15"),  # the current month
        month("2026-07", tj, "not_due", "2026-08-17"),  # 15 August is a Saturday
        month("2026-06", tj, "not_declared", "2026-07-15"),
        month("2026-05", tj, "estimated", "2026-06-15"),
        month("2026-04", tj, "not_declared", "2026-05-15"),  # filed, without the worker
        month("2026-03", tj, "unpaid", "2026-04-15", "2000.00", "2000.00", "40.00", "400.00"),
        month("2026-02", tj, "partly_paid", "2026-03-16", "2000.00", "2000.00", "40.00", "400.00"),
        month("2026-01", tj, "paid", "2026-02-16", "2000.00", "2000.00", "40.00", "400.00"),
    ]
    assert record.years[1].months == [
        month("2025-12", lao, "paid", "2026-01-20", "3000000", "3000000", "165000", "180000"),
        month("2025-11", lao, "paid", "2025-12-22", "3000000", "3000000", "165000", "180000"),
        # Declared before the employment was corrected to start in November: the declaration counts.
        month("2025-10", lao, "paid", "2025-11-20", "3000000", "3000000", "165000", "180000"),
    ]


def test_totals_count_only_the_months_declared(db, career) -> None:
    record = worker_record(db, career["person_id"], today=TODAY)
    tajik_totals = Totals(D("6000.00"), D("6000.00"), D("120.00"), D("1200.00"), 3)
    lao_totals = Totals(D(9_000_000), D(9_000_000), D(495_000), D(540_000), 3)
    assert record.years[0].totals == {"TJS": tajik_totals}
    assert record.years[1].totals == {"LAK": lao_totals}
    assert record.totals == {"LAK": lao_totals, "TJS": tajik_totals}
    # Gaps: February partly paid, March unpaid, April and June not declared, May estimated.
    assert (record.years[0].gaps, record.years[1].gaps, record.gaps) == (5, 0, 5)
    assert all(isinstance(amount, D) for totals in record.totals.values()
               for amount in (totals.gross_wage, totals.base, totals.employee_share, totals.employer_share))


def test_one_month_and_only_the_workers_own(db, career) -> None:
    person_id, tj, lao = career["person_id"], career["tajik"], career["lao"]
    assert record_month(db, person_id, tj.id, "2026-02", today=TODAY) == \
        month("2026-02", tj, "partly_paid", "2026-03-16", "2000.00", "2000.00", "40.00", "400.00")
    assert record_month(db, person_id, lao.id, "2025-10", today=TODAY).status == "paid"
    stranger = tajik(db, "2025-12-01", "2000.00")
    for employer_id, period in ((tj.id, "2025-12"),  # the employer's first month, before the hire
                                (tj.id, "2026-09"),  # not yet
                                (lao.id, "2026-01"),  # after the employment there ended
                                (lao.id, "2025-09"),  # before the declarations
                                (stranger.id, "2026-01"),  # another's employer
                                (999_999, "2026-01"),
                                (tj.id, "2026-1")):
        assert record_month(db, person_id, employer_id, period, today=TODAY) is None
    # The colleague's record has none of the worker's Lao months.
    assert record_month(db, career["colleague"], lao.id, "2025-11", today=TODAY) is None
    assert record_month(db, career["colleague"], tj.id, "2026-04", today=TODAY).status == "unpaid"


def test_months_start_with_the_employers_registration(db) -> None:
    employer = tajik(db, "2026-01-01")
    job = factories.hire(db, employer, wage="2000.00", hired_on="2026-01-10", document_type="passport")
    employer.registered_on = dt.date(2026, 3, 2)  # registered late: what came before is not its record
    db.flush()
    record = worker_record(db, job.person_id, today=dt.date(2026, 4, 20))
    assert [(m.period, m.status) for m in record.years[0].months] == [("2026-04", "not_due"),
                                                                     ("2026-03", "not_declared")]
    assert (record.totals, record.gaps) == ({}, 1)


def test_a_person_without_a_record(db) -> None:
    record = worker_record(db, 999_999, today=TODAY)
    assert (record.person_id, record.years, record.totals, record.gaps) == (999_999, [], {}, 0)


@contextmanager
def counted(db):
    """The statements the session sends to the database inside the block."""
    statements: list[str] = []
    connection = db.connection()

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_the_number_of_queries_does_not_grow_with_the_career(db) -> None:
    today = dt.date(2026, 8, 10)
    # 15 April 2026, the due date of March, is made a holiday: March is due on the 16th.
    db.add(PublicHoliday(country="TJ", day=dt.date(2026, 4, 15), names={"en": "Test day"}, source="test"))
    long = tajik(db, "2024-09-02", "2000.00")
    file(db, long, "2026-01", "2026-02-10")
    file(db, long, "2026-02", "2026-03-10")
    pay_at_counter(db, long, "440.00", "2026-03-12")
    short = tajik(db, "2026-06-01", "2000.00")
    people = [db.scalar(select(Employment.person_id).where(Employment.employer_id == e.id)) for e in (long, short)]
    db.flush()
    with counted(db) as long_queries:
        long_record = worker_record(db, people[0], today=today)
    with counted(db) as short_queries:
        short_record = worker_record(db, people[1], today=today)
    assert [len(year.months) for year in long_record.years] == [8, 12, 4]
    assert [len(year.months) for year in short_record.years] == [3]
    assert len(long_queries) == len(short_queries) <= 8
    # The due dates of months nobody filed are those the calendar gives, month by month.
    for item in (m for year in long_record.years for m in year.months):
        assert item.due_date == period_due_date(db, "TJ-SOCTAX", "TJ", "non_budget", Period.parse(item.period))
    assert {m.period: m.due_date for m in long_record.years[0].months}["2026-03"] == dt.date(2026, 4, 16)
    statuses = {m.period: m.status for year in long_record.years for m in year.months}
    assert (statuses["2026-01"], statuses["2026-02"], statuses["2026-03"], statuses["2024-09"]) == \
        ("paid", "unpaid", "not_declared", "not_declared")


def test_a_worker_account_belongs_to_one_person(db) -> None:
    employer = tajik(db, "2026-01-01", "2000.00", "2000.00")
    first, second = db.scalars(select(Employment.person_id).where(Employment.employer_id == employer.id)
                               .order_by(Employment.id)).all()
    account = factories.user(db, Role.WORKER)
    account.person_id = first
    db.flush()
    # One account per person; and only a worker's account is anyone's record.
    for role, person_id in ((Role.WORKER, first), (Role.INSPECTOR, second)):
        other = factories.user(db, role)
        with pytest.raises(IntegrityError):
            with db.begin_nested():
                other.person_id = person_id
                db.flush()
