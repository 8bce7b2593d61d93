"""The employer's profile: what is on record now, its dated history, and self-service changes."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from employers.accounts import Role
from employers.employers import (
    SELF_SERVICE_FIELDS,
    add_profile_version,
    check_valid_from,
    profile_history,
    profile_values,
)
from employers.registration import local_today, validate_profile
from portal.access import EMPLOYER, allow
from portal.database import db_session
from portal.employers import bp
from portal.employers.choices import show_problems
from portal.employers.forms import ProfileChangeForm
from portal.web import UseCaseFailed, attempt, current_actor, now


@bp.route("/employer/profile")
@allow(EMPLOYER)
def profile():
    employer = current_user.employer
    return render_template("employers/profile.html", employer=employer,
                           history=profile_history(db_session(), employer.id))


@bp.route("/employer/profile/change", methods=["GET", "POST"])
@allow(Role.EMPLOYER_ADMIN)
def change_profile():
    employer = current_user.employer
    db = db_session()
    form = ProfileChangeForm()
    today = local_today(employer.scheme, now())
    if not form.is_submitted():
        for field in SELF_SERVICE_FIELDS:
            getattr(form, field).data = getattr(employer, field)
        form.valid_from.data = today
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                check_valid_from(employer, form.valid_from.data, today=today)
                values = profile_values(employer) | {f: getattr(form, f).data or "" for f in SELF_SERVICE_FIELDS}
                cleaned = validate_profile(db, employer.scheme, values)
                add_profile_version(db, employer, cleaned, valid_from=form.valid_from.data, actor=current_actor(),
                                    now=now(), note="changed by the employer")
        except UseCaseFailed as failed:
            error = show_problems(form, failed.error)
            if failed.error.code == "profile.valid_from_invalid":
                form.valid_from.errors = [failed.message]
                error = None
        else:
            flash(_("The change is recorded."), "success")
            return redirect(url_for("employers.profile"))
    return render_template("employers/change_profile.html", form=form, error=error, today=today,
                           employer=employer)
