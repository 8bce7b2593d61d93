"""HTTP hardening: CSRF on every POST, security headers, a strict content security policy."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_security(app: Flask) -> None:
    csrf.init_app(app)

    @app.before_request
    def _refuse_nul():
        # A NUL character is never part of a name, an amount or a reason, and PostgreSQL cannot store one in
        # text: refused here once, with a clear answer, rather than failing deep in a use case.
        if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                         for fields in (request.args, request.form)
                                         for key, value in fields.items(multi=True)):
            message = _("The request contains a character that is not allowed (NUL). Check what was typed "
                        "or pasted and try again.")
            if _is_api():
                from portal.api.core import error_response

                return error_response(400, "api.nul_character", message)
            return render_template("errors/error.html", code=400, message=message), 400
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError):
        message = _("This form has expired or did not come from this site. Go back, reload the page "
                    "and try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    for code, text in (
        (403, lambda: _("You do not have access to this page.")),
        (404, lambda: _("This page does not exist.")),
        (405, lambda: _("This action is not allowed here.")),
        (413, lambda: _("The file is too large.")),
        (429, lambda: _("Too many requests. Wait a moment and try again.")),
        (500, lambda: _("Something went wrong on our side. Nothing was saved; please try again later.")),
    ):
        app.register_error_handler(code, _error_page(code, text))


def _is_api() -> bool:
    from portal.api import is_api_request

    return is_api_request()


def _error_page(code: int, text):
    def handler(error: Exception):
        if _is_api():
            from werkzeug.exceptions import HTTPException, InternalServerError

            from portal.api import http_error

            return http_error(error if isinstance(error, HTTPException) else InternalServerError())
        return render_template("errors/error.html", code=code, message=text()), code

    return handler
