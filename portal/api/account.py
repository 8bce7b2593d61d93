"""The employer and its account: balance, credit, each period's charges and payments, the payments received
and what each paid."""

from __future__ import annotations

from decimal import Decimal

from flask import abort
from sqlalchemy import select

from contributions.account import account_periods, allocations_of_payments, credit_held
from contributions.arrears import arrears_lines
from contributions.ledger import balance_of
from contributions.payments import Payment
from employers.employers import Employer
from employers.registration import local_today
from portal.api import bp
from portal.api.core import amount, api_call, employer, json_response, page_of, session
from portal.web import now


def employer_json(found: Employer) -> dict:
    return {"id": found.id, "employer_number": found.employer_number, "name": found.legal_name,
            "scheme": found.scheme_code, "country": found.scheme.country, "currency": found.scheme.currency,
            "status": found.status, "registered_on": found.registered_on,
            "preferred_language": found.preferred_language}


@bp.route("/employer")
@api_call()
def the_employer():
    return json_response(employer_json(employer()))


@bp.route("/account")
@api_call()
def account():
    found, db = employer(), session()
    today = local_today(found.scheme, now())
    periods = account_periods(db, found.id)
    overdue = sum((line.outstanding for line in arrears_lines(db, as_of=today, employer_id=found.id)), Decimal(0))
    return json_response({
        "currency": found.scheme.currency, "as_of": today, "balance": amount(balance_of(db, found.id)),
        "credit": amount(credit_held(db, found.id)), "overdue": amount(overdue),
        "periods": [{"period": p.period, "due_date": p.due_date, "charged": amount(p.charged),
                     "paid": amount(p.paid), "outstanding": amount(p.outstanding), "status": p.status,
                     "overdue": p.overdue_on(today)}
                    for p in periods]})


def payments_json(payments: list[Payment]) -> list[dict]:
    settled = allocations_of_payments(session(), [p.id for p in payments], employer().id)
    return [{"id": payment.id, "value_date": payment.value_date, "booking_date": payment.booking_date,
             "amount": amount(payment.amount), "currency": payment.currency, "channel": payment.channel,
             "status": payment.status, "transaction_id": payment.transaction_id,
             "declaration_id": payment.declaration_id,
             "allocations": [{"period": period, "component": component, "kind": kind, "amount": amount(value)}
                             for period, component, kind, value in settled.get(payment.id, [])]}
            for payment in payments]


@bp.route("/payments")
@api_call()
def payments():
    return page_of(select(Payment).where(Payment.employer_id == employer().id)
                   .order_by(Payment.value_date.desc(), Payment.id.desc()), payments_json)


@bp.route("/payments/<id:payment_id>")
@api_call()
def payment(payment_id: int):
    found = session().get(Payment, payment_id)
    if found is None or found.employer_id != employer().id:
        abort(404)
    return json_response(payments_json([found])[0])
