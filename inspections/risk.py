"""The nightly risk job: each registered employer's score, recomputed from the compliance facts, the arrears,
the last declaration's wages and what workers reported, with the weights of the scheme's ``risk.*``
parameters in force on the run's date (``scoring.py`` is the rule).

What each factor measures, over the ``risk.window_months`` months whose due date has passed:

* ``months_not_filed``: months a declaration was expected and none was filed;
* ``late_filings``: months whose first declaration came after the due date;
* ``late_payments``: months declared whose contributions were not fully paid by the due date;
* ``arrears_size``: what is overdue on the run's date, in months of the contributions the employer is charged
  on average (the window's charges over its months); a debt with no charges to compare counts as full;
* ``arrears_age``: days the oldest overdue debt is past its due date;
* ``headcount_drop``: 1 - workers in the last month declared / the most workers declared in a month before it;
* ``wages_at_floor``: the share of the last declaration's workers paid at or below the base floor (or the
  minimum wage where the scheme has no floor);
* ``wage_drop``: 1 - the average wage of the last month declared / the average wage of the months before it;
* ``worker_reports``: reports of workers about the window's months, except those found unfounded;
* ``sector``: the points of the employer's sector (``risk.sector.<ISIC section>``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, delete, func, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor
from common.db import Base
from common.period import Period
from contributions.arrears import arrears_by_employer
from contributions.declarations import Declaration, DeclarationLine
from contributions.parameters import SchemeRules, rules_on
from contributions.rules.aging import BUCKETS
from employers.employers import Employer
from employers.regions import Region
from inspections.facts import ComplianceMonth, province_of, refresh_compliance_months
from inspections.reports import COUNTED, WorkerReport
from inspections.scoring import FACTORS, Score, Weight, score

ZERO = Decimal(0)
BUCKET_COLUMNS = ("overdue_1", "overdue_2", "overdue_3", "overdue_4", "overdue_5")  # one per aging bucket
_SHARE = Decimal("0.0001")


class RiskScore(Base):
    """The latest score of an employer, with each factor's measure and points, and the arrears it saw."""

    __tablename__ = "risk_score"

    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), primary_key=True)
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"), index=True)
    # Copied from the registry for the dashboard's filters, as the facts are.
    province_code: Mapped[str | None] = mapped_column(String(20))
    sector_code: Mapped[str | None] = mapped_column(String(4))
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2), index=True)
    band: Mapped[str] = mapped_column(String(10))
    # [{"factor", "value", "points", "weight", "full"}], values as decimal strings, in FACTORS order + sector.
    factors: Mapped[list] = mapped_column(JSON)
    months_not_filed: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[Decimal]  # total overdue on as_of
    oldest_due: Mapped[dt.date | None] = mapped_column(Date)
    # What is overdue in each aging bucket, in the order of ``rules.aging.BUCKETS``: columns, so that a
    # dashboard adds them up in SQL.
    overdue_1: Mapped[Decimal]
    overdue_2: Mapped[Decimal]
    overdue_3: Mapped[Decimal]
    overdue_4: Mapped[Decimal]
    overdue_5: Mapped[Decimal]
    as_of: Mapped[dt.date] = mapped_column(Date)
    computed_at: Mapped[dt.datetime]

    @property
    def aging(self) -> dict[str, Decimal]:
        """{bucket label: amount overdue}, every bucket, in bucket order."""
        return {label: getattr(self, column) for (label, _low, _high), column in zip(BUCKETS, BUCKET_COLUMNS,
                                                                                    strict=True)}


@dataclass
class RiskCounts:
    facts: int = 0
    scored: int = 0
    high: int = 0
    medium: int = 0


def weights_of(rules: SchemeRules) -> tuple[dict[str, Weight], Decimal, Decimal]:
    """The factor weights and the two band thresholds of a scheme's rules."""
    weights = {factor: Weight(Decimal(rules.get(f"risk.weight.{factor}", ZERO)),
                              Decimal(rules.get(f"risk.full.{factor}", ZERO))) for factor in FACTORS}
    return weights, Decimal(rules.get("risk.band.medium", 30)), Decimal(rules.get("risk.band.high", 60))


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(_SHARE, rounding=ROUND_HALF_UP) if whole > 0 else ZERO


def _drop(now: Decimal, before: Decimal) -> Decimal:
    return max(ZERO, Decimal(1) - _share(now, before)) if before > 0 else ZERO


def measure_facts(months: list) -> dict[str, Decimal]:
    """The factors the monthly facts give (one employer's months of the window, oldest first: rows or
    ``ComplianceMonth`` objects)."""
    filed = [m for m in months if m.filed]
    values = {"months_not_filed": Decimal(sum(1 for m in months if not m.filed)),
              "late_filings": Decimal(sum(1 for m in filed if not m.on_time)),
              "late_payments": Decimal(sum(1 for m in filed if m.charged > 0 and m.paid_by_due < m.charged))}
    if filed:
        last, before = filed[-1], filed[:-1]
        values["headcount_drop"] = _drop(Decimal(last.workers), Decimal(max((m.workers for m in before), default=0)))
        workers_before = sum(m.workers for m in before)
        wages_before = sum((m.wages for m in before), ZERO)
        if last.workers and workers_before:
            values["wage_drop"] = _drop(last.wages / last.workers, wages_before / workers_before)
    return values


def _arrears(session: Session, scheme_code: str, as_of: dt.date) -> dict[int, tuple[Decimal, dt.date, dict]]:
    """Each indebted employer's overdue total, oldest due date and aging, summed in SQL by the arrears page's
    own query (every employer: no page)."""
    return {row.employer_id: (row.total, row.oldest_due, row.buckets) for row in arrears_by_employer(
        session, as_of=as_of, scheme_code=scheme_code, limit=None).employers}


