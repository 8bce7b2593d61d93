"""Interest posted as of a date: hand-computed Tajik figures, idempotent reruns, catch-up, back-dated
payments and reversals give the interest that knowing the facts on time would have given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.interest import post_interest
from contributions.ledger import LedgerEntry
from contributions.payment_actions import reverse_payment
from contributions.payments import Payment
from contributions.reconciliation import reconcile_batch
from tests import factories
from tests.factories import ACTOR

FILED = dt.datetime(2026, 3, 10, 5, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 4, 20, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def tajik(db):
    """February 2026 declared: 2,000.00 TJS wages, non-budget: 40.00 + 400.00, due Monday 16 March."""
    employer = factories.employer_since(db, dt.date(2025, 1, 2), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2000.00", document_type="passport")
    draft = open_draft(db, employer, Period(2026, 2), actor=ACTOR, now=FILED)
    filed = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=FILED).declaration
    assert (filed.total, filed.due_date) == (D("440.00"), dt.date(2026, 3, 16))
    return employer, filed


def _interest(db, employer_id: int) -> D:
    return db.scalar(select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0))
                     .where(LedgerEntry.employer_id == employer_id, LedgerEntry.component == "interest"))


def _run(db, day: str):
    return post_interest(db, "TJ-SOCTAX", as_of=dt.date.fromisoformat(day), actor=ACTOR, now=NOW)


def test_thirty_days_unpaid(db, tajik) -> None:
    employer, _ = tajik
    _run(db, "2026-04-15")
    # 0.04 % a day for 30 days: 40.00 -> 0.48 and 400.00 -> 4.80.
    assert _interest(db, employer.id) == D("5.28")
    again = _run(db, "2026-04-15")
    assert again.periods_changed == 0 and _interest(db, employer.id) == D("5.28")


def test_three_missed_days_are_caught_up_by_one_run(db, tajik) -> None:
    employer, _ = tajik
    for day in ("2026-04-10", "2026-04-11", "2026-04-12"):
        _run(db, day)
    # 27 days on the 12th: 40.00 -> 0.432 -> 0.43 and 400.00 -> 4.32, what one run on the 12th gives.
    assert _interest(db, employer.id) == D("4.75")
    assert db.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.employer_id == employer.id, LedgerEntry.component == "interest")) == 3  # one per day


def test_a_back_dated_payment_and_its_reversal(db, tajik) -> None:
    employer, filed = tajik
    _run(db, "2026-04-15")
    payment = Payment(scheme_code="TJ-SOCTAX", bank_code="AMONATBONK", transaction_id="LATE-STATEMENT-1",
                      channel="bank", booking_date=dt.date(2026, 3, 26), value_date=dt.date(2026, 3, 26),
                      amount=D("440.00"), currency="TJS", remittance=filed.payment_reference, status="new",
                      matches=0, payer_name="", payer_account="", note="", received_at=NOW, recorded_by="test")
    db.add(payment)
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=NOW)
    _run(db, "2026-04-15")
    # Paid 10 days late, known only now: 40.00 -> 0.16 and 400.00 -> 1.60; the 3.52 charged too much is
    # given back by a new entry.
    assert _interest(db, employer.id) == D("1.76")
    assert db.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.component == "interest", LedgerEntry.kind == "charge_reduction")) >= 1
    reverse_payment(db, payment.id, reason="Recalled by the bank", actor=ACTOR, now=NOW)
    _run(db, "2026-04-15")
    assert _interest(db, employer.id) == D("5.28")  # never paid after all


def test_no_interest_where_the_scheme_has_no_rule(db) -> None:
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer)
    draft = open_draft(db, employer, Period(2026, 2), actor=ACTOR, now=FILED)
    submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=FILED)
    counts = post_interest(db, "LA-LSSO", as_of=dt.date(2026, 6, 1), actor=ACTOR, now=NOW)
    assert counts.debts == 0 and _interest(db, employer.id) == 0


def _pay(db, filed, day: dt.date, transaction_id: str) -> Payment:
    payment = Payment(scheme_code="TJ-SOCTAX", bank_code="AMONATBONK", transaction_id=transaction_id,
                      channel="bank", booking_date=day, value_date=day, amount=D("440.00"), currency="TJS",
                      remittance=filed.payment_reference, status="new", matches=0, payer_name="", payer_account="",
                      note="", received_at=NOW, recorded_by="test")
    db.add(payment)
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=NOW)
    return payment


def test_unchanged_periods_are_not_computed_again_until_their_facts_change(db, tajik) -> None:
    employer, filed = tajik
    assert _run(db, "2026-04-15").debts == 2  # unpaid: both shares computed
    assert _run(db, "2026-04-15").debts == 0  # the same date, the same facts: nothing to compute
    assert _run(db, "2026-04-16").debts == 2  # a day later the unpaid debt has grown
    payment = _pay(db, filed, dt.date(2026, 3, 26), "SETTLED-1")
    assert _run(db, "2026-04-16").debts == 2 and _interest(db, employer.id) == D("1.76")
    # Settled: the interest is final, later runs need not compute it.
    assert _run(db, "2026-05-30").debts == 0 and _interest(db, employer.id) == D("1.76")
    reverse_payment(db, payment.id, reason="Recalled by the bank", actor=ACTOR, now=NOW)
    # A new entry: computed again, as never paid (75 days on 440.00 at 0.04 %).
    assert _run(db, "2026-05-30").debts == 2 and _interest(db, employer.id) == D("13.20")
    # A date before the last one computed: computed again, from the facts as of then.
    assert _run(db, "2026-04-15").debts == 2 and _interest(db, employer.id) == D("5.28")
