"""The inspectors' list of employers: filtered, sorted and paginated in SQL, with each employer's risk score
and arrears from the nightly job; the same query feeds the CSV/XLSX export and the worklist."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from employers.employers import Employer
from inspections.areas import in_provinces
from inspections.cases import InspectionCase
from inspections.facts import ComplianceMonth
from inspections.risk import RiskScore

FILINGS = ("expected", "filed", "not_filed", "late")
SORTS = ("risk", "arrears", "name", "number", "months_not_filed")
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class ListFilter:
    scheme_code: str | None = None
    province: str | None = None
    sector: str | None = None
    category: str | None = None
    status: str | None = None
    band: str | None = None
    arrears_min: Decimal | None = None
    period: str | None = None  # with ``filing`` or ``assessed``: the month they are about
    # expected (to file: registered in the month) | filed | not_filed (expected, not filed, due date passed) |
    # late (first version late)
    filing: str | None = None
    assessed: bool = False
    open_case: bool | None = None
    search: str = ""
    provinces: list[str] | None = None  # the user's limit

    def conditions(self) -> list:
        conditions = [Employer.employer_number.is_not(None)]
        if self.scheme_code:
            conditions.append(Employer.scheme_code == self.scheme_code)
        if self.province:
            conditions.append(in_provinces([self.province]))
        if self.provinces is not None:
            conditions.append(in_provinces(self.provinces))
        for column, value in ((Employer.sector_code, self.sector), (Employer.category, self.category),
                              (Employer.status, self.status), (RiskScore.band, self.band)):
            if value:
                conditions.append(column == value)
        if self.arrears_min is not None:
            conditions.append(RiskScore.overdue >= self.arrears_min)
        if self.period and (self.filing in FILINGS or self.assessed):
            month = [ComplianceMonth.employer_id == Employer.id, ComplianceMonth.period == self.period]
            if self.filing == "filed":
                month.append(ComplianceMonth.filed == 1)
            elif self.filing == "not_filed":
                month.extend([ComplianceMonth.filed == 0, ComplianceMonth.due_date < ComplianceMonth.as_of])
            elif self.filing == "late":
                month.extend([ComplianceMonth.filed == 1, ComplianceMonth.on_time == 0])
            if self.assessed:
                month.append(ComplianceMonth.assessed == 1)
            conditions.append(exists().where(*month))
        if self.open_case is not None:
            has_case = exists().where(InspectionCase.employer_id == Employer.id, InspectionCase.status != "closed")
            conditions.append(has_case if self.open_case else ~has_case)
        if self.search:
            like = f"%{self.search.lower()}%"
            conditions.append(or_(func.lower(Employer.legal_name).like(like),
                                  func.lower(Employer.legal_name_latin).like(like),
                                  Employer.employer_number == self.search.upper(), Employer.tax_number == self.search))
        return conditions


@dataclass(frozen=True)
class EmployerRow:
    id: int
    employer_number: str
    legal_name: str
    scheme_code: str
    region_code: str | None
    sector_code: str | None
    category: str
    status: str
    score: Decimal | None
    band: str | None
    overdue: Decimal | None
    months_not_filed: int | None


def _order(sort: str):
    if sort == "arrears":
        return [RiskScore.overdue.desc().nulls_last(), Employer.id]
    if sort == "name":
        return [Employer.legal_name, Employer.id]
    if sort == "number":
        return [Employer.employer_number]
    if sort == "months_not_filed":
        return [RiskScore.months_not_filed.desc().nulls_last(), RiskScore.score.desc().nulls_last(), Employer.id]
    return [RiskScore.score.desc().nulls_last(), RiskScore.overdue.desc().nulls_last(), Employer.id]


def _query(criteria: ListFilter):
    return (select(Employer.id, Employer.employer_number, Employer.legal_name, Employer.scheme_code,
                   Employer.region_code, Employer.sector_code, Employer.category, Employer.status, RiskScore.score,
                   RiskScore.band, RiskScore.overdue, RiskScore.months_not_filed)
            .outerjoin(RiskScore, RiskScore.employer_id == Employer.id)
            .where(and_(*criteria.conditions())))


def employer_rows(session: Session, criteria: ListFilter, *, sort: str = "risk", page: int = 1,
                  page_size: int = 50) -> tuple[list[EmployerRow], int]:
    """One page of employers and how many match in all."""
    query = _query(criteria)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(*_order(sort)).offset((page - 1) * page_size).limit(page_size)).all()
    return [EmployerRow(*row) for row in rows], total


def export_rows(session: Session, criteria: ListFilter, *, sort: str = "risk") -> list[EmployerRow]:
    """Every matching employer (up to ``EXPORT_LIMIT``), in the list's order."""
    return [EmployerRow(*row) for row in session.execute(_query(criteria).order_by(*_order(sort))
                                                        .limit(EXPORT_LIMIT))]
