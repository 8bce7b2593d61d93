"""An employer's whole picture for inspectors (its "360"), and inspection cases: open one, work it through
its own page (notes and visit findings, files, an assessment, reassignment by a supervisor, closing), and
the inspector's list of cases.

Every page is 404 for an employer outside the provinces the inspector is limited to, and 403 for anyone
but inspectors and supervisors: employers never see scores, cases or what workers reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import defer

from common.audit import AuditEvent
from common.errors import DomainError, NotFound
from common.period import Period
from contributions.account import account_periods, payments_of
from contributions.arrears import aging, arrears_lines
from contributions.declarations import Declaration
from contributions.drafts import LinesInvalid
from employers.accounts import Role, User
from employers.employers import Employer, profile_history
from employers.persons import Person
from employers.registration import local_today
from employers.workers import worker_query
from inspections.areas import in_provinces, may_see
from inspections.cases import (
    CASE_ROLES,
    MAX_ATTACHMENT,
    AssessedLine,
    CaseAttachment,
    InspectionCase,
    add_note,
    attach_file,
    attachment_of,
    cases_of_employer,
    close_case,
    events_of,
    open_case,
    reassign,
    record_assessment,
)
from inspections.reports import reports_of_employer
from inspections.risk import risk_of
from inspections.scoring import UNITS
from portal.access import allow
from portal.database import db_session
from portal.declarations.columns import TITLES
from portal.i18n import money, period_label
from portal.inspections import INSPECTORS, bp, user_provinces, visible_employer
from portal.inspections.forms import AssessmentForm, AttachForm, CloseForm, NewCaseForm, NoteForm, ReassignForm
from portal.inspections.labels import (
    BAND_LABELS,
    CASE_STATUS_LABELS,
    FACTOR_LABELS,
    N_,
    OUTCOME_LABELS,
    REASON_LABELS,
)
from portal.mail import deliver_after_commit
from portal.messages import message_for
from portal.notices import outbox_ids, portal_link
from portal.web import UseCaseFailed, attempt, current_actor, now

SHOWN = 50  # rows of each section of the 360
MONTHS_SHOWN = 24
PAGE_SIZE = 50
DUE_IN_DAYS = 30
MAX_FILE_READ = MAX_ATTACHMENT + 1  # one byte more than allowed: enough for the use case to refuse it
REPORT_KIND_LABELS = {"not_declared": N_("Month not declared"), "wrong_wage": N_("Wage declared wrong")}
REPORT_STATUS_LABELS = {"open": N_("Open"), "in_case": N_("Taken into a case"), "dismissed": N_("Dismissed"),
                        "resolved": N_("Resolved")}
LABELS = {"reason_labels": REASON_LABELS, "status_labels": CASE_STATUS_LABELS, "outcome_labels": OUTCOME_LABELS,
          "band_labels": BAND_LABELS, "factor_labels": FACTOR_LABELS, "report_kinds": REPORT_KIND_LABELS,
          "report_statuses": REPORT_STATUS_LABELS}


def _case(case_id: int) -> InspectionCase:
    """The case, if the signed-in user may see its employer; else 404."""
    db = db_session()
    found = db.get(InspectionCase, case_id)
    if found is None or not may_see(db, current_user, found.employer):
        abort(404)
    return found


def _assignees(employer: Employer) -> list[tuple[int, str]]:
    """Who may take a case of ``employer``: active inspectors whose provinces hold it, and supervisors."""
    db = db_session()
    return [(user.id, f"{user.full_name} ({user.email})") for user in db.scalars(
        select(User).where(User.role.in_(CASE_ROLES), User.is_active.is_(True)).order_by(User.full_name, User.id))
        if may_see(db, user, employer)]


def _persons(person_ids: set[int]) -> dict[int, Person]:
    if not person_ids:
        return {}
    return {person.id: person for person in db_session().scalars(select(Person).where(Person.id.in_(person_ids)))}


# --- The employer's 360 -------------------------------------------------------------------------------------


def _factors(risk) -> list[dict]:
    """Each factor of the score as the page shows it: measured value in its unit, points, weight, full at."""
    rows = []
    for part in risk.factors if risk is not None else []:
        unit = UNITS.get(part["factor"], "points")
        value, full = Decimal(part["value"]), Decimal(part["full"])
        rows.append({"factor": part["factor"], "unit": unit, "points": Decimal(part["points"]),
                     "weight": Decimal(part["weight"]),
                     "value": value if unit == "share" else format_decimal(value, format="#,##0.##"),
                     "full": full if unit == "share" else format_decimal(full, format="#,##0.##")})
    return rows


def _audit(employer_id: int) -> list[AuditEvent]:
    """The latest audit records of the employer, its declarations and its cases."""
    declarations = select(cast(Declaration.id, String)).where(Declaration.employer_id == employer_id)
    cases = select(cast(InspectionCase.id, String)).where(InspectionCase.employer_id == employer_id)
    return list(db_session().scalars(select(AuditEvent).where(or_(
        and_(AuditEvent.object_type == "employer", AuditEvent.object_id == str(employer_id)),
        and_(AuditEvent.object_type == "declaration", AuditEvent.object_id.in_(declarations)),
        and_(AuditEvent.object_type == "inspection_case", AuditEvent.object_id.in_(cases)),
    )).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(SHOWN)))


@bp.route("/inspections/employers/<int(max=2147483647):employer_id>")
@allow(*INSPECTORS)
def employer(employer_id: int):
    employer = visible_employer(employer_id)
    db = db_session()
    today = local_today(employer.scheme, now())
    since = str(Period.of(today).shift(-MONTHS_SHOWN))
    risk = risk_of(db, employer.id)
    cases = cases_of_employer(db, employer.id)
    reports = reports_of_employer(db, employer.id)[:SHOWN]
    overdue = arrears_lines(db, as_of=today, employer_id=employer.id)
    declarations = db.scalars(select(Declaration).where(Declaration.employer_id == employer.id,
                                                        Declaration.period >= since)
                              .order_by(Declaration.period.desc(), Declaration.id.desc()).limit(SHOWN)).all()
    return render_template(
        "inspections/employer.html", employer=employer, today=today, since=since, shown=SHOWN,
        history=profile_history(db, employer.id)[:SHOWN], risk=risk, factors=_factors(risk),
        jobs=db.scalars(worker_query(employer.id).limit(SHOWN)).all(), declarations=declarations,
        periods=[row for row in account_periods(db, employer.id) if row.period >= since][:SHOWN],
        overdue=overdue[:SHOWN], aging=aging(overdue), payments=payments_of(db, employer.id, limit=SHOWN),
        cases=cases[:SHOWN], open_case=next((c for c in cases if c.status != "closed"), None),
        reports=reports, persons=_persons({r.person_id for r in reports}), audit=_audit(employer.id), **LABELS)


# --- Opening a case -----------------------------------------------------------------------------------------


@bp.route("/inspections/employers/<int(max=2147483647):employer_id>/cases/new", methods=["GET", "POST"])
@allow(*INSPECTORS)
def new_case(employer_id: int):
    employer = visible_employer(employer_id)
    db = db_session()
    open_reports = [r for r in reports_of_employer(db, employer.id) if r.status == "open"]
    form = NewCaseForm()
    form.assignee.choices = _assignees(employer)
    form.reports.choices = [(r.id, r.period) for r in open_reports]
    if not form.is_submitted():
        form.assignee.data = current_user.id
        form.due_on.data = local_today(employer.scheme, now()) + dt.timedelta(days=DUE_IN_DAYS)
    error = None
    if form.validate_on_submit():
        risk = risk_of(db, employer.id)
        try:
            with attempt():
                opened = open_case(db, employer, reason=form.reason.data, note=form.note.data or "",
                                   assignee_id=form.assignee.data, due_on=form.due_on.data,
                                   report_ids=form.reports.data or [], risk_score=risk.score if risk else None,
                                   actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = failed.message
        else:
            flash(_("Case %(number)s is opened.", number=opened.number), "success")
            return redirect(url_for("inspections.case", case_id=opened.id))
    return render_template("inspections/case_new.html", employer=employer, form=form, error=error,
                           reports=open_reports, persons=_persons({r.person_id for r in open_reports}),
                           **LABELS), 200 if error is None and not form.errors else 422


# --- A case -------------------------------------------------------------------------------------------------


def _reassign_form(target: InspectionCase, formdata=None) -> ReassignForm:
    form = ReassignForm(prefix="reassign", formdata=formdata, assignee=target.assigned_to_id)
    form.assignee.choices = _assignees(target.employer)
    return form


def _show(target: InspectionCase, *, forms: dict | None = None, error: str | None = None,
          problems: list | None = None, status: int = 200):
    """The case page; ``forms`` holds the form just posted (with what was typed and its errors)."""
    db = db_session()
    forms = forms or {}
    files = {a.id: a for a in db.scalars(select(CaseAttachment).options(defer(CaseAttachment.content))
                                        .where(CaseAttachment.case_id == target.id))}
    supervisor = current_user.role == Role.SUPERVISOR
    return render_template(
        "inspections/case.html", case=target, employer=target.employer, events=events_of(db, target.id),
        files=files, error=error, problems=problems or [], supervisor=supervisor,
        today=local_today(target.employer.scheme, now()),
        note_form=forms.get("note") or NoteForm(prefix="note", formdata=None),
        attach_form=forms.get("attach") or AttachForm(prefix="attach", formdata=None),
        assess_form=forms.get("assess") or AssessmentForm(prefix="assess", formdata=None),
        reassign_form=forms.get("reassign") or (_reassign_form(target) if supervisor else None),
        close_form=forms.get("close") or CloseForm(prefix="close", formdata=None), **LABELS), status


def _act(target: InspectionCase, prefix: str, form, work: Callable, explain: Callable | None = None):
    """Run one of the case's actions from its form: back to the case with a message, or the page again
    (422) with the form as typed and what is wrong."""
    if not form.validate_on_submit():
        return _show(target, forms={prefix: form}, status=422)
    try:
        with attempt():
            message = work(target, form)
    except UseCaseFailed as failed:
        problems = explain(failed.error) if explain is not None else None
        return _show(target, forms={prefix: form}, error=failed.message, problems=problems, status=422)
    flash(message, "success")
    return redirect(url_for("inspections.case", case_id=target.id))


@bp.route("/inspections/cases/<int(max=2147483647):case_id>")
@allow(*INSPECTORS)
def case(case_id: int):
    return _show(_case(case_id))


@bp.route("/inspections/cases/<int(max=2147483647):case_id>/notes", methods=["POST"])
@allow(*INSPECTORS)
def case_note(case_id: int):
    def work(target: InspectionCase, form: NoteForm) -> str:
        add_note(db_session(), target, form.body.data, kind=form.kind.data, actor=current_actor(), now=now())
        return _("The visit finding is added.") if form.kind.data == "visit" else _("The note is added.")

    return _act(_case(case_id), "note", NoteForm(prefix="note"), work)


@bp.route("/inspections/cases/<int(max=2147483647):case_id>/files", methods=["POST"])
@allow(*INSPECTORS)
def case_attach(case_id: int):
    def work(target: InspectionCase, form: AttachForm) -> str:
        upload = form.file.data
        content = upload.read(MAX_FILE_READ)
        attached = attach_file(db_session(), target, upload.filename or "", content, actor=current_actor(),
                               now=now())
        return _("%(name)s is attached.", name=attached.filename)

    return _act(_case(case_id), "attach", AttachForm(prefix="attach"), work)


def _line_problems(rows: list[int]) -> Callable[[DomainError], list[tuple[int, str, str]]]:
    """(form row, field, message) of each problem of an assessment's lines; ``rows`` maps the lines sent to
    the use case (the rows not left empty) back to the form's rows."""

    def explain(error: DomainError) -> list[tuple[int, str, str]]:
        if not isinstance(error, LinesInvalid):
            return []
        return [(rows[line.row - 1] if 0 < line.row <= len(rows) else line.row,
                 _(TITLES[field]) if field in TITLES else field, message_for(DomainError(code, **params)))
                for line in error.lines for field, code, params in line.problems]

    return explain


