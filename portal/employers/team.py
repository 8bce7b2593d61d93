"""The employer administrator's team: invite clerks, deactivate them; an invited person activates here."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from employers.accounts import Role
from employers.team import accept_invitation, invite_user, invited_user, set_user_active, team_of
from notifications.account_messages import queue_email
from portal.access import allow, public
from portal.database import db_session
from portal.employers import bp
from portal.employers.forms import AcceptInvitationForm, InviteForm
from portal.mail import deliver_after_commit
from portal.web import UseCaseFailed, attempt, client_ip, current_actor, now


@bp.route("/employer/team", methods=["GET", "POST"])
@allow(Role.EMPLOYER_ADMIN)
def team():
    employer = current_user.employer
    db = db_session()
    form = InviteForm()
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                user, token = invite_user(db, employer, email=form.email.data, full_name=form.full_name.data,
                                          language=form.language.data, actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = failed.message
        else:
            link = current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("employers.accept", token=token)
            message = queue_email(db, "account.invitation", recipient=user.email, language=user.locale or "en",
                                  params={"name": user.full_name, "inviter": current_user.full_name,
                                          "employer": employer.legal_name, "link": link},
                                  now=now(), user_id=user.id, employer_id=employer.id)
            deliver_after_commit([message.id])
            flash(_("The invitation is on its way to %(email)s.", email=user.email), "success")
            return redirect(url_for("employers.team"))
    return render_template("employers/team.html", form=form, error=error, members=team_of(db, employer.id)), \
        200 if error is None and not form.errors else 422


@bp.route("/employer/team/<int(max=2147483647):user_id>/<action>", methods=["POST"])
@allow(Role.EMPLOYER_ADMIN)
def set_active(user_id: int, action: str):
    if action not in ("deactivate", "reactivate"):
        abort(404)
    try:
        with attempt():
            set_user_active(db_session(), current_user.employer, user_id, action == "reactivate",
                            actor=current_actor(), now=now())
    except UseCaseFailed as failed:
        if failed.error.code == "user.not_found":
            abort(404)
        flash(failed.message, "error")
    return redirect(url_for("employers.team"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept(token: str):
    db = db_session()
    try:
        with attempt():
            user = invited_user(db, token, now=now())
    except UseCaseFailed as failed:
        return render_template("errors/error.html", code=404, message=failed.message), 404
    form = AcceptInvitationForm()
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                accept_invitation(db, token=token, password=form.password.data, ip=client_ip(), now=now())
        except UseCaseFailed as failed:
            error = failed.message
        else:
            flash(_("Your account is active. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("employers/accept.html", form=form, error=error, user=user)
