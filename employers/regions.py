"""Reference lists of the registry: provinces and districts, and economic sectors (ISIC Rev. 4 sections).

They are data shipped in ``employers/reference/*.json`` with names in every portal language, loaded
idempotently by ``portal db upgrade``.
"""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base
from employers.employers import Employer


class Region(Base):
    """A province (``parent_code`` empty) or a district of one."""

    __tablename__ = "region"
    __table_args__ = (CheckConstraint("level IN ('province', 'district')", name="level_known"),)

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    names: Mapped[dict[str, str]] = mapped_column(JSON)

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


class Sector(Base):
    __tablename__ = "sector"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON)

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


def _read(name: str) -> dict:
    return json.loads(resources.files("employers.reference").joinpath(name).read_text("utf-8"))


def _upsert(session: Session, model: type, key: str, values: dict) -> int:
    row = session.get(model, key)
    if row is None:
        session.add(model(**values))
        return 1
    changed = 0
    for field, value in values.items():
        if getattr(row, field) != value:
            setattr(row, field, value)
            changed = 1
    return changed


def load_reference_lists(session: Session) -> int:
    """Insert or update regions and sectors from the shipped files; returns how many rows changed."""
    written = 0
    for country, provinces in _read("regions.json")["countries"].items():
        for province in provinces:
            written += _upsert(session, Region, province["code"], {
                "code": province["code"], "country": country, "level": "province", "parent_code": None,
                "names": province["names"]})
            session.flush()
            for district in province.get("districts", []):
                written += _upsert(session, Region, district["code"], {
                    "code": district["code"], "country": country, "level": "district",
                    "parent_code": province["code"], "names": district["names"]})
    for section in _read("isic_sections.json")["sections"]:
        written += _upsert(session, Sector, section["code"], {"code": section["code"], "names": section["names"]})
    session.flush()
    return written


def regions_of(session: Session, country: str) -> list[Region]:
    return list(session.scalars(select(Region).where(Region.country == country).order_by(Region.code)))


def in_provinces(provinces: list[str]):
    """A condition on ``Employer``: its region is one of the provinces or one of their districts."""
    return Employer.region_code.in_(select(Region.code).where(
        or_(Region.code.in_(provinces), Region.parent_code.in_(provinces))))
