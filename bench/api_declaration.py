"""The API for payroll software on PostgreSQL: a 5,000-line declaration created and filed with two calls, and
the employer's account read back.  Target (the issue): filing a 5,000-line declaration answers in under 3 s;
reading the account in under 100 ms (medians).

Set-up (not timed), in a scratch database of its own because the API commits: the reference data; one Lao
employer registered on 2024-01-02 with ``n`` workers hired that day (persons and employments written in
batches); twelve months of 2024 filed with ``open_draft`` + ``submit_declaration`` a few days after each month,
each paid at the counter (the last two only in half, so the account has something overdue); a write token.

Timed through ``portal.create_app`` and Flask's test client (in-process WSGI: no network, no HTTP server, but
the whole Flask stack: the bearer token, the rate limiter, the idempotency key, the audit row, JSON in and out,
a real commit per call), one warm-up period then ``RUNS`` periods without a draft, each call with its own
``Idempotency-Key``:
``create_p50_ms``, ``POST /api/v1/declarations`` with the ``n`` lines (201, a draft of ``n`` lines);
``submit_p50_ms``, ``POST /api/v1/declarations/{id}/submit`` (200, filed with ``n`` lines);
``file_p50_ms``, the two together.  Then ``GET /api/v1/account`` ``READS`` times after a warm-up
(``account_p50_ms``, ``account_p95_ms``) and ``GET /api/v1/payments`` (``payments_p50_ms``).

Baselines in the same run: ``baseline_insert_ms``, the filed declaration's ``n`` lines (values computed)
inserted again with one plain executemany and committed, into a throwaway declaration (median of 3); and
``account_sql_p50_ms``, the account's own aggregate (``account_periods``) run directly through a session, so
what the HTTP layer adds to an account read shows.  ``seconds`` is ``file_p50_ms`` in seconds and
``baseline_seconds`` the baseline insert.  The machine is shared: other workers' tests add noise."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bench.databases import populated, scratch_database
from common.audit import Actor
from common.clock import utcnow
from common.period import Period
from contributions.account import account_periods
from contributions.declarations import Declaration, DeclarationLine
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.payment_actions import record_counter_receipt
from employers.api_tokens import create_api_token
from employers.employers import Employer, EmployerProfile
from employers.persons import Employment, Person
from employers.registration import ApplicantAccount, register_employer
from employers.rules import format_number
from portal import synthetic as datagen
from portal.reference import load_reference_data
from portal.schema import load_metadata

default_n = 5_000
REGISTERED_ON = dt.date(2024, 1, 2)
HISTORY = [Period(2024, 1).shift(k) for k in range(12)]
WARM_UP = Period(2025, 1)
RUNS = 5
TIMED = [WARM_UP.shift(1 + k) for k in range(RUNS)]
THROWAWAY = Period(2025, 12)  # the baseline's declaration: a period the API never touches
READS, WARM_READS, PAYMENT_READS = 50, 5, 20
TARGET_FILE_MS, TARGET_ACCOUNT_MS = 3_000, 100
ACTOR = Actor.system("bench")
BATCH = 1_000
SETUP = dt.datetime(2024, 1, 2, 3, tzinfo=dt.UTC)
PREFIX = "/api/v1"


@dataclass
class Bench:
    """What the timed part needs: the application's client, the token's headers and the register."""

    client: FlaskClient
    token: str
    employer_id: int
    numbers: list[str]
    engine: Engine
    sessions: sessionmaker

    def headers(self, write: bool) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": "en"}
        if write:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return headers


# Set-up ----------------------------------------------------------------------------------------------------

def _employer(session: Session) -> Employer:
    employer, _, _ = register_employer(
        session, scheme_code="LA-LSSO", tax_number="7712345678", registration_number="api-bench",
        profile={"legal_name": "ບໍລິສັດ ເງິນເດືອນ ຈຳກັດ", "legal_name_latin": "Payroll Bench Co., Ltd.",
                 "trading_name": "", "category": "private", "sector_code": "C", "region_code": "LA-VT-01",
                 "address": "ວຽງຈັນ", "contact_name": "Bench", "phone": "+856 21 000 000",
                 "email": "api-bench@example.test", "preferred_language": "lo"},
        administrator=ApplicantAccount("Bench", "api-bench-invited@example.test", None), actor=ACTOR, now=SETUP)
    employer.registered_on = REGISTERED_ON
    for version in session.scalars(select(EmployerProfile).where(EmployerProfile.employer_id == employer.id)):
        version.valid_from = REGISTERED_ON
    session.flush()
    return employer


def _workers(session: Session, employer: Employer, n: int) -> list[str]:
    """``n`` persons hired on the registration day, written in batches; returns their social security numbers."""
    number_format = employer.scheme.registry_settings["person_number"]
    persons = [{"country": "LA", "social_security_number": format_number(number_format, 6_000_000 + i),
                "document_type": "national_id", "document_country": "LA", "document_number": f"API{i:09d}",
                "given_name": p.given_name, "family_name": p.family_name, "given_name_latin": p.given_name_latin,
                "family_name_latin": p.family_name_latin, "birth_date": p.birth_date, "sex": p.sex,
                "nationality": "LA", "phone": "", "created_at": SETUP}
               for i, p in enumerate(datagen.people(n, seed=6, country="LA"))]
    ids: list[int] = []
    for start in range(0, n, BATCH):
        ids += session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True),
                               persons[start:start + BATCH]).all()
    jobs = [{"employer_id": employer.id, "person_id": person_id, "hired_on": REGISTERED_ON, "job_title": "ພະນັກງານ",
             "contract_type": "permanent", "monthly_wage": Decimal(_wage(i, 0)), "created_at": SETUP,
             "ended_on": None, "end_reason": None} for i, person_id in enumerate(ids)]
    for start in range(0, n, BATCH):
        session.execute(insert(Employment), jobs[start:start + BATCH])
    return [row["social_security_number"] for row in persons]


def _history(session: Session, employer: Employer) -> None:
    """Each month of ``HISTORY`` filed on the 5th of the next and paid at the counter the same day."""
    for k, period in enumerate(HISTORY):
        moment = dt.datetime.combine(period.next().first_day + dt.timedelta(days=4), dt.time(3), tzinfo=dt.UTC)
        draft = open_draft(session, employer, period, actor=ACTOR, now=moment)
        filed = submit_declaration(session, employer, draft.id, revision=None, actor=ACTOR, now=moment).declaration
        paid = filed.total if k < len(HISTORY) - 2 else (filed.total / 2).quantize(Decimal(1))
        record_counter_receipt(session, employer, amount=paid, value_date=moment.date(), channel="cash",
                               payer_name="Bench", reference=f"{employer.employer_number} {period}",
                               declaration_id=filed.id, actor=ACTOR, now=moment)


def _populate(session: Session, n: int) -> tuple[int, list[str], str]:
    load_reference_data(session)
    employer = _employer(session)
    numbers = _workers(session, employer, n)
    _history(session, employer)
    _row, token = create_api_token(session, employer, name="Payroll bench", scope="write", days=90, actor=ACTOR,
                                   now=utcnow())
    return employer.id, numbers, token


def _wage(i: int, k: int) -> int:
    return 2_000_000 + ((i * 7_919 + k * 104_729) % 2_500) * 1_000


def _body(numbers: list[str], period: Period, k: int) -> bytes:
    """The request as payroll software sends it: wages as strings or numbers, a few absences."""
    lines = []
    for i, number in enumerate(numbers):
        line: dict[str, object] = {"social_security_number": number}
        if i % 500 == 7:
            line.update(gross_wage="0", days_worked=0, absence_reason="unpaid_leave")
        elif i % 50 == 9:
            line.update(gross_wage=str(_wage(i, k) // 2), days_worked=15, absence_reason="sick")
        else:
            line["gross_wage"] = _wage(i, k) if i % 10 == 3 else str(_wage(i, k))
        lines.append(line)
    return json.dumps({"period": str(period), "lines": lines}).encode()


# The timed part ----------------------------------------------------------------------------------------------

def _file(bench: Bench, period: Period, k: int, n: int) -> tuple[float, float, int]:
    """Create then submit ``period``'s declaration; the milliseconds of each call and the declaration id."""
    data = _body(bench.numbers, period, k)
    began = time.perf_counter()
    created = bench.client.post(PREFIX + "/declarations", data=data, content_type="application/json",
                                headers=bench.headers(write=True))
    create_ms = (time.perf_counter() - began) * 1000
    assert created.status_code == 201, (created.status_code, created.get_data(as_text=True)[:2000])
    draft = created.get_json()
    assert draft["status"] == "draft" and draft["line_count"] == n, draft
    began = time.perf_counter()
    submitted = bench.client.post(f"{PREFIX}/declarations/{draft['id']}/submit", headers=bench.headers(write=True))
    submit_ms = (time.perf_counter() - began) * 1000
    assert submitted.status_code == 200, (submitted.status_code, submitted.get_data(as_text=True)[:2000])
    filed = submitted.get_json()
    assert filed["status"] != "draft" and filed["line_count"] == n and filed["receipt_number"], filed
    return create_ms, submit_ms, draft["id"]


