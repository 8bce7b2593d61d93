"""What every API call goes through: the token, its scope, the rate limit, the idempotency key, the audit
record, and one JSON shape for every error.

An error answers ``{"code", "message", "field", "row", "problems": [...]}``: ``code`` is stable, ``message``
is translated by ``Accept-Language``, ``field`` and ``row`` say where the problem is (``row`` is the 1-based
position of a line in a request's ``lines``), and ``problems`` lists every problem when there are several.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from babel.numbers import get_currency_precision
from flask import Response, current_app, g, request
from flask_limiter import Limiter
from sqlalchemy import Select
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from common.errors import DomainError, NotFound
from common.idempotency import claim_key, fingerprint, keep_answer, key_is_valid
from employers.api_tokens import ApiToken, authenticate, note_use
from employers.employers import Employer
from portal.access import API
from portal.database import db_session
from portal.messages import message_for
from portal.web import client_ip, now

F = TypeVar("F", bound=Callable)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON = "application/json"
MAX_PAGE = 500

# A refusal that is about the state of things (filed already, changed meanwhile, overlapping) rather than
# about what was sent: 409.  Any other domain refusal is bad input: 400.
CONFLICTS = frozenset({
    "declaration.already_filed", "declaration.changed", "declaration.draft_in_progress",
    "declaration.worker_already_on", "declaration.worker_not_employed_any_more", "declaration.no_lines",
    "declaration.nil_with_lines", "employment.overlaps", "employment.already_ended", "employer.not_active",
    "api.idempotency_key_reused", "api.idempotency_in_progress", "api.draft_exists",
})
STATUS_OF_CODE = {"api.token_invalid": 401, "api.read_only_token": 403, "api.employer_not_registered": 403,
                  "api.body_too_large": 413, "api.too_many_lines": 413, "api.rate_limited": 429}


def _rate_key() -> str:
    """The token a call is counted against, read as authentication reads it (so that ``bearer``, extra spaces
    and the like are the same token); the client's address when it sends none."""
    try:
        return "token:" + hashlib.sha256(_bearer().encode("utf-8", "replace")).hexdigest()
    except DomainError:
        return client_key()


def client_key() -> str:
    return "ip:" + (request.remote_addr or "")


limiter = Limiter(key_func=_rate_key, headers_enabled=True)


