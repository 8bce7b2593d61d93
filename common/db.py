"""The declarative base, the constraint naming convention, reusable column types and engine set-up.

One ``Base`` for every model so Alembic sees a single metadata; constraint names follow a convention so
migrations can drop and alter them by name on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import DateTime, MetaData, Numeric, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp always stored and returned as an aware UTC datetime.

    SQLite keeps no zone, so values are normalised to UTC on the way in and marked UTC on the way out;
    a naive datetime is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Reusable column types.  Money is Numeric(18, 2): whole kip and dirams both fit, and rounding to the
# scheme's precision happens in the domain before a value reaches the database.
Money = Annotated[Decimal, mapped_column(Numeric(18, 2))]
Str255 = Annotated[str, mapped_column(String(255))]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every datetime column is an aware UTC timestamp; every Decimal is money unless a column says otherwise.
    type_annotation_map = {dt.datetime: UTCDateTime(), Decimal: Numeric(18, 2)}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the project's settings for either database.

    On SQLite: foreign keys on, and the driver's own transaction handling replaced by explicit BEGIN so
    that SAVEPOINTs and transactional DDL behave as on PostgreSQL.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("check_same_thread", False)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(bind: Any, **kwargs: Any) -> sessionmaker:
    return sessionmaker(bind=bind, expire_on_commit=False, **kwargs)
