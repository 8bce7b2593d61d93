"""Two administrators create a token with the same name at the same moment: one token, one refusal.

On PostgreSQL the two transactions overlap for real and the employer's row lock makes the second count and
name the tokens after the first has committed.  SQLite serialises writers, so there the two run one after
the other and the test checks the same outcome."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from common.errors import DomainError
from employers.api_tokens import create_api_token, tokens_of
from employers.employers import Employer
from tests import factories
from tests.concurrency import at_once
from tests.conftest import migrated_database


def test_two_creations_at_once_of_the_same_name_give_one_token(database_url, tmp_path) -> None:
    with migrated_database(database_url, tmp_path, "tokens") as engine:
        with Session(engine) as session:
            employer_id = factories.employer(session).id
            session.commit()

        def create() -> str:
            with Session(engine) as session:
                create_api_token(session, session.get(Employer, employer_id), name="Payroll", scope="write",
                                 days=90, actor=factories.ACTOR, now=dt.datetime.now(dt.UTC))
                session.commit()
            return "created"

        results = [r.code if isinstance(r, DomainError) else r for r in at_once(engine, create)]
        assert sorted(results) == ["api_token.name_taken", "created"]
        with Session(engine) as session:
            assert [row.name for row in tokens_of(session, employer_id)] == ["Payroll"]
