"""Employer pages for monthly declarations.

Every page is scoped to the signed-in user's employer: another employer's declaration is "not found".
Writes go through the use cases in ``contributions`` (one savepoint each); this module only reads forms,
maps problems to translated messages and redirects.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from common.errors import DomainError, NotFound
from common.period import Period
from contributions.declaration_files import read_declaration_file
from contributions.declarations import Declaration, DeclarationLine, declaration_of, draft_of, versions_of
from contributions.drafts import (
    LineChange,
    LinesInvalid,
    add_worker,
    check_period,
    discard_draft,
    open_draft,
    period_rules,
    replace_lines,
    update_lines,
)
from contributions.filing import amount_charged_by, file_nil, rf_of, submit_declaration
from contributions.periods import assessments_with_receipts, period_overview
from contributions.rules.calculation import split_total
from contributions.rules.declaration_lines import ABSENCE_REASONS
from contributions.rules.references import format_numeric, format_rf
from employers.import_files import write_csv, write_xlsx
from employers.registration import ApplicationInvalid, local_today
from portal.access import EMPLOYER, allow
from portal.database import db_session
from portal.declarations import bp
from portal.declarations.columns import TITLES, header_aliases, titles
from portal.declarations.forms import AddWorkerForm, DraftForm, NilForm, PlainForm, SubmitForm, UploadForm
from portal.employers.worker_forms import END_REASONS
from portal.mail import deliver_after_commit
from portal.messages import message_for
from portal.notices import declaration_filed, outbox_ids
from portal.web import UseCaseFailed, attempt, current_actor, download, now

PAGE_SIZE = 100
MAX_REPORTED_PROBLEMS = 500


def _employer():
    return current_user.employer


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except DomainError:
        abort(404)


def _declaration(declaration_id: int) -> Declaration:
    try:
        return declaration_of(db_session(), _employer().id, declaration_id)
    except NotFound:
        abort(404)


def _message(code: str, params: dict) -> str:
    return message_for(DomainError(code, **params))


def _receipt(filed) -> None:
    """The receipt notice of a declaration just filed, in the same transaction; sent once it commits."""
    if filed.created:
        notice = declaration_filed(db_session(), _employer(), filed.declaration, actor=current_actor(), now=now())
        deliver_after_commit(outbox_ids(db_session(), [notice]))


@bp.route("/")
@allow(EMPLOYER)
def periods():
    employer = _employer()
    rows = period_overview(db_session(), employer, now=now())
    return render_template("declarations/periods.html", rows=rows, employer=employer)


@bp.route("/period/<period>")
@allow(EMPLOYER)
def period(period: str):
    employer = _employer()
    value = _period(period)
    db = db_session()
    try:
        check_period(employer, value, local_today(employer.scheme, now()))
    except DomainError:
        abort(404)
    versions = versions_of(db, employer.id, value)
    draft = draft_of(db, employer.id, value)
    due = period_rules(db, employer, value).due_date
    assessment, receipt = next(iter(assessments_with_receipts(db, employer.id, value)), (None, None))
    return render_template("declarations/period.html", period=value, versions=versions, draft=draft, due=due,
                           employer=employer, open_form=PlainForm(), nil_form=NilForm(),
                           charged={v.id: amount_charged_by(db, v.id) for v in versions},
                           assessment=assessment, receipt=receipt)


@bp.route("/period/<period>/draft", methods=["POST"])
@allow(EMPLOYER)
def start(period: str):
    value = _period(period)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        with attempt():
            draft = open_draft(db_session(), _employer(), value, actor=current_actor(), now=now())
    except UseCaseFailed as failed:
        flash(failed.message, "error")
        return redirect(url_for("declarations.periods"))
    return redirect(url_for("declarations.declaration", declaration_id=draft.id))


@bp.route("/period/<period>/nil", methods=["POST"])
@allow(EMPLOYER)
def nil(period: str):
    value = _period(period)
    form = NilForm()
    if form.validate_on_submit():
        try:
            with attempt():
                filed = file_nil(db_session(), _employer(), value, form.reason.data, actor=current_actor(),
                                 now=now(), user_id=current_user.id)
                _receipt(filed)
        except UseCaseFailed as failed:
            flash(failed.message, "error")
        else:
            flash(_("The nil declaration for %(period)s is filed. Receipt number: %(receipt)s.", period=str(value),
                    receipt=filed.declaration.receipt_number), "success")
            return redirect(url_for("declarations.declaration", declaration_id=filed.declaration.id))
    else:
        flash(_("Write why no wages were paid in this period."), "error")
    return redirect(url_for("declarations.period", period=str(value)))


def _lines_page(declaration: Declaration, page: int) -> tuple[list[DeclarationLine], int, int]:
    db = db_session()
    total = db.scalar(select(func.count()).select_from(DeclarationLine)
                      .where(DeclarationLine.declaration_id == declaration.id)) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    lines = db.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == declaration.id)
                       .order_by(DeclarationLine.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(lines), page, pages


def _page_arg() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)


@bp.route("/<int(max=2147483647):declaration_id>", methods=["GET", "POST"])
@allow(EMPLOYER)
def declaration(declaration_id: int):
    record = _declaration(declaration_id)
    if record.status != "draft":
        if request.method == "POST":
            abort(405)
        return _show_filed(record)
    form = DraftForm()
    errors: dict[int, list[str]] = {}
    values: dict[int, dict] = {}
    page = _page_arg()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        changes, values = _changes_from_form()
        try:
            with attempt():
                update_lines(db_session(), _employer(), record.id, changes, revision=_revision(form.revision.data),
                             actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            if isinstance(failed.error, LinesInvalid):
                errors = {changes_kept.line_id: [_message(code, params) for _, code, params in line.problems]
                          for changes_kept, line in zip([c for c in changes if not c.remove], failed.error.lines,
                                                        strict=True) if line.problems}
                flash(failed.message, "error")
            else:
                flash(failed.message, "error")
                return redirect(url_for("declarations.declaration", declaration_id=record.id, page=page))
        else:
            flash(_("The declaration draft is saved."), "success")
            return redirect(url_for("declarations.declaration", declaration_id=record.id, page=page))
    return _show_draft(record, page, errors=errors, values=values), 422 if errors else 200


def _int(text: object) -> int | None:
    try:
        return int(str(text)[:12])
    except ValueError:
        return None


def _revision(text: object) -> int:
    """The draft revision a form was made from; a form without a readable one is refused, never unchecked."""
    value = _int(text)
    if value is None:
        abort(400)
    return value


def _changes_from_form() -> tuple[list[LineChange], dict[int, dict]]:
    form = request.form
    changes, values = [], {}
    for raw in form.getlist("line")[:PAGE_SIZE]:
        line_id = _int(raw)
        if line_id is None:
            abort(400)
        value = {"gross_wage": form.get(f"wage-{line_id}", "")[:40], "days_worked": form.get(f"days-{line_id}", "")[:5],
                 "absence_reason": form.get(f"absence-{line_id}", "")[:20],
                 "left_on": form.get(f"left-{line_id}", "")[:10], "end_reason": form.get(f"end-{line_id}", "")[:20],
                 "remove": form.get(f"remove-{line_id}") == "1"}
        values[line_id] = value
        changes.append(LineChange(line_id, value["gross_wage"], value["days_worked"], value["absence_reason"],
                                  value["remove"], value["left_on"] or None, value["end_reason"] or None))
    return changes, values


def _show_draft(record: Declaration, page: int, *, errors: dict | None = None, values: dict | None = None,
                submit_form: SubmitForm | None = None, upload_form: UploadForm | None = None,
                add_form: AddWorkerForm | None = None) -> str:
    employer = _employer()
    db = db_session()
    lines, page, pages = _lines_page(record, page)
    rules = period_rules(db, employer, record.period_value)
    submit_form = submit_form or SubmitForm(formdata=None, revision=record.revision)
    add_form = add_form or AddWorkerForm(formdata=None, revision=record.revision)
    floor_count = db.scalar(select(func.count()).select_from(DeclarationLine).where(
        DeclarationLine.declaration_id == record.id, DeclarationLine.floor_applied)) or 0
    return render_template("declarations/draft.html", declaration=record, lines=lines, page=page, pages=pages,
                           errors=errors or {}, values=values or {}, form=DraftForm(formdata=None,
                                                                                    revision=record.revision),
                           submit_form=submit_form, add_form=add_form, discard_form=PlainForm(),
                           employer=employer, rules=rules, floor_count=floor_count,
                           absence_reasons=ABSENCE_REASONS, end_reasons=END_REASONS,
                           previous=db.get(Declaration, record.previous_id) if record.previous_id else None)


def _show_filed(record: Declaration) -> str:
    db = db_session()
    lines, page, pages = _lines_page(record, _page_arg())
    setting = period_rules(db, _employer(), record.period_value)
    shares = setting.rules.branch_shares()
    # Shares are versions of their own: while they do not add up to one (being entered), no split is shown.
    branches = split_total(record.total, shares, setting.places) if sum(shares.values()) == 1 else {}
    return render_template("declarations/filed.html", declaration=record, lines=lines, page=page, pages=pages,
                           branches=branches,
                           versions=versions_of(db, record.employer_id, record.period_value),
                           charged=amount_charged_by(db, record.id), employer=_employer(),
                           numeric=format_numeric(record.payment_reference), rf=format_rf(rf_of(record)))


@bp.route("/<int(max=2147483647):declaration_id>/add", methods=["POST"])
@allow(EMPLOYER)
def add(declaration_id: int):
    record = _declaration(declaration_id)
    form = AddWorkerForm()
    if form.validate_on_submit():
        try:
            with attempt():
                line = add_worker(db_session(), _employer(), record.id, form.social_security_number.data,
                                  revision=_revision(form.revision.data), actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            if isinstance(failed.error, ApplicationInvalid):
                form.social_security_number.errors = [_message(code, {}) for _, code in failed.error.problems]
            else:
                flash(failed.message, "error")
                return redirect(url_for("declarations.declaration", declaration_id=record.id))
        else:
            flash(_("%(name)s is added to the declaration.", name=line.person.full_name), "success")
            return redirect(url_for("declarations.declaration", declaration_id=record.id, page=100_000))
    return _show_draft(record, 1, add_form=form), 422


@bp.route("/<int(max=2147483647):declaration_id>/submit", methods=["POST"])
@allow(EMPLOYER)
def submit(declaration_id: int):
    record = _declaration(declaration_id)
    form = SubmitForm()
    if record.status != "draft":
        flash(_("This declaration was already filed."), "info")
        return redirect(url_for("declarations.declaration", declaration_id=record.id))
    if form.validate_on_submit():
        try:
            with attempt():
                filed = submit_declaration(db_session(), _employer(), record.id, revision=_revision(form.revision.data),
                                           actor=current_actor(), now=now(), user_id=current_user.id)
                _receipt(filed)
        except UseCaseFailed as failed:
            flash(failed.message, "error")
            return redirect(url_for("declarations.declaration", declaration_id=record.id))
        if filed.created:
            flash(_("The declaration for %(period)s is filed. Receipt number: %(receipt)s.",
                    period=filed.declaration.period, receipt=filed.declaration.receipt_number), "success")
        else:
            flash(_("This declaration was already filed."), "info")
        return redirect(url_for("declarations.declaration", declaration_id=filed.declaration.id))
    return _show_draft(record, 1, submit_form=form), 422


@bp.route("/<int(max=2147483647):declaration_id>/discard", methods=["POST"])
@allow(EMPLOYER)
def discard(declaration_id: int):
    record = _declaration(declaration_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    period = record.period
    try:
        with attempt():
            discard_draft(db_session(), _employer(), record.id, actor=current_actor(), now=now())
    except UseCaseFailed as failed:
        flash(failed.message, "error")
    else:
        flash(_("The draft is deleted."), "info")
    return redirect(url_for("declarations.period", period=period))


@bp.route("/<int(max=2147483647):declaration_id>/upload", methods=["GET", "POST"])
@allow(EMPLOYER)
def upload(declaration_id: int):
    record = _declaration(declaration_id)
    if record.status != "draft":
        abort(404)
    form = UploadForm(revision=record.revision) if request.method == "GET" else UploadForm()
    error, problems = None, []
    if form.validate_on_submit():
        upload_file = form.file.data
        limit = current_app.config["MAX_IMPORT_BYTES"]
        data = upload_file.read(limit + 1)
        try:
            with attempt():
                if len(data) > limit:
                    raise DomainError("import.too_large", megabytes=limit // 2**20)
                numbers, rows = read_declaration_file(upload_file.filename or "upload", data, header_aliases(),
                                                      max_rows=current_app.config["MAX_IMPORT_ROWS"])
                lines = replace_lines(db_session(), _employer(), record.id, rows,
                                      revision=_revision(form.revision.data), actor=current_actor(), now=now(),
                                      row_numbers=numbers,
                                      source=f"file {(upload_file.filename or 'upload')[:100]}")
        except UseCaseFailed as failed:
            error = failed.message
            if isinstance(failed.error, LinesInvalid):
                problems = _problems(failed.error.lines)
        else:
            notes = sum(len(line.notes) for line in lines)
            flash(ngettext_lines(len(lines)), "success")
            if notes:
                flash(_("Some wages are below the minimum insurable wage: their base is raised to it (marked †)."),
                      "info")
            return redirect(url_for("declarations.declaration", declaration_id=record.id))
    status = 200 if error is None and not form.errors else 422
    return render_template("declarations/upload.html", form=form, declaration=record, error=error,
                           problems=problems, limit=MAX_REPORTED_PROBLEMS), status


def ngettext_lines(count: int) -> str:
    from flask_babel import ngettext

    return ngettext("%(num)d line is loaded from the file.", "%(num)d lines are loaded from the file.", count)


def _problems(lines) -> list[tuple[int, str, str]]:
    out = []
    for line in lines:
        for field, code, params in line.problems:
            out.append((line.row, _(TITLES[field]) if field in TITLES else field, _message(code, params)))
            if len(out) >= MAX_REPORTED_PROBLEMS:
                return out
    return out


@bp.route("/<int(max=2147483647):declaration_id>/lines.<fmt>")
@allow(EMPLOYER)
def export_lines(declaration_id: int, fmt: str):
    """The lines as a file in the upload format: the template for next month, or a copy for the records."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    record = _declaration(declaration_id)
    rows = [[line.person.social_security_number, str(line.gross_wage),
             "" if line.days_worked is None else line.days_worked, line.absence_reason or "", line.person.full_name]
            for line in db_session().scalars(select(DeclarationLine).where(
                DeclarationLine.declaration_id == record.id).order_by(DeclarationLine.id))]
    header = titles() + [_("Name")]
    name = f"declaration-{_employer().employer_number}-{record.period}.{fmt}"
    if fmt == "csv":
        return download(write_csv(header, rows), name, fmt)
    return download(write_xlsx([(record.period, header, rows)]), name, fmt)


@bp.route("/<int(max=2147483647):declaration_id>/receipt.pdf")
@allow(EMPLOYER)
def receipt(declaration_id: int):
    from notifications.documents.receipt import receipt_pdf

    record = _declaration(declaration_id)
    if record.status == "draft":
        abort(404)
    language = str(get_locale() or _employer().preferred_language)
    pdf = receipt_pdf(db_session(), record, language)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="receipt-{record.receipt_number}.pdf"'})

