"""Waivers: staff forgive interest or fines of one period of an employer, in whole or in part, with a reason.

A waiver up to the scheme's ``waiver.approval_threshold`` takes effect when it is recorded; above it, it
waits for a second person, a supervisor other than the one who asked (four eyes), who approves or rejects
it.  A waiver in effect is a ledger entry (a reduction of the component, keyed ``waiver:<id>``): what was
paid towards the waived amount becomes credit again, and the interest and fine jobs never charge a waived
amount again (``accruals.py``).  Every step is audited; the employer sees the waivers in effect.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError, NotFound
from common.money import round_money
from common.period import Period
from contributions.allocation import apply_credit, release_overpaid
from contributions.ledger import CHARGE_KINDS, LedgerEntry, Posting, lock_account, post
from contributions.parameters import rules_on
from employers.employers import Employer
from employers.registration import local_today

ZERO = Decimal(0)
WAIVABLE = ("interest", "fine")
STATUSES = ("pending", "approved", "rejected")
REASON_LENGTH = 1000
REPEAT_WINDOW = dt.timedelta(minutes=10)  # an identical request within this is the same one sent again
THRESHOLD_WINDOW = dt.timedelta(days=365)  # the waivers that count towards the approval threshold


class Waiver(Base):
    __tablename__ = "waiver"
    __table_args__ = (
        CheckConstraint(f"component IN {WAIVABLE!r}", name="component_known"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("length(period) = 7", name="period_format"),
        Index("ix_waiver_employer_id", "employer_id"),
        Index("ix_waiver_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    period: Mapped[str] = mapped_column(String(7))
    component: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[dt.datetime]
    # Who decided: the requester when no approval was needed, else the approving (or rejecting) supervisor.
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")


def waivable(session: Session, employer_id: int, period: str, component: str) -> Decimal:
    """What may still be waived: the component's charges for the period, less waivers in effect or pending."""
    return max(_unreserved(session, employer_id, period, component), ZERO)


def _unreserved(session: Session, employer_id: int, period: str, component: str) -> Decimal:
    """The component's charges for the period (waivers in effect deducted) less the pending waivers; negative
    when the charges fell below what pending waivers ask for (a back-dated payment lowered the interest)."""
    charged = session.scalar(select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0)).where(
        LedgerEntry.employer_id == employer_id, LedgerEntry.period == period, LedgerEntry.component == component,
        LedgerEntry.kind.in_(CHARGE_KINDS)))
    pending = session.scalar(select(func.coalesce(func.sum(Waiver.amount), 0)).where(
        Waiver.employer_id == employer_id, Waiver.period == period, Waiver.component == component,
        Waiver.status == "pending"))
    return Decimal(charged or 0) - Decimal(pending or 0)


