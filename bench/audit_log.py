"""Appending audit events through ``record_audit`` (the path every use case takes) against a plain
batched INSERT of the same rows.  Runs inside a transaction that is rolled back: nothing is kept."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import insert
from sqlalchemy.orm import Session

from common.audit import Actor, AuditEvent, record_audit
from common.db import make_engine
from portal import synthetic as datagen
from portal.schema import load_metadata

default_n = 50_000
BATCH = 1_000


def _rows(n: int) -> list[dict]:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [
        {"occurred_at": start + dt.timedelta(seconds=i), "actor_label": f"{p.given_name_latin}.{i}@example.test",
         "action": "auth.login", "object_type": "user", "object_id": str(i), "summary": p.family_name}
        for i, p in enumerate(datagen.people(n))
    ]


def run(url: str, n: int) -> dict:
    load_metadata()  # every table, so foreign keys resolve
    engine = make_engine(url)
    rows = _rows(n)
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        began = time.perf_counter()
        for offset in range(0, n, BATCH):
            for row in rows[offset:offset + BATCH]:
                record_audit(session, actor=Actor(None, row["actor_label"]), action=row["action"],
                             now=row["occurred_at"], object_type=row["object_type"], object_id=row["object_id"],
                             summary=row["summary"])
            session.flush()
            session.expunge_all()
        seconds = time.perf_counter() - began

        began = time.perf_counter()
        for offset in range(0, n, BATCH):
            connection.execute(insert(AuditEvent), rows[offset:offset + BATCH])
        baseline = time.perf_counter() - began
        session.close()
        transaction.rollback()
    engine.dispose()
    return {"n": n, "seconds": round(seconds, 3), "baseline_seconds": round(baseline, 3),
            "rows_per_second": round(n / seconds)}