def _reads_ms(bench: Bench, path: str, count: int) -> list[float]:
    timings = []
    for _ in range(WARM_READS + count):
        began = time.perf_counter()
        response = bench.client.get(PREFIX + path, headers=bench.headers(write=False))
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    return timings[WARM_READS:]


def _account_sql_ms(sessions: sessionmaker, employer_id: int) -> tuple[list[float], int]:
    timings = []
    with sessions() as session:
        for _ in range(WARM_READS + READS):
            began = time.perf_counter()
            periods = account_periods(session, employer_id)
            timings.append((time.perf_counter() - began) * 1000)
    return timings[WARM_READS:], len(periods)


def _baseline_insert_ms(sessions: sessionmaker, employer_id: int, declaration_id: int) -> float:
    """The filed declaration's lines, every value computed, inserted again with one executemany and committed
    into a throwaway declaration (deleted afterwards)."""
    table = DeclarationLine.__table__
    columns = [c for c in table.columns if c.name not in ("id", "declaration_id")]
    with sessions() as session:
        rows = [dict(row._mapping) for row in session.execute(
            select(*columns).where(table.c.declaration_id == declaration_id).order_by(table.c.id))]
        throwaway = Declaration(employer_id=employer_id, scheme_code="LA-LSSO", period=str(THROWAWAY), version=None,
                                kind="original", status="draft", previous_id=None, is_nil=False, nil_reason="",
                                category="private", currency="LAK", revision=0, created_at=utcnow(),
                                created_by=ACTOR.label)
        session.add(throwaway)
        session.commit()
        target = throwaway.id
    payload = [{**row, "declaration_id": target} for row in rows]
    timings = []
    for _ in range(3):
        with sessions() as session:
            began = time.perf_counter()
            session.execute(table.insert(), payload)
            session.commit()
            timings.append((time.perf_counter() - began) * 1000)
            session.execute(delete(DeclarationLine).where(DeclarationLine.declaration_id == target))
            session.commit()
    with sessions() as session:
        session.execute(delete(Declaration).where(Declaration.id == target))
        session.commit()
    return statistics.median(timings)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start(url: str, n: int) -> tuple[Bench, float]:
    """The populated scratch database at ``url`` and the application on it; also the set-up's seconds."""
    from portal import create_app

    os.environ.setdefault("PORTAL_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-instance-"))
    engine, sessions, (employer_id, numbers, token), setup_seconds = populated(url, lambda s: _populate(s, n))
    app = create_app({"DATABASE_URL": url, "API_RATE_LIMIT": "1000000 per minute",
                      "DELIVER_MAIL_AFTER_REQUEST": False, "TESTING": True}, session_factory=sessions)
    return Bench(app.test_client(), token, employer_id, numbers, engine, sessions), setup_seconds