def _amount(text: str | Decimal, places: int) -> Decimal:
    try:
        amount = Decimal(str(text).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise DomainError("waiver.amount_invalid") from None
    if not amount.is_finite() or amount <= ZERO or amount != round_money(amount, places, "half_up"):
        raise DomainError("waiver.amount_invalid")
    return amount


def request_waiver(session: Session, employer: Employer, *, period: str, component: str, amount: str | Decimal,
                   reason: str, actor: Actor, now: dt.datetime) -> Waiver:
    """Record a waiver; it takes effect at once up to the threshold, else it waits for approval."""
    if component not in WAIVABLE:
        raise DomainError("waiver.component_unknown")
    try:
        period = str(Period.parse(period))
    except DomainError:  # Period.parse raises period.invalid
        raise DomainError("waiver.period_invalid") from None
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("waiver.reason_required")
    if len(reason) > REASON_LENGTH:
        raise DomainError("field.too_long")
    today = local_today(employer.scheme, now)
    rules = rules_on(session, employer.scheme_code, employer.category, today)
    value = _amount(amount, rules.rounding().places)
    lock_account(session, [employer.id])  # serialises the requests of one employer's waivers
    # The same waiver sent twice (a double click, a second tab) is recorded once.
    repeated = session.scalar(select(Waiver).where(
        Waiver.employer_id == employer.id, Waiver.period == period, Waiver.component == component,
        Waiver.amount == value, Waiver.reason == reason, Waiver.requested_by == actor.label,
        Waiver.requested_at >= now - REPEAT_WINDOW).order_by(Waiver.id.desc()).limit(1))
    if repeated is not None:
        return repeated
    if value > waivable(session, employer.id, period, component):
        raise DomainError("waiver.more_than_charged", available=str(waivable(session, employer.id, period, component)))
    threshold = rules.get("waiver.approval_threshold")
    # Four eyes on the total, not on each request: waivers of the employer in the last year, in effect or
    # waiting, count with this one, so splitting a large waiver into small ones does not avoid approval.
    # Without a threshold every waiver waits for a second person.
    recent = session.scalar(select(func.coalesce(func.sum(Waiver.amount), 0)).where(
        Waiver.employer_id == employer.id, Waiver.status.in_(("pending", "approved")),
        Waiver.requested_at >= now - THRESHOLD_WINDOW)) or ZERO
    waiver = Waiver(employer_id=employer.id, period=period, component=component, amount=value,
                    currency=employer.scheme.currency, reason=reason, status="pending", requested_by=actor.label,
                    requested_by_user_id=actor.user_id, requested_at=now, decision_note="")
    session.add(waiver)
    session.flush()
    record_audit(session, actor=actor, action="waiver.requested", now=now, object_type="waiver", object_id=waiver.id,
                 summary=f"{employer.employer_number} {period} {component} {value} {waiver.currency}: {reason}"[:500])
    if threshold is not None and Decimal(recent) + value <= threshold:
        _put_in_effect(session, employer, waiver, actor=actor, now=now, note="")
    return waiver


def approve_waiver(session: Session, waiver_id: int, *, actor: Actor, now: dt.datetime, note: str = "") -> Waiver:
    """A second person approves a pending waiver: it takes effect."""
    waiver, employer = _pending(session, waiver_id, actor)
    # What was charged may have fallen since (a back-dated payment lowered the interest).  Not ``waivable``
    # plus this waiver: ``waivable`` stops at zero, so the sum would never be below the waiver.
    available = _unreserved(session, employer.id, waiver.period, waiver.component) + waiver.amount
    if waiver.amount > available:
        raise DomainError("waiver.more_than_charged", available=str(max(available, ZERO)))
    _put_in_effect(session, employer, waiver, actor=actor, now=now, note=note)
    return waiver


def reject_waiver(session: Session, waiver_id: int, *, actor: Actor, now: dt.datetime, note: str) -> Waiver:
    note = " ".join((note or "").split())
    if not note:
        raise DomainError("waiver.note_required")
    if len(note) > REASON_LENGTH:
        raise DomainError("field.too_long")
    waiver, _employer = _pending(session, waiver_id, actor)
    waiver.status, waiver.decided_by, waiver.decided_by_user_id = "rejected", actor.label, actor.user_id
    waiver.decided_at, waiver.decision_note = now, note
    session.flush()
    record_audit(session, actor=actor, action="waiver.rejected", now=now, object_type="waiver", object_id=waiver.id,
                 summary=note[:500])
    return waiver


def _pending(session: Session, waiver_id: int, actor: Actor) -> tuple[Waiver, Employer]:
    waiver = session.get(Waiver, waiver_id)
    if waiver is None:
        raise NotFound("waiver.not_found")
    employer = session.get(Employer, waiver.employer_id)
    lock_account(session, [employer.id])
    session.refresh(waiver, with_for_update=True)
    if waiver.status != "pending":
        raise DomainError("waiver.already_decided")
    if actor.user_id is None or actor.user_id == waiver.requested_by_user_id:
        raise DomainError("waiver.second_person_required")
    return waiver, employer


def _put_in_effect(session: Session, employer: Employer, waiver: Waiver, *, actor: Actor, now: dt.datetime,
                   note: str) -> None:
    today = local_today(employer.scheme, now)
    post(session, [Posting(employer_id=employer.id, period=waiver.period, component=waiver.component,
                           amount=-waiver.amount, currency=waiver.currency, due_date=today,
                           posting_key=f"waiver:{waiver.id}")], posted_by=actor.label, now=now)
    waiver.status, waiver.decided_by, waiver.decided_by_user_id = "approved", actor.label, actor.user_id
    waiver.decided_at, waiver.decision_note = now, " ".join((note or "").split())[:REASON_LENGTH]
    session.flush()
    # Money that had paid the waived amount is the employer's again, and pays what else is owed.
    release_overpaid(session, employer.id, waiver.period, cause=f"waiver:{waiver.id}", posted_by=actor.label,
                     now=now, today=today)
    apply_credit(session, employer.id, employer.scheme_code, waiver.currency, posted_by=actor.label, now=now,
                 today=today)
    record_audit(session, actor=actor, action="waiver.approved", now=now, object_type="waiver", object_id=waiver.id,
                 summary=f"{employer.employer_number} {waiver.period} {waiver.component} {waiver.amount} "
                 f"{waiver.currency} in effect")


def waivers_of(session: Session, employer_id: int, *, in_effect_only: bool = False) -> list[Waiver]:
    query = select(Waiver).where(Waiver.employer_id == employer_id)
    if in_effect_only:
        query = query.where(Waiver.status == "approved")
    return list(session.scalars(query.order_by(Waiver.requested_at.desc(), Waiver.id.desc())))


def pending_waivers(session: Session) -> list[Waiver]:
    return list(session.scalars(select(Waiver).where(Waiver.status == "pending").order_by(Waiver.requested_at)))
