"""The API for payroll software, under ``/api/v1``: JSON in and out, a bearer token per employer, an
``Idempotency-Key`` on every write, and an OpenAPI 3.1 description at ``/api/v1/openapi.json``.

The views call the same use cases as the web pages, so the rules and the error codes are the same.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from common.errors import DomainError
from portal.access import API
from portal.api.core import (
    ApiError,
    authenticate_call,
    client_key,
    error_response,
    finish_call,
    limiter,
    status_of,
)
from portal.messages import message_for

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
# One budget per token for all the routes together (not one per route); and per client address, a budget of
# refused authentications, so that guessing tokens is slow whatever tokens are tried.
limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api")(bp)
limiter.shared_limit(lambda: current_app.config["API_FAILED_AUTH_LIMIT"], scope="api-auth", key_func=client_key,
                     deduct_when=lambda response: response.status_code == 401)(bp)
MAX_ID = 2_147_483_647


class IdConverter(IntegerConverter):
    """An id in a path: any run of digits.  One beyond the ids' range is read as 0, which is nobody's id, so it
    answers 404 on every method (``int(max=...)`` would let a path with a GET and a DELETE answer 405)."""

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0


@bp.before_request
def _before() -> Response | None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "access", None) != API:
        return None
    return authenticate_call(view)


@bp.after_request
def _after(response: Response) -> Response:
    return finish_call(response)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    where = {"field": error.field, "row": error.row, "problems": error.problems}
    return error_response(error.status, error.code, message_for(DomainError(error.code, **error.params)), **where)


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    from portal.api.refusals import details

    return error_response(status_of(error), error.code, message_for(error), **details(error))


def http_error(error: HTTPException) -> Response:
    """A 404, 405, 413, 429 or 500 under ``/api/`` as the API's JSON error (the web answers with a page)."""
    from flask_babel import gettext as _

    code = error.code or 500
    texts = {404: ("api.not_found", _("There is nothing at this address. Check the path and the id.")),
             405: ("api.method_not_allowed", _("This method is not allowed at this address.")),
             413: ("api.body_too_large", _("The request is too large.")),
             429: ("api.rate_limited", _("Too many requests with this token. Wait a moment and try again.")),
             500: ("api.server_error", _("Something went wrong on our side. Nothing was saved; please try again "
                                         "later."))}
    name, text = texts.get(code, ("api.http_error", error.description or ""))
    response = error_response(code, name, text)
    if code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if code == 429 and error.get_response().headers.get("Retry-After"):
        response.headers["Retry-After"] = error.get_response().headers["Retry-After"]
    return response


def is_api_request() -> bool:
    """Under ``/api`` (any version): answered in JSON, in the client's Accept-Language."""
    return request.path == "/api" or request.path.startswith("/api/")


def init_api(app: Flask) -> None:
    from portal.api import account, declarations, docs, workers  # noqa: F401  (the routes)
    from portal.security import csrf

    app.config.setdefault("API_MAX_BODY_BYTES", 16 * 1024 * 1024)
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    app.config.setdefault("API_FAILED_AUTH_LIMIT", "30 per minute")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # A shared store (redis://) that goes down must not take the API with it: counts go on in memory.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.url_map.converters["id"] = IdConverter
    csrf.exempt(bp)

    @app.after_request
    def _retry_after_on_refusals_only(response: Response) -> Response:
        # Registered before the limiter, so it runs after the limiter has added its headers.
        if response.status_code != 429:
            response.headers.pop("Retry-After", None)
        return response
    limiter.init_app(app)
    app.register_blueprint(bp)
