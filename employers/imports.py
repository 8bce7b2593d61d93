"""Bulk import of hires and leavers from a file: validate the whole file first, then import nothing or only
the valid rows.  Set-based: one query per kind of lookup for the whole file, inserts in batches.

Re-uploading a file creates nothing twice: a person is found by document, and a hire that already exists
(same person, employer and hire date) is reported as already imported, not as an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError
from employers.employers import Employer
from employers.import_files import cell_text, map_headers, read_table
from employers.numbers import next_values
from employers.persons import Employment, Person, PossibleDuplicate
from employers.registration import local_today
from employers.rules import format_number, normalise_number
from employers.worker_rules import (
    employment_problems,
    end_problems,
    overlaps,
    parse_amount,
    parse_date,
    person_problems,
)
from employers.workers import wage_places

COLUMNS = ("action", "document_type", "document_country", "document_number", "given_name", "family_name",
           "given_name_latin", "family_name_latin", "birth_date", "sex", "nationality", "phone", "hired_on",
           "job_title", "contract_type", "monthly_wage", "ended_on", "end_reason")
REQUIRED_COLUMNS = ("action", "document_type", "document_country", "document_number")
ACTIONS = ("hire", "leave")
BATCH = 1_000
BATCH_STATUSES = ("validated", "imported", "discarded")


class ImportBatch(Base):
    """An uploaded file, kept between the validation report and the user's decision."""

    __tablename__ = "import_batch"
    __table_args__ = (
        CheckConstraint(f"status IN {BATCH_STATUSES!r}", name="status_known"),
        Index("ix_import_batch_employer_id_sha256", "employer_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="validated")
    total_rows: Mapped[int] = mapped_column(default=0)
    valid_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    uploaded_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]


@dataclass
class RowResult:
    row: int  # as the user sees it in the file: the header is row 1
    action: str
    values: dict[str, object]
    problems: list[tuple[str, str, dict]] = field(default_factory=list)
    already: bool = False  # the same hire exists: nothing to do

    @property
    def status(self) -> str:
        return "invalid" if self.problems else ("already" if self.already else "valid")


@dataclass
class ImportReport:
    rows: list[RowResult]
    file_problems: list[tuple[str, str, dict]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def invalid(self) -> list[RowResult]:
        return [row for row in self.rows if row.status == "invalid"]


def _document_key(values: Mapping[str, object]) -> tuple[str, str, str]:
    return (str(values.get("document_type") or "").strip(), str(values.get("document_country") or "").strip().upper(),
            normalise_number(str(values.get("document_number") or "")))


def parse_file(filename: str, data: bytes, aliases: Mapping[str, str], *, max_rows: int) -> list[RowResult]:
    """Rows of the file as field dicts; raises ``DomainError`` for a file that cannot be taken at all."""
    header, body = read_table(filename, data, max_rows=max_rows)
    keys = map_headers(header, aliases)
    missing = [column for column in REQUIRED_COLUMNS if column not in keys]
    if missing:
        raise DomainError("import.columns_missing", columns=", ".join(missing))
    rows = []
    for number, cells in enumerate(body, start=2):
        values = {key: cell_text(cell) for key, cell in zip(keys, cells, strict=False) if key}
        if not any(str(v).strip() for v in values.values()):
            continue
        action = str(values.get("action") or "").strip().lower()
        rows.append(RowResult(number, action, values))
    return rows


def validate(session: Session, employer: Employer, rows: list[RowResult], *, now: dt.datetime) -> ImportReport:
    """Check every row (all problems of a row, not only the first) and the file as a whole."""
    today = local_today(employer.scheme, now)
    places = wage_places(employer)
    seen: dict[tuple[str, tuple[str, str, str]], int] = {}
    for row in rows:
        values = row.values
        if row.action not in ACTIONS:
            row.problems.append(("action", "import.action_unknown", {}))
            continue
        key = _document_key(values)
        first = seen.setdefault((row.action, key), row.row)
        if first != row.row:
            row.problems.append(("document_number", "import.duplicate_row", {"row": first}))
        if row.action == "hire":
            problems = person_problems(values, today=today)
            problems += employment_problems(values, birth_date=parse_date(values.get("birth_date")),
                                            registered_on=employer.registered_on, wage_places=places)
        else:
            problems = [p for p in person_problems(values, today=today) if p[0] in ("document_type",
                        "document_country", "document_number")]
            problems += end_problems(values.get("ended_on"), values.get("end_reason"), hired_on=dt.date.min)
        row.problems.extend((column, code, {}) for column, code in problems)
    _check_against_database(session, employer, [row for row in rows if not row.problems])
    return ImportReport(rows)


def _persons_by_document(session: Session, keys: Iterable[tuple[str, str, str]]) -> dict[tuple, int]:
    """Person ids by (document type, country, number), one query per thousand documents."""
    wanted = set(keys)
    numbers = sorted({number for _, _, number in wanted})
    found: dict[tuple, int] = {}
    for start in range(0, len(numbers), BATCH):
        for person_id, *key in session.execute(
            select(Person.id, Person.document_type, Person.document_country, Person.document_number)
            .where(Person.document_number.in_(numbers[start:start + BATCH]))
        ):
            if tuple(key) in wanted:
                found[tuple(key)] = person_id
    return found


def _employments_of(session: Session, employer_id: int, person_ids: list[int]) -> dict[int, list[Employment]]:
    result: dict[int, list[Employment]] = {}
    for start in range(0, len(person_ids), BATCH):
        for job in session.scalars(select(Employment).where(Employment.employer_id == employer_id,
                                                            Employment.person_id.in_(person_ids[start:start + BATCH]))):
            result.setdefault(job.person_id, []).append(job)
    return result


def _identities(session: Session, person_ids: list[int]) -> dict[int, tuple]:
    found: dict[int, tuple] = {}
    for start in range(0, len(person_ids), BATCH):
        for person_id, born, family in session.execute(
            select(Person.id, Person.birth_date, Person.family_name_latin)
            .where(Person.id.in_(person_ids[start:start + BATCH]))
        ):
            found[person_id] = (born, family.casefold())
    return found


def _check_against_database(session: Session, employer: Employer, rows: list[RowResult]) -> None:
    persons = _persons_by_document(session, (_document_key(row.values) for row in rows))
    jobs = _employments_of(session, employer.id, list(persons.values()))
    identities = _identities(session, list(persons.values()))
    for row in rows:
        person_id = persons.get(_document_key(row.values))
        existing = jobs.get(person_id, []) if person_id else []
        if row.action == "hire" and person_id and identities[person_id] != (
                parse_date(row.values.get("birth_date")),
                str(row.values.get("family_name_latin") or "").strip().casefold()):
            # A known document with other details: neither linked nor shown.
            row.problems.append(("document_number", "person.identity_mismatch", {}))
            continue
        if row.action == "leave":
            ended = parse_date(row.values.get("ended_on"))
            if any(job.ended_on == ended for job in existing) and not any(job.ended_on is None for job in existing):
                row.already = True
                continue
            if not any(job.ended_on is None for job in existing):
                row.problems.append(("document_number", "import.no_open_employment", {}))
            else:
                job = next(job for job in existing if job.ended_on is None)
                if parse_date(row.values.get("ended_on")) < job.hired_on:
                    row.problems.append(("ended_on", "employment.ends_before_start", {}))
            continue
        hired = parse_date(row.values.get("hired_on"))
        if any(job.hired_on == hired for job in existing):
            row.already = True
        elif any(overlaps(hired, None, job.hired_on, job.ended_on) for job in existing):
            row.problems.append(("hired_on", "employment.overlaps", {}))


def _person_row(values: Mapping[str, object], *, country: str, number: str, now: dt.datetime) -> dict[str, object]:
    document_type, document_country, document_number = _document_key(values)
    return {
        "country": country, "social_security_number": number, "document_type": document_type,
        "document_country": document_country, "document_number": document_number,
        "given_name": str(values.get("given_name")).strip(), "family_name": str(values.get("family_name")).strip(),
        "given_name_latin": str(values.get("given_name_latin")).strip(),
        "family_name_latin": str(values.get("family_name_latin")).strip(),
        "birth_date": parse_date(values.get("birth_date")), "sex": str(values.get("sex")).strip().upper(),
        "nationality": str(values.get("nationality")).strip().upper(), "phone": str(values.get("phone") or "").strip(),
        "created_at": now,
    }


def import_valid_rows(
    session: Session, employer: Employer, report: ImportReport, *, actor: Actor, now: dt.datetime,
    batch: ImportBatch | None = None,
) -> dict[str, int]:
    """Write the valid rows of ``report`` (the invalid ones are left out); returns counts.  Runs in the
    caller's transaction: nothing is written if it fails half-way."""
    if employer.status != "active":
        raise DomainError("employer.not_active")
    valid = [row for row in report.rows if row.status == "valid"]
    hires = [row for row in valid if row.action == "hire"]
    leaves = [row for row in valid if row.action == "leave"]
    persons = _persons_by_document(session, (_document_key(row.values) for row in hires + leaves))
    scheme = employer.scheme
    number_format = scheme.registry_settings["person_number"]
    new_rows = {_document_key(row.values): row for row in hires if _document_key(row.values) not in persons}
    created = 0
    if new_rows:
        last = next_values(session, f"person:{scheme.country}", len(new_rows))
        first = last - len(new_rows) + 1
        payload = [_person_row(row.values, country=scheme.country, number=format_number(number_format, first + i),
                               now=now) for i, row in enumerate(new_rows.values())]
        for start in range(0, len(payload), BATCH):
            chunk = payload[start:start + BATCH]
            ids = session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), chunk).all()
            for values, person_id in zip(chunk, ids, strict=True):
                values["id"] = person_id
                persons[(values["document_type"], values["document_country"], values["document_number"])] = person_id
        created = len(payload)
        _flag_duplicates(session, employer, payload, now=now)
    places = wage_places(employer)
    jobs = [{"employer_id": employer.id, "person_id": persons[_document_key(row.values)],
             "hired_on": parse_date(row.values.get("hired_on")), "job_title": str(row.values.get("job_title") or ""),
             "contract_type": str(row.values.get("contract_type")), "created_at": now, "ended_on": None,
             "end_reason": None, "monthly_wage": parse_amount(row.values.get("monthly_wage"), places)}
            for row in hires]
    for start in range(0, len(jobs), BATCH):
        session.execute(insert(Employment), jobs[start:start + BATCH])
    if leaves:
        open_jobs = {job.person_id: job for jobs_ in _employments_of(
            session, employer.id, [persons[_document_key(row.values)] for row in leaves]).values()
            for job in jobs_ if job.ended_on is None}
        for row in leaves:
            job = open_jobs[persons[_document_key(row.values)]]
            job.ended_on, job.end_reason = parse_date(row.values.get("ended_on")), str(row.values.get("end_reason"))
        session.flush()
    counts = {"persons_created": created, "hires": len(hires), "leavers": len(leaves),
              "already": report.count("already"), "invalid": report.count("invalid")}
    record_audit(session, actor=actor, action="workers.imported", now=now, object_type="employer",
                 object_id=employer.id, summary=", ".join(f"{k} {v}" for k, v in counts.items())
                 + (f"; file {batch.filename} sha256 {batch.sha256[:12]}" if batch else ""))
    if batch is not None:
        batch.imported_rows = len(valid)
    return counts


