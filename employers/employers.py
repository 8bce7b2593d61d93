"""Employers: the contributors.  Identity and status live on ``Employer``; everything that can change over
time (names, category, sector, address, contact) is a dated ``EmployerProfile`` version.

``Employer`` also carries a copy of the profile in force today, so lists and pages need no join; the copy is
rewritten from the versions whenever one is added, never edited on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError
from common.schemes import Scheme

EMPLOYER_STATUSES = ("pending", "rework", "rejected", "active", "suspended", "ceased")
LANGUAGES = ("lo", "tg", "ru", "en")
# The fields of a profile version, in the order forms show them.
PROFILE_FIELDS = ("legal_name", "legal_name_latin", "trading_name", "category", "sector_code", "region_code",
                  "address", "contact_name", "phone", "email", "preferred_language")
# What an employer's own administrator may change; the rest (names, category, sector, region) is changed by
# staff, because it decides rates and jurisdiction.
SELF_SERVICE_FIELDS = ("trading_name", "address", "contact_name", "phone", "email", "preferred_language")


class _ProfileColumns:
    legal_name: Mapped[str] = mapped_column(String(255))
    legal_name_latin: Mapped[str] = mapped_column(String(255))
    trading_name: Mapped[str] = mapped_column(String(255), default="")
    category: Mapped[str] = mapped_column(String(30))
    sector_code: Mapped[str | None] = mapped_column(ForeignKey("sector.code"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    address: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    preferred_language: Mapped[str] = mapped_column(String(5))


class Employer(_ProfileColumns, Base):
    __tablename__ = "employer"
    __table_args__ = (
        CheckConstraint(f"status IN {EMPLOYER_STATUSES!r}", name="status_known"),
        CheckConstraint(f"preferred_language IN {LANGUAGES!r}", name="language_known"),
        CheckConstraint("(status = 'ceased') = (ceased_on IS NOT NULL)", name="ceased_has_date"),
        CheckConstraint("status IN ('pending', 'rework', 'rejected') OR employer_number IS NOT NULL",
                        name="registered_has_number"),
        Index("ix_employer_scheme_tax_number", "scheme_code", "tax_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"))
    employer_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    tax_number: Mapped[str] = mapped_column(String(30))
    registration_number: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(20))
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    ceased_on: Mapped[dt.date | None] = mapped_column(Date)
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime]

    scheme: Mapped[Scheme] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_registered(self) -> bool:
        return self.status in ("active", "suspended", "ceased")


class EmployerProfile(_ProfileColumns, Base):
    """One version of an employer's profile, in force from ``valid_from`` until the next version's date."""

    __tablename__ = "employer_profile"
    __table_args__ = (
        CheckConstraint(f"preferred_language IN {LANGUAGES!r}", name="language_known"),
        Index("ix_employer_profile_employer_id_valid_from", "employer_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")


def profile_values(source: object) -> dict[str, object]:
    return {field: getattr(source, field) for field in PROFILE_FIELDS}


def profile_on(session: Session, employer_id: int, day: dt.date) -> EmployerProfile | None:
    """The version in force on ``day`` (the latest ``valid_from`` not after it; among versions with the same
    date, the one recorded last).  None before the first version."""
    return session.scalars(
        select(EmployerProfile)
        .where(EmployerProfile.employer_id == employer_id, EmployerProfile.valid_from <= day)
        .order_by(EmployerProfile.valid_from.desc(), EmployerProfile.id.desc())
        .limit(1)
    ).first()


def category_history(session: Session, employer_ids: Iterable[int]) -> dict[int, list[tuple[dt.date, str]]]:
    """Each employer's category by date, oldest first, for jobs that ask it of many employers and periods
    (``category_on``) without a query each."""
    ids = sorted(set(employer_ids))
    history: dict[int, list[tuple[dt.date, str]]] = {}
    for start in range(0, len(ids), 1_000):
        for employer_id, valid_from, category in session.execute(
            select(EmployerProfile.employer_id, EmployerProfile.valid_from, EmployerProfile.category)
            .where(EmployerProfile.employer_id.in_(ids[start:start + 1_000]))
            .order_by(EmployerProfile.employer_id, EmployerProfile.valid_from, EmployerProfile.id)
        ):
            history.setdefault(employer_id, []).append((valid_from, category))
    return history


def category_on(history: list[tuple[dt.date, str]] | None, day: dt.date, default: str) -> str:
    """The category in force on ``day`` in a ``category_history`` entry (``default`` before the first)."""
    chosen = default
    for valid_from, category in history or ():
        if valid_from > day:
            break
        chosen = category
    return chosen


def profile_history(session: Session, employer_id: int) -> list[EmployerProfile]:
    return list(session.scalars(
        select(EmployerProfile).where(EmployerProfile.employer_id == employer_id)
        .order_by(EmployerProfile.valid_from.desc(), EmployerProfile.id.desc())
    ))


def _refresh_current(session: Session, employer: Employer) -> None:
    latest = session.scalars(
        select(EmployerProfile).where(EmployerProfile.employer_id == employer.id)
        .order_by(EmployerProfile.valid_from.desc(), EmployerProfile.id.desc()).limit(1)
    ).one()
    for field, value in profile_values(latest).items():
        setattr(employer, field, value)


def check_valid_from(employer: Employer, valid_from: dt.date, *, today: dt.date | None) -> None:
    """A profile change takes effect no earlier than the registration and, when ``today`` is given (an
    employer's own change), no later than today; staff may date a change ahead."""
    if (employer.registered_on and valid_from < employer.registered_on) or (today and valid_from > today):
        raise DomainError("profile.valid_from_invalid")


def add_profile_version(
    session: Session, employer: Employer, values: dict[str, object], *, valid_from: dt.date, actor: Actor,
    now: dt.datetime, note: str = "",
) -> EmployerProfile:
    """Record a new version from ``valid_from`` and refresh the employer's current copy; audited with the
    fields that changed, before and after."""
    before = profile_values(employer)
    version = EmployerProfile(employer_id=employer.id, valid_from=valid_from, recorded_at=now,
                              recorded_by=actor.label, note=note, **values)
    session.add(version)
    session.flush()
    _refresh_current(session, employer)
    changes = {f: (before[f], values[f]) for f in PROFILE_FIELDS if before.get(f) != values.get(f)}
    summary = "; ".join(f"{f}: {old!r} -> {new!r}" for f, (old, new) in changes.items())
    record_audit(session, actor=actor, action="employer.profile_changed", now=now, object_type="employer",
                 object_id=employer.id, summary=f"from {valid_from.isoformat()}: {summary}"[:2000])
    return version


def change_status(
    session: Session, employer: Employer, status: str, *, actor: Actor, now: dt.datetime,
    ceased_on: dt.date | None = None, reason: str = "",
) -> None:
    """Suspend, reactivate or cease a registered employer.  A ceased employer keeps all its history."""
    allowed = {"active": ("suspended",), "suspended": ("active",), "ceased": ("active", "suspended")}
    if status not in allowed or employer.status not in allowed[status]:
        raise DomainError("employer.status_change_not_allowed", current=employer.status, requested=status)
    if status == "ceased":
        if ceased_on is None or (employer.registered_on and ceased_on < employer.registered_on):
            raise DomainError("employer.ceased_on_invalid")
    before = employer.status
    employer.status = status
    employer.ceased_on = ceased_on if status == "ceased" else None
    record_audit(session, actor=actor, action=f"employer.{status}", now=now, object_type="employer",
                 object_id=employer.id, summary=f"{before} -> {status}" + (f" on {ceased_on}" if ceased_on else "")
                 + (f": {reason}" if reason else ""))