@bp.route("/inspections/cases/<int(max=2147483647):case_id>/assessments", methods=["POST"])
@allow(*INSPECTORS)
def case_assess(case_id: int):
    try:
        form = AssessmentForm(prefix="assess")
    except ValueError:  # a row index that is not a number WTForms can read ("rows-²-..."): not from our form
        abort(400)
    filled = [(number, row.social_security_number.data or "", row.gross_wage.data or "")
              for number, row in enumerate(form.rows, start=1)
              if (row.social_security_number.data or "").strip() or (row.gross_wage.data or "").strip()]

    def work(target: InspectionCase, form: AssessmentForm) -> str:
        db = db_session()
        done = record_assessment(db, target, Period.parse(form.period.data),
                                 [AssessedLine(number.strip(), wage.strip()) for _row, number, wage in filled],
                                 note=form.note.data, actor=current_actor(), now=now(),
                                 link=portal_link("/employer/account/"))
        deliver_after_commit(outbox_ids(db, [done.notice]))
        return _("The assessment for %(period)s is filed as a corrective declaration: %(amount)s charged.",
                 period=period_label(done.period), amount=money(done.charged, target.employer.scheme.currency))

    return _act(_case(case_id), "assess", form, work, _line_problems([row for row, _n, _w in filled]))


