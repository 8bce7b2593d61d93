"""The night forgets the API's kept answers once their retry window (7 days) has passed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from common.audit import Actor
from common.idempotency import IdempotentRequest, claim_key, keep_answer
from portal.jobs import NIGHTLY, run_job

NOW = dt.datetime(2026, 11, 20, 19, 30, tzinfo=dt.UTC)


def test_the_nightly_purge_forgets_answers_older_than_a_week(db, session_factory) -> None:
    for key, age in (("old", dt.timedelta(days=8)), ("recent", dt.timedelta(days=6))):
        claim = claim_key(db, scope="employer:1", key=key, fingerprint="f" * 64, now=NOW - age)
        keep_answer(claim.row, status_code=201, content_type="application/json", body="{}", location=None)
    db.commit()
    assert "purge_idempotency_keys" in NIGHTLY
    run = run_job(session_factory, "purge_idempotency_keys", as_of=NOW.date(), actor=Actor.system("test"),
                  now=lambda: NOW)
    assert run.status == "finished" and run.counts == {"removed": 1}
    assert list(db.scalars(select(IdempotentRequest.key).execution_options(populate_existing=True))) == ["recent"]
