"""An employer's account as staff see it: per period what was charged, paid and is left, the credit held,
the payments; officers record money received at the counter and refund credit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from common.errors import DomainError
from contributions.account import account_periods, credit_held, payments_of
from contributions.arrears import aging, arrears_lines
from contributions.declarations import Declaration
from contributions.payment_actions import record_counter_receipt, refund_credit
from contributions.periods import assessments_with_receipts
from employers.employers import Employer
from employers.registration import local_today
from portal.access import allow
from portal.database import db_session
from portal.i18n import money
from portal.mail import deliver_after_commit
from portal.messages import message_for
from portal.notices import outbox_ids, payments_applied
from portal.payments import OFFICERS, VIEWERS, bp, is_officer
from portal.payments.forms import CounterReceiptForm, RefundForm, WaiverForm, add_error, read_amount
from portal.web import UseCaseFailed, attempt, current_actor, now

PAYMENTS_SHOWN = 100
# Where a refusal of the services is shown; others go to the top of the form.
FIELD_OF_CODE = {
    "payment.amount_invalid": "amount",
    "payment.refund_too_large": "amount",
    "payment.value_date_future": "value_date",
    "payment.channel_unknown": "channel",
    "payment.declaration_not_found": "receipt_number",
    "payment.note_required": "note",
}


def _employer(employer_id: int, *, registered: bool = False) -> Employer:
    employer = db_session().get(Employer, employer_id)
    if employer is None or (registered and not employer.is_registered):
        abort(404)
    return employer


def _show(employer: Employer, *, receipt: CounterReceiptForm | None = None, refund: RefundForm | None = None,
          waiver: WaiverForm | None = None, error: str | None = None, status: int = 200):
    from portal.payments.waivers import waiver_panel  # imported here: that module imports this one

    db = db_session()
    assessments = assessments_with_receipts(db, employer.id)
    return render_template(
        "payments/employer_account.html", employer=employer, periods=account_periods(db, employer.id),
        assessments=assessments, assessed={a.period for a, _ in assessments if a.status == "active"},
        credit=credit_held(db, employer.id), payments=payments_of(db, employer.id, limit=PAYMENTS_SHOWN),
        aging=aging(arrears_lines(db, as_of=local_today(employer.scheme, now()), employer_id=employer.id)),
        shown=PAYMENTS_SHOWN, officer=is_officer() and employer.is_registered, error=error,
        receipt_form=receipt or CounterReceiptForm(prefix="receipt", formdata=None, channel="cash",
                                                   value_date=local_today(employer.scheme, now())),
        refund_form=refund or RefundForm(prefix="refund", formdata=None), **waiver_panel(db, employer, waiver)), status


def _place(form, error: DomainError, currency: str) -> str | None:
    if error.code == "payment.refund_too_large":  # the credit available, written as money
        error = DomainError(error.code, available=money(error.params.get("available", 0), currency))
    name = FIELD_OF_CODE.get(error.code)
    if name is not None and name in form:
        add_error(form[name], error)
        return None
    return message_for(error)


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/account")
@allow(*VIEWERS)
def employer_account(employer_id: int):
    return _show(_employer(employer_id))


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/account/receipt", methods=["POST"])
@allow(*OFFICERS)
def counter_receipt(employer_id: int):
    employer = _employer(employer_id, registered=True)
    db = db_session()
    form = CounterReceiptForm(prefix="receipt")
    error = None
    if form.validate_on_submit():
        amount = read_amount(form.amount, employer.scheme.currency)
        declaration_id = None
        if form.receipt_number.data:
            declaration_id = db.scalar(select(Declaration.id).where(
                Declaration.receipt_number == form.receipt_number.data.strip(),
                Declaration.employer_id == employer.id, Declaration.status != "draft"))
            if declaration_id is None:
                add_error(form.receipt_number, DomainError("payment.declaration_not_found"))
        if amount is not None and not form.receipt_number.errors:
            try:
                with attempt():
                    payment = record_counter_receipt(
                        db, employer, amount=amount, value_date=form.value_date.data, channel=form.channel.data,
                        payer_name=form.payer_name.data or "", reference=form.reference.data or "",
                        declaration_id=declaration_id, actor=current_actor(), now=now())
                    receipts = payments_applied(db, [payment.id], actor=current_actor(), now=now())
                    deliver_after_commit(outbox_ids(db, receipts))
            except UseCaseFailed as failed:
                error = _place(form, failed.error, employer.scheme.currency)
            else:
                flash(_("Receipt %(number)s is recorded: %(amount)s.", number=payment.transaction_id,
                        amount=money(payment.amount, payment.currency)), "success")
                return redirect(url_for("payments.employer_account", employer_id=employer.id))
    return _show(employer, receipt=form, error=error, status=422)


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/account/refund", methods=["POST"])
@allow(*OFFICERS)
def refund(employer_id: int):
    employer = _employer(employer_id, registered=True)
    form = RefundForm(prefix="refund")
    error = None
    if form.validate_on_submit():
        amount = read_amount(form.amount, employer.scheme.currency)
        if amount is not None:
            try:
                with attempt():
                    refunded = refund_credit(db_session(), employer, amount, note=form.note.data,
                                             actor=current_actor(), now=now())
            except UseCaseFailed as failed:
                error = _place(form, failed.error, employer.scheme.currency)
            else:
                flash(_("A refund of %(amount)s is recorded.",
                        amount=money(refunded, employer.scheme.currency)), "success")
                return redirect(url_for("payments.employer_account", employer_id=employer.id))
    return _show(employer, refund=form, error=error, status=422)
