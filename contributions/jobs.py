"""Runs of scheduled jobs: what ran, for which date, when, how it ended, with its counts or error.

Jobs take an ``as_of`` date and are idempotent (see each job); the record lets staff see that the night's
work was done, and what a failed run said.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base

JOB_STATUSES = ("running", "finished", "failed")


class JobRun(Base):
    __tablename__ = "job_run"
    __table_args__ = (
        CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status_known"),
        Index("ix_job_run_job_as_of", "job", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    as_of: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(10))
    started_by: Mapped[str] = mapped_column(String(255))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")


def recent_runs(session: Session, *, job: str | None = None, limit: int = 50) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == job)
    return list(session.scalars(query))
