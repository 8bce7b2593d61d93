"""The inspectors' workspace on a country: the nightly risk job, then the dashboard and the filtered, sorted
employer list rendered through the whole web stack (routing, access, queries, template) with Flask's test
client, the median of 20 requests each.

The data: ``n`` employers (20,000 by default) with the two years of charges and payments of
``arrears_run`` (its set-up, reused), and on top, set-based in SQL: 3 to 10 workers each (persons and
employments; one in five employers lost a worker this year); a declaration for each employer and month except
3 % (non-filers), 10 % filed late; the last month's lines, one employer in ten paying some workers below the
minimum wage, one in twenty declaring a single worker that month; one worker report in a hundred employers.
Users: a supervisor (every employer) and an inspector limited to the Dushanbe province.

Timed: ``risk_seconds``, ``run_job("compute_risk")`` for both schemes (facts of 24 months, then the scores);
``dashboard_p50_ms``, the Tajik dashboard for the latest month due, as the supervisor; ``list_p50_ms``, the
Tajik employers of the medium band sorted by arrears, as the limited inspector (page 1..5);
``worklist_p50_ms`` and ``employer_p50_ms`` (one employer's 360 page) for information.

Baseline (``baseline_seconds``): the least the job has to read and write: one plain ``GROUP BY employer,
period`` of the ledger, fetched, plus a batched INSERT of as many score rows (rolled back).  ``seconds`` is
``risk_seconds``.  ``dashboard_baseline_ms``: the dashboard's main aggregate alone, in plain SQL."""

from __future__ import annotations

import os
import statistics
import tempfile
import time

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench import arrears_run
from bench.arrears_run import ACTOR, AS_OF, NOW, TJ
from bench.databases import populated, scratch_database
from employers.accounts import Role, User, create_user
from inspections.areas import set_provinces
from inspections.risk import RiskScore
from portal.jobs import run_job
from portal.schema import load_metadata

default_n = 20_000
REQUESTS = 20
PASSWORD = "bench passphrase 2026"

_WORKERS = """
CREATE TEMPORARY TABLE bench_worker ON COMMIT DROP AS
SELECT e.id AS employer_id, e.scheme_code, g.k, row_number() OVER (ORDER BY e.id, g.k) AS n
FROM employer e CROSS JOIN LATERAL generate_series(1, 3 + (e.id % 8)) AS g(k)
"""

_PERSONS = """
INSERT INTO person (country, social_security_number, document_type, document_country, document_number, given_name,
                    family_name, given_name_latin, family_name_latin, birth_date, sex, nationality, phone, created_at)
SELECT c.country, 'B' || lpad(w.n::text, 12, '0'), 'national_id', c.country, 'BD' || w.n, 'Ном', 'Насаб', 'Nom',
       'Nasab ' || w.n, date '1970-01-01' + (w.n % 12000)::int, CASE WHEN w.n % 2 = 0 THEN 'F' ELSE 'M' END,
       c.country, '', :at
FROM bench_worker w JOIN (VALUES ('TJ-SOCTAX', 'TJ'), ('LA-LSSO', 'LA')) AS c(scheme_code, country)
  ON c.scheme_code = w.scheme_code
ORDER BY w.n
"""

_EMPLOYMENTS = """
INSERT INTO employment (employer_id, person_id, hired_on, ended_on, end_reason, job_title, contract_type, monthly_wage,
                        created_at)
SELECT w.employer_id, p.id, :hired,
       CASE WHEN w.k = 1 AND w.employer_id % 5 = 0 THEN date '2026-02-28' END,
       CASE WHEN w.k = 1 AND w.employer_id % 5 = 0 THEN 'resignation' END,
       '', 'permanent', 3000, :at
FROM bench_worker w JOIN person p ON p.social_security_number = 'B' || lpad(w.n::text, 12, '0')
ORDER BY w.n
"""

