"""A home page per role.  Each area fills its dashboard as it is built."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, send_from_directory, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from contributions.waivers import Waiver
from employers.accounts import Role
from notifications.fonts import FONT_DIR
from portal.access import EMPLOYER, allow, public
from portal.database import db_session

bp = Blueprint("home", __name__)

HOME_OF_ROLE = {
    Role.EMPLOYER_ADMIN: "home.employer",
    Role.EMPLOYER_CLERK: "home.employer",
    Role.INSPECTOR: "home.inspector",
    Role.SUPERVISOR: "home.supervisor",
    Role.SYSADMIN: "home.admin",
    Role.WORKER: "home.worker",
}


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_OF_ROLE[current_user.role_enum]))


@bp.route("/employer")
@allow(EMPLOYER)
def employer():
    return render_template("home/employer.html", employer=current_user.employer)


@bp.route("/inspector")
@allow(Role.INSPECTOR, Role.SUPERVISOR)
def inspector():
    return render_template("home/inspector.html")


@bp.route("/supervisor")
@allow(Role.SUPERVISOR)
def supervisor():
    waiting = db_session().scalar(select(func.count()).select_from(Waiver).where(Waiver.status == "pending"))
    return render_template("home/supervisor.html", waivers_waiting=waiting or 0)


@bp.route("/admin")
@allow(Role.SYSADMIN)
def admin():
    return render_template("home/admin.html")


@bp.route("/worker")
@allow(Role.WORKER)
def worker():
    return render_template("home/worker.html")


@bp.route("/fonts/<name>")
@public
def font(name: str):
    """The fonts shared by pages and PDFs, served by the portal itself (no CDN on an intranet)."""
    if not name.endswith(".ttf"):
        abort(404)
    return send_from_directory(FONT_DIR, name, max_age=365 * 24 * 3600)


@bp.route("/healthz")
@public
def health():
    db_session().execute(text("SELECT 1"))
    return {"status": "ok"}
