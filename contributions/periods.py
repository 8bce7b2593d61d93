"""The employer's periods at a glance: for each month, whether it is declared, and what is owed for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.period import Period
from contributions.calendar import period_due_date
from contributions.declarations import Declaration
from contributions.ledger import balances_by_period
from employers.employers import Employer
from employers.registration import local_today

# not_filed: nothing filed, the due date has not passed; overdue: nothing filed and the due date has passed.
PERIOD_STATUSES = ("not_filed", "overdue", "draft", "filed", "filed_late", "amended")


@dataclass(frozen=True)
class PeriodRow:
    period: Period
    due_date: dt.date
    status: str
    versions: int
    current: Declaration | None
    draft: Declaration | None
    balance: Decimal


def period_overview(session: Session, employer: Employer, *, now: dt.datetime, months: int = 24) -> list[PeriodRow]:
    """The last ``months`` periods from the current month back (never before the registration month), newest
    first.  Two queries whatever the number of periods, plus the due dates."""
    today = local_today(employer.scheme, now)
    last = Period.of(today)
    first = last.shift(-(months - 1))
    if employer.registered_on is not None:
        first = max(first, Period.of(employer.registered_on))
    if employer.ceased_on is not None:
        last = min(last, Period.of(employer.ceased_on))
    declarations = session.scalars(select(Declaration).where(
        Declaration.employer_id == employer.id, Declaration.period >= str(first), Declaration.period <= str(last))
        .order_by(Declaration.period, Declaration.version)).all()
    by_period: dict[str, list[Declaration]] = {}
    for declaration in declarations:
        by_period.setdefault(declaration.period, []).append(declaration)
    balances = balances_by_period(session, employer.id)
    rows = []
    period = last
    while period >= first:
        items = by_period.get(str(period), [])
        filed = [d for d in items if d.status != "draft"]
        draft = next((d for d in items if d.status == "draft"), None)
        current = next((d for d in reversed(filed) if d.status == "submitted"), None)
        due = filed[0].due_date if filed else period_due_date(
            session, employer.scheme_code, employer.scheme.country, employer.category, period)
        if len(filed) > 1:
            status = "amended"
        elif filed:
            status = "filed_late" if filed[0].is_late else "filed"
        elif draft is not None:
            status = "draft"
        else:
            status = "overdue" if today > due else "not_filed"
        rows.append(PeriodRow(period, due, status, len(filed), current, draft,
                              balances.get(str(period), Decimal(0))))
        period = period.previous()
    return rows
