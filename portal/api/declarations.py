"""Declarations: create a period's draft with its lines, check it, file it, read it back (versions, receipt
number, payment reference, amounts) and download its receipt.

The use cases are the web's: the same checks, the same codes, the same receipt notice when a declaration is
filed.  A line's ``row`` in an error is its 1-based position in the request's ``lines``.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, current_app, request, url_for
from sqlalchemy import select

from common.errors import DomainError, NotFound
from common.period import Period
from contributions.declarations import Declaration, DeclarationLine, declaration_of, draft_of, versions_of
from contributions.draft_check import check_draft
from contributions.drafts import check_period, discard_draft, open_draft, period_rules, replace_lines
from contributions.filing import amounts_charged_by, file_nil, rf_of, submit_declaration
from contributions.rules.declaration_lines import LINE_FIELDS
from employers.registration import local_today
from portal.api import bp
from portal.api.core import (
    ApiError,
    actor,
    amount,
    api_call,
    employer,
    json_body,
    json_response,
    only_members,
    page_of,
    problem,
    session,
    text_field,
)
from portal.api.refusals import line_problems
from portal.i18n import negotiate
from portal.mail import deliver_after_commit
from portal.notices import declaration_filed, outbox_ids
from portal.web import now


def declaration_json(record: Declaration, charged: dict[int, Decimal] | None = None) -> dict:
    """A declaration as the API shows it; ``charged`` holds what filed versions charged, read for a whole page
    at once (else read for this one)."""
    filed = record.status != "draft"
    if filed and charged is None:
        charged = amounts_charged_by(session(), [record.id])
    return {"id": record.id, "period": record.period, "status": record.status, "kind": record.kind,
            "version": record.version, "revision": record.revision, "is_nil": record.is_nil,
            "nil_reason": record.nil_reason, "currency": record.currency, "line_count": record.line_count,
            "totals": {"gross": amount(record.total_gross), "base": amount(record.total_base),
                       "employee_share": amount(record.total_employee),
                       "employer_share": amount(record.total_employer), "total": amount(record.total)},
            "due_date": record.due_date, "is_late": record.is_late, "receipt_number": record.receipt_number,
            "payment_reference": record.payment_reference, "rf_reference": rf_of(record) if filed else None,
            "amount_charged": amount(charged[record.id]) if filed else None,
            "previous_id": record.previous_id, "filed_at": record.filed_at, "filed_by": record.filed_by}


def _declaration(declaration_id: int) -> Declaration:
    try:
        return declaration_of(session(), employer().id, declaration_id)
    except NotFound:
        abort(404)


def _period(text: str, field: str = "period") -> Period:
    try:
        return Period.parse(text)
    except DomainError:
        raise ApiError(400, "period.invalid", field=field) from None


def _lines(body: dict) -> list[dict]:
    """The request's lines as the use case reads them (every value as sent; the rules judge them)."""
    lines = body.get("lines")
    if lines is None:
        raise ApiError(400, "field.required", field="lines")
    if not isinstance(lines, list):
        raise ApiError(400, "api.type_invalid", field="lines")
    if not lines:
        raise ApiError(400, "declaration.no_lines", field="lines")
    limit = current_app.config["MAX_IMPORT_ROWS"]
    if len(lines) > limit:
        raise ApiError(413, "api.too_many_lines", field="lines", limit=limit)
    values = []
    for row, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise ApiError(400, "api.type_invalid", field="lines", row=row)
        only_members(line, LINE_FIELDS, row=row)
        for name in LINE_FIELDS:
            value = line.get(name)
            if isinstance(value, str) and "\x00" in value:
                raise ApiError(400, "api.nul_character", field=name, row=row)
            if isinstance(value, dict | list):
                raise ApiError(400, "api.type_invalid", field=name, row=row)
            if isinstance(value, str) and len(value) > 100:
                raise ApiError(400, "field.too_long", field=name, row=row)
        values.append({name: line.get(name) for name in LINE_FIELDS})
    return values


def _revision(body: dict) -> int | None:
    value = body.get("revision")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31:
        raise ApiError(400, "api.type_invalid", field="revision")
    return value


def _replaced(record: Declaration, values: list[dict], revision: int | None) -> None:
    """All the lines of the draft replaced (``LinesInvalid``, answered with every line's problems, when one
    is wrong: nothing is then saved)."""
    replace_lines(session(), employer(), record.id, values, revision=revision, actor=actor(), now=now(),
                  source="api")


@bp.route("/declarations")
@api_call()
def declarations():
    query = select(Declaration).where(Declaration.employer_id == employer().id)
    if request.args.get("period"):
        query = query.where(Declaration.period == str(_period(request.args["period"])))
    return page_of(query.order_by(Declaration.period.desc(), Declaration.id.desc()), declarations_json)


def declarations_json(records: list[Declaration]) -> list[dict]:
    charged = amounts_charged_by(session(), [r.id for r in records if r.status != "draft"])
    return [declaration_json(record, charged) for record in records]


