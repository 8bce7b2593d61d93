"""A 10,000-line declaration uploaded as CSV: read, checked against the register, computed and stored by
``replace_lines`` on a draft pre-filled by ``open_draft``, then filed with ``submit_declaration``.  Baseline:
plain batched INSERTs of the same lines with their values computed beforehand.  Everything runs in a
transaction that is rolled back.

The web figures come from a child process working on a database of its own (created, migrated and dropped
here), because the web application commits: filing a 500-line draft and filing a nil declaration through
Flask's test client, the median of several requests on separate employers or periods after one warm-up.
Keeping the web part out of this process also keeps ``peak_rss_mb`` (measured by ``python -m bench`` at
the end of the run) the peak of the upload part; ``upload_peak_rss_mb`` is the same high-water mark read
right after the upload, before filing.

Figures: ``seconds`` (= ``upload_seconds``), ``baseline_seconds``, ``submit_<n>_seconds``,
``open_draft_seconds``, ``upload_peak_rss_mb``, ``web_500_lines_ms``, ``web_nil_ms``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from argon2 import PasswordHasher
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bench.databases import migrated_engine, scratch_database
from common.audit import Actor
from common.db import make_engine, make_session_factory
from common.period import Period
from contributions.declaration_files import read_declaration_file
from contributions.declarations import Declaration, DeclarationLine
from contributions.drafts import computed_values, open_draft, period_rules, replace_lines
from contributions.filing import submit_declaration
from employers import accounts
from employers.accounts import Role, create_user
from employers.employers import Employer, EmployerProfile
from employers.persons import Employment, Person
from employers.registration import ApplicantAccount, register_employer
from employers.rules import format_number
from portal import synthetic as datagen
from portal.reference import load_reference_data
from portal.schema import load_metadata

default_n = 10_000
BATCH = 1_000
PERIOD = Period(2026, 4)
NOW = dt.datetime(2026, 5, 12, 2, 30, tzinfo=dt.UTC)
REGISTERED_ON = dt.date(2025, 1, 2)
ACTOR = Actor.system("bench")
PASSWORD = "bench passphrase 2026"
FLOOR, CEILING = 1_250_000, 4_500_000  # Lao base limits in April 2026 (half the minimum wage; MLSW 1740)
WEB_LINES = 500
WEB_RUNS = 6  # the first of each kind warms the application and is not counted
HEADER = ("ເລກປະກັນສັງຄົມ", "gross_wage", "days_worked", "absence_reason", "ຊື່")


def _cheap_hasher() -> None:
    # The administrators' password hashes are not what is measured; at production cost each one takes
    # 64 MiB and a fifth of a second.
    accounts.use_password_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _wage(i: int) -> tuple[int, str, str]:
    """(gross wage, days worked, absence reason) of the ``i``-th line: wages on both sides of the floor
    and of the ceiling, some exactly on them, a few reduced by an absence and a few nil."""
    if i % 500 == 7:
        return 0, "0", "unpaid_leave"
    if i % 50 == 9:
        return 1_900_000 + (i % 37) * 10_000, "18", "sick"
    kind = i % 20
    if kind == 0:
        return 600_000 + (i % 640) * 1_000, "", ""  # below the floor
    if kind in (1, 2, 3):
        return CEILING + 1_000 + (i % 450) * 10_000, "", ""  # above the ceiling
    if kind == 4:
        return CEILING, "", ""
    if kind == 5:
        return FLOOR, "", ""
    return FLOOR + 1_000 + (i * 7_919) % (CEILING - FLOOR - 1_000) // 1_000 * 1_000, "", ""


def _employer(session: Session, key: str, number: int) -> Employer:
    """An active Lao employer registered on ``REGISTERED_ON`` (its first profile version from that day)."""
    employer, _, _ = register_employer(
        session, scheme_code="LA-LSSO", tax_number=f"{7_700_000_000 + number}", registration_number=key,
        profile={"legal_name": f"ບໍລິສັດ ທົດສອບ {key} ຈຳກັດ", "legal_name_latin": f"Bench {key} Co., Ltd.",
                 "trading_name": "", "category": "private", "sector_code": "C", "region_code": "LA-VT-01",
                 "address": "ວຽງຈັນ", "contact_name": "Bench", "phone": "+856 21 000 000",
                 "email": f"{key}@example.test", "preferred_language": "lo"},
        administrator=ApplicantAccount("Bench", f"{key}-invited@example.test", None), actor=ACTOR,
        now=dt.datetime.combine(REGISTERED_ON, dt.time(3), tzinfo=dt.UTC))
    employer.registered_on = REGISTERED_ON
    for version in session.scalars(select(EmployerProfile).where(EmployerProfile.employer_id == employer.id)):
        version.valid_from = REGISTERED_ON
    session.flush()
    return employer


def _workers(session: Session, employer: Employer, first: int, n: int) -> list[tuple[str, str]]:
    """``n`` persons hired by ``employer`` before the period, written set-based; returns each one's (social
    security number, name).  ``first`` keeps numbers and documents apart between employers."""
    number_format = employer.scheme.registry_settings["person_number"]
    people = list(datagen.people(n, seed=first, country="LA"))
    persons = [{"country": "LA", "social_security_number": format_number(number_format, first + i),
                "document_type": "national_id", "document_country": "LA", "document_number": f"DECL{first + i:09d}",
                "given_name": p.given_name, "family_name": p.family_name, "given_name_latin": p.given_name_latin,
                "family_name_latin": p.family_name_latin, "birth_date": p.birth_date, "sex": p.sex,
                "nationality": "LA", "phone": "", "created_at": NOW} for i, p in enumerate(people)]
    ids: list[int] = []
    for start in range(0, n, BATCH):
        ids += session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True),
                               persons[start:start + BATCH]).all()
    jobs = [{"employer_id": employer.id, "person_id": person_id,
             "hired_on": dt.date(2025, 1, 6) + dt.timedelta(days=i % 450), "job_title": "ພະນັກງານ",
             "contract_type": "permanent", "monthly_wage": Decimal(max(_wage(i)[0], FLOOR)), "created_at": NOW,
             "ended_on": None, "end_reason": None} for i, person_id in enumerate(ids)]
    for start in range(0, n, BATCH):
        session.execute(insert(Employment), jobs[start:start + BATCH])
    return [(row["social_security_number"], f"{p.given_name} {p.family_name}") for row, p in zip(persons, people,
                                                                                                  strict=True)]


def _csv(workers: list[tuple[str, str]]) -> bytes:
    """The file as an employer fills in the template: a header in Lao or as field keys, a name column the
    portal ignores, some wages written with thousands separators."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i, (number, name) in enumerate(workers):
        wage, days, reason = _wage(i)
        writer.writerow([number, f"{wage:,}" if i % 10 == 3 else str(wage), days, reason, name])
    return out.getvalue().encode("utf-8")


