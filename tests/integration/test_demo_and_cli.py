from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlalchemy import func, select

from common.audit import AuditEvent
from common.period import Period
from contributions.declarations import Declaration, DeclarationLine, current_version
from contributions.ledger import LedgerEntry, balance_of
from contributions.periods import period_overview
from employers.accounts import User
from employers.employers import Employer
from employers.persons import Employment
from portal.demo import DEMO_PASSWORD, declared_periods, demo_logins, seed_demo
from tests.factories import NOW


def _filers(db) -> dict[str, Employer]:
    """The demo's Lao and Tajik employers that file every month, by scheme (the bakery stopped filing)."""
    return {e.scheme_code: e for e in db.scalars(select(Employer).where(Employer.status == "active"))
            if e.legal_name_latin != "Khujand Bread LLC"}


def test_seed_demo_creates_lao_and_tajik_employers_once(db) -> None:
    created, logins = seed_demo(db, now=NOW)
    assert created
    active = _filers(db)
    assert active["LA-LSSO"].legal_name.startswith("ບໍລິສັດ") and active["LA-LSSO"].preferred_language == "lo"
    assert "Помир" in active["TJ-SOCTAX"].legal_name and active["TJ-SOCTAX"].scheme.time_zone == "Asia/Dushanbe"
    assert all(e.employer_number for e in active.values())
    # Each demo employer has a dozen workers, one of whom has left; hires reach back about a year, to the
    # month the employer registered in.  The Lao company's last hire had also worked there for three months
    # earlier that it never declared (the worker's record shows them).
    for employer in active.values():
        jobs = list(db.scalars(select(Employment).where(Employment.employer_id == employer.id)))
        earlier = 1 if employer.scheme_code == "LA-LSSO" else 0
        assert len(jobs) == 12 + earlier and sum(job.ended_on is not None for job in jobs) == 1 + earlier
        assert min(job.hired_on for job in jobs) < NOW.date().replace(year=NOW.year - 1)
        assert Period.of(min(job.hired_on for job in jobs)) == Period.of(employer.registered_on)
    # One application waits for staff review, so the review queue is not empty in the demo.
    assert db.scalar(select(func.count()).select_from(Employer).where(Employer.status == "pending")) == 1
    roles = {login.role for login in logins}
    assert roles >= {"employer_admin", "inspector", "supervisor", "sysadmin"}
    counted = (User, Employer, Employment, Declaration, DeclarationLine, LedgerEntry, AuditEvent)
    before = {model: db.scalar(select(func.count()).select_from(model)) for model in counted}
    created_again, _ = seed_demo(db, now=NOW + dt.timedelta(days=40))
    assert not created_again
    assert {model: db.scalar(select(func.count()).select_from(model)) for model in counted} == before


def _declarations(db, employer: Employer) -> list[Declaration]:
    return list(db.scalars(select(Declaration).where(Declaration.employer_id == employer.id)
                           .order_by(Declaration.period, Declaration.id)))


def _local(declaration: Declaration, employer: Employer) -> dt.date:
    return declaration.filed_at.astimezone(ZoneInfo(employer.scheme.time_zone)).date()


