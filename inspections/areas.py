"""Which employers an inspector works on: an inspector may be limited to provinces (configuration, per user);
supervisors and administrators see every employer, and so does an inspector with no province set.

An employer belongs to the province of its region (a district belongs to its province)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError
from employers.accounts import Role, User
from employers.employers import Employer
from employers.regions import Region, in_provinces


class InspectorArea(Base):
    __tablename__ = "inspector_area"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)


def provinces_of(session: Session, user: User) -> list[str] | None:
    """The provinces a user is limited to, or None for every employer."""
    if user.role != Role.INSPECTOR:
        return None
    codes = list(session.scalars(select(InspectorArea.region_code).where(InspectorArea.user_id == user.id)
                                 .order_by(InspectorArea.region_code)))
    return codes or None


def may_see(session: Session, user: User, employer: Employer) -> bool:
    provinces = provinces_of(session, user)
    if provinces is None:
        return True
    return session.scalar(select(Employer.id).where(Employer.id == employer.id, in_provinces(provinces))) is not None


def set_provinces(session: Session, user: User, codes: list[str], *, actor: Actor, now) -> None:
    """Limit an inspector to these provinces (none: every employer).  Audited."""
    if user.role != Role.INSPECTOR:
        raise DomainError("area.not_inspector")
    known = set(session.scalars(select(Region.code).where(Region.code.in_(codes), Region.level == "province")))
    unknown = sorted(set(codes) - known)
    if unknown:
        raise DomainError("area.unknown_province", codes=", ".join(unknown))
    session.execute(delete(InspectorArea).where(InspectorArea.user_id == user.id))
    session.add_all(InspectorArea(user_id=user.id, region_code=code) for code in sorted(known))
    session.flush()
    record_audit(session, actor=actor, action="inspector.provinces_set", now=now, object_type="user",
                 object_id=user.id, summary=", ".join(sorted(known)) or "every province")
