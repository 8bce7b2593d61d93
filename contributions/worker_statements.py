"""Statements of contributions: a worker's record for a range of months, printed as a PDF with a verification
code, so that a bank, an embassy or a landlord can check on the public page that the statement is genuine.

The code follows the scheme of the certificates of compliance (``contributions.certificates``): 16 random
characters of an unambiguous alphabet, in groups of four.  The verification page says only whose statement
it is, which months it covers and when it was issued; the figures are those of the record
(``contributions.worker_record``) and are printed from it each time the PDF is downloaded.
"""

from __future__ import annotations

import datetime as dt
import hmac
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError, NotFound
from common.period import Period
from common.schemes import Scheme
from contributions.certificates import normalize_code, unused_code
from contributions.worker_record import RecordYear, WorkerRecord, _gaps, _totals, worker_record
from employers.employers import LANGUAGES
from employers.persons import Person
from employers.registration import local_today

MAX_MONTHS = 120  # ten years: a longer career takes several statements


class WorkerStatement(Base):
    __tablename__ = "worker_statement"
    __table_args__ = (
        CheckConstraint("length(first_period) = 7", name="first_period_format"),
        CheckConstraint("length(last_period) = 7", name="last_period_format"),
        CheckConstraint("first_period <= last_period", name="range_ordered"),
        Index("ix_worker_statement_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    code: Mapped[str] = mapped_column(String(24), unique=True)
    first_period: Mapped[str] = mapped_column(String(7))
    last_period: Mapped[str] = mapped_column(String(7))
    language: Mapped[str] = mapped_column(String(2))
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[str] = mapped_column(String(255))
    # The document as issued: what its code vouches for, downloaded again unchanged even after a later
    # correction of the record (a new statement shows the new figures).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)


def person_scheme(session: Session, person: Person) -> Scheme:
    """The scheme of the country the person is registered in: its institution issues the statement, and its
    time zone says which month is the current one."""
    scheme = session.scalars(select(Scheme).where(Scheme.country == person.country).order_by(Scheme.code)
                             .limit(1)).first()
    if scheme is None:  # every person is registered through an employer of a scheme of their country
        raise LookupError(f"no scheme for country {person.country!r}")
    return scheme


def months_between(first: Period, last: Period) -> int:
    """How many months ``first`` to ``last`` cover, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _period(value: Period | str) -> Period:
    return value if isinstance(value, Period) else Period.parse(value)


def issue_statement(session: Session, person_id: int, *, first: Period | str, last: Period | str, language: str,
                    actor: Actor, now: dt.datetime) -> WorkerStatement:
    """Issue a statement of the person's contributions from ``first`` to ``last`` (``YYYY-MM``, both included)
    in ``language``.  The range must run forwards, cover at most ten years and end no later than the current
    month where the person is insured (``statement.range_invalid``).  Asked for again on the same day with
    the same range and language, it is the same statement (a double click gives one code, not two)."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("statement.person_not_found")
    first, last = _period(first), _period(last)
    scheme = person_scheme(session, person)
    today = local_today(scheme, now)
    if last < first or months_between(first, last) > MAX_MONTHS or last > Period.of(today):
        raise DomainError("statement.range_invalid", years=MAX_MONTHS // 12)
    if language not in LANGUAGES:
        raise DomainError("user.locale_unknown")
    since = dt.datetime.combine(today, dt.time(0), tzinfo=ZoneInfo(scheme.time_zone))
    same_day = session.scalar(select(WorkerStatement).where(
        WorkerStatement.person_id == person_id, WorkerStatement.first_period == str(first),
        WorkerStatement.last_period == str(last), WorkerStatement.language == language,
        WorkerStatement.issued_at >= since).order_by(WorkerStatement.id.desc()).limit(1))
    if same_day is not None:
        return same_day
    statement = WorkerStatement(person_id=person_id, code=unused_code(session, WorkerStatement.code),
                                first_period=str(first), last_period=str(last), language=language, issued_at=now,
                                issued_by=actor.label[:255])
    session.add(statement)
    session.flush()
    record_audit(session, actor=actor, action="worker_statement.issued", now=now, object_type="worker_statement",
                 object_id=statement.id, summary=f"{person.social_security_number} {statement.code} {first} to {last}")
    return statement


def verify_statement(session: Session, code: str | None) -> WorkerStatement | None:
    """The statement with ``code`` (typed with or without dashes, in any case), or None.  One indexed lookup
    whatever was typed, so that the answer's time does not depend on how close the code came to a real one."""
    normalized = normalize_code(code) or ""
    statement = session.scalar(select(WorkerStatement).where(WorkerStatement.code == normalized))
    if statement is None or not hmac.compare_digest(statement.code, normalized):
        return None
    return statement


def statements_of(session: Session, person_id: int, *, limit: int = 20) -> list[WorkerStatement]:
    """The person's latest statements, the newest first."""
    return list(session.scalars(select(WorkerStatement).where(WorkerStatement.person_id == person_id)
                                .order_by(WorkerStatement.issued_at.desc(), WorkerStatement.id.desc()).limit(limit)))


def statement_record(session: Session, statement: WorkerStatement, *, today: dt.date) -> WorkerRecord:
    """The person's record as on ``today``, cut to the statement's months: years and months newest first, the
    totals of each year and of the whole range counting only those months."""
    whole = worker_record(session, statement.person_id, today=today)
    years = []
    for year in whole.years:
        months = [month for month in year.months if statement.first_period <= month.period <= statement.last_period]
        if months:
            years.append(RecordYear(year.year, months, _totals(months), _gaps(months)))
    months = [month for year in years for month in year.months]
    return WorkerRecord(statement.person_id, years, _totals(months), _gaps(months))
