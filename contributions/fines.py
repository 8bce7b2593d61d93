"""Late-filing fines as of a date, for every period of a scheme's employers.

A period is fined when its first declaration (the original) was filed after the due date, or when nothing
is filed and the due date has passed; the delay runs to the day it was filed (in the scheme's time zone),
or to ``as_of`` while it is still missing, so the fine of a missing declaration grows with each started
step of days until it is filed.  The rule is the scheme's (``fine.filing.*`` in force on the period's first
day); a fine in calculation indices uses the index in force on the day after the due date, the day of the
offence (country rules §2.3, §2.5).  A scheme without ``fine.filing.amount`` fines nobody (Lao PDR until
the LSSO confirms its rule, §1.6).

Periods that must be filed: every month from the employer's registration (or the first day the scheme's
fine rule is in force, whichever is later) to its cessation; a month without wages is filed as a nil
declaration.  Like interest, the job posts only the difference with what was charged before
(``accruals.py``): it is idempotent, catches up, and never undoes a waiver.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from common.period import Period
from common.schemes import Scheme
from contributions.accruals import post_accruals
from contributions.calendar import period_due_date
from contributions.declarations import Declaration
from contributions.parameters import SchemeParameter, rules_on
from contributions.rules.fines import FilingFineRule, filing_fine
from employers.employers import Employer, category_history, category_on

ZERO = Decimal(0)


@dataclass
class FineCounts:
    late_periods: int = 0
    periods_changed: int = 0
    posted: Decimal = ZERO
    without_index: int = 0  # a fine in calculation indices for a year whose index is not known


def fine_rule(session: Session, scheme_code: str, category: str | None, period: Period,
              due: dt.date) -> FilingFineRule | None:
    """The fine rule for a period; None when the scheme has none, or its unit's value is not known."""
    rules = rules_on(session, scheme_code, category, period.first_day)
    amount = rules.get("fine.filing.amount")
    if amount is None:
        return None
    unit_value = Decimal(1)
    if rules.get("fine.filing.unit") == "calculation_index":
        index = rules_on(session, scheme_code, category, due + dt.timedelta(days=1)).get("calculation_index")
        if index is None:
            raise LookupError("calculation_index")
        unit_value = index
    rounding = rules.rounding()
    return FilingFineRule(amount=amount, unit_value=unit_value, step_days=int(rules.get("fine.filing.step_days") or 0),
                          cap=rules.get("fine.filing.cap"), places=rounding.places, mode=rounding.mode)


def post_fines(session: Session, scheme_code: str, *, as_of: dt.date, actor: Actor, now: dt.datetime,
               employer_ids: Sequence[int] | None = None) -> FineCounts:
    """Charge (or give back) the difference between the late-filing fines owed as of ``as_of`` and those
    charged before, for the scheme's employers (or these).  Flushes; the caller commits."""
    counts = FineCounts()
    start = session.scalar(select(func.min(SchemeParameter.valid_from)).where(
        SchemeParameter.scheme_code == scheme_code, SchemeParameter.name == "fine.filing.amount"))
    if start is None:
        return counts
    scheme = session.get(Scheme, scheme_code)
    zone = ZoneInfo(scheme.time_zone)
    query = (select(Employer.id, Employer.category, Employer.registered_on, Employer.ceased_on)
             .where(Employer.scheme_code == scheme_code, Employer.employer_number.is_not(None),
                    Employer.registered_on.is_not(None)))
    filed_query = (select(Declaration.employer_id, Declaration.period, func.min(Declaration.filed_at))
                   .where(Declaration.scheme_code == scheme_code, Declaration.status != "draft")
                   .group_by(Declaration.employer_id, Declaration.period))
    if employer_ids is not None:
        chosen = sorted(set(employer_ids))
        query = query.where(Employer.id.in_(chosen))
        filed_query = filed_query.where(Declaration.employer_id.in_(chosen))
    employers = session.execute(query).all()
    first_filed: dict[tuple[int, str], dt.date] = {}
    for employer_id, period, filed_at in session.execute(filed_query):
        first_filed[(employer_id, period)] = filed_at.astimezone(zone).date()
    first_period = Period.of(start) if Period.of(start).first_day == start else Period.of(start).next()
    due_dates: dict[tuple[str | None, Period], dt.date] = {}
    rules: dict[tuple[str | None, Period], FilingFineRule | None] = {}
    targets: dict[tuple[int, str], Decimal] = {}
    last_period = Period.of(as_of)
    categories = category_history(session, (row[0] for row in employers))
    for employer_id, current_category, registered_on, ceased_on in employers:
        period = max(first_period, Period.of(registered_on))
        end = min(last_period, Period.of(ceased_on)) if ceased_on else last_period
        while period <= end:
            # The category in force in the period decides its due date and rule, as it did for the declaration.
            category = category_on(categories.get(employer_id), period.first_day, current_category)
            key = (category, period)
            if key not in due_dates:
                due_dates[key] = period_due_date(session, scheme_code, scheme.country, category, period)
            due = due_dates[key]
            if due >= as_of:
                break  # later periods are not due either
            filed = first_filed.get((employer_id, str(period)))
            until = min(filed, as_of) if filed is not None else as_of
            if until > due:
                if key not in rules:
                    try:
                        rules[key] = fine_rule(session, scheme_code, category, period, due)
                    except LookupError:
                        rules[key] = None
                        counts.without_index += 1
                rule = rules[key]
                if rule is not None:
                    counts.late_periods += 1
                    targets[(employer_id, str(period))] = filing_fine(due, until, rule)
            period = period.next()
    postings = post_accruals(session, scheme_code, "fine", targets, as_of=as_of, posted_by=actor.label, now=now,
                             employer_ids=[row[0] for row in employers]).postings
    counts.periods_changed = len(postings)
    counts.posted = sum((p.amount for p in postings), ZERO)
    if postings:
        record_audit(session, actor=actor, action="fine.posted", now=now, object_type="scheme",
                     object_id=scheme_code, summary=f"as of {as_of.isoformat()}: {counts.late_periods} late "
                     f"period(s), {counts.periods_changed} changed, {counts.posted} net")
    return counts
