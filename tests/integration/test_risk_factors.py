"""The nightly risk score, one factor at a time: each test builds the least that moves one factor and checks
what was measured and the points it gave with the seeded weights (25 points at 3 months not filed, 10 at 4
late filings, 10 at 6 late payments, 15 at 6 months of arrears, 10 at 365 days, 8 at a 50 % head-count drop,
7 at 80 % of wages at the floor, 7 at a 30 % wage drop, 8 at 2 reports; construction adds 10).

Runs are as of Monday 20 April 2026: the Tajik months whose due date has passed are those up to March
(due 15 April); an employer registered on 1 January 2026 has January to March in its window.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from decimal import Decimal as D

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from common.audit import Actor
from common.period import Period
from contributions.declarations import DeclarationLine
from contributions.drafts import LineChange, open_draft, update_lines
from contributions.filing import file_nil, submit_declaration
from contributions.jobs import JobRun
from contributions.parameter_versions import add_parameter_version
from employers.registration import ApplicantAccount, register_employer
from inspections.facts import ComplianceMonth
from inspections.reports import WorkerReport
from inspections.risk import RiskScore, compute_risk
from inspections.scoring import FACTORS, SECTOR
from portal.jobs import run_job
from tests import factories
from tests.conftest import migrated_database
from tests.factories import ACTOR
from tests.integration.test_compliance_facts import SCHEME, at, file, pay_at_counter, tajik

AS_OF = "2026-04-20"


def scores(db, as_of: str = AS_OF, scheme: str = SCHEME) -> dict[int, RiskScore]:
    compute_risk(db, scheme, as_of=dt.date.fromisoformat(as_of), actor=ACTOR, now=at(as_of))
    db.expire_all()  # the scores are rewritten in bulk: objects read before are stale
    return {row.employer_id: row for row in db.scalars(select(RiskScore).where(RiskScore.scheme_code == scheme))}


def factor(row: RiskScore, name: str) -> tuple[D, D]:
    """The measured value and the points of factor ``name`` as the score shows them."""
    part = next(part for part in row.factors if part["factor"] == name)
    return D(part["value"]), D(part["points"])


def nil(db, employer, period: str, day: str) -> None:
    file_nil(db, employer, Period.parse(period), "No activity", actor=ACTOR, now=at(day))


def weight(db, name: str, value: str, valid_from: str) -> None:
    add_parameter_version(db, scheme_code=SCHEME, name=name, category=None,
                          valid_from=dt.date.fromisoformat(valid_from), value=value, source="Inspection policy review",
                          confidence="confirmed", actor=ACTOR, now=at(valid_from))


def test_months_not_filed(db) -> None:
    employer = tajik(db, "2026-01-01")
    nil(db, employer, "2026-01", "2026-02-10")
    row = scores(db)[employer.id]
    # February and March were expected and not filed; April is not due yet.
    assert factor(row, "months_not_filed") == (D(2), D("16.67"))
    assert (row.months_not_filed, row.score, row.band) == (2, D("16.67"), "low")


def test_late_filings(db) -> None:
    employer = tajik(db, "2026-01-01")
    nil(db, employer, "2026-01", "2026-02-17")  # due 16 February
    nil(db, employer, "2026-02", "2026-03-17")  # due 16 March
    nil(db, employer, "2026-03", "2026-04-15")  # on the due date
    assert factor(scores(db)[employer.id], "late_filings") == (D(2), D("5.00"))


def test_late_payments(db) -> None:
    employer = tajik(db, "2026-01-01", "2000.00")
    for period, day in (("2026-01", "2026-02-10"), ("2026-02", "2026-03-10"), ("2026-03", "2026-04-10")):
        file(db, employer, period, day)
    pay_at_counter(db, employer, "440.00", "2026-02-12")  # January in full before it was due
    pay_at_counter(db, employer, "400.00", "2026-03-12")  # February: 40.00 short on the due date...
    pay_at_counter(db, employer, "40.00", "2026-03-20")  # ... paid four days later
    pay_at_counter(db, employer, "440.00", "2026-04-18")  # March, three days late
    row = scores(db)[employer.id]
    assert factor(row, "late_payments") == (D(2), D("3.33"))
    assert row.overdue == 0 and factor(row, "arrears_size") == (0, 0)


def test_arrears_size_in_months_of_charges(db) -> None:
    employer = tajik(db, "2026-01-01", "2000.00")
    for period, day in (("2026-01", "2026-02-10"), ("2026-02", "2026-03-10"), ("2026-03", "2026-04-10")):
        file(db, employer, period, day)
    pay_at_counter(db, employer, "440.00", "2026-02-12")
    row = scores(db)[employer.id]
    # February and March unpaid: 880.00, two months of the 440.00 charged on average.
    assert factor(row, "arrears_size") == (D(2), D("5.00"))
    assert (row.overdue, row.oldest_due) == (D("880.00"), dt.date(2026, 3, 16))
    assert {label: D(amount) for label, amount in row.aging.items()} == {
        "0-30": D("440.00"), "31-90": D("440.00"), "91-180": 0, "181-365": 0, "365+": 0}


def test_arrears_without_charges_to_compare_count_in_full(db) -> None:
    employer = tajik(db, "2024-12-01", "2000.00")
    filed = file(db, employer, "2025-01", "2025-02-10")  # unpaid, and before the window
    for offset in range(2, 16):  # nothing to pay since: nil declarations from February 2025
        nil(db, employer, str(Period(2024, 12).shift(offset)), "2026-04-18")
    row = scores(db)[employer.id]
    assert factor(row, "months_not_filed") == (0, 0)
    assert factor(row, "arrears_size") == (D(6), D(15))
    assert row.oldest_due == filed.due_date
    assert factor(row, "arrears_age") == (D((dt.date(2026, 4, 20) - filed.due_date).days), D(10))


def test_arrears_age_in_days(db) -> None:
    employer = tajik(db, "2026-01-01", "2000.00")
    file(db, employer, "2026-01", "2026-02-10")  # due 16 February, never paid
    # 30 days overdue on 18 March, 63 on 20 April: 10 points at 365 days.
    assert factor(scores(db, "2026-03-18")[employer.id], "arrears_age") == (D(30), D("0.82"))
    assert factor(scores(db)[employer.id], "arrears_age") == (D(63), D("1.73"))


def test_headcount_drop(db) -> None:
    employer = tajik(db, "2026-01-01", "2000.00", "2000.00", "2000.00", "2000.00")
    file(db, employer, "2026-01", "2026-02-10")
    file(db, employer, "2026-02", "2026-03-10")
    draft = open_draft(db, employer, Period(2026, 3), actor=ACTOR, now=at("2026-04-10"))
    lines = db.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == draft.id)
                       .order_by(DeclarationLine.id)).all()
    update_lines(db, employer, draft.id, [LineChange(line.id, "2000.00", remove=index == 0)
                                          for index, line in enumerate(lines)],
                 revision=None, actor=ACTOR, now=at("2026-04-10"))
    submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=at("2026-04-10"))
    row = scores(db)[employer.id]
    # 3 workers declared for March, at most 4 before: a quarter fewer, half the 8 points.
    assert factor(row, "headcount_drop") == (D("0.25"), D("4.00"))
    assert factor(row, "wage_drop") == (0, 0)  # the same wage each


def test_wage_drop(db) -> None:
    employer = tajik(db, "2026-01-01", "2000.00", "2000.00")
    file(db, employer, "2026-01", "2026-02-10")
    file(db, employer, "2026-02", "2026-03-10")
    file(db, employer, "2026-03", "2026-04-10", wage="1500.00")
    row = scores(db)[employer.id]
    # 1,500.00 on average in March against 2,000.00 before: 25 % less; 7 points at 30 %.
    assert factor(row, "wage_drop") == (D("0.25"), D("5.83"))
    assert factor(row, "headcount_drop") == (0, 0)


def test_wages_at_the_lao_floor(db) -> None:
    employer = factories.employer_since(db, dt.date(2026, 1, 1))
    for wage in ("1250000", "1250000", "1000000", "3000000"):
        factories.hire(db, employer, wage=wage, hired_on="2026-01-01")
    draft = open_draft(db, employer, Period(2026, 1), actor=ACTOR, now=at("2026-02-10"))
    filed = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=at("2026-02-10")).declaration
    # The floor is half the minimum wage of 2,500,000 kip; three of the four are paid at or below it.
    assert filed.base_floor == D(1250000)
    row = scores(db, scheme="LA-LSSO")[employer.id]
    assert factor(row, "wages_at_floor") == (D("0.75"), D("6.56"))


def test_without_a_floor_the_minimum_wage(db) -> None:
    employer = tajik(db, "2026-01-01", "1000.00", "1000.01", "2000.00")
    file(db, employer, "2026-01", "2026-02-10")
    # No floor in Tajikistan: the minimum wage (1,000 TJS since September 2025) is the mark.
    assert factor(scores(db)[employer.id], "wages_at_floor") == (D("0.3333"), D("2.92"))


def test_worker_reports(db) -> None:
    employer = tajik(db, "2025-01-01")
    person_id = factories.hire(db, employer, wage="2000.00", hired_on="2025-01-01",
                               document_type="passport").person_id
    for period, status in (("2025-03", "open"), ("2025-04", "open"), ("2026-02", "resolved"),
                           ("2026-02", "in_case"), ("2026-03", "dismissed"), ("2026-04", "open")):
        db.add(WorkerReport(employer_id=employer.id, person_id=person_id, period=period, kind="not_declared",
                            status=status, note="", created_at=at("2026-04-01")))
    db.flush()
    # The window is April 2025 to March 2026.  Three count: not the one found unfounded, nor those about
    # March 2025 (before the window) and April 2026 (not due yet).
    assert factor(scores(db)[employer.id], "worker_reports") == (D(3), D(8))


def test_the_sector_adds_its_points(db) -> None:
    builder = tajik(db, "2026-01-01")
    builder.sector_code = "F"
    shop = tajik(db, "2026-01-01")
    for employer in (builder, shop):
        for period, day in (("2026-01", "2026-02-10"), ("2026-02", "2026-03-10"), ("2026-03", "2026-04-10")):
            nil(db, employer, period, day)
    rows = scores(db)
    assert factor(rows[builder.id], SECTOR) == (D(10), D(10)) and rows[builder.id].score == D(10)
    assert factor(rows[shop.id], SECTOR) == (0, 0) and rows[shop.id].score == 0


def test_weights_and_bands_are_dated_parameters(db) -> None:
    employer = tajik(db, "2026-01-01")
    row = scores(db)[employer.id]
    # Nothing filed: 3 months not filed, the full 25 points; "low" under 30.
    assert factor(row, "months_not_filed") == (D(3), D(25)) and (row.score, row.band) == (D(25), "low")
    weight(db, "risk.weight.months_not_filed", "40", "2026-04-21")
    weight(db, "risk.full.months_not_filed", "6", "2026-04-21")
    weight(db, "risk.weight.late_filings", "99", "2026-05-01")  # not in force yet
    assert scores(db)[employer.id].score == D(25)  # the new weights are not in force on the 20th
    row = scores(db, "2026-04-21")[employer.id]
    assert factor(row, "months_not_filed") == (D(3), D(20)) and row.score == D(20)
    weights = next(part for part in row.factors if part["factor"] == "months_not_filed")
    assert (D(weights["weight"]), D(weights["full"])) == (D(40), D(6))
    # The thresholds are inclusive: a score of exactly 20 is "medium" from 20, "high" from 20.
    weight(db, "risk.band.medium", "20", "2026-04-22")
    assert scores(db, "2026-04-22")[employer.id].band == "medium"
    weight(db, "risk.band.high", "20", "2026-04-23")
    assert scores(db, "2026-04-23")[employer.id].band == "high"


def test_a_rerun_replaces_the_scores(db) -> None:
    employer = tajik(db, "2026-01-01", "2000.00")
    file(db, employer, "2026-01", "2026-02-17")
    first = scores(db)
    snapshot = {key: (row.score, row.band, row.factors, row.overdue, row.aging) for key, row in first.items()}
    again = scores(db)
    assert {key: (row.score, row.band, row.factors, row.overdue, row.aging) for key, row in again.items()} == snapshot
    assert list(again) == [employer.id]
    assert [part["factor"] for part in again[employer.id].factors] == [*FACTORS, SECTOR]


def test_employers_outside_the_scheme_are_left_alone(db) -> None:
    lao = factories.employer_since(db, dt.date(2026, 1, 1))
    lao_score = scores(db, scheme="LA-LSSO")[lao.id]
    employer = tajik(db, "2026-01-01")
    pending, _admin, _token = register_employer(
        db, scheme_code=SCHEME, profile=factories.profile(SCHEME), tax_number=factories.tax_number(),
        registration_number="R-PENDING", administrator=ApplicantAccount("Admin", "pending@employer.test", None),
        actor=ACTOR, now=at("2026-04-01"))
    pending.status, pending.employer_number, pending.registered_on = "pending", None, None
    db.flush()
    assert set(scores(db)) == {employer.id}  # not the employer whose registration is pending
    assert scores(db, "2026-04-21")[employer.id].as_of == dt.date(2026, 4, 21)
    db.expire_all()
    assert (db.get(RiskScore, lao.id).as_of, db.get(RiskScore, lao.id).score) == (dt.date(2026, 4, 20),
                                                                                   lao_score.score)
    assert db.scalar(select(func.max(ComplianceMonth.as_of)).where(ComplianceMonth.employer_id == lao.id)) == \
        dt.date(2026, 4, 20)


def test_two_runs_at_once_leave_one_score_per_employer(database_url, tmp_path) -> None:
    """The scheduled run and a manual one for the same night: the job's advisory lock makes the second wait
    for the first, then replace its facts and scores with the same ones.  SQLite allows one writer at a time:
    there the two runs take turns (a lock held by the test stands for the database's)."""
    serialise = make_url(database_url).get_backend_name() == "sqlite"
    turns = threading.Lock()
    with migrated_database(database_url, tmp_path, "risk_runs") as engine:
        with Session(engine) as session:
            employers = [tajik(session, "2026-01-01", "2000.00") for _ in range(3)]
            file(session, employers[0], "2026-01", "2026-02-10")
            session.commit()
            ids = sorted(employer.id for employer in employers)
        factory, start, errors = sessionmaker(engine), threading.Barrier(2), []

        def run() -> None:
            start.wait()
            try:
                with turns if serialise else contextlib.nullcontext():
                    run_job(factory, "compute_risk", as_of=dt.date(2026, 4, 20), actor=Actor.system("tests"),
                            now=lambda: at(AS_OF))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        with Session(engine) as session:
            assert session.execute(select(RiskScore.employer_id, func.count()).group_by(RiskScore.employer_id)
                                   .order_by(RiskScore.employer_id)).all() == [(id_, 1) for id_ in ids]
            # January to April 2026 for each of the three.
            assert session.scalar(select(func.count()).select_from(ComplianceMonth)) == 12
            assert session.scalars(select(JobRun.status).where(JobRun.job == "compute_risk")).all() == \
                ["finished", "finished"]
            counts = session.scalars(select(JobRun.counts).where(JobRun.job == "compute_risk")).all()
            assert [run_counts[SCHEME]["scored"] for run_counts in counts] == [3, 3]
