"""One database session per request, committed in exactly one place.

The session is opened lazily on first use.  After the view returns, a response below 400 commits (a form
shown again with errors still records, for example, a failed login); anything else rolls back.  Work that
must happen only after a successful commit (sending queued e-mail) is registered with ``after_commit``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from common.db import make_engine, make_session_factory

EXTENSION = "portal_db"


def init_database(app: Flask, session_factory: sessionmaker | None = None) -> None:
    if session_factory is None:
        engine = make_engine(app.config["DATABASE_URL"])
        session_factory = make_session_factory(engine)
    app.extensions[EXTENSION] = session_factory

    @app.after_request
    def _commit(response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 400:
                session.commit()
                callbacks = g.pop("after_commit", [])
                for callback in callbacks:
                    callback()
            else:
                session.rollback()
        finally:
            session.close()
        return response

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def session_factory(app: Flask | None = None) -> sessionmaker:
    return (app or current_app).extensions[EXTENSION]


def db_session() -> Session:
    """The request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the request's transaction has committed (never if it rolls back)."""
    g.setdefault("after_commit", []).append(callback)
