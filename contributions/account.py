"""The employer account as people read it: per period what was charged, what was paid, what is left; the
credit held; the payments.  Everything is summed from the ledger in SQL, one query per view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from contributions.ledger import CHARGE_KINDS, DEBT_COMPONENTS, LedgerEntry
from contributions.payments import Payment

ZERO = Decimal(0)
MONEY_KINDS = ("payment", "credit_applied", "reversal")
PERIOD_COMPONENTS = ("employee_share", "employer_share", "assessment")
# paid: nothing left; partly_paid: some paid, some left; unpaid: nothing paid; nothing_due: no charge.
ACCOUNT_STATUSES = ("paid", "partly_paid", "unpaid", "nothing_due")


@dataclass(frozen=True)
class PeriodAccount:
    period: str
    due_date: dt.date | None
    charged: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.charged - self.paid

    @property
    def status(self) -> str:
        return share_status(self.charged, self.paid)

    def overdue_on(self, today: dt.date) -> bool:
        """Something is left to pay and the due date has passed (``today`` in the scheme's time zone)."""
        return self.outstanding > ZERO and self.due_date is not None and self.due_date < today


def share_status(charged: Decimal, paid: Decimal) -> str:
    if charged <= ZERO:
        return "nothing_due"
    if paid >= charged:
        return "paid"
    return "partly_paid" if paid > ZERO else "unpaid"


def _sums(*conditions):
    debt = LedgerEntry.component.in_(DEBT_COMPONENTS)
    charged = func.coalesce(func.sum(case(((LedgerEntry.kind.in_(CHARGE_KINDS)) & debt,
                                           LedgerEntry.debit - LedgerEntry.credit), else_=0)), 0)
    paid = func.coalesce(func.sum(case(((LedgerEntry.kind.in_(MONEY_KINDS)) & debt,
                                        LedgerEntry.credit - LedgerEntry.debit), else_=0)), 0)
    # The period's due date is that of its contributions (or of their estimate); interest and fines are
    # charged later, each night, and would otherwise make an old debt look as if it fell due today.
    own = LedgerEntry.component.in_(PERIOD_COMPONENTS)
    due = func.coalesce(func.max(case(((LedgerEntry.kind == "charge") & own, LedgerEntry.due_date), else_=None)),
                        func.max(case((LedgerEntry.kind == "charge", LedgerEntry.due_date), else_=None)))
    return charged, paid, due


def account_periods(session: Session, employer_id: int) -> list[PeriodAccount]:
    """Each period with a charge or a payment, newest first."""
    charged, paid, due = _sums()
    rows = session.execute(select(LedgerEntry.period, charged, paid, due)
                           .where(LedgerEntry.employer_id == employer_id, LedgerEntry.component != "credit")
                           .group_by(LedgerEntry.period).order_by(LedgerEntry.period.desc()))
    return [PeriodAccount(period, due_date, Decimal(c), Decimal(p)) for period, c, p, due_date in rows]


def component_status(session: Session, employer_id: int, period: str, component: str = "employee_share") -> str:
    """Whether one component of a period is paid: the worker's record asks it of the employee share."""
    charged, paid, _ = _sums()
    c, p = session.execute(select(charged, paid).where(LedgerEntry.employer_id == employer_id,
                                                       LedgerEntry.period == period,
                                                       LedgerEntry.component == component)).one()
    return share_status(Decimal(c), Decimal(p))


def credit_held(session: Session, employer_id: int) -> Decimal:
    """Money received for the employer and not applied to any debt."""
    held = session.scalar(select(func.coalesce(func.sum(LedgerEntry.credit - LedgerEntry.debit), 0))
                          .where(LedgerEntry.employer_id == employer_id, LedgerEntry.component == "credit"))
    return Decimal(held or 0)


def payments_of(session: Session, employer_id: int, *, limit: int = 100, offset: int = 0) -> list[Payment]:
    """The employer's payments (matched and reversed), newest value date first."""
    return list(session.scalars(select(Payment).where(Payment.employer_id == employer_id)
                                .order_by(Payment.value_date.desc(), Payment.id.desc()).limit(limit).offset(offset)))


def allocations_of(session: Session, payment_id: int, employer_id: int | None) -> list[tuple[str, str, str, Decimal]]:
    """What a payment settled in one employer's account (None: every employer, for staff): (period, component,
    kind, amount), netted.  A payment assigned to one employer, undone and assigned to another has entries
    in both accounts; an employer sees only its own."""
    return allocations_of_payments(session, [payment_id], employer_id).get(payment_id, [])


def allocations_of_payments(session: Session, payment_ids: Sequence[int],
                            employer_id: int | None) -> dict[int, list[tuple[str, str, str, Decimal]]]:
    """``allocations_of`` for several payments in one query: payment id -> its allocations."""
    query = select(LedgerEntry.payment_id, LedgerEntry.period, LedgerEntry.component, LedgerEntry.kind,
                   func.sum(LedgerEntry.credit - LedgerEntry.debit)).where(LedgerEntry.payment_id.in_(payment_ids))
    if employer_id is not None:
        query = query.where(LedgerEntry.employer_id == employer_id)
    rows = session.execute(query
                           .group_by(LedgerEntry.payment_id, LedgerEntry.period, LedgerEntry.component,
                                     LedgerEntry.kind)
                           .order_by(LedgerEntry.payment_id, LedgerEntry.period, LedgerEntry.component))
    found: dict[int, list[tuple[str, str, str, Decimal]]] = {}
    for payment_id, period, component, kind, amount in rows:
        if amount:
            found.setdefault(payment_id, []).append((period, component, kind, Decimal(amount)))
    return found
