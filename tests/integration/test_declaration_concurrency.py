"""Two requests at once on the same period: one draft, one filed declaration, charges posted once.

On PostgreSQL the two run truly at the same time (row locks and the one-draft index decide).  SQLite
serialises writers by design, so there the two run one after the other and the test checks the same
outcome: the second request finds the work done and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.period import Period
from contributions.declarations import Declaration
from contributions.drafts import open_draft
from contributions.filing import file_nil, submit_declaration
from contributions.ledger import LedgerEntry
from employers.employers import Employer
from tests import factories
from tests.concurrency import at_once
from tests.conftest import migrated_database

NOW = dt.datetime(2026, 5, 12, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine_with_employer(database_url, tmp_path):
    with migrated_database(database_url, tmp_path, "concurrency") as engine:
        with Session(engine) as session:
            employer = factories.employer_since(session, dt.date(2025, 1, 2))
            for wage in ("3000000", "5000000"):
                factories.hire(session, employer, wage=wage)
            session.commit()
            employer_id = employer.id
        yield engine, employer_id


def _twice(engine, employer_id: int, action: Callable[[Session, Employer], object]) -> list[object]:
    """``action`` in two sessions at once, each committing what it did."""
    def run() -> object:
        with Session(engine) as session:
            result = action(session, session.get(Employer, employer_id))
            session.commit()
            return result

    return at_once(engine, run)


def test_two_requests_opening_the_same_period_share_one_draft(engine_with_employer) -> None:
    engine, employer_id = engine_with_employer
    results = _twice(engine, employer_id,
                     lambda s, e: open_draft(s, e, Period(2026, 4), actor=factories.ACTOR, now=NOW).id)
    assert len(results) == 2 and all(isinstance(r, int) for r in results), results
    assert results[0] == results[1]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Declaration)) == 1


def test_two_submissions_of_the_same_draft_file_it_once(engine_with_employer) -> None:
    engine, employer_id = engine_with_employer
    with Session(engine) as session:
        draft_id = open_draft(session, session.get(Employer, employer_id), Period(2026, 4), actor=factories.ACTOR,
                              now=NOW).id
        session.commit()
    results = _twice(engine, employer_id, lambda s, e: submit_declaration(
        s, e, draft_id, revision=None, actor=factories.ACTOR, now=NOW).created)
    assert sorted(results, key=str) == [False, True], results
    with Session(engine) as session:
        filed = session.get(Declaration, draft_id)
        assert filed.status == "submitted" and filed.version == 1
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 2
        charged = session.scalar(select(func.sum(LedgerEntry.debit)))
        assert charged == filed.total


def test_two_identical_nil_declarations_at_once_file_one(engine_with_employer) -> None:
    engine, employer_id = engine_with_employer
    results = _twice(engine, employer_id, lambda s, e: file_nil(
        s, e, Period(2026, 4), "Closed", actor=factories.ACTOR, now=NOW).created)
    assert sorted(results, key=str) == [False, True], results  # the second finds it filed
    with Session(engine) as session:
        filed = session.scalars(select(Declaration).where(Declaration.status != "draft")).all()
        assert [(d.is_nil, d.version) for d in filed] == [(True, 1)]
