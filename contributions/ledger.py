"""The employer account: an append-only ledger of what an employer owes and has paid.

Each entry is a debit (the employer owes more: a charge) or a credit (owes less: a reduction of a charge, a
payment, ...), never both, in the scheme's currency, for one period and one component.  Entries are never
updated or deleted (the migration installs triggers that refuse it on both databases); a correction is a
new entry.  Every entry has a ``posting_key`` that is unique, so posting the same fact twice writes it once.

Balances, what is outstanding per period and component, and credits are sums over the entries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    case,
    func,
    select,
    text,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base

# Components of an employer's debt, in the order a payment settles them within a period by default; and
# "credit": money received for the employer and not (yet) applied to a debt.
DEBT_COMPONENTS = ("employee_share", "employer_share", "interest", "fine", "assessment")
COMPONENTS = (*DEBT_COMPONENTS, "credit")
# charge / charge_reduction: what a declaration (later: interest, fines, assessments) adds or removes;
# payment: a payment's credit to a debt, or to "credit" for what is left over; credit_applied: a credit moved
# to a debt (a debit of "credit" and a credit of the debt); reversal: the opposite of an entry of a payment
# that is undone; refund: credit paid back to the employer.
CHARGE_KINDS = ("charge", "charge_reduction")
ENTRY_KINDS = (*CHARGE_KINDS, "payment", "credit_applied", "reversal", "refund")
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
        Index("ix_ledger_entry_payment_id", "payment_id"),
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
    # The payment whose money this entry moves (payment, credit_applied, reversal and refund entries).
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
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
    payment_id: int | None = None


def post(session: Session, postings: Iterable[Posting], *, posted_by: str, now: dt.datetime) -> int:
    """Append the postings that are not zero, skipping any already posted (by ``posting_key``), in one
    statement per thousand; safe to call twice with the same postings, also from two transactions at once.
    Returns how many non-zero postings were given."""
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
                     "payment_id": item.payment_id, "posting_key": item.posting_key, "posted_at": now,
                     "posted_by": posted_by})
    if session.get_bind().dialect.name == "postgresql":
        insert_rows(session, LedgerEntry.__table__, rows, conflict=("posting_key",))
        return len(rows)
    statement = sqlite_insert(LedgerEntry).on_conflict_do_nothing(index_elements=["posting_key"])
    for start in range(0, len(rows), 1_000):
        session.execute(statement, rows[start:start + 1_000])
    return len(rows)


def as_arrays(session: Session, table: Table, rows: list[dict], names: Sequence[str]) -> tuple[str, dict[str, list]]:
    """PostgreSQL: ``rows`` as a relation, one array parameter per column instead of one statement (or one
    set of parameters) per row.  Returns the ``FROM`` item, ``unnest(...) WITH ORDINALITY AS batch(<names>,
    position)``, and its parameters.  Each value is converted as the column converts it; the arrays are of
    the columns' base types (no length or precision), so a value too long or too large is refused when it
    is stored, as it would be by a plain INSERT or UPDATE."""
    dialect = session.get_bind().dialect
    arrays, params = [], {}
    for name in names:
        column = table.c[name]
        base_type = re.sub(r"\(.*?\)", "", column.type.compile(dialect=dialect))
        convert = column.type.dialect_impl(dialect).bind_processor(dialect)
        params[name] = [convert(row[name]) for row in rows] if convert else [row[name] for row in rows]
        arrays.append(f"CAST(:{name} AS {base_type}[])")
    return f"unnest({', '.join(arrays)}) WITH ORDINALITY AS batch({', '.join(names)}, position)", params


def insert_rows(session: Session, table: Table, rows: list[dict], *, conflict: Sequence[str]) -> int:
    """PostgreSQL: insert ``rows`` (dicts with the same keys), a thousand per statement and in their order,
    skipping any whose ``conflict`` columns are already taken (``ON CONFLICT DO NOTHING``).  Returns how many
    were inserted."""
    names = list(rows[0]) if rows else []
    inserted = 0
    if rows and session.autoflush:  # pending changes first, as an ORM statement would do
        session.flush()
    for start in range(0, len(rows), 1_000):
        relation, params = as_arrays(session, table, rows[start:start + 1_000], names)
        inserted += session.execute(text(
            f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(names)} FROM {relation} "
            f"ORDER BY position ON CONFLICT ({', '.join(conflict)}) DO NOTHING"), params).rowcount
    return inserted


def upsert_rows(session: Session, table: Table, rows: list[dict], *, key: Sequence[str]) -> None:
    """Insert ``rows`` (dicts with the same keys), replacing the other columns of a row whose ``key`` columns
    are taken: one statement per thousand on PostgreSQL (arrays), per thousand on SQLite too."""
    if not rows:
        return
    names = list(rows[0])
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name not in key)
    if session.autoflush:
        session.flush()
    if session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(rows), 1_000):
            relation, params = as_arrays(session, table, rows[start:start + 1_000], names)
            session.execute(text(
                f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(names)} FROM {relation} "
                f"ORDER BY position ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"), params)
        return
    statement = sqlite_insert(table)
    statement = statement.on_conflict_do_update(index_elements=list(key),
                                                set_={name: statement.excluded[name] for name in names
                                                      if name not in key})
    for start in range(0, len(rows), 1_000):
        session.execute(statement, rows[start:start + 1_000])


_LOCK_ACCOUNTS = text("SELECT pg_advisory_xact_lock(employer, 0) FROM unnest(CAST(:employers AS integer[])) "
                      "WITH ORDINALITY AS locked(employer, position) ORDER BY position")


def lock_account(session: Session, employer_ids: Iterable[int]) -> None:
    """Serialise the changes of these employers' accounts until the transaction ends (allocating payments,
    applying credit), in id order so that two runs never wait for each other in a circle.  PostgreSQL
    transaction-level advisory locks on (employer, 0); SQLite serialises writers by itself."""
    if session.get_bind().dialect.name != "postgresql":
        return
    ids = sorted(set(employer_ids))
    if ids:  # one statement, the locks still taken one by one in id order
        session.execute(_LOCK_ACCOUNTS, {"employers": ids})


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
    charged = func.sum(case((LedgerEntry.kind.in_(CHARGE_KINDS), LedgerEntry.debit - LedgerEntry.credit), else_=0))
    rows = session.execute(select(LedgerEntry.component, charged)
                           .where(LedgerEntry.employer_id == employer_id, LedgerEntry.period == period)
                           .group_by(LedgerEntry.component))
    return {component: Decimal(amount) for component, amount in rows}


def entries_of(session: Session, employer_id: int, period: str | None = None) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.employer_id == employer_id)
    if period is not None:
        query = query.where(LedgerEntry.period == period)
    return list(session.scalars(query.order_by(LedgerEntry.id)))
