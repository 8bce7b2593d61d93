"""The night's jobs run twice at once (the scheduled run and a manual one for the same date) post
everything once, and a run after days off catches up.

On PostgreSQL the two runs overlap for real: the second waits on the job's advisory lock and then finds
nothing to do.  SQLite serialises writers, so there the runs follow each other and the test checks the same
outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from common.audit import Actor
from common.period import Period
from contributions.assessments import Assessment
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.jobs import JobRun
from contributions.ledger import LedgerEntry
from portal.jobs import NIGHTLY, run_job
from tests import factories
from tests.concurrency import at_once
from tests.conftest import migrated_database

NOW = dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 5, 30)


@contextmanager
def _seeded(database_url: str, tmp_path, suffix: str) -> Iterator[Engine]:
    """Two Tajik employers: one filed December 2025 and February 2026 late and nothing else; one with
    three workers that never filed.  Both owe interest, fines and assessments by the end of May."""
    with migrated_database(database_url, tmp_path, suffix) as engine:
        with Session(engine) as session:
            late = factories.employer_since(session, dt.date(2025, 12, 1), scheme_code="TJ-SOCTAX")
            factories.hire(session, late, wage="2000.00", hired_on="2025-12-01", document_type="passport")
            for period, filed in ((Period(2025, 12), dt.datetime(2026, 1, 30, tzinfo=dt.UTC)),
                                  (Period(2026, 2), dt.datetime(2026, 3, 30, tzinfo=dt.UTC))):
                draft = open_draft(session, late, period, actor=factories.ACTOR, now=filed)
                submit_declaration(session, late, draft.id, revision=None, actor=factories.ACTOR, now=filed)
            never = factories.employer_since(session, dt.date(2025, 12, 1), scheme_code="TJ-SOCTAX")
            for _ in range(3):
                factories.hire(session, never, wage="3000.00", hired_on="2025-12-01", document_type="passport")
            session.commit()
        yield engine


@pytest.fixture
def engine(database_url, tmp_path):
    with _seeded(database_url, tmp_path, "jobs") as engine:
        yield engine


def _state(engine) -> tuple:
    with Session(engine) as session:
        entries = session.execute(select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component,
                                         func.sum(LedgerEntry.debit - LedgerEntry.credit))
                                  .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component)
                                  .order_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component)).all()
        assessments = session.scalar(select(func.count()).select_from(Assessment))
        return tuple(entries), assessments


def _run_nightly(factory, as_of: dt.date) -> None:
    for name in NIGHTLY:
        run_job(factory, name, as_of=as_of, actor=Actor.system("tests"), now=lambda: NOW)


def test_two_overlapping_runs_post_once(engine) -> None:
    factory = sessionmaker(engine)
    results = at_once(engine, lambda: _run_nightly(factory, AS_OF), timeout=120)
    assert results == [None, None]
    twice = _state(engine)
    components = {component for _e, _p, component, _a in twice[0]}
    assert {"assessment", "fine", "interest"} <= components
    assert twice[1] == 5  # January to April 2026 of the non-filer, January 2026 of the late filer
    _run_nightly(factory, AS_OF)  # and a third time, after both: still nothing new
    assert _state(engine) == twice
    with Session(engine) as session:
        runs = session.execute(select(JobRun.job, JobRun.status)).all()
    assert sorted(runs) == sorted([(name, "finished") for name in NIGHTLY] * 3)


def test_a_run_after_days_off_gives_what_daily_runs_would_have(engine, database_url, tmp_path) -> None:
    with _seeded(database_url, tmp_path, "jobs_daily") as daily:
        day = AS_OF - dt.timedelta(days=12)
        while day <= AS_OF:
            _run_nightly(sessionmaker(daily), day)
            day += dt.timedelta(days=1)
        _run_nightly(sessionmaker(engine), AS_OF)
        assert _state(engine) == _state(daily)


def test_batches_of_employers_give_what_one_batch_gives(engine, database_url, tmp_path, monkeypatch) -> None:
    """A night's job commits a batch of employers at a time (so one transaction never holds a lock per
    employer and period of the whole scheme); batches of one give the same accounts as one batch."""
    import portal.jobs

    with _seeded(database_url, tmp_path, "jobs_batched") as batched:
        monkeypatch.setattr(portal.jobs, "JOB_BATCH", 1)
        _run_nightly(sessionmaker(batched), AS_OF)
        monkeypatch.undo()
        _run_nightly(sessionmaker(engine), AS_OF)
        assert _state(batched) == _state(engine)
        with Session(batched) as session:
            counts = session.scalars(select(JobRun.counts).where(JobRun.job == "assess_non_filers")).one()
        assert counts["TJ-SOCTAX"]["assessed"] == 5  # added up over the batches
