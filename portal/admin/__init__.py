"""Administration pages for staff: the audit log, and the scheme parameters (in ``parameters``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from common.audit import AuditEvent
from employers.accounts import Role
from portal.access import allow
from portal.database import db_session

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.route("/audit")
@allow(Role.SYSADMIN, Role.SUPERVISOR)
def audit_log():
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    action = (request.args.get("action") or "").strip()[:64]
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    session = db_session()
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("admin/audit.html", events=events, page=page, pages=pages, total=total, action=action)


from portal.admin import inspectors, jobs, parameters  # noqa: E402,F401  (the routes)
