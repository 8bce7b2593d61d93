"""Scheme parameters for the system administrator: what is in force today, every past and scheduled
version, and a form to record a new dated version."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from common.errors import DomainError
from common.schemes import Scheme
from contributions.parameter_versions import add_parameter_version, parameter_overview
from contributions.parameters import NAMES
from employers.accounts import Role
from employers.registration import local_today
from portal.access import allow
from portal.admin import bp
from portal.admin.forms import CONFIDENCE_LABELS, VALUE_FORMATS, ParameterVersionForm, parameter_label
from portal.database import db_session
from portal.messages import message_for
from portal.web import UseCaseFailed, attempt, current_actor, now

# The form field under which each refusal is shown; other refusals go to the top of the form.
FIELD_OF_PROBLEM = {
    "parameter.scheme_unknown": "scheme",
    "parameter.name_unknown": "name",
    "parameter.category_unknown": "category",
    "parameter.value_invalid": "value",
    "parameter.source_required": "source",
    "parameter.confidence_unknown": "confidence",
    "parameter.version_exists": "valid_from",
    "parameter.period_declared": "valid_from",
}


def _schemes() -> list[Scheme]:
    return list(db_session().scalars(select(Scheme).order_by(Scheme.code)))


def _place_problem(form: ParameterVersionForm, error: DomainError) -> str | None:
    """Put the message under its field; returns it for the top of the form when no field fits."""
    field = getattr(form, FIELD_OF_PROBLEM.get(error.code, ""), None)
    if field is None:
        return message_for(error)
    field.errors = [*field.errors, message_for(error)]
    return None


@bp.route("/parameters")
@allow(Role.SYSADMIN)
def parameters():
    schemes = _schemes()
    code = request.args.get("scheme") or (schemes[0].code if schemes else None)
    scheme = next((s for s in schemes if s.code == code), None)
    if scheme is None:
        abort(404)
    overview = parameter_overview(db_session(), scheme.code, local_today(scheme, now()))
    return render_template("admin/parameters.html", schemes=schemes, scheme=scheme, overview=overview,
                           confidence_labels=CONFIDENCE_LABELS, parameter_label=parameter_label)


@bp.route("/parameters/new", methods=["GET", "POST"])
@allow(Role.SYSADMIN)
def new_parameter():
    schemes = _schemes()
    form = ParameterVersionForm()
    form.fill_choices(schemes, str(get_locale() or "en"))
    if not form.is_submitted():
        form.scheme.data = request.args.get("scheme") or (schemes[0].code if schemes else "")
        form.name.data = request.args.get("name") or ""
        form.category.data = request.args.get("category") or ""
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                version = add_parameter_version(
                    db_session(), scheme_code=form.scheme.data, name=form.name.data,
                    category=form.category.data or None, valid_from=form.valid_from.data, value=form.value.data,
                    source=form.source.data, confidence=form.confidence.data, actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = _place_problem(form, failed.error)
        else:
            flash(_("The new version of %(name)s is recorded, in force from %(date)s.",
                    name=parameter_label(version.name), date=format_date(version.valid_from)), "success")
            return redirect(url_for("admin.parameters", scheme=version.scheme_code))
    formats = [(name, VALUE_FORMATS[name]) for name in NAMES if name in VALUE_FORMATS]
    return render_template("admin/parameter_new.html", form=form, error=error, formats=formats,
                           parameter_label=parameter_label), \
        200 if error is None and not form.errors else 422
