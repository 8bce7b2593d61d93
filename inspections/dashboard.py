"""The compliance dashboard of a scheme for a month, optionally for a province or a sector: employers and
workers, filing and on-time filing rates, the collection rate, non-filers and assessed employers, arrears by
aging bucket, risk bands, and the twelve months up to the month.  Every figure is an SQL aggregate: of the
registry (employers, workers) live, and of the nightly facts and scores (``facts.py``, ``risk.py``) for the
rest, whose date the page shows.

Rates are ``None`` where there is nothing to divide by.  Definitions are those of ``facts.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from common.period import Period
from contributions.rules.aging import BUCKETS
from employers.employers import Employer
from employers.persons import Employment
from inspections.areas import in_provinces
from inspections.facts import ComplianceMonth, facts_as_of, money_total
from inspections.risk import BUCKET_COLUMNS, RiskScore
from inspections.scoring import BANDS

ZERO = Decimal(0)
TREND_MONTHS = 12


@dataclass(frozen=True)
class Scope:
    """Which employers: a scheme, optionally one province and one sector, within the user's provinces."""

    scheme_code: str
    province: str | None = None
    sector: str | None = None
    provinces: list[str] | None = None  # the user's limit; None: every province

    def fact_filter(self, table) -> list:
        """Conditions on the nightly facts' or scores' own copy of the province and sector (they carry the
        scheme too): none for a whole scheme."""
        conditions = []
        if self.province:
            conditions.append(table.province_code == self.province)
        if self.sector:
            conditions.append(table.sector_code == self.sector)
        if self.provinces is not None:
            conditions.append(table.province_code.in_(self.provinces))
        return conditions

    def conditions(self) -> list:
        conditions = [Employer.scheme_code == self.scheme_code]
        if self.province:
            conditions.append(in_provinces([self.province]))
        if self.sector:
            conditions.append(Employer.sector_code == self.sector)
        if self.provinces is not None:
            conditions.append(in_provinces(self.provinces))
        return conditions


def rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part / whole`` as a percentage to one decimal, half up; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthFigures:
    period: str
    expected: int  # employers expected to file
    filed: int
    on_time: int
    non_filers: int  # expected, not filed, and the due date has passed
    assessed: int  # employers with an estimate standing for the month
    charged: Decimal
    paid: Decimal

    @property
    def filing_rate(self) -> Decimal | None:
        return rate(self.filed, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.on_time, self.expected)

    @property
    def collection_rate(self) -> Decimal | None:
        return rate(self.paid, self.charged) if self.charged > 0 else None


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    period: str
    facts_as_of: dt.date | None  # None: the nightly job has not run yet
    registered_employers: int
    active_employers: int
    registered_workers: int
    active_workers: int
    month: MonthFigures
    trend: list[MonthFigures]  # the twelve months up to ``period``, oldest first
    overdue: Decimal
    overdue_employers: int
    aging: dict[str, Decimal]  # every bucket, in bucket order
    bands: dict[str, int] = field(default_factory=dict)  # every band


def _registry(session: Session, scope: Scope, period: Period) -> tuple[int, int, int, int]:
    first, last = period.first_day, period.last_day
    registered = and_(Employer.registered_on.is_not(None), Employer.registered_on <= last)
    active = and_(registered, or_(Employer.ceased_on.is_(None), Employer.ceased_on >= first))
    employers = session.execute(select(func.coalesce(func.sum(case((registered, 1), else_=0)), 0),
                                       func.coalesce(func.sum(case((active, 1), else_=0)), 0))
                                .where(*scope.conditions())).one()
    # A worker is active in the month when employed in it by an employer active in it: a ceased employer's
    # employments are often never ended on the register.
    employed = and_(active, or_(Employment.ended_on.is_(None), Employment.ended_on >= first))
    workers = session.execute(
        select(func.count(func.distinct(Employment.person_id)),
               func.count(func.distinct(case((employed, Employment.person_id), else_=None))))
        .join(Employer, Employer.id == Employment.employer_id)
        .where(*scope.conditions(), Employment.hired_on <= last)).one()
    return int(employers[0]), int(employers[1]), int(workers[0]), int(workers[1])


def _months(session: Session, scope: Scope, periods: list[Period], as_of: dt.date | None) -> list[MonthFigures]:
    names = [str(p) for p in periods]
    due_passed = ComplianceMonth.due_date < as_of if as_of else ComplianceMonth.due_date.is_(None)
    rows = {row[0]: row for row in session.execute(
        select(ComplianceMonth.period, func.count(), func.sum(ComplianceMonth.filed), func.sum(ComplianceMonth.on_time),
               func.sum(case((and_(ComplianceMonth.filed == 0, due_passed), 1), else_=0)),
               func.sum(ComplianceMonth.assessed), money_total(func.sum(ComplianceMonth.charged)),
               money_total(func.sum(ComplianceMonth.paid)))
        .where(ComplianceMonth.scheme_code == scope.scheme_code, ComplianceMonth.period.in_(names),
               *scope.fact_filter(ComplianceMonth))
        .group_by(ComplianceMonth.period))}
    months = []
    for name in names:
        row = rows.get(name)
        if row is None:
            months.append(MonthFigures(name, 0, 0, 0, 0, 0, ZERO, ZERO))
        else:
            months.append(MonthFigures(name, int(row[1]), int(row[2] or 0), int(row[3] or 0), int(row[4] or 0),
                                       int(row[5] or 0), Decimal(row[6]), Decimal(row[7])))
    return months


def _arrears(session: Session, scope: Scope) -> tuple[Decimal, int, dict[str, Decimal], dict[str, int]]:
    columns = [getattr(RiskScore, column) for column in BUCKET_COLUMNS]
    row = session.execute(
        select(money_total(func.sum(RiskScore.overdue)), func.count(case((RiskScore.overdue > 0, 1), else_=None)),
               *[money_total(func.sum(column)) for column in columns])
        .where(RiskScore.scheme_code == scope.scheme_code, *scope.fact_filter(RiskScore))).one()
    aging = {label: Decimal(amount) for (label, _low, _high), amount in zip(BUCKETS, row[2:], strict=True)}
    bands = {band: 0 for band in BANDS}
    bands.update({band: int(count) for band, count in session.execute(
        select(RiskScore.band, func.count())
        .where(RiskScore.scheme_code == scope.scheme_code, *scope.fact_filter(RiskScore))
        .group_by(RiskScore.band))})
    return Decimal(row[0]), int(row[1]), aging, bands


def latest_due_period(session: Session, scheme_code: str, today: dt.date) -> Period:
    """The latest month whose due date has passed in the facts (the month before otherwise)."""
    latest = session.scalar(select(func.max(ComplianceMonth.period)).where(
        ComplianceMonth.scheme_code == scheme_code, ComplianceMonth.due_date < today))
    return Period.parse(latest) if latest else Period.of(today).previous()


def dashboard(session: Session, scope: Scope, period: Period) -> Dashboard:
    registered, active, workers, active_workers = _registry(session, scope, period)
    as_of = facts_as_of(session, scope.scheme_code)
    trend = _months(session, scope, [period.shift(-offset) for offset in range(TREND_MONTHS - 1, -1, -1)], as_of)
    overdue, overdue_employers, aging, bands = _arrears(session, scope)
    return Dashboard(scope=scope, period=str(period), facts_as_of=as_of, registered_employers=registered,
                     active_employers=active, registered_workers=workers, active_workers=active_workers,
                     month=trend[-1], trend=trend, overdue=overdue, overdue_employers=overdue_employers, aging=aging,
                     bands=bands)