def test_seed_demo_declares_a_year_for_both_employers(db) -> None:
    seed_demo(db, now=NOW)
    active = _filers(db)
    lao, tajik = active["LA-LSSO"], active["TJ-SOCTAX"]
    # On 20 November 2026 (NOW) the Lao October is due that very day (a Friday): not yet passed, so October
    # is the open draft and the year runs October 2025 - September 2026.  The Tajik October was due on
    # Monday 16 November (the 15th is a Sunday): passed, so its year runs November 2025 - October 2026.
    expected = {"LA-LSSO": [str(Period(2025, 10).shift(n)) for n in range(12)],
                "TJ-SOCTAX": [str(Period(2025, 11).shift(n)) for n in range(12)]}
    for code, employer in active.items():
        periods = [str(p) for p in declared_periods(db, employer.scheme, employer.category, now=NOW)]
        assert periods == expected[code]
        declarations = _declarations(db, employer)
        filed = [d for d in declarations if d.status != "draft"]
        assert sorted({d.period for d in filed}) == periods
        assert Period.of(employer.registered_on) == Period.parse(periods[0])
        assert all(d.filed_at <= NOW and d.filed_by_user_id is not None for d in filed)
        # Nothing is overdue: every month since registration is declared or, for the current one, not due yet.
        assert "overdue" not in {row.status for row in period_overview(db, employer, now=NOW)}
        # The account charges exactly what the versions in force declare (interest and fines apart).
        current = [current_version(db, employer.id, Period.parse(period)) for period in periods]
        charged = db.scalar(select(func.sum(LedgerEntry.debit - LedgerEntry.credit)).where(
            LedgerEntry.employer_id == employer.id, LedgerEntry.kind.in_(("charge", "charge_reduction")),
            LedgerEntry.component.in_(("employee_share", "employer_share"))))
        assert charged == sum((d.total for d in current), Decimal(0)) > 0
        # Originals are filed on the 10th of the following month or the next working day, except the late one.
        originals = [d for d in filed if d.kind == "original"]
        assert len(originals) == 12
        on_time = [d for d in originals if not d.is_late]
        assert all(10 <= _local(d, employer).day <= 12 and _local(d, employer) <= d.due_date for d in on_time)
        late = [d for d in originals if d.is_late]
        assert len(late) == 1 and _local(late[0], employer) > late[0].due_date
        # Wages move from month to month: a worker declared all year is not declared at one wage.
        lines = list(db.scalars(select(DeclarationLine).join(Declaration).where(
            Declaration.employer_id == employer.id, Declaration.status != "draft")))
        first_worker = min(lines, key=lambda line: line.id).person_id
        assert len({line.gross_wage for line in lines if line.person_id == first_worker}) > 3

    lao_filed = [d for d in _declarations(db, lao) if d.status != "draft"]
    assert len(lao_filed) == 14  # twelve originals, one replacement, one corrective
    replacement = [d for d in lao_filed if d.kind == "replacement"]
    assert len(replacement) == 1 and _local(replacement[0], lao) <= replacement[0].due_date
    replaced = db.get(Declaration, replacement[0].previous_id)
    assert replaced.status == "superseded" and replacement[0].total > replaced.total
    corrective = [d for d in lao_filed if d.kind == "corrective"]
    assert len(corrective) == 1 and _local(corrective[0], lao) > corrective[0].due_date
    corrected = db.get(Declaration, corrective[0].previous_id)
    assert corrected.status == "submitted" and corrective[0].total > corrected.total
    assert not any(d.is_nil for d in lao_filed)
    # A manager above the 4,500,000 kip ceiling all year; a worker off sick paid below the floor once.
    lao_lines = list(db.scalars(select(DeclarationLine).join(Declaration).where(
        Declaration.employer_id == lao.id, Declaration.status != "draft")))
    assert any(line.ceiling_applied and line.base == Decimal(4_500_000) for line in lao_lines)
    sick = [line for line in lao_lines if line.absence_reason == "sick"]
    assert sick and all(line.floor_applied and line.gross_wage < line.base == Decimal(1_250_000) for line in sick)
    # The Lao October is an open draft, pre-filled with the eleven workers still employed.
    drafts = [d for d in _declarations(db, lao) if d.status == "draft"]
    assert [(d.period, d.kind, d.line_count) for d in drafts] == [("2026-10", "original", 11)]

    tajik_filed = [d for d in _declarations(db, tajik) if d.status != "draft"]
    assert len(tajik_filed) == 12 and all(d.kind == "original" for d in tajik_filed)
    nil = [d for d in tajik_filed if d.is_nil]
    assert len(nil) == 1 and nil[0].nil_reason and nil[0].line_count == 0 and nil[0].total == 0
    assert not any(d.status == "draft" for d in _declarations(db, tajik))


def test_demo_password_passes_the_policy() -> None:
    from employers.rules import password_problems

    assert all(password_problems(DEMO_PASSWORD, email=login.email) == [] for login in demo_logins())


def test_cli_create_user_reports_domain_errors_clearly(database_url, instance_path, monkeypatch) -> None:
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_NEW_PASSWORD", "short")
    result = CliRunner().invoke(main, ["create-user", "--email", "cli@example.test", "--name", "CLI",
                                       "--role", "inspector"])
    assert result.exit_code != 0
    assert "password.too_short" in result.output


def test_cli_db_check_finds_no_drift(database_url, instance_path, monkeypatch, engine) -> None:
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["db", "check"])
    assert result.exit_code == 0, result.output


