"""Workers reporting a problem with a month of their record: a month not declared, or a wage declared wrong.

A Tajik employer (non-budget) has the worker on its register from 1 January 2026 at 2,000.00 TJS; January
is declared (and not paid), February is not.  The worker reports on Monday 20 April 2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from common.audit import Actor, AuditEvent
from common.errors import DomainError, NotFound
from employers.accounts import Role
from employers.persons import Employment
from inspections.reports import WorkerReport, report_problem, reports_of_person
from notifications.notices import Notice
from notifications.outbox import OutboxMessage
from tests import factories
from tests.integration.test_compliance_facts import at, file, tajik

NOW = at("2026-04-20")
TODAY = dt.date(2026, 4, 20)
NOTE = "My manager pays half of it in cash"


@pytest.fixture
def employer(db):
    employer = tajik(db, "2026-01-01", "2000.00")
    file(db, employer, "2026-01", "2026-02-10")
    return employer


@pytest.fixture
def person_id(db, employer) -> int:
    return db.scalar(select(Employment.person_id).where(Employment.employer_id == employer.id))


@pytest.fixture
def actor(db, person_id) -> Actor:
    account = factories.user(db, Role.WORKER)
    account.person_id = person_id
    db.flush()
    return account.as_actor()


def report(db, person_id, employer, period="2026-02", kind="not_declared", *, claimed_wage=None, note=NOTE,
           actor=None, now=NOW) -> WorkerReport:
    return report_problem(db, person_id, employer.id, period, kind, claimed_wage=claimed_wage, note=note,
                          actor=actor or Actor(None, "worker"), now=now, today=TODAY)


def refused(code: str, *args, **kwargs) -> None:
    with pytest.raises(DomainError) as raised:
        report(*args, **kwargs)
    assert raised.value.code == code


def test_a_month_not_declared_is_reported_once(db, employer, person_id, actor) -> None:
    first = report(db, person_id, employer, note=f"  {NOTE}\n", actor=actor)
    assert (first.employer_id, first.person_id, first.period, first.kind, first.claimed_wage, first.note,
            first.status, first.case_id, first.created_at) == \
        (employer.id, person_id, "2026-02", "not_declared", None, NOTE, "open", None, NOW)
    # A double click (or the same report later while it is open) files nothing more.
    again = report(db, person_id, employer, note="Another text", actor=actor, now=at("2026-04-21"))
    assert again.id == first.id and again.note == NOTE
    assert db.scalar(select(func.count()).select_from(WorkerReport)) == 1
    # Once an inspector has dismissed it, the worker may report it again.
    first.status = "dismissed"
    assert report(db, person_id, employer, actor=actor).id != first.id


def test_the_audit_says_what_was_reported_and_the_employer_is_told_nothing(db, employer, person_id, actor) -> None:
    notices = db.scalar(select(func.count()).select_from(Notice))
    messages = db.scalar(select(func.count()).select_from(OutboxMessage))
    filed = report(db, person_id, employer, "2026-01", "wrong_wage", claimed_wage="2 500.00", actor=actor)
    report(db, person_id, employer, "2026-01", "wrong_wage", claimed_wage="2500.00", actor=actor)
    assert filed.claimed_wage == D("2500.00")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "worker_report.filed")).all()
    assert [(e.object_type, e.object_id, e.actor_user_id) for e in events] == \
        [("worker_report", str(filed.id), actor.user_id)]
    assert events[0].summary == f"wrong_wage 2026-01 employer {employer.employer_number} claimed wage 2500.00 TJS"
    assert "cash" not in events[0].summary
    assert db.scalar(select(func.count()).select_from(Notice)) == notices
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == messages


def test_what_is_refused(db, employer, person_id) -> None:
    refused("report.kind_invalid", db, person_id, employer, kind="late_payment")
    # A declared month is not "not declared"; a wrong wage needs the wage, in the currency's decimals.
    refused("report.month_declared", db, person_id, employer, "2026-01", "not_declared")
    for wage in (None, "", "  ", "abc", "-100", "2000.005", "1e3x"):
        refused("report.wage_invalid", db, person_id, employer, "2026-01", "wrong_wage", claimed_wage=wage)
    refused("report.wage_invalid", db, person_id, employer, "2026-02", "not_declared", claimed_wage="lots")
    refused("field.too_long", db, person_id, employer, note="x" * 2001)
    assert db.scalar(select(func.count()).select_from(WorkerReport)) == 0
    longest = report(db, person_id, employer, note=" " + "x" * 2000 + " ")
    assert len(longest.note) == 2000
    # A wage may be given with a month not declared: what the worker was paid.
    assert report(db, person_id, employer, "2026-03", claimed_wage="1800").claimed_wage == D("1800.00")


def test_only_the_workers_own_months(db, employer, person_id) -> None:
    stranger = tajik(db, "2026-01-01", "2000.00")
    for employer_, period in ((stranger, "2026-02"),  # another person's employer
                              (employer, "2025-12"),  # before the employment
                              (employer, "2026-05"),  # not yet
                              (employer, "Feb")):
        with pytest.raises(NotFound) as raised:
            report(db, person_id, employer_, period)
        assert raised.value.code == "report.not_found"


def test_reports_of_a_person_newest_first(db, employer, person_id) -> None:
    older = report(db, person_id, employer, now=at("2026-04-01"))
    newer = report(db, person_id, employer, "2026-01", "wrong_wage", claimed_wage="2500", now=at("2026-04-10"))
    other = db.scalar(select(Employment.person_id).where(Employment.employer_id == tajik(db, "2026-01-01",
                                                                                         "2000.00").id))
    assert [r.id for r in reports_of_person(db, person_id)] == [newer.id, older.id]
    assert reports_of_person(db, other) == []
