"""Throwaway databases for benchmark parts that commit for real (the web, the jobs)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from common.db import make_engine, make_session_factory

T = TypeVar("T")


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


def populated(url: str, populate: Callable[[Session], T]) -> tuple[Engine, sessionmaker, T, float]:
    """Migrate the database at ``url``, fill it with ``populate`` (committed) and analyse it, as a bench's
    set-up.  Returns the engine, a session factory, what ``populate`` returned and the seconds it all took."""
    engine = migrated_engine(url)
    sessions = make_session_factory(engine)
    began = time.perf_counter()
    with sessions() as session:
        result = populate(session)
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return engine, sessions, result, time.perf_counter() - began
