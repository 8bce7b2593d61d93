"""Access is denied by default: every view declares who may use it.

``@public`` views are open to everyone, ``@signed_in`` to any logged-in user, ``@allow(Role...)`` to the
roles named.  A view without a declaration answers 403 to everyone, and the route-access test lists every
endpoint, so a new route without a rule fails the build twice over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from employers.accounts import EMPLOYER_ROLES, STAFF_ROLES, Role

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
SIGNED_IN = "signed_in"
API = "api"  # signed by an API token, checked by the API itself (portal.api), never by a session

EMPLOYER = EMPLOYER_ROLES
STAFF = STAFF_ROLES


def public(view: F) -> F:
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    view.access = SIGNED_IN  # type: ignore[attr-defined]
    return view


def allow(*roles: Role | frozenset[Role]) -> Callable[[F], F]:
    allowed: set[str] = set()
    for role in roles:
        allowed.update(r.value for r in role) if isinstance(role, frozenset) else allowed.add(role.value)

    def decorate(view: F) -> F:
        view.access = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return decorate


def rule_for(app: Flask, endpoint: str | None) -> object:
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def init_access(app: Flask) -> None:
    @app.before_request
    def _enforce() -> object:
        if request.endpoint is None:  # 404 / 405: let Flask answer
            return None
        rule = rule_for(app, request.endpoint)
        if rule in (PUBLIC, API):
            return None
        if rule is None:
            app.logger.error("endpoint %s declares no access rule; denied", request.endpoint)
            abort(403)
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path if request.query_string
                                    else request.path))
        if rule == SIGNED_IN:
            return None
        if current_user.role not in rule:  # type: ignore[operator]
            abort(403)
        return None
