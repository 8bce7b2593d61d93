from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from common.errors import DomainError
from employers import accounts
from notifications.account_messages import queue_password_reset
from portal.access import public, signed_in
from portal.auth import bp
from portal.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from portal.database import db_session
from portal.i18n import COOKIE, COOKIE_MAX_AGE, SUPPORTED
from portal.mail import deliver_after_commit
from portal.messages import message_for
from portal.web import UseCaseFailed, attempt, client_ip, current_actor, now, safe_next


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        config = current_app.config
        result = accounts.authenticate(
            db_session(), email=form.email.data, password=form.password.data, ip=client_ip(), now=now(),
            max_failures=config["LOGIN_MAX_FAILURES"],
            lockout=dt.timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
        )
        if result.user is not None:
            session.clear()  # nothing from before the login survives into the signed-in session
            login_user(result.user)
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
        if result.error == "auth.locked":
            error = message_for_lock(result.locked_until)
        else:
            error = message_for(DomainError(result.error or "auth.invalid"))
    # A failed attempt answers 200 so the request commits: the failure counts towards the lock-out.
    return render_template("auth/login.html", form=form, error=error)


def message_for_lock(until: dt.datetime | None) -> str:
    return message_for(DomainError("auth.locked", until=format_datetime(until, "short") if until else ""))


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    accounts.record_logout(db_session(), current_user, ip=client_ip(), now=now())
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                accounts.change_password(
                    db_session(), current_user, current_password=form.current_password.data,
                    new_password=form.new_password.data, actor=current_actor(), now=now(),
                )
        except UseCaseFailed as failed:
            error = failed.message
        else:
            # The session version changed: renew this session, which ends all the others.
            login_user(current_user._get_current_object())  # type: ignore[attr-defined]
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form, error=error)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        minutes = current_app.config["PASSWORD_RESET_MINUTES"]
        db = db_session()
        issued = accounts.issue_password_reset(
            db, email=form.email.data, actor=current_actor(), now=now(),
            ttl=dt.timedelta(minutes=minutes),
        )
        if issued is not None:
            user, token = issued
            link = current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("auth.reset_password",
                                                                                  token=token)
            message = queue_password_reset(
                db, user_id=user.id, email=user.email, name=user.full_name,
                language=user.locale or request_language(), link=link, valid_minutes=minutes, now=now(),
            )
            deliver_after_commit([message.id])
        # The same answer whether or not the address has an account.
        flash(_("If an account uses this address, a reset link is on its way. Check your e-mail."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def request_language() -> str:
    return str(get_locale() or "en")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    db = db_session()
    try:
        with attempt():
            accounts.check_reset_token(db, token, now=now())
    except UseCaseFailed as failed:
        return render_template("auth/reset_invalid.html", error=failed.message), 404
    form = ResetPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                accounts.reset_password(db, token=token, new_password=form.new_password.data,
                                        actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = failed.message
        else:
            flash(_("Your password has been changed. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, error=error)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    language = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("home.index"))
    response = redirect(target)
    if language not in SUPPORTED:
        return response
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    if current_user.is_authenticated:
        accounts.set_user_locale(db_session(), current_user, language)
    return response
