"""The payment jobs: statements dropped in the bank inbox are imported once, refused files are set aside
with the reason, reconciliation runs are recorded; the same through the `portal payments` commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from common.db import make_engine
from contributions.payments import BankStatement, Payment, ReconciliationRun
from portal.payment_jobs import import_inbox, run_reconciliation
from tests.conftest import fresh_database

DATA = Path(__file__).resolve().parent.parent / "data" / "bank"
NOW = dt.datetime(2026, 6, 25, 3, 0, tzinfo=dt.UTC)


def _upgraded(url: str, monkeypatch) -> None:
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_the_inbox_imports_each_statement_once_and_sets_bad_files_aside(database_url, tmp_path, instance_path,
                                                                         monkeypatch) -> None:
    with fresh_database(database_url, tmp_path, "inbox") as url:
        _upgraded(url, monkeypatch)
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        inbox = tmp_path / "inbox"
        (inbox / "BCEL").mkdir(parents=True)
        (inbox / "BCEL" / "statement.xml").write_bytes((DATA / "camt053_bcel_lak.xml").read_bytes())
        (inbox / "BCEL" / "copy.xml").write_bytes((DATA / "camt053_bcel_lak.xml").read_bytes())
        (inbox / "BCEL" / "broken.xml").write_bytes(b"<Document><Stmt>")
        (inbox / "NOBANK").mkdir()
        (inbox / "NOBANK" / "x.csv").write_text("a,b\n1,2\n")
        counts = import_inbox(factory, inbox, now=lambda: NOW, max_bytes=10 * 2**20)
        assert counts == {"imported": 1, "already": 1, "rejected": 2}
        # Files are taken in name order: copy.xml is imported, statement.xml is the same file again.
        assert sorted(p.name for p in (inbox / "done" / "BCEL").iterdir()) == ["copy.xml", "statement.xml",
                                                                                "statement.xml.why.txt"]
        assert "bank.file_unreadable" in (inbox / "rejected" / "BCEL" / "broken.xml.why.txt").read_text()
        assert not any((inbox / "BCEL").iterdir())
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(BankStatement)) == 1
            lines = session.scalar(select(BankStatement.line_count))
            assert session.scalar(select(func.count()).select_from(Payment)) == lines > 0

        run = run_reconciliation(factory, now=lambda: NOW, batch=2)
        with Session(engine) as session:
            stored = session.get(ReconciliationRun, run.id)
            assert (stored.status, stored.examined) == ("finished", lines)
            assert stored.matched_by_reference + stored.matched_by_employer + stored.unmatched == lines
            assert session.scalar(select(func.count()).select_from(Payment).where(Payment.status == "new")) == 0
        engine.dispose()


def test_the_payments_commands(database_url, tmp_path, instance_path, monkeypatch) -> None:
    from portal.cli import main

    with fresh_database(database_url, tmp_path, "paycli") as url:
        _upgraded(url, monkeypatch)
        runner = CliRunner()
        statement = str(DATA / "camt053_bcel_lak.xml")
        first = runner.invoke(main, ["payments", "import", "--bank", "BCEL", statement])
        assert first.exit_code == 0 and "new" in first.output, first.output
        again = runner.invoke(main, ["payments", "import", "--bank", "BCEL", statement])
        assert again.exit_code == 1 and "bank.statement_already_imported" in again.output
        wrong = runner.invoke(main, ["payments", "import", "--bank", "AMONATBONK", statement])
        assert wrong.exit_code == 1 and "bank.currency_mismatch" in wrong.output  # a LAK file for a TJS bank
        reconciled = runner.invoke(main, ["payments", "reconcile"])
        assert reconciled.exit_code == 0 and "examined" in reconciled.output, reconciled.output


def test_jobs_run_for_a_date_and_are_recorded(database_url, tmp_path, instance_path, monkeypatch) -> None:
    from portal.cli import main
    from portal.scheduler import build_scheduler

    with fresh_database(database_url, tmp_path, "jobs") as url:
        _upgraded(url, monkeypatch)
        runner = CliRunner()
        first = runner.invoke(main, ["jobs", "run", "post_interest", "--as-of", "2026-06-01"])
        assert first.exit_code == 0 and "finished" in first.output, first.output
        assert runner.invoke(main, ["jobs", "run", "nothing"]).exit_code != 0
        engine = make_engine(url)
        with Session(engine) as session:
            from contributions.jobs import recent_runs

            runs = recent_runs(session)
            assert [(r.job, r.as_of, r.status) for r in runs] == [("post_interest", dt.date(2026, 6, 1), "finished")]
            assert set(runs[0].counts) == {"LA-LSSO", "TJ-SOCTAX"}
        engine.dispose()
        from portal import create_app

        app = create_app({"DATABASE_URL": url, "TESTING": True})
        assert {job.id for job in build_scheduler(app).get_jobs()} >= {"reconcile_payments", "nightly"}
