"""One payment: where it came from, what it settled, and the officer's actions on it (assign it to an
employer, undo a wrong match, reverse a bounced or recalled payment)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from common.errors import DomainError
from contributions.account import allocations_of
from contributions.declarations import Declaration
from contributions.payment_actions import assign_payment, reverse_payment, undo_match
from contributions.payments import Bank, BankStatement, Payment
from employers.employers import LANGUAGES, Employer
from portal.access import allow
from portal.database import db_session
from portal.mail import deliver_after_commit
from portal.messages import message_for
from portal.notices import outbox_ids, payments_applied
from portal.payments import OFFICERS, VIEWERS, bp, is_officer
from portal.payments.forms import AssignForm, ReverseForm, UndoForm, add_error
from portal.web import UseCaseFailed, attempt, current_actor, now

# Where a refusal of the services is shown; others go to the top of the form.
FIELD_OF_CODE = {
    "payment.note_required": ("note", "reason"),
    "payment.declaration_not_found": ("receipt_number",),
}


def _payment(payment_id: int) -> Payment:
    payment = db_session().get(Payment, payment_id)
    if payment is None:
        abort(404)
    return payment


def _forms(assign: AssignForm | None = None, undo: UndoForm | None = None,
           reverse: ReverseForm | None = None) -> dict:
    return {"assign_form": assign or AssignForm(prefix="assign", formdata=None),
            "undo_form": undo or UndoForm(prefix="undo", formdata=None),
            "reverse_form": reverse or ReverseForm(prefix="reverse", formdata=None)}


def _show(payment: Payment, *, error: str | None = None, status: int = 200, **forms):
    db = db_session()
    bank = db.get(Bank, payment.bank_code) if payment.bank_code else None
    statement = db.get(BankStatement, payment.statement_id) if payment.statement_id else None
    employer = db.get(Employer, payment.employer_id) if payment.employer_id else None
    declaration = db.get(Declaration, payment.declaration_id) if payment.declaration_id else None
    return render_template("payments/payment.html", payment=payment, bank=bank, statement=statement,
                           employer=employer, declaration=declaration,
                           allocations=allocations_of(db, payment.id, None), officer=is_officer(), error=error,
                           **_forms(**forms)), status


def _place(form, error: DomainError) -> str | None:
    """The message under its field; returned for the top of the form when no field of ``form`` fits."""
    for name in FIELD_OF_CODE.get(error.code, ()):
        if name in form:
            add_error(form[name], error)
            return None
    return message_for(error)


@bp.route("/staff/payments/<int(max=2147483647):payment_id>")
@allow(*VIEWERS)
def payment(payment_id: int):
    return _show(_payment(payment_id))


@bp.route("/staff/payments/<int(max=2147483647):payment_id>/receipt.pdf")
@allow(*VIEWERS)
def counter_receipt_pdf(payment_id: int):
    """The receipt of money received at the counter, in the employer's language (or ?lang=)."""
    from notifications.documents.counter_receipt import counter_receipt_pdf as render

    record = _payment(payment_id)
    if record.channel == "bank" or record.employer_id is None:
        abort(404)
    language = request.args.get("lang") if request.args.get("lang") in LANGUAGES else None
    pdf = render(db_session(), record, language)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{record.transaction_id}.pdf"'})


@bp.route("/staff/payments/<int(max=2147483647):payment_id>/assign", methods=["POST"])
@allow(*OFFICERS)
def assign(payment_id: int):
    record = _payment(payment_id)
    db = db_session()
    form = AssignForm(prefix="assign")
    error = None
    if form.validate_on_submit():
        number = "".join(form.employer_number.data.replace("-", " ").split()).upper()
        employer = db.scalar(select(Employer).where(Employer.employer_number == number,
                                                    Employer.scheme_code == record.scheme_code))
        declaration_id = None
        if employer is None:
            add_error(form.employer_number, DomainError("employer.not_found"))
        elif form.receipt_number.data:
            declaration_id = db.scalar(select(Declaration.id).where(
                Declaration.receipt_number == form.receipt_number.data.strip(),
                Declaration.employer_id == employer.id, Declaration.status != "draft"))
            if declaration_id is None:
                add_error(form.receipt_number, DomainError("payment.declaration_not_found"))
        if employer is not None and not form.receipt_number.errors:
            try:
                with attempt():
                    assign_payment(db, record.id, employer, declaration_id=declaration_id, note=form.note.data,
                                   actor=current_actor(), now=now())
                    receipts = payments_applied(db, [record.id], actor=current_actor(), now=now())
                    deliver_after_commit(outbox_ids(db, receipts))
            except UseCaseFailed as failed:
                error = _place(form, failed.error)
            else:
                flash(_("The payment is assigned to %(employer)s.", employer=employer.legal_name), "success")
                return redirect(url_for("payments.payment", payment_id=record.id))
    return _show(record, error=error, status=422, assign=form)


@bp.route("/staff/payments/<int(max=2147483647):payment_id>/undo", methods=["POST"])
@allow(*OFFICERS)
def undo(payment_id: int):
    record = _payment(payment_id)
    form = UndoForm(prefix="undo")
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                undo_match(db_session(), record.id, note=form.note.data, actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = _place(form, failed.error)
        else:
            flash(_("The match is undone: the payment is back in the unmatched queue."), "success")
            return redirect(url_for("payments.payment", payment_id=record.id))
    return _show(record, error=error, status=422, undo=form)


@bp.route("/staff/payments/<int(max=2147483647):payment_id>/reverse", methods=["POST"])
@allow(*OFFICERS)
def reverse(payment_id: int):
    record = _payment(payment_id)
    form = ReverseForm(prefix="reverse")
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                reverse_payment(db_session(), record.id, reason=form.reason.data, actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = _place(form, failed.error)
        else:
            flash(_("The payment is reversed: what it settled is owed again."), "success")
            return redirect(url_for("payments.payment", payment_id=record.id))
    return _show(record, error=error, status=422, reverse=form)
