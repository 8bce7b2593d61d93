"""The worker list of an employer with 20,000 workers, rendered through the whole web stack (routing,
access check, query, template) with Flask's test client: the median of 20 requests.  Baseline: the same
page's query alone.  Everything runs in a transaction that is rolled back."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bench.workers_import import ACTOR, ALIASES, NOW, _csv, _employer, _rows
from common.db import make_engine
from employers.accounts import Role, create_user
from employers.imports import import_valid_rows, parse_file, validate
from employers.workers import worker_query
from portal.schema import load_metadata

default_n = 20_000
REQUESTS = 20
PASSWORD = "bench passphrase 2026"


def run(url: str, n: int) -> dict:
    load_metadata()
    os.environ.setdefault("PORTAL_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-instance-"))
    from portal import create_app

    engine = make_engine(url)
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        employer = _employer(session)
        report = validate(session, employer, parse_file("w.csv", _csv(_rows(n)), ALIASES, max_rows=100_000), now=NOW)
        import_valid_rows(session, employer, report, actor=ACTOR, now=NOW)
        create_user(session, email="bench-clerk@example.test", full_name="Bench", role=Role.EMPLOYER_CLERK,
                    password=PASSWORD, employer_id=employer.id, actor=ACTOR, now=NOW)
        session.commit()
        app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False},
                         session_factory=sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
        client = app.test_client()
        login = client.post("/login", data={"email": "bench-clerk@example.test", "password": PASSWORD})
        assert login.status_code == 302
        timings = []
        for i in range(REQUESTS + 2):
            began = time.perf_counter()
            response = client.get("/employer/workers", query_string={"page": 1 + i % 5})
            elapsed = time.perf_counter() - began
            assert response.status_code == 200
            if i >= 2:  # the first two warm the caches
                timings.append(elapsed)
        search = []
        for _ in range(5):
            began = time.perf_counter()
            assert client.get("/employer/workers", query_string={"q": "phommavong", "show": "all"}).status_code == 200
            search.append(time.perf_counter() - began)
        baseline = []
        today = dt.date(2026, 11, 27)
        for i in range(REQUESTS):
            began = time.perf_counter()
            session.scalars(worker_query(employer.id, current_on=today).offset((i % 5) * 50).limit(50)).all()
            baseline.append(time.perf_counter() - began)
        session.execute(select(1))
        session.close()
        transaction.rollback()
    engine.dispose()
    p50 = statistics.median(timings)
    return {"n": n, "seconds": round(p50, 4), "baseline_seconds": round(statistics.median(baseline), 4),
            "p50_ms": round(p50 * 1000, 1), "p95_ms": round(sorted(timings)[int(len(timings) * 0.95) - 1] * 1000, 1),
            "search_p50_ms": round(statistics.median(search) * 1000, 1)}