def _at_floor(session: Session, declaration_ids: list[int], minimum: Decimal | None) -> dict[int, Decimal]:
    """The share of each declaration's lines at or below its floor (or ``minimum`` without one)."""
    shares: dict[int, Decimal] = {}
    threshold = func.coalesce(Declaration.base_floor, minimum) if minimum is not None else Declaration.base_floor
    for start in range(0, len(declaration_ids), 5_000):
        for employer_id, lines, low in session.execute(
                select(Declaration.employer_id, func.count(DeclarationLine.id),
                       func.sum(func.coalesce((DeclarationLine.gross_wage <= threshold).cast(Integer), 0)))
                .join(DeclarationLine, DeclarationLine.declaration_id == Declaration.id)
                .where(Declaration.id.in_(declaration_ids[start:start + 5_000]))
                .group_by(Declaration.employer_id)):
            shares[employer_id] = _share(Decimal(low or 0), Decimal(lines))
    return shares


def compute_risk(session: Session, scheme_code: str, *, as_of: dt.date, actor: Actor, now: dt.datetime) -> RiskCounts:
    """Refresh the scheme's compliance facts and every registered employer's score as of ``as_of``.  The
    scores replace the previous ones in the caller's transaction (readers see the old or the new set)."""
    counts = RiskCounts(facts=refresh_compliance_months(session, scheme_code, as_of=as_of))
    rules = rules_on(session, scheme_code, None, as_of)
    weights, medium, high = weights_of(rules)
    window = int(rules.get("risk.window_months", 12))
    first = str(Period.of(as_of).shift(-(window + 1)))  # the due date of the month before may not have passed
    months: dict[int, list] = defaultdict(list)
    facts = ComplianceMonth.__table__.c  # rows, not objects: a country's year is a quarter of a million
    for month in session.execute(select(
            facts.employer_id, facts.period, facts.filed, facts.on_time, facts.workers, facts.wages, facts.charged,
            facts.paid_by_due, facts.declaration_id).where(
            facts.scheme_code == scheme_code, facts.period >= first, facts.due_date < as_of)
            .order_by(facts.employer_id, facts.period)):
        months[month.employer_id].append(month)
    arrears = _arrears(session, scheme_code, as_of)
    last_declarations = {employer_id: next((m.declaration_id for m in reversed(rows) if m.filed), None)
                         for employer_id, rows in months.items()}
    minimum = rules.get("minimum_wage")
    at_floor = _at_floor(session, sorted(d for d in last_declarations.values() if d), minimum)
    reports: dict[int, dict[str, int]] = defaultdict(dict)
    for employer_id, period, count in session.execute(
            select(WorkerReport.employer_id, WorkerReport.period, func.count())
            .join(Employer, Employer.id == WorkerReport.employer_id)
            .where(Employer.scheme_code == scheme_code, WorkerReport.period >= first,
                   WorkerReport.status.in_(COUNTED)).group_by(WorkerReport.employer_id, WorkerReport.period)):
        reports[employer_id][period] = count
    employers = session.execute(
        select(Employer.id, Employer.sector_code, province_of()).outerjoin(Region, Region.code == Employer.region_code)
        .where(Employer.scheme_code == scheme_code, Employer.employer_number.is_not(None))).all()
    rows = []
    for employer_id, sector, province in employers:
        rows_of = months.get(employer_id, [])[-window:]
        values = measure_facts(rows_of)
        overdue, oldest, aging = arrears.get(employer_id, (ZERO, None, {}))
        if overdue > 0:
            average = sum((m.charged for m in rows_of), ZERO) / len(rows_of) if rows_of else ZERO
            values["arrears_size"] = _share(overdue, average) if average > 0 else weights["arrears_size"].full
            values["arrears_age"] = Decimal((as_of - oldest).days)
        values["wages_at_floor"] = at_floor.get(employer_id, ZERO)
        # Only the months of the window: ``first`` reaches one month further back than the window may.
        values["worker_reports"] = Decimal(sum(reports.get(employer_id, {}).get(m.period, 0) for m in rows_of))
        result = score(values, weights, sector_points=Decimal(rules.get(f"risk.sector.{sector}", ZERO)),
                       medium=medium, high=high)
        counts.high += result.band == "high"
        counts.medium += result.band == "medium"
        rows.append(_row(employer_id, scheme_code, province, sector, result, int(values["months_not_filed"]),
                         overdue, oldest, aging, as_of, now))
    session.execute(delete(RiskScore).where(RiskScore.scheme_code == scheme_code),
                    execution_options={"synchronize_session": False})
    for start in range(0, len(rows), 2_000):
        session.execute(insert(RiskScore), rows[start:start + 2_000])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE risk_score"))
    counts.scored = len(rows)
    return counts


def _row(employer_id: int, scheme_code: str, province: str | None, sector: str | None, result: Score,
         months_not_filed: int, overdue: Decimal, oldest: dt.date | None, aging: dict, as_of: dt.date,
         now: dt.datetime) -> dict:
    return {"employer_id": employer_id, "scheme_code": scheme_code, "province_code": province,
            "sector_code": sector, "score": result.total, "band": result.band,
            "factors": [{"factor": f.factor, "value": str(f.value), "points": str(f.points), "weight": str(f.weight),
                         "full": str(f.full)} for f in result.factors],
            "months_not_filed": months_not_filed, "overdue": overdue, "oldest_due": oldest,
            **{column: aging.get(label, ZERO) for (label, _low, _high), column in zip(BUCKETS, BUCKET_COLUMNS,
                                                                                      strict=True)},
            "as_of": as_of, "computed_at": now}


def risk_of(session: Session, employer_id: int) -> RiskScore | None:
    return session.get(RiskScore, employer_id)
