"""Small things every view needs: who is acting, the time, safe redirects, running a use case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Response, request
from flask_babel import gettext
from flask_login import current_user

from common.audit import Actor
from common.clock import utcnow
from common.errors import DomainError
from portal.database import db_session
from portal.messages import message_for


def now() -> dt.datetime:
    return utcnow()


def client_ip() -> str | None:
    return request.remote_addr


def current_actor() -> Actor:
    if current_user.is_authenticated:
        return current_user.as_actor(client_ip())
    return Actor(user_id=None, label="anonymous", ip=client_ip())


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login; anything else goes to ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


class UseCaseFailed(Exception):
    def __init__(self, error: DomainError) -> None:
        super().__init__(error.code)
        self.error = error
        self.message = message_for(error)


@contextmanager
def attempt() -> Iterator[None]:
    """Run a use case in a savepoint: on a ``DomainError`` nothing it wrote is kept, and the error comes
    back as ``UseCaseFailed`` carrying the translated message for the form."""
    session = db_session()
    try:
        with session.begin_nested():
            yield
    except DomainError as error:
        raise UseCaseFailed(error) from error


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, filename: str, fmt: str) -> Response:
    """A CSV or XLSX file as an attachment."""
    mimetype = "text/csv" if fmt == "csv" else XLSX_MIMETYPE
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


EARLIEST_AS_OF = dt.date(2000, 1, 1)  # no account is read as of an earlier day (nor after today)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_as_of(text: str, today: dt.date) -> dt.date | str:
    """An ``as_of`` date typed as ``YYYY-MM-DD`` (empty: ``today``), from 2000-01-01 to ``today``; else the
    translated message saying what is wrong with it."""
    text = (text or "").strip()[:20]
    if not text:
        return today
    try:
        if not _ISO_DAY.match(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        return message_for(DomainError("field.date_invalid"))
    if not EARLIEST_AS_OF <= day <= today:
        return gettext("Choose a date between %(first)s and today.", first=EARLIEST_AS_OF.isoformat())
    return day