# One declaration per employer and month charged, except 3 % never filed; 10 % filed after the due date.
_DECLARATIONS = """
INSERT INTO declaration (employer_id, scheme_code, period, version, kind, status, previous_id, is_nil, nil_reason,
                         category, currency, revision, line_count, total_gross, total_base, total_employee,
                         total_employer, due_date, is_late, receipt_number, payment_reference, created_at, created_by,
                         filed_at, filed_by)
SELECT d.employer_id, d.scheme_code, d.period, 1, 'original',
       -- the last month's lines are added to drafts, which are then filed (a filed declaration's lines are frozen)
       CASE WHEN d.period = :last THEN 'draft' ELSE 'submitted' END, NULL, false, '', e.category, d.currency, 0,
       CASE WHEN d.period = :last AND d.employer_id % 20 = 7 THEN 1 ELSE 3 + (d.employer_id % 8) END,
       (d.employee_share + d.employer_share) * 4, (d.employee_share + d.employer_share) * 4, d.employee_share,
       d.employer_share, d.due_date, abs(hashint8extended(d.employer_id::bigint * 1000000 + d.month, 6)) % 10 = 0,
       'BR' || lpad((row_number() OVER (ORDER BY d.employer_id, d.period))::text, 12, '0'),
       'BP' || lpad((row_number() OVER (ORDER BY d.employer_id, d.period))::text, 12, '0'),
       d.filed_at, :by, d.filed_at, :by
FROM (SELECT *, replace(period, '-', '')::bigint AS month FROM bench_debt) AS d JOIN employer e ON e.id = d.employer_id
WHERE abs(hashint8extended(d.employer_id::bigint * 1000000 + d.month, 7)) % 100 >= 3
ORDER BY d.employer_id, d.period
"""

_LINES = """
INSERT INTO declaration_line (declaration_id, person_id, employment_id, gross_wage, days_worked, absence_reason, base,
                              employee_share, employer_share, floor_applied, ceiling_applied)
SELECT d.id, m.person_id, m.id, CASE WHEN d.employer_id % 10 = 3 AND m.person_id % 2 = 0 THEN 100 ELSE 3000 END,
       NULL, NULL, 3000, 0, 0, false, false
FROM declaration d JOIN employment m ON m.employer_id = d.employer_id AND m.ended_on IS NULL
WHERE d.period = :last
ORDER BY d.id, m.id
"""

_FILE = "UPDATE declaration SET status = 'submitted' WHERE period = :last AND status = 'draft'"

_REPORTS = """
INSERT INTO worker_report (employer_id, person_id, period, kind, claimed_wage, note, status, created_at)
SELECT m.employer_id, min(m.person_id), :last, 'wrong_wage', 3500, '', 'open', :at
FROM employment m WHERE m.employer_id % 100 = 11 GROUP BY m.employer_id
"""


def _populate(session: Session, employers: int) -> dict:
    counts = arrears_run._populate(session, employers)
    last = str(arrears_run._periods()[-1])
    params = {"at": arrears_run.SETUP, "hired": arrears_run.REGISTERED_ON, "by": ACTOR.label, "last": last}
    for statement in (_WORKERS, _PERSONS, _EMPLOYMENTS, _DECLARATIONS, _LINES, _FILE, _REPORTS):
        session.execute(text(statement), params)
    supervisor = create_user(session, email="bench-supervisor@example.test", full_name="Bench", role=Role.SUPERVISOR,
                             password=PASSWORD, employer_id=None, actor=ACTOR, now=NOW)
    inspector = create_user(session, email="bench-inspector@example.test", full_name="Bench", role=Role.INSPECTOR,
                            password=PASSWORD, employer_id=None, actor=ACTOR, now=NOW)
    province = session.scalar(text("SELECT parent_code FROM region WHERE code = :code"),
                              {"code": arrears_run.SCHEMES[TJ]["region"]})
    set_provinces(session, inspector, [province], actor=ACTOR, now=NOW)
    assert supervisor.id and inspector.id
    return counts


