"""The worker's pages.  Only the signed-in worker's own person is ever read: a month of another person, or of
an employer they did not work for, is "not found" (404), never "forbidden", so the pages do not tell which
employers and months exist.  The figures and the rules are the domain's (``contributions.worker_record``,
``inspections.reports``); these pages show them and collect the report."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from common.errors import DomainError, NotFound
from common.period import Period
from common.schemes import Scheme
from contributions.rules.worker_record import DECLARED, GAPS
from contributions.worker_record import RecordMonth, record_month, worker_record
from employers.accounts import Role
from employers.employers import Employer
from employers.persons import Person
from employers.registration import local_today
from inspections.reports import report_problem, reports_of_person
from portal.access import allow
from portal.database import db_session
from portal.web import UseCaseFailed, attempt, current_actor, now
from portal.workers import bp
from portal.workers.forms import KIND_LABELS, ReportForm

STATUS_LABELS = {
    "paid": _l("Declared and paid"),
    "partly_paid": _l("Declared, partly paid"),
    "unpaid": _l("Declared, unpaid"),
    "not_declared": _l("Employed but not declared"),
    "estimated": _l("Estimated by assessment"),
    "not_due": _l("Not due yet"),
}
# The badge of each status (classes of portal.css): green when all is well, red when nothing reached the
# fund, yellow in between.
STATUS_BADGES = {"paid": "in-force", "partly_paid": "likely", "unpaid": "overdue", "not_declared": "overdue",
                 "estimated": "likely", "not_due": ""}
REPORT_STATUS_LABELS = {
    "open": _l("Sent"),
    "in_case": _l("Taken up by an inspector"),
    "dismissed": _l("Not borne out"),
    "resolved": _l("Resolved"),
}
# Where a refusal of the domain is shown; others go to the top of the page.
FIELD_OF_CODE = {"report.kind_invalid": "kind", "report.month_declared": "kind", "report.wage_invalid": "claimed_wage",
                 "field.too_long": "note"}


# The months a worker may report: one missing, or one declared (its wage may be wrong).
REPORTABLE = ("not_declared", *DECLARED)


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES, "gap_statuses": GAPS,
            "reportable": REPORTABLE}


def _today(person_id: int) -> dt.date:
    """Today where the worker is insured: a month's contributions fall due at midnight there."""
    db = db_session()
    scheme = db.scalar(select(Scheme).join(Person, Person.country == Scheme.country)
                       .where(Person.id == person_id).order_by(Scheme.code).limit(1))
    return local_today(scheme, now()) if scheme is not None else now().date()


def _month(person_id: int, employer_id: int, period: str, today: dt.date) -> RecordMonth:
    """The person's own month with this employer, or 404 (also for a period not written ``YYYY-MM``)."""
    try:
        written_well = str(Period.parse(period)) == period
    except DomainError:
        written_well = False
    month = record_month(db_session(), person_id, employer_id, period, today=today) if written_well else None
    if month is None:
        abort(404)
    return month


@bp.route("/worker/record")
@allow(Role.WORKER)
def record():
    person_id = current_user.person_id
    found = None if person_id is None else worker_record(db_session(), person_id, today=_today(person_id))
    return render_template("workers/record.html", record=found, **_labels())


@bp.route("/worker/record/<int(max=2147483647):employer_id>/<period>/report", methods=["GET", "POST"])
@allow(Role.WORKER)
def report(employer_id: int, period: str):
    person_id = current_user.person_id
    if person_id is None:
        abort(404)
    today = _today(person_id)
    month = _month(person_id, employer_id, period, today)
    form = ReportForm()
    if not form.is_submitted():
        form.kind.data = "not_declared" if month.status == "not_declared" else "wrong_wage"
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                report_problem(db_session(), person_id, employer_id, period, form.kind.data,
                               claimed_wage=form.claimed_wage.data or None, note=form.note.data or "",
                               actor=current_actor(), now=now(), today=today)
        except UseCaseFailed as failed:
            if isinstance(failed.error, NotFound):
                abort(404)
            error = _place(form, failed)
        else:
            flash(_("Your report is sent. An inspector will look at it; your employer is not told who reported."),
                  "success")
            return redirect(url_for("workers.reports"))
    status = 422 if form.is_submitted() else 200
    return render_template("workers/report.html", month=month, form=form, error=error, **_labels()), status


def _place(form: ReportForm, failed: UseCaseFailed) -> str | None:
    """The message under its field; returned for the top of the page when no field fits."""
    name = FIELD_OF_CODE.get(failed.error.code)
    if name is None:
        return failed.message
    form[name].errors = [*form[name].errors, failed.message]
    return None


@bp.route("/worker/reports")
@allow(Role.WORKER)
def reports():
    person_id = current_user.person_id
    db = db_session()
    sent = [] if person_id is None else reports_of_person(db, person_id)
    employers = {e.id: e for e in db.scalars(select(Employer).where(
        Employer.id.in_({r.employer_id for r in sent})))} if sent else {}
    return render_template("workers/reports.html", linked=person_id is not None, reports=sent, employers=employers,
                           kind_labels=KIND_LABELS, report_status_labels=REPORT_STATUS_LABELS)
