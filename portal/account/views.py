"""Employer pages of the contributions account: read only.

Every page is scoped to the signed-in user's employer: another employer's payment is "not found".
"""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from common.errors import DomainError
from common.period import Period
from contributions.account import account_periods, allocations_of, credit_held, payments_of
from contributions.arrears import aging, arrears_lines
from contributions.assessments import Assessment
from contributions.declarations import Declaration
from contributions.ledger import balance_of
from contributions.payments import Bank, Payment
from contributions.waivers import waivers_of
from employers.registration import local_today
from notifications.documents.formatting import shorten
from portal.access import EMPLOYER, allow
from portal.account import bp
from portal.database import db_session
from portal.web import now

PAGE_SIZE = 50
STATEMENT_MONTHS = 12  # the default statement: this month and the eleven before it
MAX_STATEMENT_MONTHS = 120
REFERENCE_LENGTH = 40  # characters of a reference text in the list; the payment's page shows all of it


def _employer():
    return current_user.employer


def _page_arg() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)


@bp.route("/")
@allow(EMPLOYER)
def overview():
    employer = _employer()
    db = db_session()
    today = local_today(employer.scheme, now())
    periods = account_periods(db, employer.id)
    count = db.scalar(select(func.count()).select_from(Payment).where(Payment.employer_id == employer.id)) or 0
    pages = max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(_page_arg(), pages)
    payments = payments_of(db, employer.id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    last = Period.of(today)
    return render_template("account/overview.html", employer=employer, currency=employer.scheme.currency,
                           balance=balance_of(db, employer.id), credit=credit_held(db, employer.id),
                           aging=aging(arrears_lines(db, as_of=today, employer_id=employer.id)),
                           periods=periods, overdue={row.period for row in periods if row.overdue_on(today)},
                           assessed=set(db.scalars(select(Assessment.period).where(
                               Assessment.employer_id == employer.id, Assessment.status == "active"))),
                           payments=payments, page=page, pages=pages,
                           waivers=waivers_of(db, employer.id, in_effect_only=True),
                           references={item.id: shorten(item.remittance or "", REFERENCE_LENGTH) for item in payments},
                           statement_from=str(last.shift(1 - STATEMENT_MONTHS)), statement_to=str(last))


@bp.route("/payments/<int(max=2147483647):payment_id>")
@allow(EMPLOYER)
def payment(payment_id: int):
    employer = _employer()
    db = db_session()
    record = db.get(Payment, payment_id)
    if record is None or record.employer_id != employer.id:
        abort(404)
    bank = db.get(Bank, record.bank_code) if record.bank_code else None
    declaration = db.get(Declaration, record.declaration_id) if record.declaration_id else None
    if declaration is not None and declaration.employer_id != employer.id:
        declaration = None
    return render_template("account/payment.html", employer=employer, payment=record, declaration=declaration,
                           bank=bank.name_in(str(get_locale())) if bank else None,
                           allocations=allocations_of(db, record.id, record.employer_id))


def _month(name: str) -> Period | None:
    """The ``YYYY-MM`` query argument ``name``; None when absent or blank; 400 when not a month."""
    text = request.args.get(name, "")
    if not text.strip():
        return None
    try:
        return Period.parse(text[:20])
    except DomainError:
        abort(400)


def _months_between(first: Period, last: Period) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


@bp.route("/payments/<int(max=2147483647):payment_id>/receipt.pdf")
@allow(EMPLOYER)
def counter_receipt(payment_id: int):
    """The receipt of money the employer paid at the institution's counter."""
    from notifications.documents.counter_receipt import counter_receipt_pdf

    record = db_session().get(Payment, payment_id)
    if record is None or record.employer_id != current_user.employer.id or record.channel == "bank":
        abort(404)
    pdf = counter_receipt_pdf(db_session(), record, str(get_locale() or current_user.employer.preferred_language))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{record.transaction_id}.pdf"'})


@bp.route("/statement.pdf")
@allow(EMPLOYER)
def statement():
    """The statement for ``from``..``to`` (both ``YYYY-MM``, included; by default the last twelve months),
    in the page's language."""
    from notifications.documents.statement import statement_pdf

    employer = _employer()
    today = local_today(employer.scheme, now())
    first, last = _month("from"), _month("to")
    last = last or Period.of(today)
    first = first or last.shift(1 - STATEMENT_MONTHS)
    if last < first or _months_between(first, last) > MAX_STATEMENT_MONTHS:
        abort(400)
    language = str(get_locale() or employer.preferred_language)
    pdf = statement_pdf(db_session(), employer, first=first, last=last, language=language, today=today)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="statement-{employer.employer_number}-{first}-{last}.pdf"'})
