"""The scheduled jobs by name, and how a run is recorded: ``portal jobs run NAME --as-of DATE`` and the
scheduler both go through ``run_job``.  Each job commits its own steps (one scheme, one batch), so a failure
keeps what was done before it; the run is recorded as finished with its counts, or failed with the error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.audit import Actor
from common.schemes import Scheme
from contributions.interest import post_interest
from contributions.jobs import JobRun
from portal.payment_jobs import run_reconciliation

SessionMaker = Callable[[], Session]


def _reconcile(new_session: SessionMaker, as_of: dt.date, actor: Actor, now: Callable[[], dt.datetime]) -> dict:
    run = run_reconciliation(new_session, now=now, actor=actor)
    return {"examined": run.examined, "matched_by_reference": run.matched_by_reference,
            "matched_by_employer": run.matched_by_employer, "unmatched": run.unmatched}


def _interest(new_session: SessionMaker, as_of: dt.date, actor: Actor, now: Callable[[], dt.datetime]) -> dict:
    counts: dict[str, object] = {}
    with new_session() as session:
        schemes = list(session.scalars(select(Scheme.code).order_by(Scheme.code)))
    for code in schemes:
        with new_session() as session:
            done = post_interest(session, code, as_of=as_of, actor=actor, now=now())
            session.commit()
        counts[code] = {"late_debts": done.debts, "periods_changed": done.periods_changed, "net": str(done.posted)}
    return counts


JOBS: dict[str, Callable[[SessionMaker, dt.date, Actor, Callable[[], dt.datetime]], dict]] = {
    "reconcile_payments": _reconcile,
    "post_interest": _interest,
}


def run_job(new_session: SessionMaker, name: str, *, as_of: dt.date, actor: Actor,
            now: Callable[[], dt.datetime]) -> JobRun:
    if name not in JOBS:
        raise KeyError(name)
    with new_session() as session:
        run = JobRun(job=name, as_of=as_of, started_at=now(), status="running", started_by=actor.label, counts={},
                     error="")
        session.add(run)
        session.commit()
        run_id = run.id
    counts: dict = {}
    error = ""
    try:
        counts = JOBS[name](new_session, as_of, actor, now)
    except Exception as exc:  # noqa: BLE001 - recorded on the run, then raised again
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        with new_session() as session:
            run = session.get(JobRun, run_id)
            run.finished_at, run.counts = now(), counts
            run.status, run.error = ("failed", error[:2000]) if error else ("finished", "")
            session.commit()
    return run


def local_today(time_zone: str, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(time_zone)).date()