def _flag_duplicates(session: Session, employer: Employer, new: list[dict], *, now: dt.datetime) -> None:
    """Likely duplicates among the new persons: the same Latin names and birth date as a person with
    another document.  One query per thousand birth dates in the file."""
    new_ids = {p["id"] for p in new}
    index: dict[tuple, list[int]] = {}
    dates = sorted({p["birth_date"] for p in new})
    for start in range(0, len(dates), BATCH):
        for person_id, given, family, born in session.execute(
            select(Person.id, Person.given_name_latin, Person.family_name_latin, Person.birth_date)
            .where(Person.birth_date.in_(dates[start:start + BATCH]))
        ):
            index.setdefault((given.lower(), family.lower(), born), []).append(person_id)
    flags = [{"person_id": p["id"], "similar_person_id": other, "reported_by_employer_id": employer.id,
              "status": "open", "created_at": now, "resolution_note": ""}
             for p in new
             for other in index.get((p["given_name_latin"].lower(), p["family_name_latin"].lower(), p["birth_date"]),
                                    [])
             if other != p["id"] and (other not in new_ids or other < p["id"])]
    if flags:
        session.execute(insert(PossibleDuplicate), flags)


def claim_batch(session: Session, employer_id: int, batch_id: int, decision: str, *, now: dt.datetime) -> bool:
    """Mark a validated upload of the employer as imported or discarded, once: of two requests deciding the
    same upload at the same time, only one gets True (the row lock serialises them)."""
    status = {"import": "imported", "discard": "discarded"}[decision]
    result = session.execute(
        ImportBatch.__table__.update()
        .where(ImportBatch.id == batch_id, ImportBatch.employer_id == employer_id, ImportBatch.status == "validated")
        .values(status=status, decided_at=now)
    )
    return result.rowcount == 1


def store_upload(session: Session, employer: Employer, filename: str, data: bytes, report: ImportReport, *,
                 actor: Actor, now: dt.datetime) -> ImportBatch:
    batch = ImportBatch(employer_id=employer.id, filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                        content=data, status="validated", total_rows=len(report.rows),
                        valid_rows=report.count("valid"), imported_rows=0, uploaded_by=actor.label, created_at=now)
    session.add(batch)
    session.flush()
    record_audit(session, actor=actor, action="workers.upload_validated", now=now, object_type="import_batch",
                 object_id=batch.id, summary=f"{filename}: {len(report.rows)} rows, {report.count('valid')} valid, "
                 f"{report.count('invalid')} with problems, {report.count('already')} already imported")
    return batch
