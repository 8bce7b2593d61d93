"""Only one scheduler may be active per database, on SQLite (file lock) and PostgreSQL (advisory lock)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from notifications.outbox import queue_message
from portal.scheduler import SchedulerLock, build_scheduler, deliver_outbox
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
        result = CliRunner().invoke(main, ["scheduler"])
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