def test_cli_upgrades_a_fresh_database_and_seeds_the_demo_once(database_url, tmp_path, instance_path,
                                                                monkeypatch) -> None:
    from portal.cli import main
    from tests.conftest import fresh_database

    with fresh_database(database_url, tmp_path, "cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        runner = CliRunner()
        upgraded = runner.invoke(main, ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        assert "database at head;" in upgraded.output and " 0 reference row(s)" not in upgraded.output
        first = runner.invoke(main, ["seed-demo"])
        assert first.exit_code == 0 and "Demo created." in first.output
        assert "lao.admin@demo.example" in first.output and DEMO_PASSWORD in first.output
        second = runner.invoke(main, ["seed-demo"])
        assert "Demo already present; nothing changed." in second.output
        again = runner.invoke(main, ["db", "upgrade"])
        assert "0 reference row(s) written" in again.output


def test_seed_demo_is_refused_in_production(database_url, instance_path, monkeypatch) -> None:
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k3Jd9-QpL0vX8rTz2mWb7YcN4hG6sFa1-production")
    result = CliRunner().invoke(main, ["seed-demo"])
    assert result.exit_code != 0 and "never seeded in production" in result.output


def test_seed_demo_pays_most_periods_and_leaves_some_arrears(db) -> None:
    from contributions.account import account_periods
    from contributions.payments import Payment

    seed_demo(db, now=NOW)
    rules = dict(db.execute(select(Payment.match_rule, func.count()).group_by(Payment.match_rule)).all())
    # Seven periods by reference for the bakery, eleven minus one for each other; None: the deposit left for an
    # officer.
    assert rules == {"reference": 26, "employer_amount": 2, None: 1}
    unmatched = db.scalars(select(Payment).where(Payment.status == "unmatched")).one()
    assert unmatched.scheme_code == "LA-LSSO" and unmatched.employer_id is None
    for employer in _filers(db).values():
        periods = account_periods(db, employer.id)  # newest first
        assert periods[0].status == "unpaid"  # the last period is not paid yet
        # One period paid only in part; in Tajikistan also the one paid late, whose interest is still owed.
        assert [p.status for p in periods].count("partly_paid") == (1 if employer.scheme_code == "LA-LSSO" else 2)
        assert all(p.status == "paid" for p in periods[1:] if p.status != "partly_paid")
        assert balance_of(db, employer.id) == sum(p.outstanding for p in periods) > 0


def test_seed_demo_runs_the_night_and_shows_assessments_fines_interest_and_waivers(db) -> None:
    from contributions.assessments import Assessment
    from contributions.jobs import JobRun
    from contributions.waivers import Waiver

    seed_demo(db, now=NOW)
    bakery = db.scalars(select(Employer).where(Employer.legal_name_latin == "Khujand Bread LLC")).one()
    # Declared November 2025 - June 2026, then nothing: July, August and September are more than 30 days
    # past due on 20 November and are assessed, consecutive months with a growing uplift; October is not yet.
    assessed = db.scalars(select(Assessment).where(Assessment.employer_id == bakery.id)
                          .order_by(Assessment.period)).all()
    assert [(a.period, a.months_missing, a.basis) for a in assessed] == \
        [("2026-07", 1, "last_declared"), ("2026-08", 2, "last_declared"), ("2026-09", 3, "last_declared")]
    components = dict(db.execute(select(LedgerEntry.component, func.sum(LedgerEntry.debit - LedgerEntry.credit))
                                 .where(LedgerEntry.employer_id == bakery.id,
                                        LedgerEntry.kind.in_(("charge", "charge_reduction")))
                                 .group_by(LedgerEntry.component)).all())
    assert components["assessment"] == sum(a.amount for a in assessed) and components["fine"] > 0
    assert components["interest"] > 0
    waivers = {w.status for w in db.scalars(select(Waiver))}
    assert waivers == {"approved", "pending"}
    assert {run.job for run in db.scalars(select(JobRun))} == {"assess_non_filers", "post_fines", "post_interest",
                                                               "send_notices", "compute_risk"}
    # Every employer is scored, the bakery highest; a worker's report is in an open case on Pomir Textile.
    from inspections.cases import InspectionCase
    from inspections.reports import WorkerReport
    from inspections.risk import RiskScore

    scores = {score.employer_id: score for score in db.scalars(select(RiskScore))}
    assert len(scores) == 3 and max(scores.values(), key=lambda s: s.score).employer_id == bakery.id
    assert scores[bakery.id].months_not_filed == 4  # three assessed, and the last one due
    case = db.scalars(select(InspectionCase)).one()
    assert case.status == "in_progress" and case.reason == "worker_report"
    assert db.scalars(select(WorkerReport)).one().case_id == case.id
    # The demo worker is that worker: a year declared, the last month not paid yet (a gap to see).
    from contributions.worker_record import worker_record
    from employers.accounts import find_user_by_email

    worker = find_user_by_email(db, "worker@demo.example")
    assert worker.person_id == db.scalars(select(WorkerReport)).one().person_id
    record = worker_record(db, worker.person_id, today=NOW.date())
    statuses = [month.status for year in record.years for month in year.months]
    assert statuses.count("paid") >= 6 and "unpaid" in statuses and record.gaps >= 1
    # Notices of the last two months: an overdue notice, a first demand a month later, the second tonight.
    from notifications.notices import Notice

    kinds = {(n.kind, n.stage) for n in db.scalars(select(Notice).where(Notice.employer_id == bakery.id))}
    assert {("assessment", 0), ("missed_filing", 0), ("overdue", 0), ("demand", 1), ("demand", 2)} <= kinds