@bp.route("/inspections/cases/<int(max=2147483647):case_id>/assignee", methods=["POST"])
@allow(Role.SUPERVISOR)
def case_reassign(case_id: int):
    def work(target: InspectionCase, form: ReassignForm) -> str:
        reassign(db_session(), target, form.assignee.data, actor=current_actor(), now=now())
        return _("The case is assigned to %(name)s.", name=target.assigned_to.full_name)

    target = _case(case_id)
    return _act(target, "reassign", _reassign_form(target, formdata=request.form), work)


@bp.route("/inspections/cases/<int(max=2147483647):case_id>/close", methods=["POST"])
@allow(*INSPECTORS)
def case_close(case_id: int):
    def work(target: InspectionCase, form: CloseForm) -> str:
        close_case(db_session(), target, form.outcome.data, form.note.data, actor=current_actor(), now=now())
        return _("Case %(number)s is closed.", number=target.number)

    return _act(_case(case_id), "close", CloseForm(prefix="close"), work)


@bp.route("/inspections/cases/<int(max=2147483647):case_id>/files/<int(max=2147483647):attachment_id>")
@allow(*INSPECTORS)
def case_file(case_id: int, attachment_id: int):
    try:
        attachment = attachment_of(db_session(), _case(case_id), attachment_id)
    except NotFound:
        abort(404)
    response = send_file(BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- The list of cases --------------------------------------------------------------------------------------


@bp.route("/inspections/cases")
@allow(*INSPECTORS)
def my_cases():
    """The user's open cases, soonest due first; with ``all=1`` every case of the user's area, open first."""
    everyone = request.args.get("all") == "1"
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    query = select(InspectionCase)
    provinces = user_provinces()
    if provinces is not None:  # a case assigned before the inspector's provinces changed stays out of sight too
        query = query.where(InspectionCase.employer_id.in_(select(Employer.id).where(in_provinces(provinces))))
    if not everyone:
        query = query.where(InspectionCase.assigned_to_id == current_user.id, InspectionCase.status != "closed")
    db = db_session()
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    rows = db.scalars(query.order_by(sql_case((InspectionCase.status == "closed", 1), else_=0), InspectionCase.due_on,
                                     InspectionCase.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    overdue = {row.id for row in rows
               if row.status != "closed" and row.due_on < local_today(row.employer.scheme, now())}
    return render_template("inspections/cases.html", rows=rows, overdue=overdue, everyone=everyone, total=total,
                           page=page, pages=pages, **LABELS)
