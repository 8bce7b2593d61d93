"""Money received: bank statements, the payments on them (and receipts at a counter), and reconciliation runs.

A payment is recorded once: the bank's transaction id is unique per bank, so importing a statement twice, or
two statements that overlap, creates nothing twice; a statement file's checksum is remembered too.  What a
payment settles is not stored here but in the ledger (``ledger.py``): a matched payment posts credits to the
charges it pays and any rest as a credit of the employer.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import resources

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from common.db import Base
from common.schemes import Scheme

STATEMENT_FORMATS = ("camt.053", "camt.054", "csv")
CHANNELS = ("bank", "cash", "cheque")
# new: not looked at yet; matched: to an employer (its money is in the ledger); unmatched: in the suspense
# queue for an officer; reversed: a wrong match or a bounced payment, its ledger entries undone.
PAYMENT_STATUSES = ("new", "matched", "unmatched", "reversed")
MATCH_RULES = ("reference", "employer_amount", "manual")
RUN_STATUSES = ("running", "finished", "failed")


class Bank(Base):
    """A bank that collects contributions, with the layout of its CSV statements (configuration, not code)."""

    __tablename__ = "bank"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"))
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    csv_mapping: Mapped[dict | None] = mapped_column(JSON)

    scheme: Mapped[Scheme] = relationship(lazy="joined", innerjoin=True)

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


class BankStatement(Base):
    __tablename__ = "bank_statement"
    __table_args__ = (
        CheckConstraint(f"format IN {STATEMENT_FORMATS!r}", name="format_known"),
        UniqueConstraint("bank_code", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_code: Mapped[str] = mapped_column(ForeignKey("bank.code"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(10))
    statement_id: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(20))  # upload | inbox
    line_count: Mapped[int]
    new_count: Mapped[int]
    total: Mapped[Decimal]
    imported_at: Mapped[dt.datetime]
    imported_by: Mapped[str] = mapped_column(String(255))


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel_known"),
        CheckConstraint(f"status IN {PAYMENT_STATUSES!r}", name="status_known"),
        CheckConstraint(f"match_rule IS NULL OR match_rule IN {MATCH_RULES!r}", name="match_rule_known"),
        CheckConstraint("status <> 'matched' OR employer_id IS NOT NULL", name="matched_has_employer"),
        UniqueConstraint("bank_code", "transaction_id"),
        Index("ux_payment_counter_receipt", "scheme_code", "transaction_id", unique=True,
              sqlite_where=text("bank_code IS NULL"), postgresql_where=text("bank_code IS NULL")),
        CheckConstraint("(bank_code IS NULL) = (channel <> 'bank')", name="bank_or_counter"),
        Index("ix_payment_new", "id", sqlite_where=text("status = 'new'"), postgresql_where=text("status = 'new'")),
        Index("ix_payment_status_value_date", "status", "value_date"),
        Index("ix_payment_employer_id", "employer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"))
    # None for money received at the institution's counter (cash, cheque): transaction_id is then its receipt
    # number, unique in the scheme.
    bank_code: Mapped[str | None] = mapped_column(ForeignKey("bank.code"))
    transaction_id: Mapped[str] = mapped_column(String(100))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("bank_statement.id"))
    channel: Mapped[str] = mapped_column(String(10))
    booking_date: Mapped[dt.date] = mapped_column(Date)
    value_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    payer_name: Mapped[str] = mapped_column(String(255), default="")
    payer_account: Mapped[str] = mapped_column(String(100), default="")
    remittance: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="new")
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"))
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"))
    match_rule: Mapped[str | None] = mapped_column(String(20))
    # How many times the payment was matched; its ledger entries are keyed by it, so a payment matched,
    # undone and matched again posts fresh entries.
    matches: Mapped[int] = mapped_column(default=0)
    matched_at: Mapped[dt.datetime | None]
    matched_by: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime]
    recorded_by: Mapped[str] = mapped_column(String(255))


class ReconciliationRun(Base):
    __tablename__ = "reconciliation_run"
    __table_args__ = (CheckConstraint(f"status IN {RUN_STATUSES!r}", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(10))
    started_by: Mapped[str] = mapped_column(String(255))
    examined: Mapped[int] = mapped_column(default=0)
    matched_by_reference: Mapped[int] = mapped_column(default=0)
    matched_by_employer: Mapped[int] = mapped_column(default=0)
    unmatched: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")


def load_reference_banks(session: Session) -> int:
    """Insert or update the banks shipped in ``reference/banks.json``; returns how many were written."""
    data = json.loads(resources.files("contributions.reference").joinpath("banks.json").read_text("utf-8"))
    written = 0
    for item in data["banks"]:
        bank = session.get(Bank, item["code"])
        if bank is None:
            bank = Bank(code=item["code"])
            session.add(bank)
        values = {"scheme_code": item["scheme"], "names": item["names"], "csv_mapping": item.get("csv")}
        if any(getattr(bank, name, None) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(bank, name, value)
            written += 1
    session.flush()
    return written
