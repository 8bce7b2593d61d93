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
    # The period still falls due when its contributions did, not when its interest was charged.
    from contributions.account import account_periods

    february = account_periods(db, employer.id)[0]
    assert february.due_date == dt.date(2026, 3, 16) and february.overdue_on(dt.date(2026, 4, 15))


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


def test_lao_interest_once_an_administrator_sets_the_rule(db) -> None:
    """No interest rule is seeded for Lao PDR (country rules §1.6); with the tax analogue entered as a dated
    parameter (0.1 % a day), kip interest is counted and rounded to whole kip."""
    from contributions.parameter_versions import add_parameter_version
    from contributions.payment_actions import record_counter_receipt

    for name, value in (("interest.shape", "per_day"), ("interest.rate", "0.001")):
        add_parameter_version(db, scheme_code="LA-LSSO", name=name, category=None, valid_from=dt.date(2026, 1, 1),
                              value=value, source="LSSO decision (test)", confidence="confirmed", actor=ACTOR, now=NOW)
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer, wage="3500000")
    draft = open_draft(db, employer, Period(2026, 2), actor=ACTOR, now=FILED)
    filed = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=FILED).declaration
    # 5.5 % and 6 % of 3,500,000 kip, due Friday 20 March.
    assert (filed.total_employee, filed.total_employer, filed.due_date) == (D(192500), D(210000), dt.date(2026, 3, 20))
    post_interest(db, "LA-LSSO", as_of=dt.date(2026, 4, 19), actor=ACTOR, now=NOW)
    # 30 days at 0.1 %: 5,775 + 6,300.
    assert _interest(db, employer.id) == D(12075)
    # 200,000 kip paid on 30 March, 10 days late: the employee share in full, 7,500 of the employer share.
    record_counter_receipt(db, employer, amount=D(200000), value_date=dt.date(2026, 3, 30), channel="cash",
                           payer_name="", reference="", declaration_id=filed.id, actor=ACTOR, now=NOW)
    post_interest(db, "LA-LSSO", as_of=dt.date(2026, 4, 19), actor=ACTOR, now=NOW)
    # Employee share: 192,500 x 10 days = 1,925; employer share: 7,500 x 10 days + 202,500 x 30 days = 6,150.
    charged = db.scalar(select(func.sum(LedgerEntry.debit - LedgerEntry.credit)).where(
        LedgerEntry.employer_id == employer.id, LedgerEntry.component == "interest",
        LedgerEntry.kind.in_(("charge", "charge_reduction"))))
    assert charged == D(8075)


def test_a_partial_payment(db, tajik) -> None:
    employer, filed = tajik
    payment = Payment(scheme_code="TJ-SOCTAX", bank_code="AMONATBONK", transaction_id="PARTIAL-1", channel="bank",
                      booking_date=dt.date(2026, 3, 26), value_date=dt.date(2026, 3, 26), amount=D("240.00"),
                      currency="TJS", remittance=filed.payment_reference, status="new", matches=0, payer_name="",
                      payer_account="", note="", received_at=NOW, recorded_by="test")
    db.add(payment)
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=NOW)
    _run(db, "2026-04-15")
    # 240.00 on 26 March, 10 days late: the employee share (40.00 -> 0.16) and 200.00 of the employer share
    # (-> 0.80); the other 200.00 is unpaid for 30 days (-> 2.40).
    assert _interest(db, employer.id) == D("3.36")


def test_credit_freed_in_a_run_is_counted_in_the_same_run(db) -> None:
    """February's interest is paid, then a corrective lowers February: its interest falls, what was paid
    towards it becomes credit and pays March, whose interest therefore changes too.  The run computes March
    again, so a second run for the same date posts nothing."""
    from contributions.declarations import DeclarationLine
    from contributions.drafts import LineChange, update_lines
    from contributions.payment_actions import record_counter_receipt

    def at(month: int, day: int) -> dt.datetime:
        return dt.datetime(2026, month, day, 5, 0, tzinfo=dt.UTC)

    employer = factories.employer_since(db, dt.date(2025, 1, 2), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2000.00", document_type="passport")
    february = submit_declaration(db, employer, open_draft(db, employer, Period(2026, 2), actor=ACTOR,
                                                           now=at(3, 10)).id,
                                  revision=None, actor=ACTOR, now=at(3, 10)).declaration
    submit_declaration(db, employer, open_draft(db, employer, Period(2026, 3), actor=ACTOR, now=at(4, 10)).id,
                       revision=None, actor=ACTOR, now=at(4, 10))
    post_interest(db, "TJ-SOCTAX", as_of=dt.date(2026, 4, 20), actor=ACTOR, now=at(4, 21))
    record_counter_receipt(db, employer, amount=D("440.00") + _interest(db, employer.id),
                           value_date=dt.date(2026, 4, 20), channel="cash", payer_name="", reference="",
                           declaration_id=february.id, actor=ACTOR, now=at(4, 21))
    corrective = open_draft(db, employer, Period(2026, 2), actor=ACTOR, now=at(4, 22))
    line = db.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == corrective.id)).one()
    update_lines(db, employer, corrective.id, [LineChange(line.id, "1000.00")], revision=None, actor=ACTOR,
                 now=at(4, 22))
    submit_declaration(db, employer, corrective.id, revision=None, actor=ACTOR, now=at(4, 22))
    first = post_interest(db, "TJ-SOCTAX", as_of=dt.date(2026, 6, 30), actor=ACTOR, now=at(7, 1))
    assert first.periods_changed > 0
    again = post_interest(db, "TJ-SOCTAX", as_of=dt.date(2026, 6, 30), actor=ACTOR, now=at(7, 1))
    assert (again.debts, again.periods_changed) == (0, 0)
