"""Assessing non-filers: an estimated declaration for a period an employer with workers has not declared.

When a period's due date plus the scheme's grace period (``assessment.grace_days``) has passed, an employer
that had workers employed in the period and filed nothing for it is assessed (country rules §4.3):

* the **last declared amount** (the contributions charged for the latest earlier period it declared) plus an
  uplift: ``assessment.uplift_first`` for the first missing month, ``assessment.uplift_step`` more for each
  further consecutive month assessed;
* with nothing declared before (or only nil declarations): the **head count** in the period times the
  contributions on the base floor (or, without a floor, on the minimum wage), with the same uplift.

The estimate is posted to the account as the ``assessment`` component, due on the period's due date, so
it is in the arrears, earns interest and is settled by payments like the contributions.  When the employer
files the period, the assessment is reversed in the same transaction (``replace_assessment``): the real
contributions replace it, what was paid towards it becomes credit that pays them, and the interest job
recomputes the interest on the real amounts.

Only periods on or after the first day the scheme's ``assessment.grace_days`` is in force are assessed; a
scheme without it assesses nothing.  The job is idempotent (one assessment per employer and period, a
unique posting key, and the employer's account lock taken before checking that the period is still
undeclared) and catches up: a run after days off assesses every period that has become due for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.money import round_money
from common.period import Period
from common.schemes import Scheme
from contributions.account import credit_held
from contributions.allocation import apply_credit
from contributions.calendar import period_due_date
from contributions.declarations import Declaration
from contributions.ledger import LedgerEntry, Posting, lock_account, post
from contributions.parameters import SchemeParameter, SchemeRules, rules_on
from employers.employers import Employer, category_history, category_on
from employers.persons import Employment

ZERO = Decimal(0)
BASES = ("last_declared", "head_count")
STATUSES = ("active", "replaced")
SHARE_COMPONENTS = ("employee_share", "employer_share")


class Assessment(Base):
    """An estimated declaration for one period of one employer."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("employer_id", "period"),
        CheckConstraint(f"basis IN {BASES!r}", name="basis_known"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        CheckConstraint("length(period) = 7", name="period_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    period: Mapped[str] = mapped_column(String(7))
    basis: Mapped[str] = mapped_column(String(20))
    # last_declared: the period whose amount was the base; head_count: the number of workers.
    basis_period: Mapped[str | None] = mapped_column(String(7))
    head_count: Mapped[int] = mapped_column(Integer)
    base_amount: Mapped[Decimal]
    months_missing: Mapped[int] = mapped_column(Integer)  # 1 for the first consecutive month assessed
    uplift: Mapped[Decimal] = mapped_column(Numeric(8, 4))  # 0.25 = 25 %
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[dt.date] = mapped_column(Date)
    assessed_on: Mapped[dt.date] = mapped_column(Date)  # the as-of date of the run
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default="active")
    replaced_by_declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"))
    replaced_at: Mapped[dt.datetime | None]

    @property
    def period_value(self) -> Period:
        return Period.parse(self.period)


@dataclass
class AssessmentCounts:
    assessed: int = 0
    amount: Decimal = ZERO
    without_basis: int = 0  # no earlier declaration, no floor and no minimum wage: nothing to estimate from


def _first_assessed_period(session: Session, scheme_code: str) -> Period | None:
    start = session.scalar(select(func.min(SchemeParameter.valid_from)).where(
        SchemeParameter.scheme_code == scheme_code, SchemeParameter.name == "assessment.grace_days"))
    if start is None:
        return None
    first = Period.of(start)
    return first if first.first_day == start else first.next()


def _filed_periods(session: Session, employer_ids: list[int], period: Period) -> set[int]:
    return set(session.scalars(select(Declaration.employer_id).where(
        Declaration.employer_id.in_(employer_ids), Declaration.period == str(period),
        Declaration.status != "draft")))


def _last_declared(session: Session, employer_id: int, before: Period) -> tuple[str, Decimal] | None:
    """The latest period before ``before`` for which contributions were declared (a nil declaration
    declares none), and the contributions its declarations charged."""
    charged = func.sum(LedgerEntry.debit - LedgerEntry.credit)
    row = session.execute(
        select(LedgerEntry.period, charged).where(
            LedgerEntry.employer_id == employer_id, LedgerEntry.period < str(before),
            LedgerEntry.component.in_(SHARE_COMPONENTS), LedgerEntry.declaration_id.is_not(None))
        .group_by(LedgerEntry.period).having(charged > 0).order_by(LedgerEntry.period.desc()).limit(1)).first()
    return (row[0], Decimal(row[1])) if row is not None else None


def assess_non_filers(session: Session, scheme_code: str, *, as_of: dt.date, actor: Actor, now: dt.datetime,
                      employer_ids: Sequence[int] | None = None) -> AssessmentCounts:
    """Assess every period of the scheme's employers (or of these) that is missing ``assessment.grace_days``
    after its due date as of ``as_of``.  Flushes; the caller commits."""
    counts = AssessmentCounts()
    first = _first_assessed_period(session, scheme_code)
    if first is None:
        return counts
    scheme = session.get(Scheme, scheme_code)
    query = select(Employer).where(Employer.scheme_code == scheme_code, Employer.employer_number.is_not(None))
    if employer_ids is not None:
        query = query.where(Employer.id.in_(sorted(set(employer_ids))))
    employers = {e.id: e for e in session.scalars(query)}
    if not employers:
        return counts
    categories = category_history(session, employers)
    settings: dict[tuple[str, Period], tuple[dt.date, SchemeRules]] = {}
    period = first
    while period.first_day <= as_of:  # oldest first: a month's uplift depends on the month before
        _assess_period(session, scheme, employers, categories, settings, period, as_of=as_of, actor=actor,
                       now=now, counts=counts)
        period = period.next()
    if counts.assessed:
        record_audit(session, actor=actor, action="assessment.run", now=now, object_type="scheme",
                     object_id=scheme_code, summary=f"as of {as_of.isoformat()}: {counts.assessed} period(s) "
                     f"assessed, {counts.amount} in all; {counts.without_basis} without a basis")
    return counts


def _assess_period(session: Session, scheme: Scheme, employers: dict[int, Employer],
                   categories: dict[int, list[tuple[dt.date, str]]],
                   settings: dict[tuple[str, Period], tuple[dt.date, SchemeRules]], period: Period, *,
                   as_of: dt.date, actor: Actor, now: dt.datetime, counts: AssessmentCounts) -> None:
    # Who had workers in the period and has neither a declaration nor an assessment for it.
    head_counts = dict(session.execute(
        select(Employment.employer_id, func.count(func.distinct(Employment.person_id)))
        .where(Employment.employer_id.in_(sorted(employers)),
               Employment.hired_on <= period.last_day,
               (Employment.ended_on.is_(None)) | (Employment.ended_on >= period.first_day),
               Employment.employer_id.not_in(select(Assessment.employer_id).where(Assessment.period == str(period))),
               Employment.employer_id.not_in(select(Declaration.employer_id).where(
                   Declaration.period == str(period), Declaration.status != "draft")))
        .group_by(Employment.employer_id)).all())
    for employer_id, head_count in sorted(head_counts.items()):
        employer = employers.get(employer_id)
        if employer is None or (employer.registered_on and period < Period.of(employer.registered_on)) or \
                (employer.ceased_on and period > Period.of(employer.ceased_on)):
            continue
        # The category in force in the period, as a declaration of the period would have used; its due date
        # and rules, read once per category and period.
        category = category_on(categories.get(employer_id), period.first_day, employer.category)
        if (category, period) not in settings:
            settings[(category, period)] = (period_due_date(session, scheme.code, scheme.country, category, period),
                                            rules_on(session, scheme.code, category, period.first_day))
        due, rules = settings[(category, period)]
        grace = rules.get("assessment.grace_days")
        if grace is None or as_of <= due + dt.timedelta(days=int(grace)):
            continue
        # A declaration filed meanwhile wins: filing takes the same lock before it replaces an assessment, so
        # either it sees this one (and reverses it) or this sees the declaration.  One lock per employer, not
        # per period: a transaction holds one per employer of its batch.
        lock_account(session, [employer_id])
        if _filed_periods(session, [employer_id], period):
            continue
        _assess(session, scheme, employer, period, head_count, due, rules, as_of=as_of, actor=actor, now=now,
                counts=counts)


def _assess(session: Session, scheme: Scheme, employer: Employer, period: Period, head_count: int, due: dt.date,
            rules: SchemeRules, *, as_of: dt.date, actor: Actor, now: dt.datetime, counts: AssessmentCounts) -> None:
    previous = session.scalar(select(Assessment).where(Assessment.employer_id == employer.id,
                                                       Assessment.period == str(period.previous())))
    months = previous.months_missing + 1 if previous is not None and previous.status == "active" else 1
    uplift = Decimal(rules.get("assessment.uplift_first") or 0) + \
        Decimal(rules.get("assessment.uplift_step") or 0) * (months - 1)
    last = _last_declared(session, employer.id, period)
    rounding = rules.rounding()
    if last is not None and last[1] > ZERO:
        basis, basis_period, base = "last_declared", last[0], last[1]
    else:
        wage = rules.limits().floor or rules.get("minimum_wage")
        rates = rules.rates()
        if not wage or rates.employee is None or rates.employer is None:
            counts.without_basis += 1
            return
        per_worker = round_money(Decimal(wage) * (rates.employee + rates.employer), rounding.places, rounding.mode)
        basis, basis_period, base = "head_count", None, per_worker * head_count
    amount = round_money(base * (1 + uplift), rounding.places, rounding.mode)
    assessment = Assessment(employer_id=employer.id, period=str(period), basis=basis, basis_period=basis_period,
                            head_count=head_count, base_amount=base, months_missing=months, uplift=uplift,
                            amount=amount, currency=scheme.currency, due_date=due, assessed_on=as_of,
                            created_at=now, created_by=actor.label, status="active")
    session.add(assessment)
    session.flush()
    post(session, [Posting(employer_id=employer.id, period=str(period), component="assessment", amount=amount,
                           currency=scheme.currency, due_date=due, posting_key=f"assessment:{assessment.id}")],
         posted_by=actor.label, now=now)
    record_audit(session, actor=actor, action="assessment.created", now=now, object_type="assessment",
                 object_id=assessment.id, summary=f"{employer.employer_number} {period}: {amount} {scheme.currency}"
                 f" ({basis}{' ' + basis_period if basis_period else ''}, {head_count} worker(s), "
                 f"uplift {uplift * 100:.0f}%, month {months})")
    # Credit the employer holds pays the estimate at once, as it would pay a declaration.
    if credit_held(session, employer.id) > ZERO:
        apply_credit(session, employer.id, scheme.code, scheme.currency, posted_by=actor.label, now=now,
                     today=as_of)
    counts.assessed += 1
    counts.amount += amount


def replace_assessment(session: Session, employer_id: int, period: str, declaration_id: int, *, actor: Actor,
                       now: dt.datetime, today: dt.date) -> Assessment | None:
    """The period is declared: reverse its assessment, if any (the caller holds the period's lock, then
    releases what was paid towards it as credit).  Returns the assessment replaced."""
    assessment = session.scalar(select(Assessment).where(Assessment.employer_id == employer_id,
                                                         Assessment.period == period,
                                                         Assessment.status == "active"))
    if assessment is None:
        return None
    post(session, [Posting(employer_id=employer_id, period=period, component="assessment",
                           amount=-assessment.amount, currency=assessment.currency, due_date=today,
                           posting_key=f"assessment:{assessment.id}:replaced")],
         posted_by=actor.label, now=now)
    assessment.status, assessment.replaced_by_declaration_id, assessment.replaced_at = "replaced", declaration_id, now
    session.flush()
    record_audit(session, actor=actor, action="assessment.replaced", now=now, object_type="assessment",
                 object_id=assessment.id, summary=f"{period}: {assessment.amount} {assessment.currency} reversed, "
                 f"declaration {declaration_id} filed")
    return assessment


def assessments_of(session: Session, employer_id: int) -> list[Assessment]:
    return list(session.scalars(select(Assessment).where(Assessment.employer_id == employer_id)
                                .order_by(Assessment.period.desc())))
