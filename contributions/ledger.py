"""The employer account: an append-only ledger of what an employer owes and has paid.

Each entry is a debit (the employer owes more: a charge) or a credit (owes less: a reduction of a charge, a
payment, ...), never both, in the scheme's currency, for one period and one component.  Entries are never
updated or deleted (the migration installs triggers that refuse it on both databases); a correction is a
new entry.  Every entry has a ``posting_key`` that is unique, so posting the same fact twice writes it once.

Balances, what is outstanding per period and component, and credits are sums over the entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base

# Components of an employer's debt, in the order a payment settles them within a period by default.
COMPONENTS = ("employee_share", "employer_share", "interest", "fine", "assessment")
ENTRY_KINDS = ("charge", "charge_reduction")
ZERO = Decimal(0)


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(f"component IN {COMPONENTS!r}", name="component_known"),
        CheckConstraint(f"kind IN {ENTRY_KINDS!r}", name="kind_known"),
        CheckConstraint("debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)", name="one_side_positive"),
        CheckConstraint("length(period) = 7", name="period_format"),
        Index("ix_ledger_entry_employer_id_period", "employer_id", "period"),
        Index("ix_ledger_entry_declaration_id", "declaration_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    period: Mapped[str] = mapped_column(String(7))
    component: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    debit: Mapped[Decimal]
    credit: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[dt.date] = mapped_column(Date)
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"))
    posting_key: Mapped[str] = mapped_column(String(120), unique=True)
    posted_at: Mapped[dt.datetime]
    posted_by: Mapped[str] = mapped_column(String(255))


@dataclass(frozen=True, slots=True)
class Posting:
    """One fact to post: a signed amount (positive: the employer owes more)."""

    employer_id: int
    period: str
    component: str
    amount: Decimal
    currency: str
    due_date: dt.date
    posting_key: str
    declaration_id: int | None = None
    kind: str | None = None


def post(session: Session, postings: Iterable[Posting], *, posted_by: str, now: dt.datetime) -> int:
    """Append the postings that are not zero and not posted yet (by ``posting_key``); returns how many were
    written.  Safe to call twice with the same postings, also from two transactions at once."""
    rows = []
    for item in postings:
        if item.component not in COMPONENTS:
            raise ValueError(f"unknown component {item.component!r}")
        if item.amount == ZERO:
            continue
        kind = item.kind or ("charge" if item.amount > ZERO else "charge_reduction")
        rows.append({"employer_id": item.employer_id, "period": item.period, "component": item.component,
                     "kind": kind, "debit": max(item.amount, ZERO), "credit": max(-item.amount, ZERO),
                     "currency": item.currency, "due_date": item.due_date, "declaration_id": item.declaration_id,
                     "posting_key": item.posting_key, "posted_at": now, "posted_by": posted_by})
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(LedgerEntry).on_conflict_do_nothing(index_elements=["posting_key"])
    return sum(session.execute(statement.values(row)).rowcount for row in rows)


def balance_of(session: Session, employer_id: int) -> Decimal:
    """What the employer owes overall (negative: a credit in the employer's favour)."""
    return session.scalar(select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0))
                          .where(LedgerEntry.employer_id == employer_id)) or ZERO


def balances_by_period(session: Session, employer_id: int) -> dict[str, Decimal]:
    """Balance per period (``YYYY-MM``) of the employer: charges minus reductions (and, later, payments)."""
    rows = session.execute(
        select(LedgerEntry.period, func.sum(LedgerEntry.debit - LedgerEntry.credit))
        .where(LedgerEntry.employer_id == employer_id).group_by(LedgerEntry.period))
    return {period: Decimal(amount) for period, amount in rows}


def charged_by_component(session: Session, employer_id: int, period: str) -> dict[str, Decimal]:
    """Net charges of one period per component (charges minus reductions)."""
    charged = func.sum(case((LedgerEntry.kind.in_(ENTRY_KINDS), LedgerEntry.debit - LedgerEntry.credit), else_=0))
    rows = session.execute(select(LedgerEntry.component, charged)
                           .where(LedgerEntry.employer_id == employer_id, LedgerEntry.period == period)
                           .group_by(LedgerEntry.component))
    return {component: Decimal(amount) for component, amount in rows}


def entries_of(session: Session, employer_id: int, period: str | None = None) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.employer_id == employer_id)
    if period is not None:
        query = query.where(LedgerEntry.period == period)
    return list(session.scalars(query.order_by(LedgerEntry.id)))
