"""Date-effective scheme parameters: rates, base ceiling and floor, minimum wage, rounding, due day.

Every value is a version in force from ``valid_from`` until the next version of the same parameter (and
employer category) starts.  A version for a category takes precedence over the scheme-wide one.  Values
are seeded from ``reference/parameters.json`` with their legal source and confidence; changes are new
versions, never edits of the past.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base
from contributions.rules.calculation import BaseLimits, Rates, Rounding, floor_amount

CONFIDENCE = ("confirmed", "likely", "unconfirmed")
# The factors of the risk score (``inspections.scoring.FACTORS``: the same names, kept here so the
# parameters know them without importing upwards) and the ISIC Rev. 4 sections a sector weight may name.
RISK_FACTORS = ("months_not_filed", "late_filings", "late_payments", "arrears_size", "arrears_age", "headcount_drop",
                "wages_at_floor", "wage_drop", "worker_reports")
ISIC_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")
BRANCHES = ("pension", "health", "short_term", "work_injury", "unemployment", "family")
# The parameters a scheme may set, and how their text value reads.
NAMES = {
    "rate.employee": Decimal, "rate.employer": Decimal, "base.ceiling": Decimal, "base.floor": Decimal,
    "base.floor_factor": Decimal, "minimum_wage": Decimal, "rounding.places": int, "rounding.mode": str,
    "due.day": int, "due.roll": str,
    # ISO weekdays of the weekend, e.g. "6,7" (Saturday and Sunday); due dates roll off them.
    "calendar.weekend": str,
    # How payments settle debts: the order of components within a period, and of periods (country rules §4.2).
    "allocation.components": str, "allocation.periods": str,
    # Late-payment interest (country rules §1.6, §2.5, §4.5): per_day | per_month | one_off, a rate, an optional
    # cap (a share of the amount charged) and a tolerance (no interest below it).
    "interest.shape": str, "interest.rate": Decimal, "interest.cap": Decimal, "interest.tolerance": Decimal,
    # Fine for filing late (country rules §1.6, §2.5): ``amount`` in the ``unit`` (currency, or calculation
    # indices: Tajikistan's fines are so many indices), once, or for each started ``step_days`` days of delay
    # (0: once); an optional ``cap`` in the same unit.  ``calculation_index`` is the index's value by date.
    "fine.filing.amount": Decimal, "fine.filing.unit": str, "fine.filing.step_days": int,
    "fine.filing.cap": Decimal, "calculation_index": Decimal,
    # Assessing non-filers (country rules §4.3): days after the due date before a missing declaration is
    # estimated, and the uplift on the last declared amount (first month, then each further month).
    "assessment.grace_days": int, "assessment.uplift_first": Decimal, "assessment.uplift_step": Decimal,
    # Waivers of interest or fines above this amount need a second person's approval (four eyes).
    "waiver.approval_threshold": Decimal,
    # How many days a certificate of compliance stays valid.
    "certificate.valid_days": int,
    # Notices: a filing reminder this many days before the due date; demand letters when a debt is this many
    # days overdue (one stage a number, "30,60"); a copy of every notice in this second language.
    "notice.reminder_days": int, "notice.demand_days": str, "notice.copy_language": str,
    # Risk scores of employers (inspections/scoring.py): the months looked back, the band thresholds in
    # points, and per factor the points it gives at full measure and the measure that is full; the points a
    # sector adds (ISIC Rev. 4 sections).  Configuration of the institution, not law.
    "risk.window_months": int, "risk.band.medium": Decimal, "risk.band.high": Decimal,
    **{f"risk.{kind}.{factor}": Decimal for kind in ("weight", "full") for factor in RISK_FACTORS},
    **{f"risk.sector.{section}": Decimal for section in ISIC_SECTIONS},
    # Optional split of the contributions between the branches of the fund, as fractions of the total (they
    # add up to 1).  Fund accounting only: what the employer owes does not depend on it.  Lao PDR and
    # Tajikistan have none seeded: the shares were not found in public sources (country rules §1.2, §2.1).
    **{f"branch.{branch}": Decimal for branch in BRANCHES},
}


class SchemeParameter(Base):
    __tablename__ = "scheme_parameter"
    __table_args__ = (
        UniqueConstraint("scheme_code", "name", "category", "valid_from"),
        CheckConstraint(f"confidence IN {CONFIDENCE!r}", name="confidence_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"))
    name: Mapped[str] = mapped_column(String(40))
    # None: every employer of the scheme; else one employer category (Tajikistan: budget, non_budget).
    category: Mapped[str | None] = mapped_column(String(30))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(Text)
    confidence: Mapped[str] = mapped_column(String(12))
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[str] = mapped_column(String(255))

    @property
    def typed_value(self) -> object:
        return NAMES[self.name](self.value)


@dataclass(frozen=True)
class SchemeRules:
    """The parameters in force for one scheme, employer category and day."""

    values: dict[str, SchemeParameter]

    def get(self, name: str, default: object = None) -> object:
        version = self.values.get(name)
        return version.typed_value if version is not None else default

    def rates(self) -> Rates:
        return Rates(employee=self.get("rate.employee"), employer=self.get("rate.employer"))

    def limits(self) -> BaseLimits:
        floor = floor_amount(absolute=self.get("base.floor"), factor=self.get("base.floor_factor"),
                             minimum_wage=self.get("minimum_wage"))
        return BaseLimits(floor=floor, ceiling=self.get("base.ceiling"))

    def rounding(self) -> Rounding:
        return Rounding(places=self.get("rounding.places", 2), mode=self.get("rounding.mode", "half_up"))

    def branch_shares(self) -> dict[str, Decimal]:
        """The branches of the fund and their share of the total, when the scheme splits it."""
        return {name.removeprefix("branch."): version.typed_value for name, version in self.values.items()
                if name.startswith("branch.")}

    @property
    def unconfirmed(self) -> list[str]:
        return sorted(name for name, version in self.values.items() if version.confidence == "unconfirmed")


def rules_on(session: Session, scheme_code: str, category: str | None, day: dt.date) -> SchemeRules:
    """The version of each parameter in force on ``day``.  A base floor given as an amount and one given as a
    factor are alternatives: the later of the two wins."""
    versions = session.scalars(
        select(SchemeParameter).where(SchemeParameter.scheme_code == scheme_code, SchemeParameter.valid_from <= day,
                                      (SchemeParameter.category.is_(None)) | (SchemeParameter.category == category))
        .order_by(SchemeParameter.valid_from)
    ).all()
    chosen: dict[str, SchemeParameter] = {}
    for version in versions:  # later versions replace earlier ones; a category's replaces the generic one
        current = chosen.get(version.name)
        if current is None or current.category is None or version.category is not None:
            chosen[version.name] = version
    floors = [chosen[n] for n in ("base.floor", "base.floor_factor") if n in chosen]
    if len(floors) == 2:
        older = min(floors, key=lambda v: v.valid_from)
        del chosen[older.name]
    return SchemeRules(chosen)


def load_reference_parameters(session: Session, *, now: dt.datetime) -> int:
    """Insert the seeded versions that are not in the database yet; returns how many were added.  Existing
    versions are never changed here (a correction is a new version)."""
    data = json.loads(resources.files("contributions.reference").joinpath("parameters.json").read_text("utf-8"))
    existing = {(p.scheme_code, p.name, p.category, p.valid_from) for p in session.scalars(select(SchemeParameter))}
    added = 0
    for item in data["parameters"]:
        if item["name"] not in NAMES:
            raise ValueError(f"unknown parameter {item['name']!r}")
        key = (item["scheme"], item["name"], item["category"], dt.date.fromisoformat(item["valid_from"]))
        if key in existing:
            continue
        session.add(SchemeParameter(scheme_code=key[0], name=key[1], category=key[2], valid_from=key[3],
                                    value=item["value"], source=item["source"], confidence=item["confidence"],
                                    recorded_at=now, recorded_by="reference data"))
        added += 1
    session.flush()
    return added
