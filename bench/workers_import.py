"""Importing new workers from a file (parse, validate the whole file, write set-based) against plain batched
INSERTs of the same persons and employments.  Everything runs in a transaction that is rolled back.

Figures: ``seconds`` and ``ratio`` for CSV, ``xlsx_seconds`` and ``xlsx_ratio`` for XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

from openpyxl import Workbook
from sqlalchemy import insert
from sqlalchemy.orm import Session

from common.audit import Actor
from common.db import make_engine
from employers.imports import BATCH, COLUMNS, import_valid_rows, parse_file, validate
from employers.persons import Employment, Person
from employers.registration import ApplicantAccount, register_employer
from employers.rules import format_number
from portal import synthetic as datagen
from portal.reference import load_reference_data
from portal.schema import load_metadata

default_n = 10_000
NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
ACTOR = Actor.system("bench")
ALIASES = {column: column for column in COLUMNS}


def _rows(n: int) -> list[dict[str, str]]:
    return [{"action": "hire", "document_type": "national_id", "document_country": "LA",
             "document_number": f"BENCH{i:09d}", "given_name": p.given_name, "family_name": p.family_name,
             "given_name_latin": p.given_name_latin, "family_name_latin": p.family_name_latin,
             "birth_date": p.birth_date.isoformat(), "sex": p.sex, "nationality": "LA", "phone": "",
             "hired_on": "2026-11-20", "job_title": "ພະນັກງານ", "contract_type": "permanent",
             "monthly_wage": str(2_500_000 + (i % 50) * 10_000), "ended_on": "", "end_reason": ""}
            for i, p in enumerate(datagen.people(n, country="LA"))]


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _employer(session: Session):
    load_reference_data(session)
    employer, _, _ = register_employer(
        session, scheme_code="LA-LSSO", tax_number="9988776655", registration_number="BENCH",
        profile={"legal_name": "ບໍລິສັດ ທົດສອບ ຈຳກັດ", "legal_name_latin": "Bench Co., Ltd.", "trading_name": "",
                 "category": "private", "sector_code": "C", "region_code": "LA-VT-01", "address": "ວຽງຈັນ",
                 "contact_name": "Bench", "phone": "+856 21 000 000", "email": "bench@example.test",
                 "preferred_language": "lo"},
        administrator=ApplicantAccount("Bench", "bench-admin@example.test", None), actor=ACTOR,
        now=NOW - dt.timedelta(days=400))
    return employer


def _timed_import(session: Session, employer, filename: str, data: bytes) -> float:
    savepoint = session.begin_nested()
    began = time.perf_counter()
    report = validate(session, employer, parse_file(filename, data, ALIASES, max_rows=100_000), now=NOW)
    counts = import_valid_rows(session, employer, report, actor=ACTOR, now=NOW)
    session.flush()
    seconds = time.perf_counter() - began
    assert counts["hires"] == len(report.rows), counts
    savepoint.rollback()
    return seconds


def _baseline(session: Session, employer, rows: list[dict[str, str]]) -> float:
    """The same persons and employments with plain batched INSERTs, given values already typed."""
    number_format = employer.scheme.registry_settings["person_number"]
    persons = [{"country": "LA", "social_security_number": format_number(number_format, 9_000_000 + i),
                "document_type": r["document_type"], "document_country": "LA", "document_number": r["document_number"],
                "given_name": r["given_name"], "family_name": r["family_name"],
                "given_name_latin": r["given_name_latin"], "family_name_latin": r["family_name_latin"],
                "birth_date": dt.date.fromisoformat(r["birth_date"]), "sex": r["sex"], "nationality": "LA",
                "phone": "", "created_at": NOW} for i, r in enumerate(rows)]
    savepoint = session.begin_nested()
    began = time.perf_counter()
    ids: list[int] = []
    for start in range(0, len(persons), BATCH):
        ids += session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True),
                               persons[start:start + BATCH]).all()
    jobs = [{"employer_id": employer.id, "person_id": person_id, "hired_on": dt.date(2026, 11, 20),
             "job_title": r["job_title"], "contract_type": "permanent", "monthly_wage": r["monthly_wage"],
             "created_at": NOW, "ended_on": None, "end_reason": None} for person_id, r in zip(ids, rows, strict=True)]
    for start in range(0, len(jobs), BATCH):
        session.execute(insert(Employment), jobs[start:start + BATCH])
    seconds = time.perf_counter() - began
    savepoint.rollback()
    return seconds


def run(url: str, n: int) -> dict:
    load_metadata()
    engine = make_engine(url)
    rows = _rows(n)
    csv_data, xlsx_data = _csv(rows), _xlsx(rows)
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        employer = _employer(session)
        session.flush()
        _timed_import(session, employer, "warm.csv", _csv(rows[:200]))  # warm caches and the connection
        baseline = min(_baseline(session, employer, rows) for _ in range(2))
        csv_seconds = _timed_import(session, employer, "workers.csv", csv_data)
        xlsx_seconds = _timed_import(session, employer, "workers.xlsx", xlsx_data)
        session.close()
        transaction.rollback()
    engine.dispose()
    return {"n": n, "seconds": round(csv_seconds, 3), "baseline_seconds": round(baseline, 3),
            "xlsx_seconds": round(xlsx_seconds, 3), "xlsx_ratio": round(xlsx_seconds / baseline, 3),
            "csv_bytes": len(csv_data), "xlsx_bytes": len(xlsx_data)}
