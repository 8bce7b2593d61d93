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
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from common.period import Period
from common.schemes import Scheme
from contributions.ledger import CHARGE_KINDS, LedgerEntry, Posting, post
from contributions.parameters import rules_on
from contributions.payments import Payment
from contributions.rules.interest import InterestRule, Paid, interest_due
from employers.employers import Employer

SHARES = ("employee_share", "employer_share")
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


def post_interest(session: Session, scheme_code: str, *, as_of: dt.date, actor: Actor,
                  now: dt.datetime) -> InterestCounts:
    """Charge (or give back) the difference between the interest owed as of ``as_of`` and the interest
    already charged, for every period of every employer of the scheme.  Flushes; the caller commits."""
    employers = dict(session.execute(select(Employer.id, Employer.category).where(
        Employer.scheme_code == scheme_code, Employer.employer_number.is_not(None))).all())
    if not employers:
        return InterestCounts()
    currency = session.get(Scheme, scheme_code).currency
    scoped = LedgerEntry.employer_id.in_(select(Employer.id).where(Employer.scheme_code == scheme_code))
    charged: dict[tuple[int, str, str], tuple[Decimal, dt.date]] = {}
    for employer_id, period, component, amount, due in session.execute(
        select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component,
               func.sum(LedgerEntry.debit - LedgerEntry.credit), func.max(LedgerEntry.due_date))
        .where(scoped, LedgerEntry.component.in_(SHARES), LedgerEntry.kind.in_(CHARGE_KINDS))
        .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component)
    ):
        if Decimal(amount) > ZERO and due < as_of:
            charged[(employer_id, period, component)] = (Decimal(amount), due)
    # Per debt and payment: what the payment paid and when; a reversal cancels the payment from the start
    # (money that bounced was never paid), so it is netted against the payment's own entries.
    moved: dict[tuple, list[list]] = defaultdict(list)
    reversed_: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for employer_id, period, component, payment_id, kind, value_date, posted_at, amount in session.execute(
        select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component, Payment.id, LedgerEntry.kind,
               Payment.value_date, func.min(LedgerEntry.posted_at), func.sum(LedgerEntry.credit - LedgerEntry.debit))
        .join(Payment, Payment.id == LedgerEntry.payment_id)
        .where(scoped, LedgerEntry.component.in_(SHARES), LedgerEntry.kind.not_in(CHARGE_KINDS))
        .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component, LedgerEntry.kind,
                  Payment.id, Payment.value_date)
    ):
        key = (employer_id, period, component)
        if key not in charged or not amount:
            continue
        if kind == "reversal":
            reversed_[(key, payment_id)] += Decimal(amount)
            continue
        # Credit carried to a debt pays it when it was carried, not before the money existed for it.
        when = max(value_date, posted_at.date()) if kind == "credit_applied" else value_date
        moved[(key, payment_id)].append([when, Decimal(amount)])
    paid: dict[tuple[int, str, str], list[Paid]] = defaultdict(list)
    for (key, payment_id), parts in moved.items():
        take = -reversed_.get((key, payment_id), ZERO)
        for part in sorted(parts, key=lambda p: p[0], reverse=True):
            cut = min(take, part[1]) if take > ZERO else ZERO
            part[1] -= cut
            take -= cut
        paid[key] += [Paid(when, amount) for when, amount in parts if amount]
    already: dict[tuple[int, str], Decimal] = {}
    last_entry: dict[tuple[int, str], int] = {}
    for employer_id, period, amount, last in session.execute(
        select(LedgerEntry.employer_id, LedgerEntry.period, func.sum(LedgerEntry.debit - LedgerEntry.credit),
               func.max(LedgerEntry.id))
        .where(scoped, LedgerEntry.component == "interest", LedgerEntry.kind.in_(CHARGE_KINDS))
        .group_by(LedgerEntry.employer_id, LedgerEntry.period)
    ):
        already[(employer_id, period)], last_entry[(employer_id, period)] = Decimal(amount), last
    owed: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    rules: dict[tuple[str | None, str], InterestRule | None] = {}
    counts = InterestCounts()
    for (employer_id, period, component), (amount, due) in charged.items():
        category = employers.get(employer_id)
        if (category, period) not in rules:
            rules[(category, period)] = interest_rule(session, scheme_code, category, Period.parse(period))
        rule = rules[(category, period)]
        if rule is None:
            continue
        counts.debts += 1
        owed[(employer_id, period)] += interest_due(amount, due, paid[(employer_id, period, component)],
                                                    as_of=as_of, rule=rule)
    postings = []
    for key in sorted(set(owed) | {k for k, v in already.items() if v}):
        target, before = owed.get(key, ZERO), already.get(key, ZERO)
        if target == before:
            continue
        employer_id, period = key
        postings.append(Posting(employer_id=employer_id, period=period, component="interest",
                                amount=target - before, currency=currency, due_date=as_of,
                                # The state it starts from (the last interest entry) and the figure it
                                # reaches: a second run from the same state posts nothing.
                                posting_key=f"interest:{employer_id}:{period}:{as_of.isoformat()}:"
                                f"{last_entry.get(key, 0)}:{target}"))
    post(session, postings, posted_by=actor.label, now=now)
    counts.periods_changed = len(postings)
    counts.posted = sum((p.amount for p in postings), ZERO)
    record_audit(session, actor=actor, action="interest.posted", now=now, object_type="scheme",
                 object_id=scheme_code, summary=f"as of {as_of.isoformat()}: {counts.debts} late debt(s), "
                 f"{counts.periods_changed} period(s) changed, {counts.posted} net")
    return counts
