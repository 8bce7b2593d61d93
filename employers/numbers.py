"""Registry numbers (employer numbers, social security numbers) from gap-free counters per scheme.

A counter is one row, incremented with ``UPDATE ... RETURNING`` inside the caller's transaction: on
PostgreSQL the row lock serialises concurrent allocations, on SQLite the write lock does.  The number's
shape and check digit come from the scheme (``rules.format_number``).
"""

from __future__ import annotations

from sqlalchemy import String, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base
from employers.rules import format_number


class NumberSequence(Base):
    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


def next_value(session: Session, name: str) -> int:
    return next_values(session, name, 1)


def allocate_number(session: Session, sequence: str, number_format: dict) -> str:
    return format_number(number_format, next_value(session, sequence))


def next_values(session: Session, name: str, count: int) -> int:
    """Reserve ``count`` consecutive values in one statement; returns the last one (the first is
    ``last - count + 1``)."""
    if count < 1:
        raise ValueError("count must be positive")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(NumberSequence).values(name=name, last_value=0).on_conflict_do_nothing())
    return session.execute(
        update(NumberSequence).where(NumberSequence.name == name)
        .values(last_value=NumberSequence.last_value + count).returning(NumberSequence.last_value)
    ).scalar_one()
