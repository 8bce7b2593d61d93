"""Allocating money to what employers owe: payments, credit carried to new charges, reversals, refunds.

Everything here reads balances from the ledger and writes new ledger entries; nothing is updated.  Callers
hold ``ledger.lock_account`` for the employers they touch (on PostgreSQL), so two runs never allocate the same
money twice nor pay one charge twice.  Set-based: one query per kind of balance for a whole batch of
employers, one multi-row insert per thousand entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session

from common.period import Period
from contributions.ledger import DEBT_COMPONENTS, LedgerEntry, Posting, post
from contributions.parameters import rules_on
from contributions.payments import Payment
from contributions.rules.allocation import DEFAULT_COMPONENT_ORDER, Allocation, Due, allocate

ZERO = Decimal(0)
BATCH = 1_000


@dataclass
class Account:
    """What one employer owes and holds, kept up to date in memory while a batch is allocated."""

    employer_id: int
    currency: str
    dues: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (period, component) -> still to pay
    due_dates: dict[tuple[str, str], dt.date] = field(default_factory=dict)
    # Credit lots: (payment id, period where the credit sits) -> amount available.
    credits: dict[tuple[int, str], Decimal] = field(default_factory=dict)

    def due_list(self) -> list[Due]:
        return [Due(period, component, amount) for (period, component), amount in self.dues.items() if amount > ZERO]

    def settle(self, allocations: Iterable[Allocation]) -> None:
        for item in allocations:
            self.dues[(item.period, item.component)] -= item.amount


def load_accounts(session: Session, employer_ids: Iterable[int], currency_of: dict[int, str]) -> dict[int, Account]:
    ids = sorted(set(employer_ids))
    accounts = {employer_id: Account(employer_id, currency_of[employer_id]) for employer_id in ids}
    # One pass over the employers' entries: debts per period and component, credit per payment and period.
    lot = case((LedgerEntry.component == literal_column("'credit'"), LedgerEntry.payment_id))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        for employer_id, period, component, payment_id, owed, due_date in session.execute(
            select(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component, lot,
                   func.sum(LedgerEntry.debit - LedgerEntry.credit), func.max(LedgerEntry.due_date))
            .where(LedgerEntry.employer_id.in_(chunk), LedgerEntry.component.in_((*DEBT_COMPONENTS, "credit")))
            .group_by(LedgerEntry.employer_id, LedgerEntry.period, LedgerEntry.component, lot)
        ):
            if component == "credit":
                held = -Decimal(owed)
                if held > ZERO:
                    accounts[employer_id].credits[(payment_id, period)] = held
            else:
                accounts[employer_id].dues[(period, component)] = Decimal(owed)
                accounts[employer_id].due_dates[(period, component)] = due_date
    return accounts


@dataclass(frozen=True)
class Policy:
    component_order: tuple[str, ...]
    period_order: str


def policy_of(session: Session, scheme_code: str, day: dt.date) -> Policy:
    rules = rules_on(session, scheme_code, None, day)
    order = str(rules.get("allocation.components") or ",".join(DEFAULT_COMPONENT_ORDER))
    return Policy(tuple(part.strip() for part in order.split(",") if part.strip()),
                  str(rules.get("allocation.periods") or "oldest_first"))


def allocation_postings(account: Account, *, payment_id: int, match: int, amount: Decimal, value_date: dt.date,
                        policy: Policy, designated_period: str | None) -> list[Posting]:
    """The entries that allocate one payment: credits to the debts it settles, the rest to "credit" (in the
    period of its value date).  ``match`` counts the times the payment was matched (a payment assigned, undone
    and assigned again is allocated afresh).  Updates ``account`` in memory."""
    allocations, left = allocate(amount, account.due_list(), component_order=policy.component_order,
                                 period_order=policy.period_order, designated_period=designated_period)
    account.settle(allocations)
    postings = [Posting(employer_id=account.employer_id, period=item.period, component=item.component,
                        amount=-item.amount, currency=account.currency, kind="payment", payment_id=payment_id,
                        due_date=account.due_dates.get((item.period, item.component), value_date),
                        posting_key=f"payment:{payment_id}:{match}:{item.period}:{item.component}")
                for item in allocations]
    if left > ZERO:
        period = str(Period.of(value_date))
        account.credits[(payment_id, period)] = account.credits.get((payment_id, period), ZERO) + left
        postings.append(Posting(employer_id=account.employer_id, period=period, component="credit", amount=-left,
                                currency=account.currency, kind="payment", payment_id=payment_id,
                                due_date=value_date, posting_key=f"payment:{payment_id}:{match}:credit"))
    return postings


def credit_postings(account: Account, *, policy: Policy, today: dt.date, key: str) -> list[Posting]:
    """Carry the employer's credit (oldest payment first) to what it owes, as pairs of entries: a debit of
    the credit and a credit of the debt.  ``key`` makes the posting keys unique to this application."""
    postings: list[Posting] = []
    for (payment_id, credit_period), held in sorted(account.credits.items()):
        if held <= ZERO or not account.due_list():
            continue
        allocations, left = allocate(held, account.due_list(), component_order=policy.component_order,
                                     period_order=policy.period_order)
        account.settle(allocations)
        account.credits[(payment_id, credit_period)] = left
        for n, item in enumerate(allocations):
            stem = f"credit:{key}:{payment_id}:{credit_period}:{n}"
            postings.append(Posting(employer_id=account.employer_id, period=credit_period, component="credit",
                                    amount=item.amount, currency=account.currency, kind="credit_applied",
                                    payment_id=payment_id, due_date=today, posting_key=f"{stem}:from"))
            postings.append(Posting(employer_id=account.employer_id, period=item.period, component=item.component,
                                    amount=-item.amount, currency=account.currency, kind="credit_applied",
                                    payment_id=payment_id, posting_key=f"{stem}:to",
                                    due_date=account.due_dates.get((item.period, item.component), today)))
    return postings


def apply_credit(session: Session, employer_id: int, scheme_code: str, currency: str, *, posted_by: str,
                 now: dt.datetime, today: dt.date) -> Decimal:
    """Carry whatever credit the employer holds to what it owes now; returns the amount carried.  The
    caller holds ``lock_account`` for the employer."""
    account = load_accounts(session, [employer_id], {employer_id: currency})[employer_id]
    if not account.credits or not account.due_list():
        return ZERO
    last = session.scalar(select(func.max(LedgerEntry.id)).where(LedgerEntry.employer_id == employer_id)) or 0
    postings = credit_postings(account, policy=policy_of(session, scheme_code, today), today=today,
                               key=f"{employer_id}:{last}")
    post(session, postings, posted_by=posted_by, now=now)
    return sum((p.amount for p in postings if p.component == "credit"), ZERO)


def reversal_postings(session: Session, payment_id: int, match: int) -> list[Posting]:
    """The opposite of every entry that moved this payment's money (its allocations, its credit, the credit
    carried from it to other debts), netted per period and component.  Refunds are not undone here: a payment
    whose credit was refunded cannot be reversed (``payment_actions`` refuses it)."""
    totals: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    first: dict[tuple, LedgerEntry] = {}
    for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.payment_id == payment_id,
                                                           LedgerEntry.kind != "refund")
                                 .order_by(LedgerEntry.id)):
        key = (entry.employer_id, entry.period, entry.component)
        totals[key] += entry.debit - entry.credit
        first.setdefault(key, entry)
    return [Posting(employer_id=key[0], period=key[1], component=key[2], amount=-net, currency=first[key].currency,
                    kind="reversal", payment_id=payment_id, due_date=first[key].due_date,
                    posting_key=f"reversal:{payment_id}:{match}:{key[1]}:{key[2]}")
            for key, net in totals.items() if net != ZERO]


def release_overpaid(session: Session, employer_id: int, period: str, *, cause: str, posted_by: str,
                     now: dt.datetime, today: dt.date) -> Decimal:
    """When a charge is lowered after it was paid (a corrective declaration), what was paid beyond the new
    amount becomes a credit of the employer again, taken back from the latest payments (by value date) first.
    Returns the amount released.  ``cause`` names what lowered the charge (``declaration:<id>``) and keys the
    entries, so doing it again for the same cause posts nothing.  The caller holds ``lock_account``."""
    owed = session.execute(select(LedgerEntry.component, func.sum(LedgerEntry.debit - LedgerEntry.credit))
                           .where(LedgerEntry.employer_id == employer_id, LedgerEntry.period == period,
                                  LedgerEntry.component.in_(DEBT_COMPONENTS))
                           .group_by(LedgerEntry.component)).all()
    postings: list[Posting] = []
    for component, amount in owed:
        excess = -Decimal(amount)
        if excess <= ZERO:
            continue
        # The money paid last (by the date it was paid, whatever the order it became known in) is taken back
        # first: what stays is what paid the charge earliest, as the interest counts it.
        paid_by = session.execute(
            select(LedgerEntry.payment_id, LedgerEntry.currency, func.sum(LedgerEntry.credit - LedgerEntry.debit))
            .join(Payment, Payment.id == LedgerEntry.payment_id)
            .where(LedgerEntry.employer_id == employer_id, LedgerEntry.period == period,
                   LedgerEntry.component == component, LedgerEntry.payment_id.is_not(None))
            .group_by(LedgerEntry.payment_id, LedgerEntry.currency, Payment.value_date)
            .order_by(Payment.value_date.desc(), LedgerEntry.payment_id.desc())).all()
        for payment_id, currency, paid in paid_by:
            part = min(excess, Decimal(paid))
            if part <= ZERO:
                continue
            stem = f"release:{cause}:{period}:{component}:{payment_id}"
            postings.append(Posting(employer_id=employer_id, period=period, component=component, amount=part,
                                    currency=currency, kind="credit_applied", payment_id=payment_id,
                                    due_date=today, posting_key=f"{stem}:from"))
            postings.append(Posting(employer_id=employer_id, period=period, component="credit", amount=-part,
                                    currency=currency, kind="credit_applied", payment_id=payment_id,
                                    due_date=today, posting_key=f"{stem}:to"))
            excess -= part
            if excess == ZERO:
                break
    post(session, postings, posted_by=posted_by, now=now)
    return sum((p.amount for p in postings if p.component != "credit"), ZERO)
