"""The scheduler process: APScheduler 3.x, run on its own (never inside web workers).

Only one scheduler may be active per database.  On PostgreSQL the leader holds a session-level advisory
lock on a dedicated connection (released by the server if the process dies); on SQLite it holds an
exclusive ``flock`` on a file beside the database.  A second instance stands by and takes over when the
first stops or dies.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from common.audit import Actor
from common.clock import utcnow
from common.db import make_engine
from notifications.letters import notice_attachments
from notifications.outbox import deliver_due
from portal.database import session_factory

log = logging.getLogger("portal.scheduler")

# An arbitrary but fixed 64-bit key that names "the scheduler leader" among advisory locks.
ADVISORY_LOCK_KEY = 771_001
# TCP keepalives on the lock's session, so that a dead network path is noticed by both ends.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


class SchedulerLock:
    """Leadership for one database.  ``acquire()`` returns False when another scheduler holds it."""

    def __init__(self, database_url: str, fallback_lock_file: str) -> None:
        self.url = make_url(database_url)
        self.lock_file = self._lock_file_for(fallback_lock_file)
        self._connection: Connection | None = None
        self._engine: Any = None
        self._fd: int | None = None

    def _lock_file_for(self, fallback: str) -> str:
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (None, "", ":memory:"):
            return f"{self.url.database}.scheduler-lock"
        return fallback

    def acquire(self) -> bool:
        if self.url.get_backend_name() == "postgresql":
            try:
                if self._connection is None:  # one session, kept while standing by, not one per attempt
                    self._engine = make_engine(self.url.render_as_string(hide_password=False), poolclass=NullPool,
                                               connect_args=KEEPALIVES)
                    self._connection = self._engine.connect()
                got = bool(self._connection.scalar(text("SELECT pg_try_advisory_lock(:key)"),
                                                   {"key": ADVISORY_LOCK_KEY}))
                self._connection.commit()
                return got
            except DBAPIError as exc:  # the database is down or the session was cut: try again later
                log.warning("cannot reach the database to take the scheduler lock: %s", exc.orig or exc)
                self.release()
                return False
        Path(self.lock_file).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def held(self) -> bool:
        """Whether this process still holds the lock: on PostgreSQL the session that took it may have been
        cut (a restart, a network failure, an administrator), and then another scheduler may take over."""
        if self.url.get_backend_name() != "postgresql":
            return self._fd is not None
        if self._connection is None:
            return False
        try:
            held = bool(self._connection.scalar(text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
                "AND objid = :key AND objsubid = 1 AND pid = pg_backend_pid() AND granted)"),
                {"key": ADVISORY_LOCK_KEY}))
            self._connection.commit()
            return held
        except DBAPIError:
            return False

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # ends the session, which frees the advisory lock
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


DELIVERY_BUDGET = dt.timedelta(seconds=45)  # within the minute between two runs of the job


def deliver_outbox(app: Flask) -> dict[str, int]:
    """Job: send pending e-mail and SMS from the outbox, retrying earlier failures when they are due.  Each
    channel is delivered on its own, a committed batch after another while there is time: a channel that is
    down (its batch sent nothing and failed) is left until the next run, and does not hold up the others."""
    from portal.mail import channels_from_config

    started = utcnow()
    totals = {"sent": 0, "retry": 0, "failed": 0}
    for name, channel in channels_from_config(app.config).items():
        while utcnow() - started < DELIVERY_BUDGET:
            session = session_factory(app)()
            try:
                counts = deliver_due(session, {name: channel}, now=utcnow(), attach=notice_attachments)
                session.commit()
            except Exception:
                session.rollback()
                raise
            finally:
                session.close()
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            if not any(counts.values()) or (counts["sent"] == 0 and counts["retry"] + counts["failed"] > 0):
                break
    return totals


def reconcile_payments(app: Flask) -> dict[str, int]:
    """Job: import the statements in the bank inbox, then match and allocate new payments."""
    from portal.payment_jobs import import_inbox, run_reconciliation

    factory = session_factory(app)
    imported = import_inbox(factory, Path(app.config["BANK_INBOX"]), now=utcnow,
                            max_bytes=app.config["MAX_STATEMENT_BYTES"])
    run = run_reconciliation(factory, now=utcnow)
    return {**imported, "examined": run.examined, "matched_by_reference": run.matched_by_reference,
            "matched_by_employer": run.matched_by_employer, "unmatched": run.unmatched}


def nightly_jobs(app: Flask) -> dict:
    """Job: the night's work (assessments of non-filers, late-filing fines, late-payment interest), as of
    the date that has just begun in the schemes' time zones.  It runs at 19:30 UTC: 00:30 in Dushanbe
    (UTC+5) and 02:30 in Vientiane (UTC+7), the same new date in both.  Each job is recorded as its own run;
    one that fails does not stop the next."""
    from portal.jobs import NIGHTLY, run_job

    as_of = (utcnow() + dt.timedelta(hours=5)).date()
    counts: dict = {}
    for name in NIGHTLY:
        try:
            counts[name] = run_job(session_factory(app), name, as_of=as_of, actor=Actor.system("scheduler"),
                                   now=utcnow).counts
        except Exception:  # recorded on the run; the next job still runs
            log.exception("job %s failed", name)
    return counts


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    scheduler.add_job(deliver_outbox, "interval", minutes=1, args=[app], id="deliver_outbox",
                      name="Deliver queued e-mail and SMS")
    scheduler.add_job(reconcile_payments, "interval", minutes=10, args=[app], id="reconcile_payments",
                      name="Import bank statements from the inbox and reconcile payments")
    # At night in Asia (Vientiane UTC+7, Dushanbe UTC+5), as of the day that has just begun there.
    scheduler.add_job(nightly_jobs, "cron", hour=19, minute=30, args=[app], id="nightly",
                      name="Assess non-filers, post late-filing fines and late-payment interest")
    return scheduler


def run_scheduler(app: Flask, *, standby: bool = True, poll_seconds: float = 5.0) -> int:
    """Run until stopped.  When another scheduler is active: with ``standby``, wait and take over as soon as
    it stops or dies (its lock is released by the server or the kernel); without, return 1 at once.  The
    leader checks every ``poll_seconds`` that it still holds the lock, and stops (returning 1) when it lost
    it, so that two schedulers never run at once."""
    lock = SchedulerLock(app.config["DATABASE_URL"], app.config["SCHEDULER_LOCK_FILE"])

    def stop_waiting(*_: object) -> None:
        raise SystemExit(0)  # interrupts the wait at once

    signal.signal(signal.SIGTERM, stop_waiting)
    announced = False
    try:
        while not lock.acquire():
            if not standby:
                log.error("another scheduler is already active for this database; not starting a second one")
                lock.release()
                return 1
            if not announced:
                log.info("another scheduler is active for this database; standing by to take over")
                announced = True
            time.sleep(poll_seconds)
    except (KeyboardInterrupt, SystemExit):
        lock.release()
        return 0
    scheduler = build_scheduler(app)
    lost = threading.Event()

    def check_leadership() -> None:
        if not lock.held():
            log.error("the scheduler lock was lost; stopping so that only one scheduler runs")
            lost.set()
            scheduler.shutdown(wait=False)

    scheduler.add_job(check_leadership, "interval", seconds=poll_seconds, id="check_leadership",
                      name="Check that this scheduler still holds the lock")
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler started with jobs: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()
    return 1 if lost.is_set() else 0
