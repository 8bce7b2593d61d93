"""A worker activates their account: their social security number, identity document number and date of
birth, then the code sent by SMS to the phone on record and a password.  The first page answers the same
whether or not the details matched, and the code page looks the same for any token; the rules are the
domain's (``employers.activation``)."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from sqlalchemy.orm import Session
from wtforms import DateField, EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from common.errors import DomainError
from employers.activation import VALID_MINUTES, complete_activation, start_activation
from notifications.i18n import translations_for
from notifications.outbox import queue_message
from portal.access import public
from portal.auth.forms import ResetPasswordForm
from portal.database import db_session
from portal.forms import PortalForm
from portal.mail import deliver_after_commit
from portal.messages import message_for
from portal.web import UseCaseFailed, attempt, client_ip, now
from portal.workers import bp


def N_(text: str) -> str:  # noqa: N802 - the conventional name of a marker for extraction only
    return text


# Written in the person's language when queued, not in the language of the page that asked for it.
CODE_SMS = N_("%(code)s is your code to activate your account on the contributions portal. It is valid for "
              "%(minutes)d minutes. Do not give it to anyone.")


class CodeSms:
    """``start_activation``'s ``send_code``: queues the code by SMS in the outbox and keeps the message ids, to
    be delivered once the request commits."""

    def __init__(self, db: Session, moment: dt.datetime) -> None:
        self.db = db
        self.moment = moment
        self.message_ids: list[int] = []

    def __call__(self, phone: str, language: str, code: str) -> None:
        body = translations_for(language).gettext(CODE_SMS) % {"code": code, "minutes": VALID_MINUTES}
        message = queue_message(self.db, channel="sms", recipient=phone, kind="worker.activation_code",
                                language=language, subject="", body=body, now=self.moment)
        self.message_ids.append(message.id)


class ActivationForm(PortalForm):
    social_security_number = StringField(_l("Social security number"), validators=[DataRequired(), Length(max=40)],
                                         render_kw={"autocomplete": "off", "autofocus": True})
    document_number = StringField(_l("Identity document number"), validators=[DataRequired(), Length(max=60)],
                                  render_kw={"autocomplete": "off"})
    birth_date = DateField(_l("Date of birth"), validators=[DataRequired()], render_kw={"autocomplete": "bday"})
    email = EmailField(_l("E-mail address to log in with"), validators=[DataRequired(), Length(max=255)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send me a code"))


class CodeForm(ResetPasswordForm):
    code = StringField(_l("Code received by SMS"), validators=[DataRequired(), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True})
    submit = SubmitField(_l("Activate my account"))


@bp.route("/worker/activate", methods=["GET", "POST"])
@public
def activate():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = ActivationForm()
    error = None
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        db = db_session()
        sms = CodeSms(db, now())
        try:
            with attempt():
                token, _row = start_activation(
                    db, social_security_number=form.social_security_number.data,
                    document_number=form.document_number.data, birth_date=form.birth_date.data,
                    email=form.email.data, ip=client_ip(), now=now(), send_code=sms)
        except UseCaseFailed as failed:
            error = failed.message
            status = 429 if failed.error.code == "activation.too_many" else 422
        else:
            deliver_after_commit(sms.message_ids)
            # The same words whether or not a code was sent: the page must not tell whose details these are.
            flash(_("If these details match our records, we have sent a code by SMS to the phone number on "
                    "record. It is valid for %(minutes)d minutes.", minutes=VALID_MINUTES), "info")
            return redirect(url_for("workers.activate_code", token=token))
    return render_template("workers/activate.html", form=form, error=error), status


@bp.route("/worker/activate/<token>", methods=["GET", "POST"])
@public
def activate_code(token: str):
    """The code page, the same for any token: an unknown one is refused only when the form is sent."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        db = db_session()
        try:
            user = complete_activation(db, token=token, code=form.code.data, password=form.new_password.data,
                                       now=now(), ip=client_ip())
        except DomainError as refused:
            # Not in ``attempt()``: the try the refusal counted (the only thing it writes) must be kept
            # although this answer is an error, which rolls back; otherwise the limit of tries does not hold.
            db.commit()
            error = message_for(refused)
        else:
            session.clear()  # nothing from before the login survives into the signed-in session
            login_user(user)
            flash(_("Your account is active. Here is your record of contributions."), "success")
            return redirect(url_for("workers.record"))
    status = 422 if form.is_submitted() else 200
    return render_template("workers/activate_code.html", form=form, error=error), status
