"""Alembic environment.  Revision scripts describe tables literally and never import application models;
only autogenerate and the drift check read the models' metadata here."""

from __future__ import annotations

import os

from alembic import context

from common.db import UTCDateTime, make_engine
from portal.schema import load_metadata

config = context.config
target_metadata = load_metadata()


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Revisions stay free of project imports: our UTC timestamp is a timezone-aware DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.attributes.get("url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set; run migrations through `portal db upgrade`")
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Never queue behind a long transaction and block the whole site: fail fast and retry.
            connection.exec_driver_sql("SET lock_timeout = '10s'")
            connection.exec_driver_sql("SET statement_timeout = '15min'")
            connection.commit()
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