class ApiError(Exception):
    """An API refusal: HTTP status, stable code, message parameters and where the problem is."""

    def __init__(self, status: int, code: str, *, field: str | None = None, row: int | None = None,
                 problems: list[dict] | None = None, **params: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.field, self.row = status, code, field, row
        self.problems = problems or []
        self.params = params


def problem(code: str, params: dict | None = None, *, field: str | None = None, row: int | None = None) -> dict:
    return {"code": code, "message": message_for(DomainError(code, **(params or {}))), "field": field, "row": row}


def error_body(code: str, message: str, *, field: str | None = None, row: int | None = None,
               problems: list[dict] | None = None) -> dict:
    return {"code": code, "message": message, "field": field, "row": row, "problems": problems or []}


def error_response(status: int, code: str, message: str | None = None, **where: Any) -> Response:
    text = message if message is not None else message_for(DomainError(code))
    response = json_response(error_body(code, text, **where), status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def status_of(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if error.code in STATUS_OF_CODE:
        return STATUS_OF_CODE[error.code]
    return 409 if error.code in CONFLICTS else 400


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_response(payload: object, status: int = 200, *, location: str | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, default=_json_default, separators=(",", ":"))
    response = Response(body, status=status, mimetype=JSON)
    if location:
        response.headers["Location"] = location
    return response


def api_call(*, write: bool = False) -> Callable[[F], F]:
    """Mark a view as an API call: a token is required, and for ``write`` a token that may write and an
    ``Idempotency-Key``."""
    def decorate(view: F) -> F:
        view.access = API  # type: ignore[attr-defined]
        view.api_write = write  # type: ignore[attr-defined]
        return view

    return decorate


def token() -> ApiToken:
    return g.api_token


def employer() -> Employer:
    """The token's employer: every object an API call reaches belongs to it."""
    return g.api_employer


def amount(value: Decimal | int | None) -> Decimal | None:
    """An amount with the token's employer's currency precision (LAK whole kip, TJS two decimals)."""
    if value is None:
        return None
    places = get_currency_precision(employer().scheme.currency)
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


def actor() -> Actor:
    return Actor(user_id=None, label=token().label, ip=client_ip())


def session() -> Session:
    return db_session()


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise DomainError("api.token_invalid")
    return value.strip()


def authenticate_call(view: Callable) -> Response | None:
    """Before an API view: the token, its employer and scope; for a write, the idempotency key (a repeat
    answers here, with the first answer)."""
    try:
        row = authenticate(session(), _bearer(), now=now())
    except DomainError:
        # Never the token itself: where the refused call came from, so that guessing shows in the logs.
        current_app.logger.warning("API call refused (no valid token) from %s: %s %r", request.remote_addr,
                                   request.method, request.path)
        raise
    g.api_token = row
    found = session().get(Employer, row.employer_id)
    if found is None or not found.is_registered:
        raise DomainError("api.employer_not_registered")
    g.api_employer = found
    if getattr(view, "api_write", False):
        if not row.can_write:
            raise DomainError("api.read_only_token")
        return _idempotency(row)
    return None


def _idempotency(row: ApiToken) -> Response | None:
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        raise ApiError(400, "api.idempotency_key_required", field="Idempotency-Key")
    if not key_is_valid(key):
        raise ApiError(400, "api.idempotency_key_invalid", field="Idempotency-Key")
    print_ = fingerprint(request.method, request.full_path.rstrip("?"), read_body_bytes())
    claim = claim_key(session(), scope=f"employer:{row.employer_id}", key=key, fingerprint=print_, now=now())
    g.api_idempotency = claim
    if not claim.replay:
        return None
    kept = claim.row
    response = Response(kept.body or "", status=kept.status_code or 200, mimetype=kept.content_type or JSON)
    response.headers["Idempotent-Replayed"] = "true"
    if kept.location:
        response.headers["Location"] = kept.location
    return response


def finish_call(response: Response) -> Response:
    """After an API view: keep a write's answer for its key, note the token's use and audit the call (a
    refused call too: its work is rolled back, the audit record is written on its own)."""
    row: ApiToken | None = g.get("api_token")
    if row is None:
        return response
    db = session()
    claim = g.get("api_idempotency")
    if response.status_code >= 400:
        db.rollback()
        row = db.get(ApiToken, row.id)
    elif claim is not None and not claim.replay:
        keep_answer(claim.row, status_code=response.status_code, content_type=response.content_type or JSON,
                    body=response.get_data(as_text=True), location=response.headers.get("Location"))
    moment = now()
    note_use(row, moment)
    replayed = " (replayed)" if claim is not None and claim.replay else ""
    record_audit(db, actor=actor_for(row), action="api.call", now=moment, object_type="api_token",
                 object_id=row.id, summary=f"{request.method} {request.path} -> {response.status_code}{replayed}")
    if response.status_code >= 400:
        db.commit()
    return response


def actor_for(row: ApiToken) -> Actor:
    return Actor(user_id=None, label=row.label, ip=client_ip())


def read_body_bytes() -> bytes:
    limit = current_app.config["API_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "api.body_too_large", megabytes=limit // 2**20)
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise ApiError(413, "api.body_too_large", megabytes=limit // 2**20)
    return data


def _no_constants(name: str) -> object:
    raise ValueError(name)


def json_body() -> dict[str, Any]:
    """The request's JSON object.  Numbers with a fraction are read as ``Decimal`` (never as floats)."""
    data = read_body_bytes()
    if request.mimetype != JSON:
        raise ApiError(400, "api.json_required")
    try:
        body = json.loads(data.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constants)
        # An escaped lone surrogate ("\ud800") is valid JSON but no text: refused here, not by the database.
        json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "api.json_invalid") from None
    if not isinstance(body, dict):
        raise ApiError(400, "api.json_invalid")
    return body


def only_members(body: dict, names: Iterable[str], *, where: str = "", row: int | None = None) -> None:
    """Refuse a member the request does not have (a misspelt ``revison`` must not be silently ignored)."""
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise ApiError(400, "api.member_unknown", field=where + unknown[0], row=row)


def text_field(body: dict, name: str, *, where: str | None = None, required: bool = True,
               max_length: int = 500) -> str:
    """A string member of ``body`` (numbers are accepted and read as their text)."""
    value = body.get(name)
    label = where or name
    if value is None or value == "":
        if required:
            raise ApiError(400, "field.required", field=label)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ApiError(400, "api.type_invalid", field=label)
    text = str(value)
    if len(text) > max_length:
        raise ApiError(400, "field.too_long", field=label)
    if "\x00" in text:
        raise ApiError(400, "api.nul_character", field=label)
    return text


def object_field(body: dict, name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        raise ApiError(400, "field.required", field=name)
    if not isinstance(value, dict):
        raise ApiError(400, "api.type_invalid", field=name)
    return value


def page_of(query: Select, items: Callable[[list[Any]], list[dict]]) -> Response:
    """One page of ``query`` (ordered) as ``{"items", "limit", "offset", "next_offset"}``; ``items`` turns the
    page's rows into JSON all at once (so what they need is read in one query, not one per row).  A row more
    than the page is read to know whether another page follows."""
    limit, offset = page_args()
    rows = list(session().scalars(query.limit(limit + 1).offset(offset)).unique())
    return json_response({"items": items(rows[:limit]), "limit": limit, "offset": offset,
                          "next_offset": offset + limit if len(rows) > limit else None})


def page_args() -> tuple[int, int]:
    """``limit`` (1 to 500, default 100) and ``offset`` (0 or more) from the query string."""
    return (_int_arg("limit", 100, 1, MAX_PAGE), _int_arg("offset", 0, 0, 10**9))


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    text = request.args.get(name, "")
    if text == "":
        return default
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise ApiError(400, "api.query_invalid", field=name, low=low, high=high)
    return int(text)


def problems_of(pairs: Iterable[tuple[str, str]], *, prefix: Callable[[str], str] = lambda f: f) -> list[dict]:
    return [problem(code, field=prefix(field)) for field, code in pairs]
