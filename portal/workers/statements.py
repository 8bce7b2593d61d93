"""The worker's statement of contributions: a form for the range of months, the PDF (only the signed-in
worker's own statements; another's is "not found"), and the public page where anyone checks a statement by
its code.  The verification page says whose statement it is (the social security number masked but for its
last four characters), which months it covers and when it was issued; nothing of the figures."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Regexp

from common.period import Period
from contributions.certificates import normalize_code
from contributions.worker_statements import (
    WorkerStatement,
    issue_statement,
    person_scheme,
    statements_of,
    verify_statement,
)
from employers.accounts import Role
from employers.persons import Person
from employers.registration import local_today
from portal.access import allow, public
from portal.database import db_session
from portal.forms import PortalForm
from portal.web import UseCaseFailed, attempt, current_actor, now
from portal.workers import bp

CODE_FIELD_LENGTH = 64
SHOWN_DIGITS = 4  # of the social security number on the public page
MONTH = Regexp(r"^\d{4}-\d{2}$", message=_l("Write the period as year and month, for example 2026-03."))


class StatementForm(PortalForm):
    first = StringField(_l("First month"), validators=[DataRequired(), MONTH])
    last = StringField(_l("Last month"), validators=[DataRequired(), MONTH])
    submit = SubmitField(_l("Get the statement (PDF)"))


def _person() -> Person | None:
    person_id = current_user.person_id
    return None if person_id is None else db_session().get(Person, person_id)


def _today(person: Person) -> dt.date:
    """Today where the person is insured."""
    return local_today(person_scheme(db_session(), person), now())


def default_range(today: dt.date) -> tuple[Period, Period]:
    """This year so far; in January, when this year has only its first month, the whole of last year."""
    if today.month == 1:
        return Period(today.year - 1, 1), Period(today.year - 1, 12)
    return Period(today.year, 1), Period.of(today)


def _form_page(person: Person | None, form: StatementForm, error: str | None = None, status: int = 200):
    statements = [] if person is None else statements_of(db_session(), person.id)
    return render_template("workers/statement_form.html", linked=person is not None, form=form, error=error,
                           statements=statements), status


@bp.route("/worker/statement")
@allow(Role.WORKER)
def statement():
    person = _person()
    form = StatementForm()
    if person is not None:
        first, last = default_range(_today(person))
        form.first.data, form.last.data = str(first), str(last)
    return _form_page(person, form)


@bp.route("/worker/statement", methods=["POST"])
@allow(Role.WORKER)
def issue():
    person = _person()
    if person is None:
        abort(404)
    form = StatementForm()
    if not form.validate_on_submit():
        return _form_page(person, form, status=422)
    try:
        with attempt():
            issued = issue_statement(db_session(), person.id, first=form.first.data, last=form.last.data,
                                     language=str(get_locale() or "en"), actor=current_actor(), now=now())
    except UseCaseFailed as failed:
        return _form_page(person, form, error=failed.message, status=422)
    return redirect(url_for("workers.statement_pdf", statement_id=issued.id))


def _verify_url(code: str) -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("workers.verify_statement_code", code=code)


@bp.route("/worker/statements/<int(max=2147483647):statement_id>.pdf")
@allow(Role.WORKER)
def statement_pdf(statement_id: int):
    from notifications.documents.worker_statement import worker_statement_pdf

    found = db_session().get(WorkerStatement, statement_id)
    person = _person()
    if found is None or person is None or found.person_id != person.id:
        abort(404)
    if found.pdf is None:  # rendered once, when first asked for (right after it is issued), then kept
        found.pdf = worker_statement_pdf(db_session(), found, verify_url=_verify_url(found.code),
                                         today=_today(person))
    return Response(found.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="statement-{found.code}.pdf"', "Cache-Control": "private, no-store"})


# --- Public verification ------------------------------------------------------------------------------------


def masked(number: str) -> str:
    """``1234567890`` as ``••••••7890``: enough to match it to a document the reader holds, not to learn it."""
    return "•" * max(len(number) - SHOWN_DIGITS, 0) + number[-SHOWN_DIGITS:]


def _verification(code: str | None):
    """The answer for ``code`` (None: the empty form): the statement's person, range and day of issue, or
    "unknown"."""
    found = None if code is None else verify_statement(db_session(), code)
    shown = {}
    if found is not None:
        person = db_session().get(Person, found.person_id)
        shown = {"person": person, "ssn": masked(person.social_security_number), "statement": found,
                 "issued_on": local_today(person_scheme(db_session(), person), found.issued_at)}
    typed = normalize_code(code) or (code or "")[:CODE_FIELD_LENGTH]
    response = Response(render_template("workers/statement_verify.html", asked=code is not None, code=typed,
                                        found=found is not None, **shown))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/verify/statement")
@public
def verify_statement_form():
    """The verification form for statements; with ``?code=`` it answers at once."""
    code = request.args.get("code")
    return _verification(code if code is not None and code.strip() else None)


@bp.route("/verify/statement/<code>")
@public
def verify_statement_code(code: str):
    """The address printed on a statement and in its QR code."""
    return _verification(code)
