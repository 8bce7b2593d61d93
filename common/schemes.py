"""Schemes: one per country programme (Lao PDR LSSO enterprise employees, Tajikistan social tax).

A scheme fixes the currency, the time zone in which its due dates fall, and the languages its notices are
written in.  It is part of the shared kernel because every area keys on it, the registry included; its
date-effective parameters (rates, ceilings, due days...) belong to ``contributions``.
"""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import JSON, CheckConstraint, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base


class Scheme(Base):
    __tablename__ = "scheme"
    __table_args__ = (
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint("length(currency) = 3", name="currency_alpha3"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Names are data in every language the portal speaks: {"en": ..., "lo": ..., "tg": ..., "ru": ...}.
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    institution_names: Mapped[dict[str, str]] = mapped_column(JSON)
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    time_zone: Mapped[str] = mapped_column(String(64))
    # Languages of notices, the first one being the official one; e.g. "tg,ru".
    languages: Mapped[str] = mapped_column(String(64))
    # The registry's settings: employer categories, and the formats of employer and person numbers.
    registry_settings: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def institution_in(self, language: str) -> str:
        return self.institution_names.get(language) or self.institution_names["en"]

    @property
    def employer_categories(self) -> list[dict]:
        return list(self.registry_settings.get("employer_categories", []))

    def category_name(self, code: str, language: str) -> str:
        for category in self.employer_categories:
            if category["code"] == code:
                return category["names"].get(language) or category["names"]["en"]
        return code


def load_reference_schemes(session: Session) -> int:
    """Insert or update the schemes shipped in ``reference/schemes.json``; returns how many were written.

    Idempotent: running it again changes nothing unless the file changed.
    """
    data = json.loads(resources.files("common.reference").joinpath("schemes.json").read_text("utf-8"))
    written = 0
    for item in data["schemes"]:
        scheme = session.get(Scheme, item["code"])
        if scheme is None:
            scheme = Scheme(code=item["code"])
            session.add(scheme)
        changed = False
        values = {field: item[field] for field in ("names", "institution_names", "country", "currency",
                                                   "time_zone", "languages")}
        values["registry_settings"] = item.get("registry", {})
        for field, value in values.items():
            if getattr(scheme, field, None) != value:
                setattr(scheme, field, value)
                changed = True
        written += int(changed)
    session.flush()
    return written
