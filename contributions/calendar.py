"""Public holidays and the due date of a period, from the scheme's parameters.

Holidays are data per country (a deadline that falls on one rolls to a business day); the due day, roll rule
and weekend are date-effective parameters of the scheme, read for the period's first day like every rule of
the period.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from sqlalchemy import JSON, Date, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base
from common.period import Period
from contributions.parameters import rules_on
from contributions.rules.due_dates import due_date, parse_weekend


class PublicHoliday(Base):
    __tablename__ = "public_holiday"
    __table_args__ = (UniqueConstraint("country", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    day: Mapped[dt.date] = mapped_column(Date)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)


def holidays_between(session: Session, country: str, start: dt.date, end: dt.date) -> set[dt.date]:
    return set(session.scalars(select(PublicHoliday.day).where(PublicHoliday.country == country,
                                                               PublicHoliday.day.between(start, end))))


def period_due_date(session: Session, scheme_code: str, country: str, category: str | None,
                    period: Period) -> dt.date:
    """The last day to file and pay ``period`` on time, with the parameters in force on its first day."""
    rules = rules_on(session, scheme_code, category, period.first_day)
    following = period.next()
    window_end = following.last_day + dt.timedelta(days=62)
    return due_date(period.year, period.month, day=int(rules.get("due.day")), roll=str(rules.get("due.roll", "none")),
                    weekend=parse_weekend(rules.get("calendar.weekend")),
                    holidays=holidays_between(session, country, following.first_day, window_end))


def load_reference_holidays(session: Session) -> int:
    """Insert the shipped holidays that are not in the database yet; returns how many were added."""
    data = json.loads(resources.files("contributions.reference").joinpath("holidays.json").read_text("utf-8"))
    existing = {(h.country, h.day) for h in session.scalars(select(PublicHoliday))}
    added = 0
    for item in data["holidays"]:
        key = (item["country"], dt.date.fromisoformat(item["day"]))
        if key in existing:
            continue
        session.add(PublicHoliday(country=key[0], day=key[1], names=item["names"], source=data["source"]))
        added += 1
    session.flush()
    return added
