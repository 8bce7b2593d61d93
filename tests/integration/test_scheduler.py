"""Only one scheduler may be active per database, on SQLite (file lock) and PostgreSQL (advisory lock)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from common.db import make_engine
from notifications.outbox import queue_message
from portal.scheduler import ADVISORY_LOCK_KEY, SchedulerLock, build_scheduler, deliver_outbox
from tests.factories import NOW


def test_second_scheduler_cannot_take_the_lock_until_the_first_releases(database_url: str, tmp_path: Path) -> None:
    fallback = str(tmp_path / "scheduler.lock")
    first, second = SchedulerLock(database_url, fallback), SchedulerLock(database_url, fallback)
    assert first.acquire()
    try:
        assert not second.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()


def test_portal_scheduler_command_refuses_a_second_instance(database_url: str, instance_path: Path,
                                                          monkeypatch) -> None:
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    holder = SchedulerLock(database_url, str(instance_path / "scheduler.lock"))
    assert holder.acquire()
    try:
        result = CliRunner().invoke(main, ["scheduler", "--no-standby"])
    finally:
        holder.release()
    assert result.exit_code == 1


def test_outbox_job_delivers_pending_mail(app, db, smtp_server) -> None:
    port, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    queue_message(db, channel="email", recipient="a@example.test", kind="test", language="tg",
                  subject="Огоҳинома", body="Матн", now=NOW)
    db.commit()
    assert "deliver_outbox" in {job.id for job in build_scheduler(app).get_jobs()}
    assert deliver_outbox(app)["sent"] == 1
    assert inbox.messages[0]["Subject"] == "Огоҳинома"


def _wait_for(stream_path: Path, text: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in stream_path.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not logged; log was:\n{stream_path.read_text(errors='replace')}")


def test_a_standby_scheduler_takes_over_when_the_leader_dies(database_url: str, tmp_path: Path) -> None:
    """Two real scheduler processes on one database: the second stands by, and when the first is killed
    (no clean shutdown: the server or the kernel releases its lock) the second becomes the leader."""
    portal = Path(sys.executable).with_name("portal")
    env = {**os.environ, "DATABASE_URL": database_url, "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": "test-only-secret-key-for-schedulers"}
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes: list[subprocess.Popen] = []
    try:
        for log_path in logs:
            with log_path.open("wb") as sink:
                processes.append(subprocess.Popen([str(portal), "scheduler", "--poll", "0.2"], env=env,
                                                  stdout=sink, stderr=subprocess.STDOUT))
            _wait_for(log_path, "scheduler started" if len(processes) == 1 else "standing by", processes[-1])
        first, second = processes
        assert "scheduler started" not in logs[1].read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        _wait_for(logs[1], "scheduler started", second)
        assert second.poll() is None
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


def test_a_leader_that_loses_its_lock_stops(database_url: str, tmp_path: Path) -> None:
    """PostgreSQL: the session holding the lock is cut (a restart, an administrator); the leader notices at
    its next check and stops, so that it never runs beside the scheduler that takes over."""
    if not database_url.startswith("postgresql"):
        # SQLite: a file lock, held until the process lets it go or exits; nothing else can cut it.
        lock = SchedulerLock(database_url, str(tmp_path / "scheduler.lock"))
        assert not lock.held() and lock.acquire() and lock.held()
        lock.release()
        assert not lock.held()
        return
    portal = Path(sys.executable).with_name("portal")
    env = {**os.environ, "DATABASE_URL": database_url, "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": "test-only-secret-key-for-schedulers"}
    log_path = tmp_path / "leader.log"
    with log_path.open("wb") as sink:
        leader = subprocess.Popen([str(portal), "scheduler", "--poll", "0.2"], env=env, stdout=sink,
                                  stderr=subprocess.STDOUT)
    try:
        _wait_for(log_path, "scheduler started", leader)
        engine = make_engine(database_url)
        with engine.connect() as connection:
            cut = connection.scalar(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
                "AND objid = :key AND objsubid = 1 AND granted"), {"key": ADVISORY_LOCK_KEY})
        engine.dispose()
        assert cut
        assert leader.wait(timeout=30) == 1
        assert "the scheduler lock was lost" in log_path.read_text()
    finally:
        if leader.poll() is None:
            leader.terminate()
            leader.wait(timeout=10)


def test_a_gateway_that_is_down_does_not_hold_up_the_email(app, db, smtp_server) -> None:
    import socket

    port, inbox = smtp_server
    with socket.socket() as probe:  # a port where nothing listens: the gateway is down
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, SMS_GATEWAY_URL=f"http://127.0.0.1:{dead}/send")
    for n in range(3):
        queue_message(db, channel="sms", recipient=f"+99290000000{n}", kind="test", language="tg", subject="",
                      body="Паём", now=NOW)
        queue_message(db, channel="email", recipient=f"a{n}@example.test", kind="test", language="tg",
                      subject=f"Огоҳинома {n}", body="Матн", now=NOW)
    db.commit()
    counts = deliver_outbox(app)
    assert counts["sent"] == 3 and counts["retry"] >= 1
    assert sorted(message["Subject"] for message in inbox.messages) == [f"Огоҳинома {n}" for n in range(3)]
