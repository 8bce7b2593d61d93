"""Two reconciliation runs at the same time never take the same payment nor pay one charge twice.

On PostgreSQL the two runs really overlap: batches are claimed with FOR UPDATE SKIP LOCKED and accounts are
locked while money is allocated.  SQLite serialises writers by design, so there the runs take turns batch by
batch, and the test checks the same invariants.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.ledger import LedgerEntry
from contributions.payments import Payment
from contributions.reconciliation import reconcile_batch
from tests import factories
from tests.conftest import migrated_database

NOW = dt.datetime(2026, 6, 25, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine_with_payments(database_url, tmp_path):
    with migrated_database(database_url, tmp_path, "reconcile") as engine:
        with Session(engine) as session:
            numbers = itertools.count(1)
            for e in range(6):
                employer = factories.employer_since(session, dt.date(2025, 1, 2))
                factories.hire(session, employer, wage=str(2_000_000 + 100_000 * e))
                for month in (2, 3, 4):
                    draft = open_draft(session, employer, Period(2026, month), actor=factories.ACTOR, now=NOW)
                    filed = submit_declaration(session, employer, draft.id, revision=None, actor=factories.ACTOR,
                                               now=NOW).declaration
                    # Each period gets several payments: some exact, some partial, some too much.
                    for amount in (filed.total, filed.total / 3, filed.total * 2):
                        session.add(_payment(next(numbers), amount.quantize(D(1)), filed.payment_reference))
                    session.add(_payment(next(numbers), filed.total, f"{employer.employer_number} {month}"))
                session.add(_payment(next(numbers), D("12345"), "no reference at all"))
            session.commit()
        yield engine


def _payment(n: int, amount: D, remittance: str) -> Payment:
    return Payment(scheme_code="LA-LSSO", bank_code="BCEL", transaction_id=f"C{n:06d}", channel="bank",
                   booking_date=dt.date(2026, 6, 20), value_date=dt.date(2026, 6, 20), amount=amount,
                   currency="LAK", payer_name="", payer_account="", remittance=remittance, status="new", matches=0,
                   note="", received_at=NOW, recorded_by="test")


def test_two_runs_at_once_allocate_every_payment_exactly_once(engine_with_payments) -> None:
    engine = engine_with_payments
    serialise = engine.dialect.name == "sqlite"
    lock, start = threading.Lock(), threading.Barrier(2)
    examined: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            while True:
                if serialise:
                    lock.acquire()
                try:
                    with Session(engine) as session:
                        counts = reconcile_batch(session, actor=factories.ACTOR, now=NOW, limit=7)
                        session.commit()
                finally:
                    if serialise:
                        lock.release()
                if counts.examined == 0:
                    return
                examined.append(counts.examined)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with Session(engine) as session:
        payments = session.scalars(select(Payment)).all()
        assert sum(examined) == len(payments)  # no payment examined twice
        assert {p.status for p in payments} == {"matched", "unmatched"}
        # Each matched payment's money is in the ledger exactly once.
        moved = dict(session.execute(select(LedgerEntry.payment_id, func.sum(LedgerEntry.credit))
                                     .where(LedgerEntry.kind == "payment").group_by(LedgerEntry.payment_id)).all())
        assert {p.id: p.amount for p in payments if p.status == "matched"} == moved
        # No debt is paid beyond what was charged.
        debts = session.execute(select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component,
                                       func.sum(LedgerEntry.debit - LedgerEntry.credit))
                                .where(LedgerEntry.component != "credit")
                                .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component)).all()
        assert debts and all(owed >= 0 for *_, owed in debts)
        assert sum(p.amount for p in payments if p.status == "matched") == \
            -session.scalar(select(func.sum(LedgerEntry.debit - LedgerEntry.credit))
                            .where(LedgerEntry.kind.in_(("payment", "credit_applied"))))
