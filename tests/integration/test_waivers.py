"""Waivers of interest and fines: four eyes above the threshold, a waiver that later interest runs never
undo, paid interest that a waiver turns back into credit, and what can still be waived."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import delete, func, select

from common.audit import Actor, AuditEvent
from common.errors import DomainError, NotFound
from common.period import Period
from contributions.account import credit_held
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.interest import post_interest
from contributions.ledger import LedgerEntry
from contributions.parameters import SchemeParameter
from contributions.payment_actions import record_counter_receipt
from contributions.payments import Payment
from contributions.reconciliation import reconcile_batch
from contributions.waivers import approve_waiver, reject_waiver, request_waiver, waivable, waivers_of
from tests import factories
from tests.factories import ACTOR

FILED = dt.datetime(2026, 3, 10, 5, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 4, 20, 5, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 5, 5, 5, 0, tzinfo=dt.UTC)


def _tajik(db, wage: str):
    """February 2026 declared (due Monday 16 March) by a non-budget Tajik employer, interest run on 15 April."""
    employer = factories.employer_since(db, dt.date(2025, 1, 2), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage=wage, document_type="passport")
    draft = open_draft(db, employer, Period(2026, 2), actor=ACTOR, now=FILED)
    filed = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=FILED).declaration
    _run(db, "2026-04-15")
    return employer, filed


@pytest.fixture
def small(db):
    """2,000.00 TJS of wages: 440.00 due, 5.28 of interest on 15 April (see test_interest)."""
    employer, filed = _tajik(db, "2000.00")
    assert _interest(db, employer.id) == D("5.28")
    return employer, filed


@pytest.fixture
def large(db):
    """200,000.00 TJS of wages: 44,000.00 due, 30 days at 0.04 % a day = 528.00 of interest, above the
    scheme's 500 TJS threshold."""
    employer, filed = _tajik(db, "200000.00")
    assert _interest(db, employer.id) == D("528.00")
    return employer, filed


@pytest.fixture
def supervisors(db):
    return [_actor(factories.user(db, "supervisor")) for _ in range(2)]


def _actor(user) -> Actor:
    return Actor(user_id=user.id, label=user.email)


def _run(db, day: str, now: dt.datetime = NOW):
    return post_interest(db, "TJ-SOCTAX", as_of=dt.date.fromisoformat(day), actor=ACTOR, now=now)


def _interest(db, employer_id: int) -> D:
    """What the employer owes of interest: charges, waivers and payments together."""
    return db.scalar(select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0))
                     .where(LedgerEntry.employer_id == employer_id, LedgerEntry.component == "interest"))


def _waiver_entries(db, waiver_id: int) -> int:
    return db.scalar(select(func.count()).select_from(LedgerEntry)
                     .where(LedgerEntry.posting_key == f"waiver:{waiver_id}"))


def _actions(db, waiver_id: int) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "waiver",
                                                           AuditEvent.object_id == str(waiver_id))
                           .order_by(AuditEvent.id)))


def _ask(db, employer, actor: Actor, amount: str, *, component: str = "interest", period: str = "2026-02",
         reason: str = "Bank strike in March", now: dt.datetime = NOW):
    return request_waiver(db, employer, period=period, component=component, amount=amount, reason=reason,
                          actor=actor, now=now)


def test_a_waiver_within_the_threshold_takes_effect_at_once(db, small, supervisors) -> None:
    employer, _ = small
    waiver = _ask(db, employer, supervisors[0], "2.00")
    assert (waiver.status, waiver.decided_by_user_id) == ("approved", supervisors[0].user_id)
    assert _interest(db, employer.id) == D("3.28")
    assert _waiver_entries(db, waiver.id) == 1
    assert _actions(db, waiver.id) == ["waiver.requested", "waiver.approved"]
    assert waivable(db, employer.id, "2026-02", "interest") == D("3.28")


def test_above_the_threshold_a_second_supervisor_decides(db, large, supervisors) -> None:
    employer, _ = large
    asker, second = supervisors
    waiver = _ask(db, employer, asker, "510.00")
    assert waiver.status == "pending" and _waiver_entries(db, waiver.id) == 0
    assert _interest(db, employer.id) == D("528.00")
    # A pending waiver is reserved: only the rest may be asked for meanwhile.
    assert waivable(db, employer.id, "2026-02", "interest") == D("18.00")
    with pytest.raises(DomainError) as refused:
        _ask(db, employer, second, "18.01")
    assert refused.value.code == "waiver.more_than_charged"

    for who in (asker, ACTOR):  # the one who asked, and a process that is nobody
        with pytest.raises(DomainError) as refused:
            approve_waiver(db, waiver.id, actor=who, now=NOW)
        assert refused.value.code == "waiver.second_person_required"
    assert waiver.status == "pending" and _waiver_entries(db, waiver.id) == 0

    approve_waiver(db, waiver.id, actor=second, now=NOW, note="Checked the bank's letter")
    assert (waiver.status, waiver.decided_by_user_id, waiver.decision_note) == \
        ("approved", second.user_id, "Checked the bank's letter")
    assert _interest(db, employer.id) == D("18.00") and _waiver_entries(db, waiver.id) == 1
    assert _actions(db, waiver.id) == ["waiver.requested", "waiver.approved"]
    with pytest.raises(DomainError) as refused:
        approve_waiver(db, waiver.id, actor=second, now=NOW)
    assert refused.value.code == "waiver.already_decided"
    assert _waiver_entries(db, waiver.id) == 1


