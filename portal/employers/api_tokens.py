"""The employer administrator's API tokens: list them, create one, revoke one.

A new token is shown once, in the answer to the form that created it: never through a flash message, a
redirect or the session, where it would be stored or shown again.  Only its SHA-256 is kept.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from employers.accounts import Role
from employers.api_tokens import create_api_token, revoke_api_token, tokens_of
from portal.access import allow
from portal.database import db_session
from portal.employers import bp
from portal.employers.token_forms import SCOPE_LABELS, ApiTokenForm
from portal.web import UseCaseFailed, attempt, current_actor, now


@bp.route("/employer/api-tokens", methods=["GET", "POST"])
@allow(Role.EMPLOYER_ADMIN)
def api_tokens():
    employer = current_user.employer
    db = db_session()
    form = ApiTokenForm()
    error = created = token = None
    if form.validate_on_submit():
        try:
            with attempt():
                created, token = create_api_token(db, employer, name=form.name.data, scope=form.scope.data,
                                                  days=form.days.data, actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = failed.message
        else:
            form = ApiTokenForm(formdata=None)  # a blank form for the next token
    moment = now()
    rows = [(row, row.status_on(moment)) for row in tokens_of(db, employer.id)]
    status = 422 if error is not None or form.errors else 200
    response = make_response(render_template(
        "employers/api_tokens.html", form=form, error=error, rows=rows, created=created, token=token,
        scope_labels=SCOPE_LABELS), status)
    # Every HTML page is already kept out of caches; this one says so itself, as it may carry a secret.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/employer/api-tokens/<int(max=2147483647):token_id>/revoke", methods=["POST"])
@allow(Role.EMPLOYER_ADMIN)
def revoke_token(token_id: int):
    try:
        with attempt():
            row = revoke_api_token(db_session(), current_user.employer_id, token_id, actor=current_actor(),
                                   now=now())
    except UseCaseFailed as failed:
        if failed.error.code == "api_token.not_found":
            abort(404)
        flash(failed.message, "error")
    else:
        flash(_("The token “%(name)s” is revoked: calls signed with it are refused from now on.", name=row.name),
              "success")
    return redirect(url_for("employers.api_tokens"))
