"""A worker's contribution record: every month the person worked for an employer or was declared by one, with
what was declared for them and whether the employer paid the month (``rules/worker_record.py``).

The months of an employment run from the hire month to the month it ended (or the current month), never
before the employer's registration month nor after the month it ceased; a month where the person is on an
employer's declaration in force shows even outside an employment (the declaration is what counts for the
person's rights).  Amounts are those of the person's line on the version in force: the highest filed
version of the employer's declaration for the month.

The record takes a bounded number of queries whatever the length of the career: one for the employments,
one for the declarations, one for the assessments, one for the ledger, and for the due dates of months
nobody filed or assessed one for the parameter dates, one per version of the due-date rules in force, one
for the holidays.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from common.period import Period
from contributions.account import _sums, share_status
from contributions.assessments import Assessment
from contributions.calendar import PublicHoliday
from contributions.declarations import Declaration, DeclarationLine
from contributions.ledger import LedgerEntry
from contributions.parameters import SchemeParameter, rules_on
from contributions.rules.due_dates import due_date, parse_weekend
from contributions.rules.worker_record import DECLARED, GAPS, month_status
from employers.employers import Employer
from employers.persons import Employment

ZERO = Decimal(0)
# The parameters a due date is computed from (``calendar.period_due_date``).
_DUE_PARAMETERS = ("due.day", "due.roll", "calendar.weekend")
# Holidays that can move a due date: those up to this many days after the month following the period.
_HOLIDAY_WINDOW = dt.timedelta(days=62)


@dataclass(frozen=True)
class RecordMonth:
    period: str
    employer_id: int
    employer_name: str
    employer_number: str
    currency: str
    status: str
    # From the person's line on the declaration in force; None when the person is not on it.
    gross_wage: Decimal | None
    base: Decimal | None
    employee_share: Decimal | None
    employer_share: Decimal | None
    due_date: dt.date | None

    @property
    def declared(self) -> bool:
        return self.status in DECLARED


@dataclass(frozen=True)
class Totals:
    """The sums of the months declared."""

    gross_wage: Decimal
    base: Decimal
    employee_share: Decimal
    employer_share: Decimal
    months: int


@dataclass(frozen=True)
class RecordYear:
    year: int
    months: list[RecordMonth]  # newest first
    totals: dict[str, Totals]  # per currency
    gaps: int  # months not declared, unpaid, partly paid or estimated


@dataclass(frozen=True)
class WorkerRecord:
    person_id: int
    years: list[RecordYear]  # newest first
    totals: dict[str, Totals]  # the whole career, per currency
    gaps: int


def worker_record(session: Session, person_id: int, *, today: dt.date) -> WorkerRecord:
    """The person's whole record, newest year and month first (``today`` in the scheme's time zone)."""
    months = _record_months(session, person_id, today)
    by_year: dict[int, list[RecordMonth]] = defaultdict(list)
    for month in months:
        by_year[int(month.period[:4])].append(month)
    years = [RecordYear(year, items, _totals(items), _gaps(items))
             for year, items in sorted(by_year.items(), reverse=True)]
    return WorkerRecord(person_id, years, _totals(months), _gaps(months))


def record_month(session: Session, person_id: int, employer_id: int, period: str, *,
                 today: dt.date) -> RecordMonth | None:
    """One month of the person's record with one employer; None when the person was neither employed nor
    declared by that employer in that month (so ids changed by hand never reach another person's month)."""
    return next((month for month in _record_months(session, person_id, today, employer_id=employer_id)
                 if month.period == period), None)


def _totals(months: Iterable[RecordMonth]) -> dict[str, Totals]:
    sums: dict[str, list[Any]] = {}
    for month in months:
        if month.declared:
            total = sums.setdefault(month.currency, [ZERO, ZERO, ZERO, ZERO, 0])
            for i, amount in enumerate((month.gross_wage, month.base, month.employee_share, month.employer_share, 1)):
                total[i] += amount
    return {currency: Totals(*values) for currency, values in sorted(sums.items())}


def _gaps(months: Iterable[RecordMonth]) -> int:
    return sum(1 for month in months if month.status in GAPS)


def _record_months(session: Session, person_id: int, today: dt.date, *,
                   employer_id: int | None = None) -> list[RecordMonth]:
    """The months of the record, newest first (and by employer within a month)."""
    employers: dict[int, Employer] = {}
    worked: set[tuple[int, str]] = set()
    query = (select(Employment, Employer).join(Employer, Employer.id == Employment.employer_id)
             .where(Employment.person_id == person_id))
    if employer_id is not None:
        query = query.where(Employment.employer_id == employer_id)
    for job, employer in session.execute(query):
        employers[employer.id] = employer
        worked.update((employer.id, str(period)) for period in _employment_periods(job, employer, today))
    filings = _filings(session, person_id, employers, worked, employer_id)
    keys = sorted(worked | {key for key, filing in filings.items() if filing.line_id is not None},
                  key=lambda key: key[0])
    keys.sort(key=lambda key: key[1], reverse=True)
    if not keys:
        return []
    ids, periods = {key[0] for key in keys}, {key[1] for key in keys}
    assessed = {(eid, period): day for eid, period, day in session.execute(
        select(Assessment.employer_id, Assessment.period, Assessment.due_date)
        .where(Assessment.employer_id.in_(ids), Assessment.period.in_(periods), Assessment.status == "active"))}
    shares = _employee_shares(session, ids, periods)
    # The due date the employer filed under, else that of the estimate, else the calendar's.
    due_dates = {key: filings[key].due_date if key in filings and filings[key].due_date else assessed.get(key)
                 for key in keys}
    due_dates.update(_computed_due_dates(session, [(employers[eid], Period.parse(period)) for eid, period in keys
                                                   if due_dates[(eid, period)] is None]))
    return [_month(employers[key[0]], key[1], filings.get(key), shares.get(key), key in assessed,
                   due_dates[key], today) for key in keys]


def _employment_periods(job: Employment, employer: Employer, today: dt.date) -> list[Period]:
    first = Period.of(job.hired_on)
    if employer.registered_on is not None:
        first = max(first, Period.of(employer.registered_on))
    last = Period.of(today)
    for end in (job.ended_on, employer.ceased_on):
        if end is not None:
            last = min(last, Period.of(end))
    periods = []
    while first <= last:
        periods.append(first)
        first = first.next()
    return periods


def _filings(session: Session, person_id: int, employers: dict[int, Employer], worked: set[tuple[int, str]],
             employer_id: int | None) -> dict[tuple[int, str], Any]:
    """The version in force of each declaration of the person's employers for the months worked, and of
    each declaration in force with the person on it, with the person's line (its amounts None when the
    person is not on it).  Adds the employers of the latter to ``employers``."""
    later = aliased(Declaration)
    in_force = Declaration.version == (select(func.max(later.version))
                                       .where(later.employer_id == Declaration.employer_id,
                                              later.period == Declaration.period, later.status != "draft")
                                       .scalar_subquery())
    on_it = select(DeclarationLine.declaration_id).where(DeclarationLine.person_id == person_id)
    worked_months = and_(Declaration.employer_id.in_(list(employers)),
                         Declaration.period >= min((period for _, period in worked), default="9999-12"))
    query = (select(Declaration.employer_id, Declaration.period, Declaration.currency, Declaration.due_date,
                    DeclarationLine.id.label("line_id"), DeclarationLine.gross_wage, DeclarationLine.base,
                    DeclarationLine.employee_share, DeclarationLine.employer_share, Employer)
             .join(Employer, Employer.id == Declaration.employer_id)
             .outerjoin(DeclarationLine, and_(DeclarationLine.declaration_id == Declaration.id,
                                              DeclarationLine.person_id == person_id))
             .where(Declaration.status != "draft", in_force, or_(worked_months, Declaration.id.in_(on_it))))
    if employer_id is not None:
        query = query.where(Declaration.employer_id == employer_id)
    filings = {}
    for row in session.execute(query):
        employers.setdefault(row.employer_id, row.Employer)
        filings[(row.employer_id, row.period)] = row
    return filings


def _employee_shares(session: Session, employer_ids: set[int], periods: set[str]) -> dict[tuple[int, str], str]:
    """Whether each employer has paid the employee share of each month: one grouped query for them all."""
    charged, paid, _ = _sums()
    rows = session.execute(
        select(LedgerEntry.employer_id, LedgerEntry.period, type_coerce(charged, Numeric(18, 2)),
               type_coerce(paid, Numeric(18, 2)))
        .where(LedgerEntry.employer_id.in_(employer_ids), LedgerEntry.period.in_(periods),
               LedgerEntry.component == "employee_share")
        .group_by(LedgerEntry.employer_id, LedgerEntry.period))
    return {(employer_id, period): share_status(charged, paid) for employer_id, period, charged, paid in rows}


def _computed_due_dates(session: Session, wanted: list[tuple[Employer, Period]]) -> dict[tuple[int, str], dt.date]:
    """The due dates of months nobody filed or assessed, as ``calendar.period_due_date`` computes them, without
    a query per month: the due-date rules are read once for each version of them in force (they change
    rarely) and the holidays once."""
    if not wanted:
        return {}
    codes = {employer.scheme_code for employer, _ in wanted}
    changes = session.execute(select(SchemeParameter.scheme_code, SchemeParameter.category, SchemeParameter.valid_from)
                              .where(SchemeParameter.scheme_code.in_(codes),
                                     SchemeParameter.name.in_(_DUE_PARAMETERS))).all()
    start = min(period for _, period in wanted).next().first_day
    end = max(period for _, period in wanted).next().last_day + _HOLIDAY_WINDOW
    holidays: dict[str, list[dt.date]] = defaultdict(list)
    for country, day in session.execute(select(PublicHoliday.country, PublicHoliday.day).where(
            PublicHoliday.country.in_({employer.scheme.country for employer, _ in wanted}),
            PublicHoliday.day.between(start, end))):
        holidays[country].append(day)
    rules: dict[tuple[str, str, dt.date | None], Any] = {}
    result = {}
    for employer, period in wanted:
        code, category = employer.scheme_code, employer.category
        since = max((valid_from for scheme_code, for_category, valid_from in changes
                     if scheme_code == code and for_category in (None, category) and valid_from <= period.first_day),
                    default=None)
        if (code, category, since) not in rules:
            rules[(code, category, since)] = rules_on(session, code, category, period.first_day)
        in_force = rules[(code, category, since)]
        following = period.next()
        window_end = following.last_day + _HOLIDAY_WINDOW
        result[(employer.id, str(period))] = due_date(
            period.year, period.month, day=int(in_force.get("due.day")), roll=str(in_force.get("due.roll", "none")),
            weekend=parse_weekend(in_force.get("calendar.weekend")),
            holidays={day for day in holidays[employer.scheme.country] if following.first_day <= day <= window_end})
    return result


def _month(employer: Employer, period: str, filing: Any, share: str | None, assessed: bool, due: dt.date,
           today: dt.date) -> RecordMonth:
    line = filing if filing is not None and filing.line_id is not None else None
    amounts = {name: getattr(line, name) if line else None
               for name in ("gross_wage", "base", "employee_share", "employer_share")}
    return RecordMonth(
        period=period, employer_id=employer.id, employer_name=employer.legal_name,
        employer_number=employer.employer_number or "",
        currency=filing.currency if filing is not None else employer.scheme.currency,
        status=month_status(declared=line is not None, share_status=share, assessed=assessed, due_passed=today > due),
        due_date=due, **amounts)
