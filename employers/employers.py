"""Employers: the contributors.  Registration and approval come with the registry; this holds the core record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from common.audit import Actor, record_audit
from common.db import Base
from common.schemes import Scheme

EMPLOYER_STATUSES = ("pending", "active", "suspended", "ceased")
LANGUAGES = ("lo", "tg", "ru", "en")


class Employer(Base):
    __tablename__ = "employer"
    __table_args__ = (
        CheckConstraint(f"status IN {EMPLOYER_STATUSES!r}", name="status_known"),
        CheckConstraint(f"preferred_language IN {LANGUAGES!r}", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"))
    legal_name: Mapped[str] = mapped_column(String(255))
    legal_name_latin: Mapped[str] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(100), default="")
    preferred_language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[dt.datetime]

    scheme: Mapped[Scheme] = relationship(lazy="joined")


def create_employer(
    session: Session,
    *,
    scheme_code: str,
    legal_name: str,
    legal_name_latin: str,
    preferred_language: str,
    city: str = "",
    actor: Actor,
    now: dt.datetime,
) -> Employer:
    employer = Employer(
        scheme_code=scheme_code,
        legal_name=legal_name,
        legal_name_latin=legal_name_latin,
        preferred_language=preferred_language,
        city=city,
        status="active",
        created_at=now,
    )
    session.add(employer)
    session.flush()
    record_audit(
        session, actor=actor, action="employer.create", now=now, object_type="employer",
        object_id=employer.id, summary=legal_name_latin,
    )
    return employer
