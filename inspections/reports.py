"""What workers report about their own record: a month worked and not declared, or a wage declared wrong.

A report is an item for inspectors: it counts in the employer's risk score and can be taken into a case.
The employer is not told who reported until an inspector decides to act (the worker's pages come with the
worker self-service; here is what inspectors see and decide).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base

KINDS = ("not_declared", "wrong_wage")
STATUSES = ("open", "in_case", "dismissed", "resolved")
# Reports that count in the risk score: not those an inspector found unfounded.
COUNTED = ("open", "in_case", "resolved")


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
