"""Inspectors' provinces, for the system administrator: each inspector may be limited to some provinces and
then sees only the employers there; with none set, an inspector sees every employer (as supervisors do)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from employers.accounts import Role, User
from employers.regions import Region
from inspections.areas import InspectorArea, set_provinces
from portal.access import allow
from portal.admin import bp
from portal.database import db_session
from portal.forms import PortalForm
from portal.web import UseCaseFailed, attempt, current_actor, now


@bp.route("/inspectors")
@allow(Role.SYSADMIN)
def inspectors():
    db = db_session()
    people = db.scalars(select(User).where(User.role == Role.INSPECTOR.value).order_by(User.email)).all()
    areas: dict[int, set[str]] = {}
    for user_id, code in db.execute(select(InspectorArea.user_id, InspectorArea.region_code)):
        areas.setdefault(user_id, set()).add(code)
    provinces = db.scalars(select(Region).where(Region.level == "province")
                           .order_by(Region.country, Region.code)).all()
    language = str(get_locale())
    return render_template("admin/inspectors.html", people=people, areas=areas, provinces=provinces,
                           language=language)


@bp.route("/inspectors/<int(max=2147483647):user_id>", methods=["POST"])
@allow(Role.SYSADMIN)
def set_inspector_provinces(user_id: int):
    form = PortalForm()
    if not form.validate_on_submit():
        abort(400)
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    codes = [code.strip()[:20] for code in request.form.getlist("province")][:200]
    try:
        with attempt():
            set_provinces(db_session(), user, codes, actor=current_actor(), now=now())
    except UseCaseFailed as failed:
        flash(failed.message, "error")
    else:
        flash(_("The provinces of %(email)s are saved.", email=user.email), "success")
    return redirect(url_for("admin.inspectors"))
