"""Arrears as of any date: what was owed and overdue on that day, per employer, period and component, and
its age.

"As of" a date means what was known to be owed then and what had been paid by then: charges posted on or
before that day, and money by the date it was paid (the payment's value date, not the day it was imported).
Everything is summed in SQL; the aging buckets are ``rules/aging.py``'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from contributions.ledger import DEBT_COMPONENTS, LedgerEntry
from contributions.payments import Payment
from contributions.rules.aging import BUCKETS, bucket, days_overdue
from employers.employers import Employer

ZERO = Decimal(0)


@dataclass(frozen=True)
class ArrearsLine:
    employer_id: int
    period: str
    component: str
    due_date: dt.date
    outstanding: Decimal
    days: int
    bucket: str


def _known_by(as_of: dt.date):
    """Ledger entries known on ``as_of``: money by its value date, everything else by the day it was posted."""
    return or_(and_(LedgerEntry.payment_id.is_(None), func.date(LedgerEntry.posted_at) <= as_of),
               and_(LedgerEntry.payment_id.is_not(None), Payment.value_date <= as_of))


def arrears_lines(session: Session, *, as_of: dt.date, employer_id: int | None = None,
                  scheme_code: str | None = None) -> list[ArrearsLine]:
    """Every debt overdue on ``as_of`` (due before it and not fully paid by then), oldest first."""
    owed = func.sum(LedgerEntry.debit - LedgerEntry.credit)
    due = func.max(case((LedgerEntry.kind == "charge", LedgerEntry.due_date), else_=None))
    query = (select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component, due, owed)
             .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
             .where(LedgerEntry.component.in_(DEBT_COMPONENTS), _known_by(as_of))
             .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component)
             .having(owed > 0).having(due < as_of))
    if employer_id is not None:
        query = query.where(LedgerEntry.employer_id == employer_id)
    if scheme_code is not None:
        query = query.where(LedgerEntry.employer_id.in_(select(Employer.id).where(Employer.scheme_code == scheme_code)))
    lines = [ArrearsLine(employer, period, component, due_date, Decimal(amount), days_overdue(due_date, as_of),
                         bucket(due_date, as_of))
             for employer, period, component, due_date, amount in session.execute(query)]
    return sorted(lines, key=lambda line: (line.employer_id, line.due_date, line.period, line.component))


def aging(lines: list[ArrearsLine]) -> dict[str, Decimal]:
    """Totals per aging bucket, every bucket present (zero when empty), in bucket order."""
    totals = {label: ZERO for label, _, _ in BUCKETS}
    for line in lines:
        totals[line.bucket] += line.outstanding
    return totals