def _aliases() -> dict[str, str]:
    from portal.declarations.columns import header_aliases

    return header_aliases()


def _upload(session: Session, employer: Employer, draft_id: int, filename: str, data: bytes,
            aliases: dict[str, str]) -> tuple[float, int]:
    """Seconds to read, check, compute and store the file's lines on the draft, and how many were stored."""
    began = time.perf_counter()
    numbers, rows = read_declaration_file(filename, data, aliases, max_rows=100_000)
    lines = replace_lines(session, employer, draft_id, rows, revision=None, actor=ACTOR, now=NOW,
                          row_numbers=numbers, source=f"file {filename}")
    session.flush()
    return time.perf_counter() - began, len(lines)


def _baseline(session: Session, declaration_id: int, payload: list[dict]) -> float:
    """The same lines with plain batched INSERTs, every value already typed and computed."""
    rows = [{**row, "declaration_id": declaration_id} for row in payload]
    savepoint = session.begin_nested()
    began = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        session.execute(insert(DeclarationLine), rows[start:start + BATCH])
    seconds = time.perf_counter() - began
    savepoint.rollback()
    return seconds


def _baseline_payload(session: Session, employer: Employer, workers: list[tuple[str, str]]) -> list[dict]:
    setting = period_rules(session, employer, PERIOD)
    jobs = dict(session.execute(select(Employment.person_id, Employment.id)
                                .where(Employment.employer_id == employer.id)).all())
    persons = dict(session.execute(select(Person.social_security_number, Person.id)
                                   .where(Person.id.in_(select(Employment.person_id)
                                                        .where(Employment.employer_id == employer.id)))).all())
    payload = []
    for i, (number, _) in enumerate(workers):
        wage, days, reason = _wage(i)
        gross = Decimal(wage)
        payload.append({"person_id": persons[number], "employment_id": jobs[persons[number]], "gross_wage": gross,
                        "days_worked": int(days) if days else None, "absence_reason": reason or None,
                        **computed_values(gross, setting)})
    return payload


def _empty_declaration(session: Session, employer: Employer, period: Period) -> int:
    declaration = Declaration(employer_id=employer.id, scheme_code=employer.scheme_code, period=str(period),
                              version=None, kind="original", status="draft", previous_id=None, is_nil=False,
                              nil_reason="", category="private", currency="LAK", revision=0, created_at=NOW,
                              created_by=ACTOR.label)
    session.add(declaration)
    session.flush()
    return declaration.id


