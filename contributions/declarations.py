"""Monthly declarations: what an employer declares for one period, as numbered, immutable versions.

A declaration is a draft while the employer edits it; submitting makes it immutable and gives it a receipt
number and a payment reference.  Later versions of the same period are either a **replacement** (filed on or
before the due date: it supersedes the version before it) or a **corrective** (filed after the due date: the
version before it stays filed and only the differences are charged, due on the original due date).  Every
version keeps its lines, who filed it and when.

The lines store what was computed when the declaration was submitted (base, shares, which limit applied) so
that a declared period never changes when a parameter gets a new version later.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from common.db import Base
from common.errors import NotFound
from common.period import Period
from contributions.rules.declaration_lines import ABSENCE_REASONS
from employers.persons import Person

KINDS = ("original", "replacement", "corrective")
STATUSES = ("draft", "submitted", "superseded")


class Declaration(Base):
    __tablename__ = "declaration"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        CheckConstraint("status = 'draft' OR (receipt_number IS NOT NULL AND payment_reference IS NOT NULL "
                        "AND filed_at IS NOT NULL AND version IS NOT NULL)", name="filed_has_receipt"),
        CheckConstraint("nil_reason = '' OR is_nil", name="nil_reason_only_when_nil"),
        CheckConstraint("length(period) = 7", name="period_format"),
        UniqueConstraint("employer_id", "period", "version"),
        # At most one draft per employer and period: two tabs opening the same period share it.
        Index("ux_declaration_one_draft", "employer_id", "period", unique=True,
              sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'")),
        Index("ix_declaration_scheme_code_period", "scheme_code", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    # 1 for the first filed version; None while a draft (a version number is given when filed).
    version: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"))
    is_nil: Mapped[bool] = mapped_column(Boolean, default=False)
    nil_reason: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(30))
    currency: Mapped[str] = mapped_column(String(3))
    # The parameters the lines were computed with (copied when filed, shown on the receipt).
    rate_employee: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    rate_employer: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    base_floor: Mapped[Decimal | None]
    base_ceiling: Mapped[Decimal | None]
    # Raised on every change of a draft: a submit confirmed on an older view of the draft is refused.
    revision: Mapped[int] = mapped_column(default=0)
    line_count: Mapped[int] = mapped_column(default=0)
    total_gross: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_base: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_employee: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_employer: Mapped[Decimal] = mapped_column(default=Decimal(0))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_number: Mapped[str | None] = mapped_column(String(30), unique=True)
    payment_reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(255))
    filed_at: Mapped[dt.datetime | None]
    filed_by: Mapped[str | None] = mapped_column(String(255))
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lines: Mapped[list[DeclarationLine]] = relationship(
        back_populates="declaration", order_by="DeclarationLine.id", cascade="all, delete-orphan")

    @property
    def period_value(self) -> Period:
        return Period.parse(self.period)

    @property
    def total(self) -> Decimal:
        return self.total_employee + self.total_employer

    @property
    def is_filed(self) -> bool:
        return self.status != "draft"


class DeclarationLine(Base):
    __tablename__ = "declaration_line"
    __table_args__ = (
        UniqueConstraint("declaration_id", "person_id"),
        CheckConstraint("gross_wage >= 0 AND base >= 0 AND employee_share >= 0 AND employer_share >= 0",
                        name="amounts_not_negative"),
        CheckConstraint("days_worked IS NULL OR days_worked BETWEEN 0 AND 31", name="days_in_month"),
        CheckConstraint(f"absence_reason IS NULL OR absence_reason IN {ABSENCE_REASONS!r}",
                        name="absence_reason_known"),
        Index("ix_declaration_line_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    employment_id: Mapped[int | None] = mapped_column(ForeignKey("employment.id"))
    gross_wage: Mapped[Decimal]
    days_worked: Mapped[int | None]
    absence_reason: Mapped[str | None] = mapped_column(String(20))
    base: Mapped[Decimal] = mapped_column(default=Decimal(0))
    employee_share: Mapped[Decimal] = mapped_column(default=Decimal(0))
    employer_share: Mapped[Decimal] = mapped_column(default=Decimal(0))
    floor_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    ceiling_applied: Mapped[bool] = mapped_column(Boolean, default=False)

    declaration: Mapped[Declaration] = relationship(back_populates="lines")
    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)


def lock_period(session: Session, employer_id: int, period: Period) -> None:
    """Serialise the writes of one employer's period until the transaction ends (opening its draft, filing,
    a nil declaration): of two requests at once, the second sees what the first did.  A transaction-level
    PostgreSQL advisory lock on (employer, YYYYMM); SQLite serialises writers by itself."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:employer, :period)"),
                        {"employer": employer_id, "period": period.year * 100 + period.month})


def declaration_of(session: Session, employer_id: int | None, declaration_id: int) -> Declaration:
    """The declaration if it belongs to ``employer_id`` (None: staff, any employer); else ``NotFound``."""
    declaration = session.get(Declaration, declaration_id)
    if declaration is None or (employer_id is not None and declaration.employer_id != employer_id):
        raise NotFound("declaration.not_found")
    return declaration


def versions_of(session: Session, employer_id: int, period: Period) -> list[Declaration]:
    """Every filed version of the period, oldest first (drafts excluded)."""
    return list(session.scalars(
        select(Declaration).where(Declaration.employer_id == employer_id, Declaration.period == str(period),
                                  Declaration.status != "draft").order_by(Declaration.version)))


def current_version(session: Session, employer_id: int, period: Period) -> Declaration | None:
    """The filed version in force for the period: the latest one."""
    return session.scalar(
        select(Declaration).where(Declaration.employer_id == employer_id, Declaration.period == str(period),
                                  Declaration.status == "submitted").order_by(Declaration.version.desc()).limit(1))


def draft_of(session: Session, employer_id: int, period: Period) -> Declaration | None:
    return session.scalar(select(Declaration).where(Declaration.employer_id == employer_id,
                                                    Declaration.period == str(period), Declaration.status == "draft"))
