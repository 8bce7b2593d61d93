"""The notices job: as of a date, write the notices the facts call for, each once (``notices.notify``).

* a **filing reminder** ``notice.reminder_days`` before a period's due date, to an employer that has not
  filed it;
* a **missed filing** notice the day after the due date, while it is still missing;
* an **assessment** notice for a period the night's job has estimated;
* an **overdue** notice when a period's debt is past due (the assessment notice stands for it when the
  period was estimated), then **demand letters** at each of the scheme's ``notice.demand_days`` (30 and 60
  days overdue), one stage at a time and never sooner after the stage before than their thresholds are
  apart, each stating the amounts per component, interest to date and what comes next; never about a debt
  paid since.

Filing notices are due from a day and stay due for a month after it (``WINDOW``): a run after days off
writes what the daily runs would have (but no reminder for a due date now past), and the first run on an
old backlog does not send a year of reminders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.audit import Actor
from common.period import Period
from common.schemes import Scheme
from contributions.arrears import arrears_lines
from contributions.assessments import Assessment
from contributions.calendar import period_due_date
from contributions.declarations import Declaration
from contributions.ledger import DEBT_COMPONENTS, LedgerEntry
from contributions.parameters import rules_on
from employers.employers import Employer
from notifications.notices import Notice, notify

WINDOW = dt.timedelta(days=31)
OWN_COMPONENTS = ("employee_share", "employer_share", "assessment")
ACCRUED_COMPONENTS = ("interest", "fine")
ZERO = Decimal(0)


@dataclass
class NoticeCounts:
    reminders: int = 0
    missed: int = 0
    assessments: int = 0
    overdue: int = 0
    demands: int = 0


def send_notices(session: Session, scheme_code: str, *, as_of: dt.date, actor: Actor, now: dt.datetime,
                 link: str, employer_ids: Sequence[int] | None = None) -> NoticeCounts:
    """Write the notices due as of ``as_of`` for the scheme's registered employers (or these).  Flushes; the
    caller commits (notices and their outbox messages together)."""
    counts = NoticeCounts()
    scheme = session.get(Scheme, scheme_code)
    query = select(Employer).where(Employer.scheme_code == scheme_code, Employer.employer_number.is_not(None),
                                   Employer.registered_on.is_not(None))
    if employer_ids is not None:
        query = query.where(Employer.id.in_(sorted(set(employer_ids))))
    employers = {e.id: e for e in session.scalars(query)}
    if not employers:
        return counts
    _filing_notices(session, scheme, employers, as_of=as_of, actor=actor, now=now, link=link, counts=counts)
    _assessment_notices(session, employers, as_of=as_of, actor=actor, now=now, link=link, counts=counts)
    _overdue_notices(session, scheme, employers, as_of=as_of, actor=actor, now=now, link=link, counts=counts)
    return counts


def _filing_notices(session: Session, scheme: Scheme, employers: dict[int, Employer], *, as_of: dt.date,
                    actor: Actor, now: dt.datetime, link: str, counts: NoticeCounts) -> None:
    periods = [Period.of(as_of).shift(offset) for offset in (-2, -1, 0)]
    filed = {(employer_id, period) for employer_id, period in session.execute(select(
        Declaration.employer_id, Declaration.period).where(
        Declaration.employer_id.in_(sorted(employers)), Declaration.period.in_([str(p) for p in periods]),
        Declaration.status != "draft"))}
    settings: dict[tuple[str, Period], tuple[dt.date, int]] = {}
    for employer in employers.values():
        for period in periods:
            if period < Period.of(employer.registered_on) or (employer.ceased_on and
                                                               period > Period.of(employer.ceased_on)):
                continue
            if (employer.id, str(period)) in filed:
                continue
            if (employer.category, period) not in settings:
                rules = rules_on(session, scheme.code, employer.category, as_of)
                settings[(employer.category, period)] = (
                    period_due_date(session, scheme.code, scheme.country, employer.category, period),
                    int(rules.get("notice.reminder_days", 0) or 0))
            due, reminder_days = settings[(employer.category, period)]
            params = {"period": str(period), "due": due.isoformat()}
            if reminder_days and due - dt.timedelta(days=reminder_days) <= as_of <= due:
                if notify(session, employer, "filing_reminder", period=str(period), params=params, actor=actor,
                          now=now, link=link):
                    counts.reminders += 1
            elif due < as_of <= due + WINDOW:
                if notify(session, employer, "missed_filing", period=str(period), params=params, actor=actor,
                          now=now, link=link):
                    counts.missed += 1


def _assessment_notices(session: Session, employers: dict[int, Employer], *, as_of: dt.date, actor: Actor,
                        now: dt.datetime, link: str, counts: NoticeCounts) -> None:
    for assessment in session.scalars(select(Assessment).where(
            Assessment.employer_id.in_(sorted(employers)), Assessment.status == "active",
            Assessment.assessed_on <= as_of, Assessment.assessed_on > as_of - WINDOW)):
        params = {"period": assessment.period, "due": assessment.due_date.isoformat(),
                  "amount": str(assessment.amount), "basis": assessment.basis, "as_of": as_of.isoformat()}
        if notify(session, employers[assessment.employer_id], "assessment", period=assessment.period,
                  params=params, actor=actor, now=now, link=link):
            counts.assessments += 1


def _overdue_notices(session: Session, scheme: Scheme, employers: dict[int, Employer], *, as_of: dt.date,
                     actor: Actor, now: dt.datetime, link: str, counts: NoticeCounts) -> None:
    per_period: dict[tuple[int, str], list] = defaultdict(list)
    for line in arrears_lines(session, as_of=as_of, employer_ids=sorted(employers)):
        per_period[(line.employer_id, line.period)].append(line)
    # Interest and fines charged on an overdue period are owed too, although charged only lately (so not
    # themselves overdue yet): a notice states them, to date.
    accrued: dict[tuple[int, str], list[list]] = defaultdict(list)
    if per_period:
        for employer_id, period, component, owed in session.execute(
            select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component,
                   func.sum(LedgerEntry.debit - LedgerEntry.credit))
            .where(LedgerEntry.employer_id.in_(sorted({e for e, _p in per_period})),
                   LedgerEntry.component.in_(ACCRUED_COMPONENTS))
            .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component)
        ):
            if Decimal(owed) > ZERO:
                accrued[(employer_id, period)].append([component, Decimal(owed)])
    # What each period still owes now, whatever the as-of date: a notice is never sent about a debt paid
    # since (a run for a past date writes nothing about it).
    still_owed = {(employer_id, period): Decimal(owed) for employer_id, period, owed in session.execute(
        select(LedgerEntry.employer_id, LedgerEntry.period, func.sum(LedgerEntry.debit - LedgerEntry.credit))
        .where(LedgerEntry.employer_id.in_(sorted({e for e, _p in per_period})),
               LedgerEntry.component.in_(DEBT_COMPONENTS))
        .group_by(LedgerEntry.employer_id, LedgerEntry.period))} if per_period else {}
    # The notices of the overdue periods written before, by (employer, period): stage -> the as-of date it was
    # written for.  An assessment notice stands for the overdue notice of the period it estimated.
    earlier: dict[tuple[int, str], dict[int, dt.date]] = defaultdict(dict)
    if per_period:
        for employer_id, period, kind, stage, params in session.execute(
            select(Notice.employer_id, Notice.period, Notice.kind, Notice.stage, Notice.params)
            .where(Notice.employer_id.in_(sorted({e for e, _p in per_period})),
                   Notice.kind.in_(("overdue", "demand", "assessment")))
        ):
            written = dt.date.fromisoformat(params.get("as_of") or params.get("written_on") or as_of.isoformat())
            earlier[(employer_id, period)][0 if kind == "assessment" else stage] = written
    stages: dict[str | None, list[int]] = {}
    for (employer_id, period), lines in sorted(per_period.items()):
        employer = employers[employer_id]
        if still_owed.get((employer_id, period), ZERO) <= ZERO:
            continue
        if employer.category not in stages:
            text = str(rules_on(session, scheme.code, employer.category, as_of).get("notice.demand_days") or "")
            stages[employer.category] = [1] + [int(day) for day in text.split(",") if day.strip()]
        # The period fell due when its contributions (or their estimate) did; interest and fines come later.
        own = [line for line in lines if line.component in OWN_COMPONENTS] or lines
        due = min(line.due_date for line in own)
        days = (as_of - due).days
        owed = {line.component: line.outstanding for line in lines}
        for component, amount in accrued.get((employer_id, period), ()):
            owed[component] = max(owed.get(component, ZERO), amount)
        amount = sum(owed.values(), ZERO)
        params = {"period": period, "due": due.isoformat(), "as_of": as_of.isoformat(), "amount": str(amount),
                  "days": days, "components": [[component, str(value)] for component, value in owed.items()]}
        # One stage at a time, in order: the overdue notice once the period is overdue, then each demand
        # once the stage before it is as old as the gap between their thresholds (30 days, then 60: a first
        # demand 29 days after the overdue notice, a second 30 days after the first).
        thresholds = stages[employer.category]
        written = earlier[(employer_id, period)]
        stage = 0 if 0 not in written else next((n for n in range(1, len(thresholds)) if n not in written), None)
        if stage is None or days < thresholds[stage]:
            continue
        if stage > 0 and (as_of - written[stage - 1]).days < thresholds[stage] - thresholds[stage - 1]:
            continue
        kind = "overdue" if stage == 0 else "demand"
        if notify(session, employer, kind, period=period, stage=stage, params={**params, "stage": stage},
                  actor=actor, now=now, link=link):
            counts.overdue += stage == 0
            counts.demands += stage > 0
