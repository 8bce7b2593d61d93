"""What workers report about their own record: a month worked and not declared, or a wage declared wrong.

A report is an item for inspectors: it counts in the employer's risk score and can be taken into a case.
The employer is not told who reported until an inspector decides to act (the worker's pages come with the
worker self-service; here is what inspectors see and decide).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import get_currency_precision
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError, NotFound
from common.period import Period
from contributions.declarations import lock_period
from contributions.rules.declaration_lines import parse_wage
from contributions.worker_record import record_month

KINDS = ("not_declared", "wrong_wage")
STATUSES = ("open", "in_case", "dismissed", "resolved")
# Reports that count in the risk score: not those an inspector found unfounded.
COUNTED = ("open", "in_case", "resolved")
MAX_NOTE = 2_000


class WorkerReport(Base):
    __tablename__ = "worker_report"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        CheckConstraint("length(period) = 7", name="period_format"),
        CheckConstraint("claimed_wage IS NULL OR claimed_wage >= 0", name="claimed_wage_positive"),
        Index("ix_worker_report_employer_id_period", "employer_id", "period"),
        Index("ix_worker_report_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(20))
    claimed_wage: Mapped[Decimal | None]
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_case.id"))
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(255))


def reports_of_employer(session: Session, employer_id: int) -> list[WorkerReport]:
    return list(session.scalars(select(WorkerReport).where(WorkerReport.employer_id == employer_id)
                                .order_by(WorkerReport.created_at.desc(), WorkerReport.id.desc()).limit(200)))


def reports_of_person(session: Session, person_id: int) -> list[WorkerReport]:
    """What the person reported, newest first."""
    return list(session.scalars(select(WorkerReport).where(WorkerReport.person_id == person_id)
                                .order_by(WorkerReport.created_at.desc(), WorkerReport.id.desc())))


def report_problem(session: Session, person_id: int, employer_id: int, period: str, kind: str, *,
                   claimed_wage: str | None, note: str, actor: Actor, now: dt.datetime, today: dt.date) -> WorkerReport:
    """A worker reports a problem with one month of their record with one employer: not declared, or declared
    with a wrong wage (then the wage they say they were paid is required).  Reporting the same problem again
    while it is open returns the first report (a double click files one).  The employer is told nothing here."""
    if kind not in KINDS:
        raise DomainError("report.kind_invalid")
    month = record_month(session, person_id, employer_id, period, today=today)
    if month is None:
        raise NotFound("report.not_found")
    if kind == "not_declared" and month.declared:
        raise DomainError("report.month_declared")
    wage = _claimed_wage(claimed_wage, month.currency, required=kind == "wrong_wage")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError("field.too_long", field="note")
    lock_period(session, employer_id, Period.parse(period))  # two clicks at once: the second finds the first
    existing = session.scalar(select(WorkerReport).where(
        WorkerReport.person_id == person_id, WorkerReport.employer_id == employer_id, WorkerReport.period == period,
        WorkerReport.kind == kind, WorkerReport.status == "open").order_by(WorkerReport.id).limit(1))
    if existing is not None:
        return existing
    report = WorkerReport(employer_id=employer_id, person_id=person_id, period=period, kind=kind, claimed_wage=wage,
                          note=note, status="open", created_at=now)
    session.add(report)
    session.flush()
    # The note is the worker's own words, and may say who they are: it stays in the report only.
    record_audit(session, actor=actor, action="worker_report.filed", now=now, object_type="worker_report",
                 object_id=report.id, summary=f"{kind} {period} employer {month.employer_number}"
                 + (f" claimed wage {wage} {month.currency}" if wage is not None else ""))
    return report


def _claimed_wage(text: str | None, currency: str, *, required: bool) -> Decimal | None:
    if not (text or "").strip():
        if required:
            raise DomainError("report.wage_invalid")
        return None
    wage = parse_wage(text, get_currency_precision(currency))
    if wage is None or wage < 0:
        raise DomainError("report.wage_invalid")
    return wage
