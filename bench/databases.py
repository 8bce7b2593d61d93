"""Throwaway databases for benchmark parts that commit for real (the web, the jobs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from common.db import make_engine


@contextmanager
def scratch_database(url: str, suffix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside ``url``'s (named ``<name>_<suffix>``), dropped afterwards.
    Yields its URL."""
    base = make_url(url)
    name = f"{base.database}_{suffix}"
    admin = make_engine(base.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_engine(url: str) -> Engine:
    """An engine on ``url`` with the migrations applied (the reference data is the caller's to load)."""
    from alembic import command as alembic_command

    from portal.cli import alembic_config

    engine = make_engine(url)
    with engine.begin() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        alembic_command.upgrade(config, "head")
    return engine
