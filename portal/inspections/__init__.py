"""The inspectors' workspace: the compliance dashboard, the list of employers and the worklist, each
employer's whole picture (its "360"), and inspection cases.

Inspectors and supervisors use it; an inspector limited to provinces sees only their employers (any other
is 404, as if it did not exist, here and on the staff pages of one employer; the staff lists show them only
their employers).  Employers never reach these pages."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from employers.accounts import Role
from employers.employers import Employer
from inspections.areas import may_see, provinces_of
from portal.database import db_session

bp = Blueprint("inspections", __name__)

INSPECTORS = (Role.INSPECTOR, Role.SUPERVISOR)


def user_provinces() -> list[str] | None:
    """The provinces the signed-in inspector is limited to (None: every one)."""
    return provinces_of(db_session(), current_user)


def visible_employer(employer_id: int) -> Employer:
    """The employer, if the signed-in user may see it; else 404."""
    employer = db_session().get(Employer, employer_id)
    if employer is None or employer.employer_number is None or not may_see(db_session(), current_user, employer):
        abort(404)
    return employer


@bp.before_app_request
def _within_provinces() -> None:
    """The staff pages of one employer (``/staff/.../<employer_id>/...``: its profile, account, notices,
    certificates) are 404 to an inspector whose provinces do not hold it, as this workspace's pages are."""
    employer_id = (request.view_args or {}).get("employer_id")
    if employer_id is None or not request.path.startswith("/staff/") or not current_user.is_authenticated:
        return
    if current_user.role != Role.INSPECTOR.value:
        return
    employer = db_session().get(Employer, employer_id)
    if employer is not None and not may_see(db_session(), current_user, employer):
        abort(404)


from portal.inspections import cases, dashboard, employers  # noqa: E402,F401  (the routes)
