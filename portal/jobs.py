"""The scheduled jobs by name, and how a run is recorded: ``portal jobs run NAME --as-of DATE`` and the
scheduler both go through ``run_job``.  Each job commits its own steps (one scheme, one batch), so a failure
keeps what was done before it; the run is recorded as finished with its counts, or failed with the error."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from common.audit import Actor
from common.errors import DomainError
from common.idempotency import purge_answers
from common.schemes import Scheme
from contributions.assessments import assess_non_filers
from contributions.fines import post_fines
from contributions.interest import post_interest
from contributions.jobs import JobRun
from employers.employers import Employer
from inspections.risk import compute_risk
from portal.notices import send_notices_job
from portal.payment_jobs import run_reconciliation

SessionMaker = Callable[[], Session]
# Names the jobs' advisory locks (the second key is the job and scheme).
JOB_LOCK_KEY = 771_002
JOB_BATCH = 500  # employers a transaction of a night's job covers


def _reconcile(new_session: SessionMaker, as_of: dt.date, actor: Actor, now: Callable[[], dt.datetime]) -> dict:
    run = run_reconciliation(new_session, now=now, actor=actor)
    return {"examined": run.examined, "matched_by_reference": run.matched_by_reference,
            "matched_by_employer": run.matched_by_employer, "unmatched": run.unmatched}


def _per_scheme(job: str, work: Callable[..., object]) -> Callable[..., dict]:
    """A job run scheme by scheme and, within a scheme, a batch of employers at a time, each batch its own
    transaction under a transaction-level advisory lock per job and scheme: a manual run that overlaps the
    scheduled one waits for each batch, then finds nothing left to do in it.  Batches keep the locks one
    transaction takes (per employer and period) within what the database can hold, and what a failure
    loses to one batch (the run is recorded failed; the next run does the rest).  The counts of the
    batches are added up."""

    def run(new_session: SessionMaker, as_of: dt.date, actor: Actor, now: Callable[[], dt.datetime]) -> dict:
        counts: dict[str, object] = {}
        with new_session() as session:
            schemes = list(session.scalars(select(Scheme.code).order_by(Scheme.code)))
        for code in schemes:
            with new_session() as session:
                ids = list(session.scalars(select(Employer.id).where(
                    Employer.scheme_code == code, Employer.employer_number.is_not(None)).order_by(Employer.id)))
            total: dict[str, object] = {}
            for start in range(0, len(ids), JOB_BATCH):
                with new_session() as session:
                    _advisory_lock(session, job, code)
                    done = work(session, code, as_of=as_of, actor=actor, now=now(),
                                employer_ids=ids[start:start + JOB_BATCH])
                    session.commit()
                for name, value in vars(done).items():
                    total[name] = total.get(name, 0) + value
            counts[code] = {name: value if isinstance(value, int) else str(value) for name, value in total.items()}
        return counts

    return run


def _scheme_at_once(job: str, work: Callable[..., object]) -> Callable[..., dict]:
    """A job run scheme by scheme, each scheme in one transaction under the job's advisory lock: for work
    that replaces a scheme's rows as a whole (set-based, with no per-employer locks to hold)."""

    def run(new_session: SessionMaker, as_of: dt.date, actor: Actor, now: Callable[[], dt.datetime]) -> dict:
        counts: dict[str, object] = {}
        with new_session() as session:
            schemes = list(session.scalars(select(Scheme.code).order_by(Scheme.code)))
        for code in schemes:
            with new_session() as session:
                _advisory_lock(session, job, code)
                done = work(session, code, as_of=as_of, actor=actor, now=now())
                session.commit()
            counts[code] = {name: value if isinstance(value, int) else str(value) for name, value in vars(done).items()}
        return counts

    return run


def _purge_idempotency_keys(new_session: SessionMaker, as_of: dt.date, actor: Actor,
                            now: Callable[[], dt.datetime]) -> dict:
    """Forget the answers kept for API idempotency keys once their retry window has passed."""
    with new_session() as session:
        removed = purge_answers(session, now=now())
        session.commit()
    return {"removed": removed}


def _advisory_lock(session: Session, job: str, scheme_code: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:job, :scheme)"),
                        {"job": JOB_LOCK_KEY, "scheme": zlib.crc32(f"{job}:{scheme_code}".encode()) - 2**31})


JOBS: dict[str, Callable[[SessionMaker, dt.date, Actor, Callable[[], dt.datetime]], dict]] = {
    "reconcile_payments": _reconcile,
    "assess_non_filers": _per_scheme("assess_non_filers", assess_non_filers),
    "post_fines": _per_scheme("post_fines", post_fines),
    "post_interest": _per_scheme("post_interest", post_interest),
    "send_notices": _per_scheme("send_notices", send_notices_job),
    "compute_risk": _scheme_at_once("compute_risk", compute_risk),
    "purge_idempotency_keys": _purge_idempotency_keys,
}
# The night's work, in this order: assessments first (they earn interest), then fines, then interest, then the
# notices, which state what is owed after all of them; last the compliance facts and risk scores, which see
# all of it; and the API's kept answers past their retry window are forgotten.
NIGHTLY = ("assess_non_filers", "post_fines", "post_interest", "send_notices", "compute_risk", "purge_idempotency_keys")


# The latest date a job may run as of: the date that has begun in the easternmost scheme (Vientiane, UTC+7;
# with margin for any scheme up to UTC+14).  A later date would charge interest and fines, and send notices,
# for days that have not come.
AHEAD_OF_UTC = dt.timedelta(hours=14)


def latest_as_of(now: dt.datetime) -> dt.date:
    return (now + AHEAD_OF_UTC).date()


def run_job(new_session: SessionMaker, name: str, *, as_of: dt.date, actor: Actor,
            now: Callable[[], dt.datetime]) -> JobRun:
    if name not in JOBS:
        raise KeyError(name)
    if as_of > latest_as_of(now()):
        raise DomainError("job.as_of_future", latest=latest_as_of(now()).isoformat())
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
