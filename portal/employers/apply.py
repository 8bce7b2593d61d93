"""Applying to register as an employer (no account needed), and correcting an application sent back."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from employers.employers import PROFILE_FIELDS, profile_values
from employers.registration import (
    ApplicantAccount,
    application_for_edit,
    apply_for_registration,
    resubmit_application,
)
from notifications.account_messages import queue_email
from portal.access import public
from portal.database import db_session
from portal.employers import bp
from portal.employers.choices import fill_choices, language, show_problems
from portal.employers.forms import ApplicationForm, CorrectionForm
from portal.mail import deliver_after_commit
from portal.web import UseCaseFailed, attempt, current_actor, now


def _profile(form) -> dict[str, object]:
    return {field: getattr(form, field).data for field in PROFILE_FIELDS}


@bp.route("/apply", methods=["GET", "POST"])
@public
def apply():
    db = db_session()
    form = ApplicationForm()
    fill_choices(form, db)
    if not form.is_submitted():
        form.preferred_language.data = language()
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                employer, admin = apply_for_registration(
                    db, scheme_code=form.scheme_code.data, profile=_profile(form), tax_number=form.tax_number.data,
                    registration_number=form.registration_number.data or "",
                    applicant=ApplicantAccount(form.admin_name.data, form.admin_email.data, form.password.data),
                    actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = show_problems(form, failed.error)
        else:
            message = queue_email(
                db, "registration.received", recipient=admin.email, language=employer.preferred_language,
                params={"name": admin.full_name, "employer": employer.legal_name, "reference": employer.id},
                now=now(), user_id=admin.id, employer_id=employer.id)
            deliver_after_commit([message.id])
            return render_template("employers/applied.html", employer=employer, email=admin.email)
    status = 200 if error is None and not form.errors else 422
    return render_template("employers/apply.html", form=form, error=error), status


@bp.route("/apply/correct/<token>", methods=["GET", "POST"])
@public
def correct_application(token: str):
    db = db_session()
    try:
        with attempt():
            employer = application_for_edit(db, token, now=now())
    except UseCaseFailed as failed:
        return render_template("errors/error.html", code=404, message=failed.message), 404
    form = CorrectionForm()
    fill_choices(form, db, schemes=[employer.scheme])
    if not form.is_submitted():
        for field, value in {**profile_values(employer), "tax_number": employer.tax_number,
                             "registration_number": employer.registration_number}.items():
            getattr(form, field).data = value
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                resubmit_application(db, token=token, profile=_profile(form), tax_number=form.tax_number.data,
                                     registration_number=form.registration_number.data or "",
                                     actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = show_problems(form, failed.error)
        else:
            return render_template("employers/applied.html", employer=employer, email=employer.email)
    return render_template("employers/correct.html", form=form, error=error, employer=employer)


def login_link() -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("auth.login")
