"""Payment jobs, run by the scheduler and by ``portal payments ...``: import the statements banks drop in the
inbox folder, and reconcile new payments.  Each step commits on its own: a crash leaves every statement and
every batch of payments either fully done or untouched, and the next run carries on."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.audit import Actor
from common.errors import DomainError
from contributions.bank_files import StatementInvalid
from contributions.payment_actions import import_statement
from contributions.payments import Bank, Payment, ReconciliationRun
from contributions.reconciliation import Counts, finish_run, reconcile_batch, start_run
from portal.notices import payments_applied

log = logging.getLogger("portal.payments")
ACTOR = Actor.system("payments")


def run_reconciliation(new_session: Callable[[], Session], *, now: Callable[[], dt.datetime],
                       actor: Actor = ACTOR, batch: int = 1_000) -> ReconciliationRun:
    """Match and allocate every new payment, a committed batch at a time; the run is recorded with counts,
    and as failed (with the error) if a batch fails."""
    with new_session() as session:
        run = start_run(session, actor=actor, now=now())
        session.commit()
        run_id = run.id
    counts = Counts()
    error = ""
    try:
        while True:
            with new_session() as session:
                at = now()
                done = reconcile_batch(session, actor=actor, now=at, limit=batch)
                # A receipt for each payment matched, written with its allocation.
                payments_applied(session, list(session.scalars(select(Payment.id).where(
                    Payment.matched_at == at, Payment.matched_by == actor.label, Payment.status == "matched"))),
                    actor=actor, now=at)
                session.commit()
            if done.examined == 0:
                break
            counts.add(done)
    except Exception as exc:  # noqa: BLE001 - recorded on the run, then raised again
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        with new_session() as session:
            run = session.get(ReconciliationRun, run_id)
            finish_run(run, counts, now=now(), error=error)
            session.commit()
    return run


def import_inbox(new_session: Callable[[], Session], inbox: Path, *, now: Callable[[], dt.datetime],
                 max_bytes: int, actor: Actor = ACTOR) -> dict[str, int]:
    """Import every file in ``inbox/<bank code>/``; a file is moved to ``done/`` once imported (or when it
    was imported before) and to ``rejected/`` with a ``.why.txt`` beside it when it is refused."""
    counts = {"imported": 0, "already": 0, "rejected": 0}
    if not inbox.is_dir():
        return counts
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir() and p.name not in ("done", "rejected")):
        for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
            outcome, why = _import_one(new_session, folder.name, path, now=now, max_bytes=max_bytes, actor=actor)
            counts[outcome] += 1
            target = inbox / ("rejected" if outcome == "rejected" else "done") / folder.name
            target.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target / path.name)
            if why:
                (target / f"{path.name}.why.txt").write_text(why, encoding="utf-8")
            log.info("inbox %s/%s: %s %s", folder.name, path.name, outcome, why)
    return counts


def _import_one(new_session, bank_code: str, path: Path, *, now, max_bytes: int, actor: Actor) -> tuple[str, str]:
    if path.stat().st_size > max_bytes:
        return "rejected", f"larger than {max_bytes // 2**20} MB"
    with new_session() as session:
        bank = session.get(Bank, bank_code)
        if bank is None:
            return "rejected", f"no bank with code {bank_code}"
        try:
            import_statement(session, bank, path.name, path.read_bytes(), actor=actor, now=now(), source="inbox")
        except StatementInvalid as invalid:
            session.rollback()
            return "rejected", "\n".join(f"row {row} {field}: {code} {params}" for row, field, code, params
                                         in invalid.problems)
        except DomainError as error:
            session.rollback()
            if error.code == "bank.statement_already_imported":
                return "already", f"{error.code} {error.params}"
            return "rejected", f"{error.code} {error.params}"
        session.commit()
    return "imported", ""