def test_a_rejection_needs_a_note_and_frees_the_amount(db, large, supervisors) -> None:
    employer, _ = large
    asker, second = supervisors
    waiver = _ask(db, employer, asker, "510.00")
    with pytest.raises(DomainError) as refused:
        reject_waiver(db, waiver.id, actor=second, now=NOW, note="  ")
    assert refused.value.code == "waiver.note_required"
    with pytest.raises(DomainError) as refused:
        reject_waiver(db, waiver.id, actor=asker, now=NOW, note="Changed my mind")
    assert refused.value.code == "waiver.second_person_required"
    reject_waiver(db, waiver.id, actor=second, now=NOW, note="No  proof of the strike")
    assert (waiver.status, waiver.decision_note) == ("rejected", "No proof of the strike")
    assert _interest(db, employer.id) == D("528.00") and _waiver_entries(db, waiver.id) == 0
    assert waivable(db, employer.id, "2026-02", "interest") == D("528.00")
    assert _actions(db, waiver.id) == ["waiver.requested", "waiver.rejected"]
    assert waivers_of(db, employer.id, in_effect_only=True) == []
    with pytest.raises(DomainError) as refused:
        approve_waiver(db, waiver.id, actor=second, now=NOW)
    assert refused.value.code == "waiver.already_decided"
    with pytest.raises(NotFound):
        approve_waiver(db, 2147483647, actor=second, now=NOW)


@pytest.mark.parametrize(("fields", "code"), [
    ({"component": "contributions"}, "waiver.component_unknown"),
    ({"period": "2026-13"}, "waiver.period_invalid"),
    ({"period": "February"}, "waiver.period_invalid"),
    ({"reason": " \n "}, "waiver.reason_required"),
    ({"reason": "x" * 1001}, "field.too_long"),
    ({"amount": "abc"}, "waiver.amount_invalid"),
    ({"amount": "0"}, "waiver.amount_invalid"),
    ({"amount": "-1"}, "waiver.amount_invalid"),
    ({"amount": "1.005"}, "waiver.amount_invalid"),
    ({"amount": "5.29"}, "waiver.more_than_charged"),
    ({"component": "fine"}, "waiver.more_than_charged"),  # no fine was charged
    ({"period": "2026-03"}, "waiver.more_than_charged"),  # nothing charged for March
])
def test_what_is_refused(db, small, supervisors, fields, code) -> None:
    employer, _ = small
    values = {"amount": "1.00", "component": "interest", "period": "2026-02", "reason": "Bank strike"} | fields
    with pytest.raises(DomainError) as refused:
        _ask(db, employer, supervisors[0], **values)
    assert refused.value.code == code
    assert waivers_of(db, employer.id) == []


def test_a_waiver_survives_the_next_interest_runs(db, large, supervisors) -> None:
    employer, _ = large
    _ask(db, employer, supervisors[0], "100.00")
    assert _interest(db, employer.id) == D("428.00")
    _run(db, "2026-04-15")  # the same day again: nothing changes
    assert _interest(db, employer.id) == D("428.00")
    _run(db, "2026-04-30", LATER)  # 45 days: 44,000.00 x 0.04 % x 45 = 792.00, of which 100.00 is waived
    assert _interest(db, employer.id) == D("692.00")
    _run(db, "2026-04-30", LATER)
    assert _interest(db, employer.id) == D("692.00")


def test_when_the_interest_falls_below_the_waiver_nothing_is_owed_and_nothing_is_given(db, small,
                                                                                       supervisors) -> None:
    employer, filed = small
    _ask(db, employer, supervisors[0], "5.28")  # all of it
    assert _interest(db, employer.id) == 0
    _back_dated_payment(db, filed)
    _run(db, "2026-04-15")  # paid 10 days late: 1.76 of interest now, less than the 5.28 waived
    assert _interest(db, employer.id) == 0
    assert credit_held(db, employer.id) == 0
    _run(db, "2026-04-15")
    assert _interest(db, employer.id) == 0