def _median_ms(client, path: str, queries: list[dict]) -> float:
    timings = []
    for i in range(REQUESTS + 2):
        began = time.perf_counter()
        response = client.get(path, query_string=queries[i % len(queries)])
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, (path, response.status_code)
        if i >= 2:  # the first two warm the caches
            timings.append(elapsed)
    return round(statistics.median(timings) * 1000, 1)


def _client(url: str, sessions, email: str):
    os.environ.setdefault("PORTAL_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-instance-"))
    from portal import create_app

    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False}, session_factory=sessions)
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _baseline(engine, sessions) -> float:
    with engine.connect() as connection:
        began = time.perf_counter()
        connection.execute(text("SELECT employer_id, period, sum(debit - credit) FROM ledger_entry "
                                "GROUP BY employer_id, period")).all()
        read = time.perf_counter() - began
    with sessions() as session:
        rows = [dict(row._mapping) for row in session.execute(select(*RiskScore.__table__.columns))]
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("DELETE FROM risk_score"))
        began = time.perf_counter()
        for start in range(0, len(rows), 2_000):
            connection.execute(RiskScore.__table__.insert(), rows[start:start + 2_000])
        write = time.perf_counter() - began
        transaction.rollback()
    return read + write


def _dashboard_baseline_ms(engine) -> float:
    timings = []
    with engine.connect() as connection:
        for _ in range(REQUESTS):
            began = time.perf_counter()
            connection.execute(text(
                "SELECT c.period, count(*), sum(c.filed), sum(c.on_time), sum(c.assessed), sum(c.charged), "
                "sum(c.paid) FROM compliance_month c JOIN employer e ON e.id = c.employer_id "
                "WHERE e.scheme_code = :scheme GROUP BY c.period"), {"scheme": TJ}).all()
            timings.append(time.perf_counter() - began)
    return round(statistics.median(timings) * 1000, 1)


def run(url: str, n: int) -> dict:
    load_metadata()
    with scratch_database(url, "inspector") as scratch:
        return _run(scratch, max(1, n))


def _run(url: str, employers: int) -> dict:
    engine, sessions, per_scheme, setup_seconds = populated(url, lambda session: _populate(session, employers))
    began = time.perf_counter()
    job = run_job(sessions, "compute_risk", as_of=AS_OF, actor=ACTOR, now=lambda: NOW)
    risk_seconds = time.perf_counter() - began
    assert job.status == "finished", (job.status, job.error)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE compliance_month"))
        connection.execute(text("ANALYZE risk_score"))
    with sessions() as session:
        scored = session.scalar(select(func.count()).select_from(RiskScore))
        bands = dict(session.execute(select(RiskScore.band, func.count()).group_by(RiskScore.band)).all())
        top = session.scalar(select(RiskScore.employer_id).order_by(RiskScore.score.desc()).limit(1))
        assert session.scalar(select(func.count()).select_from(User)) >= 2
    assert scored == employers

    supervisor = _client(url, sessions, "bench-supervisor@example.test")
    inspector = _client(url, sessions, "bench-inspector@example.test")
    dashboard = _median_ms(supervisor, "/inspections/dashboard", [{"scheme": TJ}])
    listing = _median_ms(inspector, "/inspections/employers",
                         [{"scheme": TJ, "band": "medium", "sort": "arrears", "page": page} for page in range(1, 6)])
    worklist = _median_ms(inspector, "/inspections/worklist", [{}])
    employer = _median_ms(supervisor, f"/inspections/employers/{top}", [{}])
    baseline = _baseline(engine, sessions)
    dashboard_baseline = _dashboard_baseline_ms(engine)
    engine.dispose()
    return {"n": employers, "seconds": round(risk_seconds, 3), "baseline_seconds": round(baseline, 3),
            "risk_seconds": round(risk_seconds, 3), "dashboard_p50_ms": dashboard, "list_p50_ms": listing,
            "worklist_p50_ms": worklist, "employer_p50_ms": employer, "dashboard_baseline_ms": dashboard_baseline,
            "employers_per_scheme": per_scheme, "bands": bands, "job_counts": job.counts,
            "setup_seconds": round(setup_seconds, 1)}
