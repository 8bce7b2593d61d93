"""Persons (insured workers), registered once nationally, and their employments.

A person is identified by an identity document (type, issuing country, number).  Registering a document
that is already known links the existing person; the same names and date of birth with another document
is recorded as a likely duplicate for staff to review.  The system gives each person a social security
number with a check digit, in the format of the scheme of the country where the person is registered.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.db import Base
from employers.worker_rules import CONTRACT_TYPES, DOCUMENT_TYPES, SEXES


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("document_type", "document_country", "document_number"),
        CheckConstraint(f"document_type IN {DOCUMENT_TYPES!r}", name="document_type_known"),
        CheckConstraint(f"sex IN {SEXES!r}", name="sex_known"),
        Index("ix_person_identity", "family_name_latin", "given_name_latin", "birth_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    social_security_number: Mapped[str] = mapped_column(String(20), unique=True)
    document_type: Mapped[str] = mapped_column(String(20))
    document_country: Mapped[str] = mapped_column(String(2))
    document_number: Mapped[str] = mapped_column(String(40))
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    given_name_latin: Mapped[str] = mapped_column(String(120))
    family_name_latin: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    nationality: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[dt.datetime]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name_latin(self) -> str:
        return f"{self.given_name_latin} {self.family_name_latin}"


class PossibleDuplicate(Base):
    """Two persons with the same names and date of birth but different documents, for staff to review."""

    __tablename__ = "possible_duplicate"
    __table_args__ = (
        UniqueConstraint("person_id", "similar_person_id"),
        CheckConstraint("status IN ('open', 'same_person', 'different_people')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    similar_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    reported_by_employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]
    resolution_note: Mapped[str] = mapped_column(Text, default="")


class Employment(Base):
    """A person working for an employer from ``hired_on`` to ``ended_on`` (both inclusive; open when None)."""

    __tablename__ = "employment"
    __table_args__ = (
        CheckConstraint(f"contract_type IN {CONTRACT_TYPES!r}", name="contract_type_known"),
        CheckConstraint("ended_on IS NULL OR ended_on >= hired_on", name="ends_after_start"),
        CheckConstraint("(ended_on IS NULL) = (end_reason IS NULL)", name="end_has_reason"),
        CheckConstraint("monthly_wage >= 0", name="wage_not_negative"),
        Index("ix_employment_employer_person", "employer_id", "person_id"),
        # The worker list: an employer's employments by hire date, newest first.
        Index("ix_employment_employer_hired", "employer_id", "hired_on", "id"),
        Index("ix_employment_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    hired_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    contract_type: Mapped[str] = mapped_column(String(20))
    monthly_wage: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    created_at: Mapped[dt.datetime]

    person: Mapped[Person] = relationship(lazy="joined")