def test_a_waiver_of_paid_interest_gives_the_money_back_as_credit(db, small, supervisors) -> None:
    employer, filed = small
    record_counter_receipt(db, employer, amount=D("445.28"), value_date=dt.date(2026, 4, 15), channel="cash",
                           payer_name="", reference="", declaration_id=filed.id, actor=ACTOR, now=NOW)
    assert _interest(db, employer.id) == 0 and credit_held(db, employer.id) == 0
    waiver = _ask(db, employer, supervisors[0], "5.28")
    assert waiver.status == "approved"
    assert credit_held(db, employer.id) == D("5.28")
    assert _interest(db, employer.id) == 0


def test_paid_interest_waived_pays_another_debt_first(db, small, supervisors) -> None:
    employer, filed = small
    record_counter_receipt(db, employer, amount=D("445.28"), value_date=dt.date(2026, 4, 15), channel="cash",
                           payer_name="", reference="", declaration_id=filed.id, actor=ACTOR, now=NOW)
    draft = open_draft(db, employer, Period(2026, 3), actor=ACTOR, now=NOW)  # March, 440.00, not paid
    submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=NOW)
    _ask(db, employer, supervisors[0], "5.28")
    assert credit_held(db, employer.id) == 0  # carried to March at once
    march = db.scalar(select(func.sum(LedgerEntry.debit - LedgerEntry.credit)).where(
        LedgerEntry.employer_id == employer.id, LedgerEntry.period == "2026-03"))
    assert march == D("434.72")


def test_approval_is_refused_when_the_interest_fell_below_the_pending_waiver(db, large, supervisors) -> None:
    employer, filed = large
    asker, second = supervisors
    waiver = _ask(db, employer, asker, "510.00")
    _back_dated_payment(db, filed)
    _run(db, "2026-04-15")  # paid 10 days late: 44,000.00 x 0.04 % x 10 = 176.00 of interest now
    assert _interest(db, employer.id) == D("176.00")
    with pytest.raises(DomainError) as refused:
        approve_waiver(db, waiver.id, actor=second, now=NOW)
    assert refused.value.code == "waiver.more_than_charged"
    assert D(refused.value.params["available"]) == D("176.00")
    assert waiver.status == "pending" and _interest(db, employer.id) == D("176.00")


def _back_dated_payment(db, filed) -> None:
    payment = Payment(scheme_code="TJ-SOCTAX", bank_code="AMONATBONK", transaction_id=f"LATE-{filed.id}",
                      channel="bank", booking_date=dt.date(2026, 3, 26), value_date=dt.date(2026, 3, 26),
                      amount=filed.total, currency="TJS", remittance=filed.payment_reference, status="new",
                      matches=0, payer_name="", payer_account="", note="", received_at=NOW, recorded_by="test")
    db.add(payment)
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=NOW)


def test_splitting_a_large_waiver_does_not_avoid_the_second_person(db, large, supervisors) -> None:
    employer, _ = large
    first = _ask(db, employer, supervisors[0], "264.00", reason="First half")
    second = _ask(db, employer, supervisors[0], "264.00", reason="Second half")
    # 264 is within the 500 TJS threshold, but 264 + 264 is not: the second waits.
    assert (first.status, second.status) == ("approved", "pending")
    assert _interest(db, employer.id) == D("264.00")


def test_the_same_waiver_sent_twice_is_recorded_once(db, small, supervisors) -> None:
    employer, _ = small
    once = _ask(db, employer, supervisors[0], "2.00")
    again = _ask(db, employer, supervisors[0], "2.00", now=NOW + dt.timedelta(seconds=3))
    assert again.id == once.id and _interest(db, employer.id) == D("3.28")
    # The same amount asked for again later, or by someone else, is a new waiver.
    other = _ask(db, employer, supervisors[1], "2.00")
    assert other.id != once.id and _interest(db, employer.id) == D("1.28")


def test_without_a_threshold_every_waiver_waits(db, supervisors) -> None:
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer)
    draft = open_draft(db, employer, Period(2026, 2), actor=ACTOR, now=FILED)
    submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=FILED)
    from contributions.accruals import post_accruals

    post_accruals(db, "LA-LSSO", "fine", {(employer.id, "2026-02"): D(100000)}, as_of=dt.date(2026, 4, 1),
                  posted_by="test", now=NOW)
    db.execute(delete(SchemeParameter).where(SchemeParameter.scheme_code == "LA-LSSO",
                                             SchemeParameter.name == "waiver.approval_threshold"))
    waiver = _ask(db, employer, supervisors[0], "1", component="fine")
    assert waiver.status == "pending"
