"""Compliance facts per employer and month: was a declaration expected, filed, filed on time; what was charged
and what was paid (by the due date, and by the night of the run); whether the month was assessed.

The nightly ``compute_risk`` job rewrites a scheme's facts of the last ``MONTHS`` months with one
``INSERT ... SELECT`` (the database does the work; nothing is read into Python), so the dashboard and the risk
factors aggregate a small table instead of the ledger.  The facts are those of the night of the run, which
pages show: declarations and charges as they stand when it runs, and money by its value date up to the run's
date (a run for an earlier date is for catching up a night missed, not for looking back).

Definitions (the same for the dashboard and the risk score):

* **expected**: a registered employer is expected to file every month from its registration month to the
  month it ceased (a nil declaration when it paid no wages), as the filing notices assume.
* **filed**: a declaration (any version) was filed for the month; **on time**: its first version was not late.
* **charged**: the contributions of the month (employee and employer shares, and an assessment while the
  month is estimated), net of reductions; interest and fines are not contributions and are left out.
* **paid**: what payments and credit settled of those by the run's date (money by its value date);
  **paid by due**: the part of it settled by the month's due date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Date,
    Index,
    Integer,
    Numeric,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base
from common.period import Period
from common.schemes import Scheme
from contributions.assessments import Assessment
from contributions.calendar import period_due_date
from contributions.declarations import Declaration
from contributions.ledger import CHARGE_KINDS, LedgerEntry
from contributions.payments import Payment
from employers.employers import Employer
from employers.regions import Region

MONTHS = 24  # months of facts kept: a year of trend for any of the last twelve months
OWN_COMPONENTS = ("employee_share", "employer_share", "assessment")


class ComplianceMonth(Base):
    """Derived from the registry, the declarations and the ledger, and rewritten as a whole each night: it
    has no foreign keys, whose checks would cost more than the rest of the rewrite (14 s a night for 20,000
    employers)."""

    __tablename__ = "compliance_month"
    __table_args__ = (Index("ix_compliance_month_scheme_code_period", "scheme_code", "period"),)

    employer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    scheme_code: Mapped[str] = mapped_column(String(20))
    # Where the employer is and what it does, copied for the dashboard's filters (no join to the registry).
    province_code: Mapped[str | None] = mapped_column(String(20))
    sector_code: Mapped[str | None] = mapped_column(String(4))
    due_date: Mapped[dt.date] = mapped_column(Date)
    filed: Mapped[int] = mapped_column(Integer)  # 1 or 0
    on_time: Mapped[int] = mapped_column(Integer)  # 1 or 0
    assessed: Mapped[int] = mapped_column(Integer)  # 1 or 0: an estimate stands for the month
    declaration_id: Mapped[int | None]  # the version in force
    workers: Mapped[int] = mapped_column(Integer)  # lines of the version in force
    wages: Mapped[Decimal]  # gross wages of the version in force
    charged: Mapped[Decimal]
    paid: Mapped[Decimal]
    paid_by_due: Mapped[Decimal]
    as_of: Mapped[dt.date] = mapped_column(Date)


def fact_periods(as_of: dt.date, months: int = MONTHS) -> list[Period]:
    """The months kept on ``as_of``: the month of ``as_of`` and the ``months - 1`` before it, oldest first."""
    last = Period.of(as_of)
    return [last.shift(offset) for offset in range(-(months - 1), 1)]


def money_total(expression):
    """A sum of money, 0 when there is nothing to sum, read back as a Decimal on both databases."""
    return type_coerce(func.coalesce(expression, 0), Numeric(18, 2))


def province_of():
    """The province of ``Employer`` (its region's province, or its region when that is a province), given an
    outer join of ``Region`` on the employer's region."""
    return func.coalesce(Region.parent_code, Region.code)


def refresh_compliance_months(session: Session, scheme_code: str, *, as_of: dt.date) -> int:
    """Rewrite the scheme's facts for the months ``fact_periods(as_of)``; returns the rows written."""
    scheme = session.get(Scheme, scheme_code)
    periods = fact_periods(as_of)
    names = [str(p) for p in periods]
    categories = list(session.scalars(select(Employer.category).where(Employer.scheme_code == scheme_code)
                                      .distinct()))
    if not categories:
        session.execute(delete(ComplianceMonth).where(ComplianceMonth.scheme_code == scheme_code))
        return 0
    calendar = union_all(*[
        select(literal(str(p), String(7)).label("period"), literal(p.first_day, Date).label("first_day"),
               literal(p.last_day, Date).label("last_day"), literal(category, String(30)).label("category"),
               literal(period_due_date(session, scheme.code, scheme.country, category, p), Date).label("due_date"))
        for p in periods for category in categories]).cte("calendar")
    expected = (select(Employer.id.label("employer_id"), calendar.c.period, calendar.c.due_date,
                       province_of().label("province_code"), Employer.sector_code)
                .join(calendar, and_(calendar.c.category == Employer.category,
                                     Employer.registered_on <= calendar.c.last_day,
                                     or_(Employer.ceased_on.is_(None), Employer.ceased_on >= calendar.c.first_day)))
                .outerjoin(Region, Region.code == Employer.region_code)
                .where(Employer.scheme_code == scheme_code, Employer.registered_on.is_not(None),
                       Employer.employer_number.is_not(None))).subquery("expected")
    filed_versions = (select(Declaration.employer_id, Declaration.period,
                             func.max(Declaration.version).label("version"),
                             func.max(case((and_(Declaration.version == 1, Declaration.is_late.is_(False)), 1),
                                           else_=0)).label("on_time"))
                      .where(Declaration.scheme_code == scheme_code, Declaration.period.in_(names),
                             Declaration.status != "draft")
                      .group_by(Declaration.employer_id, Declaration.period).subquery("filed_versions"))
    in_force = (select(filed_versions.c.employer_id, filed_versions.c.period, filed_versions.c.on_time,
                       Declaration.id.label("declaration_id"), Declaration.line_count, Declaration.total_gross)
                .join(Declaration, and_(Declaration.employer_id == filed_versions.c.employer_id,
                                        Declaration.period == filed_versions.c.period,
                                        Declaration.version == filed_versions.c.version))
                .subquery("in_force"))
    assessed = (select(Assessment.employer_id, Assessment.period)
                .where(Assessment.status == "active", Assessment.period.in_(names)).subquery("assessed"))
    # Payments carry the due date of the debt they settle, so "by the due date" needs no join to the months.
    money_on = case((LedgerEntry.payment_id.is_not(None), Payment.value_date), else_=func.date(LedgerEntry.posted_at))
    settled = LedgerEntry.credit - LedgerEntry.debit
    is_charge = LedgerEntry.kind.in_(CHARGE_KINDS)
    money = (select(LedgerEntry.employer_id, LedgerEntry.period,
                    func.sum(case((is_charge, LedgerEntry.debit - LedgerEntry.credit), else_=0)).label("charged"),
                    func.sum(case((and_(~is_charge, money_on <= as_of), settled), else_=0)).label("paid"),
                    # Also known by ``as_of``: what is paid by the due date is part of what is paid.
                    func.sum(case((and_(~is_charge, money_on <= as_of, money_on <= LedgerEntry.due_date), settled),
                                  else_=0)).label("paid_by_due"))
             .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
             .where(LedgerEntry.component.in_(OWN_COMPONENTS), LedgerEntry.period.in_(names),
                    LedgerEntry.employer_id.in_(select(Employer.id).where(Employer.scheme_code == scheme_code)))
             .group_by(LedgerEntry.employer_id, LedgerEntry.period).subquery("money"))
    facts = (select(expected.c.employer_id, expected.c.period, literal(scheme_code, String(20)),
                    expected.c.province_code, expected.c.sector_code, expected.c.due_date,
                    case((in_force.c.employer_id.is_not(None), 1), else_=0),
                    func.coalesce(in_force.c.on_time, 0),
                    case((assessed.c.employer_id.is_not(None), 1), else_=0),
                    in_force.c.declaration_id, func.coalesce(in_force.c.line_count, 0),
                    money_total(in_force.c.total_gross), money_total(money.c.charged), money_total(money.c.paid),
                    money_total(money.c.paid_by_due), literal(as_of, Date))
             .select_from(expected)
             .outerjoin(in_force, and_(in_force.c.employer_id == expected.c.employer_id,
                                       in_force.c.period == expected.c.period))
             .outerjoin(assessed, and_(assessed.c.employer_id == expected.c.employer_id,
                                       assessed.c.period == expected.c.period))
             .outerjoin(money, and_(money.c.employer_id == expected.c.employer_id,
                                    money.c.period == expected.c.period)))
    session.execute(delete(ComplianceMonth).where(ComplianceMonth.scheme_code == scheme_code),
                    execution_options={"synchronize_session": False})
    if session.get_bind().dialect.name == "postgresql":
        # The aggregates of a large scheme sort and hash more than the default 4 MB; this night's job may.
        # And the planner underestimates the joins of a month with its declarations (three correlated keys)
        # by thousands of times, and would loop over one for each row of the other: every join here is a
        # join of whole sets, which hashing does in one pass.
        session.execute(text("SET LOCAL work_mem = '128MB'"))
        session.execute(text("SET LOCAL enable_nestloop = off"))
    columns = ["employer_id", "period", "scheme_code", "province_code", "sector_code", "due_date", "filed", "on_time",
               "assessed", "declaration_id", "workers", "wages", "charged", "paid", "paid_by_due", "as_of"]
    session.execute(insert(ComplianceMonth).from_select(columns, facts))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_nestloop = on"))  # the rest of the transaction plans as usual
        session.execute(text("ANALYZE compliance_month"))  # rewritten as a whole: the planner's figures too
    return session.scalar(select(func.count()).where(ComplianceMonth.scheme_code == scheme_code)) or 0


def facts_as_of(session: Session, scheme_code: str) -> dt.date | None:
    """The date the scheme's facts were computed as of (None before the first run)."""
    return session.scalar(select(func.max(ComplianceMonth.as_of)).where(ComplianceMonth.scheme_code == scheme_code))
