"""The employer's periods at a glance: for each month, whether it is declared, and what is owed for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.period import Period
from contributions.assessments import Assessment
from contributions.calendar import period_due_date
from contributions.declarations import Declaration
from contributions.ledger import balances_by_period
from employers.employers import Employer
from employers.registration import local_today

# not_filed: nothing filed, the due date has not passed; overdue: nothing filed and the due date has passed;
# assessed: nothing filed, and the contributions were estimated (an active assessment, ``assessments.py``).
PERIOD_STATUSES = ("not_filed", "overdue", "assessed", "draft", "filed", "filed_late", "amended")


@dataclass(frozen=True)
class PeriodRow:
    period: Period
    due_date: dt.date
    status: str
    versions: int
    current: Declaration | None
    draft: Declaration | None
    balance: Decimal
    # The period's assessment, active or replaced by the declaration filed since (None: never assessed).
    assessment: Assessment | None = None


def period_overview(session: Session, employer: Employer, *, now: dt.datetime, months: int = 24) -> list[PeriodRow]:
    """The last ``months`` periods from the current month back (never before the registration month), newest
    first.  Three queries whatever the number of periods, plus the due dates.

    A period not filed that has an active assessment is ``assessed``, whether or not a draft is being
    prepared (what is owed for it is the estimate until the declaration is filed); a filed period keeps its
    filing status, its assessment being replaced."""
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
    assessments = {a.period: a for a in session.scalars(select(Assessment).where(
        Assessment.employer_id == employer.id, Assessment.period >= str(first), Assessment.period <= str(last)))}
    balances = balances_by_period(session, employer.id)
    rows = []
    period = last
    while period >= first:
        items = by_period.get(str(period), [])
        filed = [d for d in items if d.status != "draft"]
        draft = next((d for d in items if d.status == "draft"), None)
        assessment = assessments.get(str(period))
        current = next((d for d in reversed(filed) if d.status == "submitted"), None)
        due = filed[0].due_date if filed else period_due_date(
            session, employer.scheme_code, employer.scheme.country, employer.category, period)
        if len(filed) > 1:
            status = "amended"
        elif filed:
            status = "filed_late" if filed[0].is_late else "filed"
        elif assessment is not None and assessment.status == "active":
            status = "assessed"
        elif draft is not None:
            status = "draft"
        else:
            status = "overdue" if today > due else "not_filed"
        rows.append(PeriodRow(period, due, status, len(filed), current, draft,
                              balances.get(str(period), Decimal(0)), assessment))
        period = period.previous()
    return rows


def assessments_with_receipts(session: Session, employer_id: int,
                              period: Period | None = None) -> list[tuple[Assessment, str | None]]:
    """The employer's assessments (of one period, or all of them, newest period first), each with the
    receipt number of the declaration that replaced it (None while it is active).  One query."""
    query = (select(Assessment, Declaration.receipt_number)
             .outerjoin(Declaration, Declaration.id == Assessment.replaced_by_declaration_id)
             .where(Assessment.employer_id == employer_id))
    if period is not None:
        query = query.where(Assessment.period == str(period))
    return [(assessment, receipt) for assessment, receipt in session.execute(query.order_by(Assessment.period.desc()))]