def run(url: str, n: int) -> dict:
    load_metadata()
    _cheap_hasher()
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        # First and on its own: the two parts never run at the same time, so neither slows the other.
        web_figures = pool.submit(_web_figures, url).result()
    engine = make_engine(url)
    aliases = _aliases()
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        load_reference_data(session)
        employer = _employer(session, "decl-upload", 0)
        workers = _workers(session, employer, 8_000_000, n)
        data = _csv(workers)
        payload = _baseline_payload(session, employer, workers)
        began = time.perf_counter()
        draft = open_draft(session, employer, PERIOD, actor=ACTOR, now=NOW)
        session.flush()
        open_seconds = time.perf_counter() - began
        assert draft.line_count == n, draft.line_count
        empty_id = _empty_declaration(session, employer, PERIOD.previous())

        savepoint = session.begin_nested()  # warm caches and the connection
        _upload(session, employer, draft.id, "warm.csv", data[:data.index(b"\n", 40_000) + 1], aliases)
        savepoint.rollback()
        baseline = min(_baseline(session, empty_id, payload) for _ in range(3))

        uploads, submits, peak = [], [], None
        for _ in range(2):
            savepoint = session.begin_nested()
            seconds, stored = _upload(session, employer, draft.id, "declaration-2026-04.csv", data, aliases)
            assert stored == n, stored
            uploads.append(seconds)
            if peak is None:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            began = time.perf_counter()
            filed = submit_declaration(session, employer, draft.id, revision=None, actor=ACTOR, now=NOW)
            session.flush()
            submits.append(time.perf_counter() - began)
            assert filed.created and filed.declaration.line_count == n, filed
            limits = session.execute(select(func.count().filter(DeclarationLine.floor_applied),
                                            func.count().filter(DeclarationLine.ceiling_applied))
                                     .where(DeclarationLine.declaration_id == draft.id)).one()
            savepoint.rollback()
        session.close()
        transaction.rollback()
    engine.dispose()
    upload = min(uploads)
    return {"n": n, "seconds": round(upload, 3), "baseline_seconds": round(baseline, 3),
            "upload_seconds": round(upload, 3), f"submit_{n}_seconds": round(min(submits), 3),
            "open_draft_seconds": round(open_seconds, 3), "upload_peak_rss_mb": round(peak, 1),
            "floor_lines": limits[0], "ceiling_lines": limits[1], "csv_bytes": len(data), **web_figures}


# The web part, in a child process ------------------------------------------------------------------------

def _web_figures(url: str) -> dict:
    load_metadata()
    _cheap_hasher()
    os.environ.setdefault("PORTAL_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-instance-"))
    with scratch_database(url, "web") as scratch:
        return _web_run(scratch)


def _web_run(url: str) -> dict:
    from portal import create_app

    engine = migrated_engine(url)
    sessions = make_session_factory(engine)
    filing: list[tuple[str, int, int]] = []  # (login, declaration id, revision)
    with sessions() as session:
        load_reference_data(session)
        for k in range(WEB_RUNS):
            employer = _employer(session, f"web-{k}", 1 + k)
            _workers(session, employer, 7_000_000 + k * WEB_LINES, WEB_LINES)
            login = _administrator(session, employer, f"web-{k}")
            draft = open_draft(session, employer, PERIOD, actor=ACTOR, now=NOW)
            assert draft.line_count == WEB_LINES, draft.line_count
            filing.append((login, draft.id, draft.revision))
        nil_login = _administrator(session, _employer(session, "web-nil", 100), "web-nil")
        session.commit()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "WTF_CSRF_ENABLED": False,
                      "DELIVER_MAIL_AFTER_REQUEST": False, "PORTAL_BASE_URL": "http://portal.test"},
                     session_factory=sessions)
    submit_ms = []
    for login, declaration_id, revision in filing:
        client = _logged_in(app, login)
        began = time.perf_counter()
        response = client.post(f"/employer/declarations/{declaration_id}/submit",
                               data={"revision": str(revision), "confirm": "y"})
        submit_ms.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 302, response.status_code
    nil_ms = []
    client = _logged_in(app, nil_login)
    periods = [Period(2026, 1).shift(i) for i in range(WEB_RUNS)]
    for period in periods:
        began = time.perf_counter()
        response = client.post(f"/employer/declarations/period/{period}/nil",
                               data={"reason": "ບໍ່ມີການຈ່າຍເງິນເດືອນໃນເດືອນນີ້ (closed for renovation)"})
        nil_ms.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 302, response.status_code
    with sessions() as session:  # a failed filing also redirects: check that each one was filed
        filed = session.execute(select(Declaration.id, Declaration.line_count).where(
            Declaration.id.in_([declaration_id for _, declaration_id, _ in filing]),
            Declaration.status == "submitted")).all()
        assert sorted(count for _, count in filed) == [WEB_LINES] * WEB_RUNS, filed
        nil = session.scalars(select(Declaration.period).where(Declaration.is_nil,
                                                               Declaration.status == "submitted")).all()
        assert sorted(nil) == [str(period) for period in periods], nil
    engine.dispose()
    return {"web_500_lines_ms": round(statistics.median(submit_ms[1:]), 1),
            "web_500_lines_max_ms": round(max(submit_ms[1:]), 1),
            "web_nil_ms": round(statistics.median(nil_ms[1:]), 1), "web_runs": WEB_RUNS - 1}


def _administrator(session: Session, employer: Employer, key: str) -> str:
    email = f"{key}-admin@example.test"
    create_user(session, email=email, full_name="Bench Admin", role=Role.EMPLOYER_ADMIN, password=PASSWORD,
                employer_id=employer.id, actor=ACTOR, now=NOW)
    return email


def _logged_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client
