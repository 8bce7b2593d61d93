"""Posting late-payment interest as of a date, for every debt of a scheme.

For each period of each employer the interest owed as of ``as_of`` is computed from the facts in the ledger
(what was charged and when it was due; every payment by its value date; a reversal cancels its payment from
the start), and only the difference with the interest already charged for the period is posted.  So:

* running it twice for the same date posts nothing the second time (nothing differs; and two runs at once
  from the same state use the same posting key, so one entry is kept);
* a run missed for three days is caught up by one run: the figure depends on the date, not on earlier runs;
* a payment back-dated by its value date, a statement that arrives late or a reversal lead to the interest
  that knowing the facts on time would have given.

The rule comes from the scheme's parameters for the period (``interest.shape``, ``interest.rate``, optional
``interest.cap`` and ``interest.tolerance``); a scheme without ``interest.rate`` charges no interest (Lao PDR
until the LSSO confirms its rule, country rules §1.6).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.period import Period
from contributions.accruals import MONEY, post_accruals
from contributions.ledger import CHARGE_KINDS, LedgerEntry, Posting, as_arrays, upsert_rows
from contributions.parameters import SchemeParameter, rules_on
from contributions.payments import Payment
from contributions.rules.interest import InterestRule, Paid, interest_due
from employers.employers import Employer, category_history, category_on

# What interest runs on: the contributions, and an assessment standing in for a missing declaration.
SHARES = ("employee_share", "employer_share", "assessment")
ZERO = Decimal(0)


@dataclass
class InterestCounts:
    debts: int = 0
    periods_changed: int = 0
    posted: Decimal = ZERO


def interest_rule(session: Session, scheme_code: str, category: str | None, period: Period) -> InterestRule | None:
    rules = rules_on(session, scheme_code, category, period.first_day)
    rate = rules.get("interest.rate")
    if rate is None:
        return None
    rounding = rules.rounding()
    return InterestRule(str(rules.get("interest.shape") or "per_day"), rate, cap=rules.get("interest.cap"),
                        tolerance=rules.get("interest.tolerance") or ZERO, places=rounding.places, mode=rounding.mode)


class InterestBasis(Base):
    """What the interest of one period of one employer was last computed from: the number of entries of its
    contributions and estimates and the last of them, the as-of date, and whether they were all settled
    then (paid, with every payment's value date on or before the as-of date).  A period whose entries have
    not changed owes the same interest again for the same date, and, once settled, for any later date: the
    next run need not compute it.  Any new entry (a payment, a reversal, a corrective, even one committed
    late with a lower id) changes the count, and the period is computed again."""

    __tablename__ = "interest_basis"

    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    entries: Mapped[int] = mapped_column(Integer)
    last_entry_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    settled: Mapped[bool] = mapped_column(Boolean)
    as_of: Mapped[dt.date] = mapped_column(Date)


CHUNK = 2_000  # employers computed together: what one chunk's facts take in memory is bounded
ROUNDS = 3
# Above this many live periods per employer of a chunk (a first run has every period live), the chunk's
# entries are read whole rather than joined to the live periods.
LIVE_SHARE = 8


def post_interest(session: Session, scheme_code: str, *, as_of: dt.date, actor: Actor, now: dt.datetime,
                  employer_ids: Sequence[int] | None = None) -> InterestCounts:
    """Charge (or give back) the difference between the interest owed as of ``as_of`` and the interest
    already charged, for every period of every employer of the scheme (or of these employers).  Periods
    settled and unchanged since an earlier run (``InterestBasis``) are not computed again.  Flushes; the
    caller commits."""
    counts = InterestCounts()
    if session.scalar(select(SchemeParameter.id).where(SchemeParameter.scheme_code == scheme_code,
                                                       SchemeParameter.name == "interest.rate").limit(1)) is None:
        return counts  # no rule ever: nothing to compute
    query = select(Employer.id, Employer.category).where(Employer.scheme_code == scheme_code,
                                                         Employer.employer_number.is_not(None))
    if employer_ids is not None:
        query = query.where(Employer.id.in_(sorted(set(employer_ids))))
    employers = dict(session.execute(query).all())
    ids = sorted(employers)
    rules: dict[tuple[str | None, str], InterestRule | None] = {}
    postings: list[Posting] = []
    for start in range(0, len(ids), CHUNK):
        pending = ids[start:start + CHUNK]
        # Interest that fell frees money paid towards it, and credit pays new interest: when that credit
        # reaches an employer's contributions, their interest changes too, so those employers are computed
        # again (a second round rarely has anything to do, a third never in practice).
        for _round in range(ROUNDS):
            live = _live_periods(session, pending, as_of)
            if not live:
                break
            owed = _owed(session, scheme_code, employers, pending, live, rules, as_of, counts)
            accrued = post_accruals(session, scheme_code, "interest", owed, as_of=as_of, posted_by=actor.label,
                                    now=now, only=set(live))
            postings += accrued.postings
            _remember(session, live, as_of)
            pending = sorted(accrued.credited)
            if not pending:
                break
    counts.periods_changed = len(postings)
    counts.posted = sum((p.amount for p in postings), ZERO)
    if postings:
        record_audit(session, actor=actor, action="interest.posted", now=now, object_type="scheme",
                     object_id=scheme_code, summary=f"as of {as_of.isoformat()}: {counts.debts} late debt(s) "
                     f"computed, {counts.periods_changed} period(s) changed, {counts.posted} net")
    return counts


def _owed(session: Session, scheme_code: str, employers: dict[int, str], employer_ids: list[int],
          live: dict[tuple[int, str], tuple], rules: dict, as_of: dt.date,
          counts: InterestCounts) -> dict[tuple[int, str], Decimal]:
    """The interest owed as of ``as_of`` per live (employer, period), from the facts."""
    charged, paid = _facts(session, _selections(session, employer_ids, live), live, as_of)
    categories = category_history(session, {employer_id for employer_id, _p, _c in charged})
    first_days = {period: Period.parse(period).first_day for _e, period in live}
    owed: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for (employer_id, period, component), (amount, due) in charged.items():
        # The category in force in the period, as its declaration used.
        category = category_on(categories.get(employer_id), first_days[period], employers.get(employer_id))
        if (category, period) not in rules:
            rules[(category, period)] = interest_rule(session, scheme_code, category, Period.parse(period))
        rule = rules[(category, period)]
        if rule is None:
            continue
        counts.debts += 1
        owed[(employer_id, period)] += interest_due(amount, due, paid.get((employer_id, period, component), ()),
                                                    as_of=as_of, rule=rule)
    return owed


def _live_periods(session: Session, employer_ids: list[int], as_of: dt.date) -> dict[tuple[int, str], tuple]:
    """The periods of these employers whose interest must be computed as of ``as_of``: every one, except those
    whose entries are the same as when last computed and that were then either settled (on or before
    ``as_of``) or computed for this very date (compared in SQL).  Returns each with its state now (entries,
    last entry id, settled)."""
    state = (select(LedgerEntry.employer_id, LedgerEntry.period, func.count().label("entries"),
                    func.max(LedgerEntry.id).label("last"),
                    type_coerce(func.sum(LedgerEntry.debit - LedgerEntry.credit), MONEY).label("net"),
                    func.max(Payment.value_date).label("latest_money"))
             .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
             .where(LedgerEntry.employer_id.in_(employer_ids), LedgerEntry.component.in_(SHARES))
             .group_by(LedgerEntry.employer_id, LedgerEntry.period).subquery("state"))
    basis = InterestBasis.__table__
    rows = session.execute(
        select(state.c.employer_id, state.c.period, state.c.entries, state.c.last, state.c.net, state.c.latest_money)
        .outerjoin(basis, and_(basis.c.employer_id == state.c.employer_id, basis.c.period == state.c.period))
        .where(or_(basis.c.employer_id.is_(None), basis.c.entries != state.c.entries,
                   basis.c.last_entry_id != state.c.last, basis.c.as_of > as_of,
                   and_(basis.c.settled.is_(False), basis.c.as_of != as_of))))
    return {(employer_id, period): (entries, last,
                                    Decimal(net) == ZERO and (latest_money is None or latest_money <= as_of))
            for employer_id, period, entries, last, net, latest_money in rows}


# The live periods of a chunk, for the queries that read their facts: a temporary table of the connection.
_LIVE = Table("interest_live", MetaData(), Column("employer_id", Integer), Column("period", String(7)))


def _selections(session: Session, employer_ids: list[int], live: dict[tuple[int, str], tuple]) -> list:
    """Conditions that select the live periods' entries: the whole chunk of employers when most of its
    periods are live (a first run), else a join to the live (employer, period) pairs."""
    if len(live) > LIVE_SHARE * len(employer_ids):
        return [LedgerEntry.employer_id.in_(employer_ids)]
    postgres = session.get_bind().dialect.name == "postgresql"
    session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS interest_live (employer_id integer, period "
                         "varchar(7))" + (" ON COMMIT DROP" if postgres else "")))
    session.execute(text("DELETE FROM interest_live"))
    rows = [{"employer_id": employer_id, "period": period} for employer_id, period in sorted(live)]
    if postgres:
        relation, params = as_arrays(session, _LIVE, rows, ["employer_id", "period"])
        session.execute(text(f"INSERT INTO interest_live SELECT employer_id, period FROM {relation}"), params)
    else:
        session.execute(_LIVE.insert(), rows)
    return [tuple_(LedgerEntry.employer_id, LedgerEntry.period).in_(select(_LIVE.c.employer_id, _LIVE.c.period))]


def _facts(session: Session, selections: list, live: dict[tuple[int, str], tuple], as_of: dt.date):
    """For the live periods: what each debt charged and when it was due (debts past due only), and every
    payment of each debt as of its value date."""
    charged: dict[tuple[int, str, str], tuple[Decimal, dt.date]] = {}
    paid: dict[tuple[int, str, str], list[Paid]] = defaultdict(list)
    reversal = LedgerEntry.kind == "reversal"
    for among in selections:
        for employer_id, period, component, amount, due in session.execute(
            select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component,
                   func.sum(LedgerEntry.debit - LedgerEntry.credit), func.max(LedgerEntry.due_date))
            .where(among, LedgerEntry.component.in_(SHARES), LedgerEntry.kind.in_(CHARGE_KINDS))
            .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component)
        ):
            if due < as_of and (employer_id, period) in live and Decimal(amount) > ZERO:
                charged[(employer_id, period, component)] = (Decimal(amount), due)
        # Per debt and payment: what the payment paid, as of its value date.  That holds for money carried as
        # credit too (an overpayment, or what was paid towards an estimate the real declaration replaced): it
        # existed from that date, so a charge it pays counts as paid from then, as if the charge had been known
        # on time.  A reversal cancels the payment from the start (money that bounced was never paid).
        for employer_id, period, component, value_date, amount, bounced in session.execute(
            select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component, Payment.value_date,
                   type_coerce(func.sum(case((reversal, 0), else_=LedgerEntry.credit - LedgerEntry.debit)), MONEY),
                   type_coerce(func.sum(case((reversal, LedgerEntry.debit - LedgerEntry.credit), else_=0)), MONEY))
            .join(Payment, Payment.id == LedgerEntry.payment_id)
            .where(among, LedgerEntry.component.in_(SHARES), LedgerEntry.kind.not_in(CHARGE_KINDS))
            .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component, Payment.id,
                      Payment.value_date)
        ):
            key = (employer_id, period, component)
            net = Decimal(amount) - Decimal(bounced)
            if key in charged and net:
                paid[key].append(Paid(value_date, net))
    return charged, paid


def _remember(session: Session, live: dict[tuple[int, str], tuple], as_of: dt.date) -> None:
    rows = [{"employer_id": employer_id, "period": period, "entries": entries, "last_entry_id": last,
             "settled": settled, "as_of": as_of}
            for (employer_id, period), (entries, last, settled) in sorted(live.items())]
    upsert_rows(session, InterestBasis.__table__, rows, key=("employer_id", "period"))