@bp.route("/declarations", methods=["POST"])
@api_call(write=True)
def create():
    body = json_body()
    only_members(body, ("period", "lines"))
    period = _period(text_field(body, "period", max_length=20))
    values = _lines(body)
    db, found = session(), employer()
    existing = draft_of(db, found.id, period)
    if existing is not None and existing.revision > 0:
        raise ApiError(409, "api.draft_exists", field="period", declaration=existing.id)
    draft = open_draft(db, found, period, actor=actor(), now=now(), prefill=False)
    # Revision 0: a draft someone changed since the check above (the period is locked only now) is refused.
    _replaced(draft, values, 0)
    return json_response(declaration_json(draft), 201, location=url_for("api.declaration", declaration_id=draft.id))


@bp.route("/declarations/nil", methods=["POST"])
@api_call(write=True)
def nil():
    body = json_body()
    only_members(body, ("period", "reason"))
    period = _period(text_field(body, "period", max_length=20))
    reason = text_field(body, "reason", required=False, max_length=500)
    filed = file_nil(session(), employer(), period, reason, actor=actor(), now=now())
    _send_receipt(filed)
    status = 201 if filed.created else 200
    return json_response(declaration_json(filed.declaration), status,
                         location=url_for("api.declaration", declaration_id=filed.declaration.id))


@bp.route("/declarations/<id:declaration_id>")
@api_call()
def declaration(declaration_id: int):
    return json_response(declaration_json(_declaration(declaration_id)))


@bp.route("/declarations/<id:declaration_id>", methods=["DELETE"])
@api_call(write=True)
def discard(declaration_id: int):
    record = _declaration(declaration_id)
    discard_draft(session(), employer(), record.id, actor=actor(), now=now())
    return Response(status=204)


def _line_json(line: DeclarationLine) -> dict:
    return {"id": line.id, "person_id": line.person_id, "employment_id": line.employment_id,
            "social_security_number": line.person.social_security_number, "name": line.person.full_name,
            "gross_wage": amount(line.gross_wage), "days_worked": line.days_worked,
            "absence_reason": line.absence_reason, "base": amount(line.base),
            "employee_share": amount(line.employee_share), "employer_share": amount(line.employer_share),
            "floor_applied": line.floor_applied, "ceiling_applied": line.ceiling_applied}


@bp.route("/declarations/<id:declaration_id>/lines")
@api_call()
def lines(declaration_id: int):
    record = _declaration(declaration_id)
    return page_of(select(DeclarationLine).where(DeclarationLine.declaration_id == record.id)
                   .order_by(DeclarationLine.id), lambda rows: [_line_json(line) for line in rows])


@bp.route("/declarations/<id:declaration_id>/lines", methods=["PUT"])
@api_call(write=True)
def put_lines(declaration_id: int):
    record = _declaration(declaration_id)
    body = json_body()
    only_members(body, ("lines", "revision"))
    values, revision = _lines(body), _revision(body)
    _replaced(record, values, revision)
    return json_response(declaration_json(record))


@bp.route("/declarations/<id:declaration_id>/validate", methods=["POST"])
@api_call()
def validate(declaration_id: int):
    record = _declaration(declaration_id)
    checked = check_draft(session(), employer(), record, now=now())
    problems = line_problems(checked)
    notes = [problem(code, params, field=field, row=line.row) for line in checked for field, code, params in line.notes]
    if not checked and not record.is_nil:
        problems.append(problem("declaration.no_lines", field="lines"))
    return json_response({"valid": not problems, "problems": problems, "notes": notes,
                          "declaration": declaration_json(record)})


@bp.route("/declarations/<id:declaration_id>/submit", methods=["POST"])
@api_call(write=True)
def submit(declaration_id: int):
    record = _declaration(declaration_id)
    body = json_body() if request.get_data(cache=True) else {}
    only_members(body, ("revision",))
    filed = submit_declaration(session(), employer(), record.id, revision=_revision(body), actor=actor(), now=now())
    _send_receipt(filed)
    return json_response(declaration_json(filed.declaration))


def _send_receipt(filed) -> None:
    """The receipt notice, as when a declaration is filed on the web; sent once the call commits."""
    if filed.created:
        notice = declaration_filed(session(), employer(), filed.declaration, actor=actor(), now=now())
        deliver_after_commit(outbox_ids(session(), [notice]))


@bp.route("/declarations/<id:declaration_id>/receipt.pdf")
@api_call()
def receipt(declaration_id: int):
    from notifications.documents.receipt import receipt_pdf

    record = _declaration(declaration_id)
    if record.status == "draft":
        abort(404)
    language = negotiate([tag for tag, _q in request.accept_languages]) or employer().preferred_language
    pdf = receipt_pdf(session(), record, language)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="receipt-{record.receipt_number}.pdf"'})


@bp.route("/periods/<period>")
@api_call()
def period(period: str):
    value = _period(period)
    found, db = employer(), session()
    try:
        check_period(found, value, local_today(found.scheme, now()))
    except DomainError:
        abort(404)
    return json_response({"period": str(value), "due_date": period_rules(db, found, value).due_date,
                          "draft": (lambda d: declaration_json(d) if d else None)(draft_of(db, found.id, value)),
                          "versions": declarations_json(versions_of(db, found.id, value))})
