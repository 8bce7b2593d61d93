"""Fixtures shared by every tier.

The database is ``DATABASE_URL`` when set (PostgreSQL in CI's second run), otherwise a fresh SQLite file.
It is migrated once per run with Alembic; each test runs inside a transaction that is rolled back, and the
code under test commits to savepoints inside it, exactly as it would commit for real.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command as alembic_command
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from common.db import make_engine
from employers import accounts
from portal.cli import alembic_config
from portal.reference import load_reference_data

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)

# Hashing at production cost (64 MiB, ~0.2 s) for every test user would dominate the run; the algorithm
# stays argon2id, only the cost is lowered.
accounts.use_password_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@contextmanager
def fresh_database(database_url: str, tmp_path: Path, suffix: str) -> Iterator[str]:
    """An empty database of the same kind as the test database, dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
        return
    name = f"{url.database}_{suffix}"
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_database(database_url: str, tmp_path: Path, suffix: str) -> Iterator[Engine]:
    """A fresh database of the same kind, migrated and loaded with the reference data, for tests whose code
    commits for real (concurrency, jobs); dropped afterwards."""
    with fresh_database(database_url, tmp_path, suffix) as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            alembic_command.upgrade(config, "head")
        with Session(engine) as session:
            load_reference_data(session)
            session.commit()
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        alembic_command.upgrade(config, "head")
    with Session(engine) as session:
        load_reference_data(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(session_factory: sessionmaker) -> Iterator[Session]:
    session = session_factory()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def instance_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "instance"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(path))
    return path


@pytest.fixture
def app_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "DELIVER_MAIL_AFTER_REQUEST": False,
        "PORTAL_BASE_URL": "http://portal.test",
    }


@pytest.fixture
def app(app_config: dict, session_factory: sessionmaker, instance_path: Path):
    from portal import create_app

    return create_app(app_config, session_factory=session_factory)


@pytest.fixture
def client(app):
    return app.test_client()


class _Inbox:
    """What a real local SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    """A real SMTP server on a free local port (aiosmtpd cannot bind port 0 itself)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
