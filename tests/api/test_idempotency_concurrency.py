"""Two identical API calls at once, with the same Idempotency-Key: one does the work, the other answers with
its answer.

The app here opens its own sessions and commits for real.  On PostgreSQL the two calls truly overlap: the
second's claim of the key waits on the unique index of (scope, key) until the first commits, then finds the
kept answer and replays it.  SQLite serialises writers by design, so there the two calls run one after the
other and the test checks the same outcome.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.idempotency import IdempotentRequest
from common.period import Period
from contributions.declarations import Declaration
from contributions.drafts import open_draft
from contributions.ledger import LedgerEntry
from employers.api_tokens import create_api_token
from employers.persons import Employment
from tests import factories
from tests.api.conftest import REGISTERED
from tests.concurrency import at_once
from tests.conftest import migrated_database


@pytest.fixture
def committing(database_url, tmp_path, app_config, instance_path):
    """A migrated database of its own with an employer, two workers, a draft and a write token, and an app
    that opens its own sessions on it."""
    from portal import create_app
    from portal.database import session_factory

    with migrated_database(database_url, tmp_path, "apiidem") as engine:
        now = dt.datetime.now(dt.UTC)
        with Session(engine) as session:
            employer = factories.employer_since(session, REGISTERED)
            for wage in ("3000000", "5000000"):
                factories.hire(session, employer, wage=wage)
            draft = open_draft(session, employer, Period(2026, 5), actor=factories.ACTOR, now=now)
            _row, token = create_api_token(session, employer, name="Payroll", scope="write", days=90,
                                           actor=factories.ACTOR, now=now)
            session.commit()
            world = {"employer_id": employer.id, "draft_id": draft.id, "token": token}
        app = create_app({**app_config, "DATABASE_URL": engine.url.render_as_string(hide_password=False)})
        try:
            yield engine, app, world
        finally:
            session_factory(app).kw["bind"].dispose()


def _at_once(engine, app, call: Callable) -> list:
    """``call(client)`` twice at once, each with its own test client (and so its own request and session)."""
    return at_once(engine, lambda: call(app.test_client()))


def _one_did_it_one_replayed(answers: list) -> None:
    assert len(answers) == 2 and not any(isinstance(a, BaseException) for a in answers), answers
    first, second = answers
    assert first.status_code == second.status_code, [first.get_json(), second.get_json()]
    assert first.get_data() == second.get_data()
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]


def _count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_one_hire_sent_twice_at_once_is_registered_once(committing) -> None:
    engine, app, world = committing
    key = str(uuid.uuid4())
    body = {"person": factories.person_values(document_country="LA", nationality="LA"),
            "employment": factories.employment_values(hired_on="2025-03-03")}
    headers = {"Authorization": f"Bearer {world['token']}", "Idempotency-Key": key}
    answers = _at_once(engine, app, lambda client: client.post("/api/v1/workers", json=body, headers=headers))
    _one_did_it_one_replayed(answers)
    assert answers[0].status_code == 201, answers[0].get_json()
    assert _count(engine, Employment, Employment.employer_id == world["employer_id"]) == 3
    assert _count(engine, IdempotentRequest, IdempotentRequest.key == key) == 1


def test_one_submission_sent_twice_at_once_files_once_and_charges_once(committing) -> None:
    engine, app, world = committing
    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {world['token']}", "Idempotency-Key": key}
    path = f"/api/v1/declarations/{world['draft_id']}/submit"
    answers = _at_once(engine, app, lambda client: client.post(path, json={"revision": 0}, headers=headers))
    _one_did_it_one_replayed(answers)
    assert answers[0].status_code == 200, answers[0].get_json()
    assert answers[0].get_json()["status"] == "submitted"
    with Session(engine) as session:
        filed = session.scalars(select(Declaration).where(Declaration.status != "draft")).all()
        assert [(d.id, d.version) for d in filed] == [(world["draft_id"], 1)]
        charges = session.scalars(select(LedgerEntry).where(LedgerEntry.employer_id == world["employer_id"])).all()
        assert len(charges) == 2 and {c.declaration_id for c in charges} == {world["draft_id"]}
        assert sum(c.debit for c in charges) == filed[0].total