def run(url: str, n: int) -> dict:
    load_metadata()
    with scratch_database(url, "api") as scratch:
        return _run(scratch, max(1, n))


def _run(url: str, n: int) -> dict:
    bench, setup_seconds = start(url, n)
    _file(bench, WARM_UP, 0, n)
    creates, submits, ids = [], [], []
    for k, period in enumerate(TIMED, start=1):
        create_ms, submit_ms, declaration_id = _file(bench, period, k, n)
        creates.append(create_ms)
        submits.append(submit_ms)
        ids.append(declaration_id)
    with bench.sessions() as session:  # each one filed, with every line, once
        filed = session.execute(select(Declaration.period, func.count(DeclarationLine.id))
                                .join(DeclarationLine, DeclarationLine.declaration_id == Declaration.id)
                                .where(Declaration.id.in_(ids), Declaration.status != "draft")
                                .group_by(Declaration.period).order_by(Declaration.period)).all()
    assert filed == [(str(period), n) for period in TIMED], filed
    account = _reads_ms(bench, "/account", READS)
    periods = bench.client.get(PREFIX + "/account", headers=bench.headers(write=False)).get_json()["periods"]
    assert len(periods) == len(HISTORY) + 1 + RUNS, len(periods)
    payments = _reads_ms(bench, "/payments", PAYMENT_READS)
    account_sql, sql_periods = _account_sql_ms(bench.sessions, bench.employer_id)
    assert sql_periods == len(periods), sql_periods
    baseline_ms = _baseline_insert_ms(bench.sessions, bench.employer_id, ids[-1])
    bench.engine.dispose()

    files = [c + s for c, s in zip(creates, submits, strict=True)]
    create_p50, submit_p50, file_p50 = (statistics.median(v) for v in (creates, submits, files))
    account_p50, account_sql_p50 = statistics.median(account), statistics.median(account_sql)
    return {"n": n, "seconds": round(file_p50 / 1000, 3), "baseline_seconds": round(baseline_ms / 1000, 3),
            "create_p50_ms": round(create_p50, 1), "submit_p50_ms": round(submit_p50, 1),
            "file_p50_ms": round(file_p50, 1), "file_max_ms": round(max(files), 1),
            "baseline_insert_ms": round(baseline_ms, 1),
            "create_ratio": round(create_p50 / baseline_ms, 2), "submit_ratio": round(submit_p50 / baseline_ms, 2),
            "account_p50_ms": round(account_p50, 1), "account_p95_ms": round(_p(account, 0.95), 1),
            "account_sql_p50_ms": round(account_sql_p50, 2),
            "account_http_overhead_ms": round(account_p50 - account_sql_p50, 1),
            "payments_p50_ms": round(statistics.median(payments), 1), "account_periods": len(periods),
            "runs": RUNS, "account_reads": READS,
            "targets_met": {"create_under_3s": create_p50 < TARGET_FILE_MS,
                            "submit_under_3s": submit_p50 < TARGET_FILE_MS,
                            "create_and_submit_under_3s": file_p50 < TARGET_FILE_MS,
                            "account_under_100ms": account_p50 < TARGET_ACCOUNT_MS},
            "setup_seconds": round(setup_seconds, 1),
            "note": "in-process WSGI (Flask test client, real commits); 2-CPU machine shared with other test runs"}
