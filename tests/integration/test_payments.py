"""Payments: matching rules, allocation order, partial and over-payments, credit, reversal, the officer's
actions, and the account they leave."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from common.errors import DomainError
from common.period import Period
from contributions.drafts import LineChange, open_draft, update_lines
from contributions.filing import submit_declaration
from contributions.ledger import LedgerEntry, balance_of
from contributions.payment_actions import (
    assign_payment,
    record_counter_receipt,
    refund_credit,
    reverse_payment,
    undo_match,
)
from contributions.payments import Payment
from contributions.reconciliation import employer_number_candidates, reconcile_batch, reference_candidates
from contributions.rules.references import format_numeric, format_rf
from tests import factories
from tests.factories import ACTOR

NOW = dt.datetime(2026, 6, 25, 3, 0, tzinfo=dt.UTC)
_ids = itertools.count(1)


@pytest.fixture
def lao(db):
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer, wage="3000000")  # 165,000 + 180,000 = 345,000 a month
    march, april = (_file(db, employer, Period(2026, month)) for month in (3, 4))
    return employer, march, april


def _file(db, employer, period, wage: str | None = None):
    draft = open_draft(db, employer, period, actor=ACTOR, now=NOW)
    if wage is not None:
        line = draft.lines[0]
        update_lines(db, employer, draft.id, [LineChange(line.id, wage)], revision=None, actor=ACTOR, now=NOW)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=NOW).declaration


def _payment(db, amount: str, remittance: str, *, value_date=dt.date(2026, 6, 20), scheme="LA-LSSO") -> Payment:
    payment = Payment(scheme_code=scheme, bank_code="BCEL" if scheme == "LA-LSSO" else "AMONATBONK",
                      transaction_id=f"T{next(_ids):08d}", channel="bank", booking_date=value_date,
                      value_date=value_date, amount=D(amount), currency="LAK" if scheme == "LA-LSSO" else "TJS",
                      payer_name="", payer_account="", remittance=remittance, status="new", matches=0, note="",
                      received_at=NOW, recorded_by="test")
    db.add(payment)
    db.flush()
    return payment


def _reconcile(db):
    counts = reconcile_batch(db, actor=ACTOR, now=NOW)
    db.expire_all()
    return counts


def _paid(db, employer_id: int) -> dict[tuple[str, str], D]:
    paid = func.sum(LedgerEntry.credit - LedgerEntry.debit)
    rows = db.execute(select(LedgerEntry.period, LedgerEntry.component, paid)
                      .where(LedgerEntry.employer_id == employer_id,
                             LedgerEntry.kind.in_(("payment", "credit_applied", "reversal")),
                             LedgerEntry.component != "credit")
                      .group_by(LedgerEntry.period, LedgerEntry.component))
    return {(period, component): D(amount) for period, component, amount in rows if amount}


def test_reference_candidates_tolerate_spaces_dashes_and_case() -> None:
    assert "202604000012336" in reference_candidates("contrib april 2026-0400-0012-336 thanks")
    assert "202604000012336" in reference_candidates("ref: rf28 2026 0400 0012 3 LA00000018")
    assert reference_candidates("2026 0400 0012 337") == set()  # a wrong digit: no candidate
    assert "LA00000018" in employer_number_candidates("Employer LA 0000 0018, April")


@pytest.mark.parametrize("write", [format_numeric, lambda ref: ref.lower(), "rf"])
def test_a_reference_in_the_text_matches_its_declaration(db, lao, write) -> None:
    employer, march, april = lao
    from contributions.filing import rf_of

    text = format_rf(rf_of(april)).lower() if write == "rf" else write(april.payment_reference)
    payment = _payment(db, "345000", f"LSSO contribution {text}")
    counts = _reconcile(db)
    assert (counts.matched_by_reference, counts.unmatched) == (1, 0)
    assert (payment.status, payment.employer_id, payment.declaration_id, payment.match_rule) == \
        ("matched", employer.id, april.id, "reference")
    # The designated declaration is paid first, even though March is older.
    assert _paid(db, employer.id) == {("2026-04", "employee_share"): D("165000"),
                                      ("2026-04", "employer_share"): D("180000")}


def test_a_mistyped_reference_is_not_matched_to_anyone(db, lao) -> None:
    _, _, april = lao
    wrong = april.payment_reference[:-1] + str((int(april.payment_reference[-1]) + 1) % 10)
    payment = _payment(db, "345000", f"payment {wrong}")
    assert _reconcile(db).unmatched == 1 and payment.status == "unmatched" and payment.employer_id is None


def test_employer_number_and_the_exact_amount_of_a_period(db, lao) -> None:
    employer, march, _ = lao
    exact = _payment(db, "345000", f"social security {employer.employer_number}")
    other = _payment(db, "100000", f"social security {employer.employer_number}")
    counts = _reconcile(db)
    assert (counts.matched_by_employer, counts.unmatched) == (1, 1)
    assert (exact.status, exact.match_rule, exact.employer_id) == ("matched", "employer_amount", employer.id)
    assert other.status == "unmatched"


def test_a_partial_payment_settles_the_oldest_period_employee_share_first(db, lao) -> None:
    employer, march, _ = lao
    _payment(db, "400000", f"{employer.employer_number}")  # not an exact period amount: unmatched
    payment = _payment(db, "200000", "")
    _reconcile(db)
    assign_payment(db, payment.id, employer, declaration_id=None, note="Phoned the employer", actor=ACTOR, now=NOW)
    assert _paid(db, employer.id) == {("2026-03", "employee_share"): D("165000"),
                                      ("2026-03", "employer_share"): D("35000")}
    assert balance_of(db, employer.id) == D("690000") - D("200000")


def test_an_overpayment_becomes_a_credit_that_pays_the_next_declaration(db, lao) -> None:
    employer, march, april = lao
    payment = _payment(db, "1000000", f"{april.payment_reference}")
    _reconcile(db)
    assert balance_of(db, employer.id) == D("690000") - D("1000000")  # 310,000 in the employer's favour
    may = _file(db, employer, Period(2026, 5))
    assert _paid(db, employer.id)[("2026-05", "employee_share")] == D("165000")
    assert _paid(db, employer.id)[("2026-05", "employer_share")] == D("145000")
    assert balance_of(db, employer.id) == D("35000") and payment.status == "matched" and may.total == D("345000")


def test_a_bounced_payment_makes_its_periods_owed_again(db, lao) -> None:
    employer, march, april = lao
    first = _payment(db, "345000", march.payment_reference)
    _payment(db, "500000", april.payment_reference)
    _reconcile(db)
    assert balance_of(db, employer.id) == D("690000") - D("845000")
    reverse_payment(db, first.id, reason="Cheque bounced", actor=ACTOR, now=NOW)
    db.expire_all()
    assert first.status == "reversed"
    # March is owed again; the 155,000 credit of the second payment is carried to it.
    assert balance_of(db, employer.id) == D("690000") - D("500000")
    assert _paid(db, employer.id)[("2026-03", "employee_share")] == D("155000")
    with pytest.raises(DomainError, match="payment.already_reversed"):
        reverse_payment(db, first.id, reason="again", actor=ACTOR, now=NOW)


def test_an_officer_assigns_then_undoes_then_assigns_again(db, lao) -> None:
    employer, march, april = lao
    other = factories.employer_since(db, dt.date(2025, 1, 2))
    payment = _payment(db, "345000", "cash deposit, no reference")
    _reconcile(db)
    with pytest.raises(DomainError, match="payment.note_required"):
        assign_payment(db, payment.id, employer, declaration_id=april.id, note=" ", actor=ACTOR, now=NOW)
    with pytest.raises(DomainError, match="payment.declaration_not_found"):
        assign_payment(db, payment.id, other, declaration_id=april.id, note="x", actor=ACTOR, now=NOW)
    assign_payment(db, payment.id, other, declaration_id=None, note="Wrong employer", actor=ACTOR, now=NOW)
    assert balance_of(db, other.id) == D("-345000")
    undo_match(db, payment.id, note="It was the other one", actor=ACTOR, now=NOW)
    assert payment.status == "unmatched" and balance_of(db, other.id) == 0
    assign_payment(db, payment.id, employer, declaration_id=april.id, note="Deposit slip shows April",
                   actor=ACTOR, now=NOW)
    assert _paid(db, employer.id) == {("2026-04", "employee_share"): D("165000"),
                                      ("2026-04", "employer_share"): D("180000")}
    assert payment.matches == 2 and balance_of(db, employer.id) == D("345000")


def test_reconciling_twice_allocates_once(db, lao) -> None:
    employer, _, april = lao
    _payment(db, "345000", april.payment_reference)
    assert _reconcile(db).examined == 1
    assert _reconcile(db).examined == 0
    assert balance_of(db, employer.id) == D("345000")


def test_a_counter_receipt_and_a_refund_of_credit(db, lao) -> None:
    employer, _, april = lao
    receipt = record_counter_receipt(db, employer, amount=D("1000000"), value_date=dt.date(2026, 6, 24),
                                     channel="cash", payer_name="ສົມພອນ", reference="April and more",
                                     declaration_id=april.id, actor=ACTOR, now=NOW)
    assert receipt.transaction_id.startswith("LA-C-2026-") and receipt.status == "matched"
    assert balance_of(db, employer.id) == D("-310000")
    with pytest.raises(DomainError, match="payment.refund_too_large"):
        refund_credit(db, employer, D("310001"), note="Refund", actor=ACTOR, now=NOW)
    refund_credit(db, employer, D("310000"), note="Refund by transfer", actor=ACTOR, now=NOW)
    assert balance_of(db, employer.id) == 0
    with pytest.raises(DomainError, match="payment.amount_invalid"):
        record_counter_receipt(db, employer, amount=D("-1"), value_date=dt.date(2026, 6, 24), channel="cash",
                               payer_name="", reference="", declaration_id=None, actor=ACTOR, now=NOW)


def test_the_account_per_period_and_the_employee_share_status(db, lao) -> None:
    from contributions.account import account_periods, component_status, credit_held, payments_of

    employer, march, april = lao
    payment = _payment(db, "200000", march.payment_reference)
    _reconcile(db)
    periods = {row.period: row for row in account_periods(db, employer.id)}
    assert (periods["2026-03"].charged, periods["2026-03"].paid, periods["2026-03"].status) == \
        (D("345000"), D("200000"), "partly_paid")
    assert periods["2026-04"].status == "unpaid" and periods["2026-04"].due_date == april.due_date
    assert component_status(db, employer.id, "2026-03") == "paid"  # the employee share is settled first
    assert component_status(db, employer.id, "2026-03", "employer_share") == "partly_paid"
    assert credit_held(db, employer.id) == 0 and [p.id for p in payments_of(db, employer.id)] == [payment.id]
    reverse_payment(db, payment.id, reason="Recalled by the bank", actor=ACTOR, now=NOW)
    db.expire_all()
    assert component_status(db, employer.id, "2026-03") == "unpaid"
    assert payments_of(db, employer.id)[0].status == "reversed"  # still in the employer's history


def test_employer_numbers_written_in_groups_or_next_to_other_words() -> None:
    assert {"LA00000018", "0000000014"} <= employer_number_candidates("LA00000018 2026-06 and 0000 0000 14")
    assert "LA00000018" in employer_number_candidates("EMPLOYER LA 0000 0018 APRIL")


def test_a_corrective_lowering_a_paid_period_turns_the_excess_into_credit(db, lao) -> None:
    from contributions.account import account_periods, credit_held

    employer, march, april = lao
    _payment(db, "345000", april.payment_reference)
    _reconcile(db)
    _payment(db, "345000", march.payment_reference)
    _reconcile(db)
    # April's wage was 1,000,000 too high: after the due date, a corrective lowers it (115,000 less).
    corrective = _file(db, employer, Period(2026, 4), wage="2000000")
    assert corrective.kind == "corrective"
    periods = {row.period: row for row in account_periods(db, employer.id)}
    assert (periods["2026-04"].charged, periods["2026-04"].paid, periods["2026-04"].status) == \
        (D("230000"), D("230000"), "paid")
    assert credit_held(db, employer.id) == D("115000") and balance_of(db, employer.id) == D("-115000")
    may = _file(db, employer, Period(2026, 5))  # prefilled with April's corrected wage: 230,000
    assert credit_held(db, employer.id) == 0 and balance_of(db, employer.id) == may.total - D("115000")
    assert _paid(db, employer.id)[("2026-05", "employee_share")] == D("110000")  # the employee share first


def test_a_payment_whose_credit_was_refunded_cannot_be_reversed(db, lao) -> None:
    employer, _, april = lao
    payment = _payment(db, "1000000", april.payment_reference)
    _reconcile(db)
    refund_credit(db, employer, D("310000"), note="Refund by transfer", actor=ACTOR, now=NOW)
    with pytest.raises(DomainError, match="payment.credit_refunded"):
        reverse_payment(db, payment.id, reason="Bounced", actor=ACTOR, now=NOW)
    with pytest.raises(DomainError, match="payment.credit_refunded"):
        undo_match(db, payment.id, note="Wrong employer", actor=ACTOR, now=NOW)


def test_an_employer_sees_only_what_a_payment_settled_in_its_own_account(db, lao) -> None:
    from contributions.account import allocations_of

    employer, _, april = lao
    other = factories.employer_since(db, dt.date(2025, 1, 2))
    payment = _payment(db, "345000", "no reference")
    _reconcile(db)
    assign_payment(db, payment.id, other, declaration_id=None, note="First guess", actor=ACTOR, now=NOW)
    undo_match(db, payment.id, note="Wrong employer", actor=ACTOR, now=NOW)
    assign_payment(db, payment.id, employer, declaration_id=april.id, note="Right one", actor=ACTOR, now=NOW)
    mine = allocations_of(db, payment.id, employer.id)
    assert {period for period, *_ in mine} == {"2026-04"}
    assert all(amount > 0 for *_, amount in mine)
    assert len(allocations_of(db, payment.id, None)) > len(mine)  # staff see both accounts


def test_an_rf_reference_followed_by_text_that_extends_a_valid_prefix() -> None:
    from contributions.rules.references import reference_body, rf_reference

    rf = rf_reference(reference_body("2026-04", 12))
    for tail in (" XAH April", " thanks", "", " 1", " A B C"):
        assert "202604000001278" in reference_candidates(rf + tail), tail


def test_two_correctives_at_the_same_moment_each_give_their_excess_back(db, lao) -> None:
    employer, march, _ = lao
    _payment(db, "345000", march.payment_reference)
    _reconcile(db)
    _file(db, employer, Period(2026, 3), wage="2500000")  # 57,500 less
    _file(db, employer, Period(2026, 3), wage="2000000")  # 57,500 less again, same `now`
    # Both excesses came back as credit, which paid the unpaid April.
    assert _paid(db, employer.id)[("2026-04", "employee_share")] == D("115000")
    assert balance_of(db, employer.id) == D("230000") + D("345000") - D("345000")
