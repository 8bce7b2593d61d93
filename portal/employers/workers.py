"""An employer's workers: the list, registering a hire, ending or correcting an employment, exports,
and bulk upload of hires and leavers with a validation report before anything is written."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from common.errors import DomainError, NotFound
from employers.import_files import write_csv, write_xlsx
from employers.imports import (
    COLUMNS,
    ImportBatch,
    claim_batch,
    import_valid_rows,
    parse_file,
    store_upload,
    validate,
)
from employers.registration import local_today
from employers.worker_rules import EMPLOYMENT_FIELDS, PERSON_FIELDS
from employers.workers import correct_employment_dates, employment_of, end_employment, register_hire, worker_query
from portal.access import EMPLOYER, allow
from portal.database import db_session
from portal.employers import bp
from portal.employers.choices import show_problems
from portal.employers.columns import CODES, example_rows, header_aliases, titles
from portal.employers.worker_forms import CorrectDatesForm, EndForm, HireForm, UploadForm
from portal.messages import message_for
from portal.web import UseCaseFailed, attempt, current_actor, download, now

PAGE_SIZE = 50
MAX_REPORTED_PROBLEMS = 500


def _employer():
    return current_user.employer


@bp.route("/employer/workers")
@allow(EMPLOYER)
def workers():
    employer = _employer()
    search = (request.args.get("q") or "").strip()[:100]
    show_all = request.args.get("show") == "all"
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    query = worker_query(employer.id, search=search,
                         current_on=None if show_all else local_today(employer.scheme, now()))
    db = db_session()
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("employers/workers.html", rows=rows, total=total, page=page, pages=pages, q=search,
                           show_all=show_all, employer=employer)


@bp.route("/employer/workers/new", methods=["GET", "POST"])
@allow(EMPLOYER)
def hire():
    employer = _employer()
    form = HireForm()
    if not form.is_submitted():
        form.document_country.data = form.nationality.data = employer.scheme.country
        form.hired_on.data = local_today(employer.scheme, now())
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                result = register_hire(
                    db_session(), employer, person={f: getattr(form, f).data for f in PERSON_FIELDS},
                    employment={f: getattr(form, f).data for f in EMPLOYMENT_FIELDS}, actor=current_actor(),
                    now=now())
        except UseCaseFailed as failed:
            error = show_problems(form, failed.error)
        else:
            if result.existing_person:
                flash(_("This person was already registered (social security number %(ssn)s): the employment is "
                        "linked to the existing record.", ssn=result.person.social_security_number), "info")
            if result.possible_duplicates:
                flash(_("A person with the same names and date of birth but another document is already "
                        "registered. Our staff will check whether it is the same person."), "info")
            flash(_("%(name)s is registered with social security number %(ssn)s.", name=result.person.full_name,
                    ssn=result.person.social_security_number), "success")
            return redirect(url_for("employers.worker", employment_id=result.employment.id))
    status = 200 if error is None and not form.errors else 422
    return render_template("employers/hire.html", form=form, error=error), status


def _employment(employment_id: int):
    try:
        return employment_of(db_session(), _employer().id, employment_id)
    except NotFound:
        abort(404)


@bp.route("/employer/workers/<int(max=2147483647):employment_id>")
@allow(EMPLOYER)
def worker(employment_id: int):
    job = _employment(employment_id)
    correct = CorrectDatesForm(data={"hired_on": job.hired_on, "ended_on": job.ended_on,
                                     "end_reason": job.end_reason or ""})
    return render_template("employers/worker.html", job=job, end_form=EndForm(), correct_form=correct)


@bp.route("/employer/workers/<int(max=2147483647):employment_id>/<action>", methods=["POST"])
@allow(EMPLOYER)
def change_employment(employment_id: int, action: str):
    job = _employment(employment_id)
    form = EndForm() if action == "end" else CorrectDatesForm() if action == "correct" else abort(404)
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                if action == "end":
                    end_employment(db_session(), _employer(), job.id, ended_on=form.ended_on.data,
                                   reason=form.end_reason.data, actor=current_actor(), now=now())
                else:
                    correct_employment_dates(db_session(), _employer(), job.id, hired_on=form.hired_on.data,
                                             ended_on=form.ended_on.data, end_reason=form.end_reason.data or None,
                                             actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = show_problems(form, failed.error)
        else:
            flash(_("The employment is updated."), "success")
            return redirect(url_for("employers.worker", employment_id=job.id))
    forms = {"end_form": form if action == "end" else EndForm(formdata=None),
             "correct_form": form if action == "correct" else CorrectDatesForm(formdata=None)}
    return render_template("employers/worker.html", job=job, error=error, **forms), 422


@bp.route("/employer/workers/export.<fmt>")
@allow(EMPLOYER)
def export_workers(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    employer = _employer()
    header = [_("Social security number"), _("Family name"), _("Given name"), _("Family name in Latin script"),
              _("Given name in Latin script"), _("Date of birth"), _("Hire date"), _("Last day of work"),
              _("Job title"), _("Agreed monthly wage")]
    rows = [[job.person.social_security_number, job.person.family_name, job.person.given_name,
             job.person.family_name_latin, job.person.given_name_latin, job.person.birth_date.isoformat(),
             job.hired_on.isoformat(), job.ended_on.isoformat() if job.ended_on else "", job.job_title,
             str(job.monthly_wage)]
            for job in db_session().scalars(worker_query(employer.id, search=request.args.get("q") or ""))]
    name = f"workers-{employer.employer_number}.{fmt}"
    if fmt == "csv":
        return download(write_csv(header, rows), name, fmt)
    return download(write_xlsx([(_("Workers"), header, rows)]), name, fmt)


@bp.route("/employer/workers/template.<fmt>")
@allow(EMPLOYER)
def worker_template(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    examples = example_rows(_employer().scheme.country)
    if fmt == "csv":
        return download(write_csv(titles(), examples), "workers-template.csv", fmt)
    codes = [[column, code] for column, values in CODES.items() for code in values]
    return download(write_xlsx([(_("Workers"), titles(), examples), (_("Codes"), [_("Column"), _("Code")], codes)]),
                     "workers-template.xlsx", fmt)


@bp.route("/employer/workers/import", methods=["GET", "POST"])
@allow(EMPLOYER)
def upload_workers():
    employer = _employer()
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(current_app.config["MAX_IMPORT_BYTES"] + 1)
        db = db_session()
        try:
            with attempt():
                if len(data) > current_app.config["MAX_IMPORT_BYTES"]:
                    raise DomainError("import.too_large", megabytes=current_app.config["MAX_IMPORT_BYTES"] // 2**20)
                rows = parse_file(upload.filename or "upload", data, header_aliases(),
                                  max_rows=current_app.config["MAX_IMPORT_ROWS"])
                report = validate(db, employer, rows, now=now())
                batch = store_upload(db, employer, upload.filename or "upload", data, report, actor=current_actor(),
                                     now=now())
        except UseCaseFailed as failed:
            error = failed.message
        else:
            return render_template("employers/import_report.html", report=report, batch=batch,
                                   problems=_problems(report), limit=MAX_REPORTED_PROBLEMS)
    return render_template("employers/upload.html", form=form, error=error), 200 if error is None else 422


def _problems(report) -> list[tuple[int, str, str]]:
    column_titles = dict(zip(COLUMNS, titles(), strict=True))
    out = []
    for row in report.invalid:
        for column, code, params in row.problems:
            out.append((row.row, column_titles.get(column, column), message_for(DomainError(code, **params))))
            if len(out) >= MAX_REPORTED_PROBLEMS:
                return out
    return out


@bp.route("/employer/workers/import/<int(max=2147483647):batch_id>/<decision>", methods=["POST"])
@allow(EMPLOYER)
def decide_upload(batch_id: int, decision: str):
    employer = _employer()
    db = db_session()
    batch = db.get(ImportBatch, batch_id)
    if batch is None or batch.employer_id != employer.id or decision not in ("import", "discard"):
        abort(404)
    try:
        with attempt():
            if not claim_batch(db, employer.id, batch.id, decision, now=now()):
                raise DomainError("import.already_decided")
            if decision == "discard":
                flash(_("Nothing was imported."), "info")
                return redirect(url_for("employers.workers"))
            db.refresh(batch)
            # Checked again: the register may have changed since the report was shown.
            rows = parse_file(batch.filename, batch.content, header_aliases(),
                              max_rows=current_app.config["MAX_IMPORT_ROWS"])
            counts = import_valid_rows(db, employer, validate(db, employer, rows, now=now()), actor=current_actor(),
                                       now=now(), batch=batch)
    except UseCaseFailed as failed:
        flash(failed.message, "error")
        return redirect(url_for("employers.workers"))
    flash(_("Imported: %(hires)d hires and %(leavers)d leavers; %(skipped)d rows were left out.",
            hires=counts["hires"], leavers=counts["leavers"], skipped=counts["invalid"] + counts["already"]),
          "success")
    return redirect(url_for("employers.workers"))
