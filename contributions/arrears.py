"""Arrears as of any date: what was owed and overdue on that day, per employer, period and component, and
its age.

"As of" a date means what was known to be owed then and what had been paid by then: charges posted on or
before that day, and money by the date it was paid (the payment's value date, not the day it was imported).
Everything is summed in SQL; the aging buckets are ``rules/aging.py``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Numeric, and_, case, func, or_, select, type_coerce
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


def _overdue_query(as_of: dt.date, employer_id: int | None, scheme_code: str | None,
                   employer_ids: Sequence[int] | None = None):
    """(employer_id, period, component, due, owed) of every debt overdue on ``as_of``."""
    owed = func.sum(LedgerEntry.debit - LedgerEntry.credit)
    due = func.max(case((LedgerEntry.kind == "charge", LedgerEntry.due_date), else_=None))
    query = (select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component, due.label("due"),
                    owed.label("owed"))
             .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
             .where(LedgerEntry.component.in_(DEBT_COMPONENTS), _known_by(as_of))
             .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component)
             .having(owed > 0).having(due < as_of))
    if employer_id is not None:
        query = query.where(LedgerEntry.employer_id == employer_id)
    if scheme_code is not None:
        query = query.where(LedgerEntry.employer_id.in_(select(Employer.id).where(Employer.scheme_code == scheme_code)))
    if employer_ids is not None:
        query = query.where(LedgerEntry.employer_id.in_(sorted(set(employer_ids))))
    return query


def arrears_lines(session: Session, *, as_of: dt.date, employer_id: int | None = None,
                  scheme_code: str | None = None, employer_ids: Sequence[int] | None = None) -> list[ArrearsLine]:
    """Every debt overdue on ``as_of`` (due before it and not fully paid by then), oldest first; of one
    employer, of a scheme, or of these employers."""
    query = _overdue_query(as_of, employer_id, scheme_code, employer_ids)
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


@dataclass(frozen=True)
class EmployerArrears:
    """One employer's debts overdue on a date: in all, per aging bucket, and how much of it is estimated."""

    employer_id: int
    employer_number: str | None
    legal_name: str
    total: Decimal
    oldest_due: dt.date
    buckets: dict[str, Decimal]  # every bucket, in bucket order
    assessed: Decimal  # the part of the total that is assessments (estimates of periods not declared)


@dataclass(frozen=True)
class SchemeArrears:
    employers: list[EmployerArrears]  # the page asked for, the largest total first
    employer_count: int  # employers with an overdue debt, on every page
    buckets: dict[str, Decimal]  # totals of the scheme per bucket, every bucket, in bucket order
    total: Decimal


def _bucket_bounds(as_of: dt.date) -> list[tuple[str, dt.date, dt.date | None]]:
    """Each bucket as the due dates it holds on ``as_of``: (label, latest due date, earliest or None).  A due
    date compared with dates works alike on both databases, where a difference of dates does not."""
    return [(label, as_of - dt.timedelta(days=low), None if high is None else as_of - dt.timedelta(days=high))
            for label, low, high in BUCKETS]


def arrears_by_employer(session: Session, *, as_of: dt.date, scheme_code: str, limit: int | None = 50,
                        offset: int = 0, employers_where=None) -> SchemeArrears:
    """The scheme's debts overdue on ``as_of`` (as ``arrears_lines`` has them) summed per employer and aging
    bucket in SQL: one page of employers (``limit`` None: all), the largest total overdue first, and the
    scheme's totals.  Two queries whatever the number of employers.  ``employers_where``: a condition on
    ``Employer`` that keeps only some of the scheme's employers (an inspector's provinces)."""
    query = _overdue_query(as_of, None, scheme_code)
    if employers_where is not None:
        query = query.where(LedgerEntry.employer_id.in_(select(Employer.id).where(employers_where)))
    lines = query.subquery("overdue")

    def in_bucket(latest: dt.date, earliest: dt.date | None):
        condition = lines.c.due <= latest if earliest is None else and_(lines.c.due <= latest,
                                                                          lines.c.due >= earliest)
        return _money(func.sum(case((condition, lines.c.owed), else_=0)))

    bounds = _bucket_bounds(as_of)
    per_bucket = [in_bucket(latest, earliest).label(f"b{i}") for i, (_, latest, earliest) in enumerate(bounds)]
    total = _money(func.sum(lines.c.owed)).label("total")
    assessed = _money(func.sum(case((lines.c.component == "assessment", lines.c.owed), else_=0))).label("assessed")
    per_employer = (select(lines.c.employer_id, total, func.min(lines.c.due).label("oldest"), assessed, *per_bucket)
                    .group_by(lines.c.employer_id).subquery("per_employer"))
    bucket_columns = [per_employer.c[f"b{i}"] for i in range(len(bounds))]
    summary = session.execute(select(func.count(), _money(func.sum(per_employer.c.total)),
                                     *[_money(func.sum(column)) for column in bucket_columns])).one()
    rows = session.execute(
        select(per_employer.c.employer_id, Employer.employer_number, Employer.legal_name, per_employer.c.total,
               per_employer.c.oldest, per_employer.c.assessed, *bucket_columns)
        .join(Employer, Employer.id == per_employer.c.employer_id)
        .order_by(per_employer.c.total.desc(), Employer.employer_number, per_employer.c.employer_id)
        .limit(limit).offset(offset))
    labels = [label for label, _, _ in bounds]
    employers = [EmployerArrears(employer_id=row[0], employer_number=row[1], legal_name=row[2], total=row[3],
                                 oldest_due=row[4], assessed=row[5], buckets=dict(zip(labels, row[6:], strict=True)))
                 for row in rows]
    return SchemeArrears(employers=employers, employer_count=summary[0], total=summary[1],
                         buckets=dict(zip(labels, summary[2:], strict=True)))


def _money(total):
    """A sum of money, zero when there is nothing to sum, read back as a Decimal on both databases."""
    return type_coerce(func.coalesce(total, 0), Numeric(18, 2))
