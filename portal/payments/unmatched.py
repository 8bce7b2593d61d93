"""The suspense queue (payments no rule could match, oldest first) and the reconciliation runs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from sqlalchemy import func, or_, select

from contributions.payments import Bank, Payment, ReconciliationRun
from contributions.reconciliation import Counts, finish_run, reconcile_batch, start_run
from contributions.rules.declaration_lines import parse_wage
from portal.access import allow
from portal.database import db_session
from portal.payments import OFFICERS, PAGE_SIZE, VIEWERS, bp, is_officer, page_count, page_number
from portal.payments.forms import ReconcileForm
from portal.web import UseCaseFailed, attempt, current_actor, now

RECENT_RUNS = 10


@bp.route("/staff/payments/unmatched")
@allow(*VIEWERS)
def unmatched():
    db = db_session()
    search = " ".join((request.args.get("q") or "").split())[:100]
    page = page_number()
    query = select(Payment).where(Payment.status == "unmatched")
    if search:
        wanted = search.lower()
        found = [func.lower(Payment.payer_name).contains(wanted, autoescape=True),
                 func.lower(Payment.remittance).contains(wanted, autoescape=True)]
        amount = parse_wage(search, 2)
        if amount is not None:
            found.append(Payment.amount == amount)
        query = query.where(or_(*found))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(Payment.value_date, Payment.id)
                      .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    banks = {bank.code: bank for bank in db.scalars(select(Bank))}
    waiting = db.scalar(select(func.count()).select_from(Payment).where(Payment.status == "new")) or 0
    runs = db.scalars(select(ReconciliationRun).order_by(ReconciliationRun.started_at.desc(),
                                                         ReconciliationRun.id.desc()).limit(RECENT_RUNS)).all()
    return render_template("payments/unmatched.html", rows=rows, total=total, q=search, page=page,
                           pages=page_count(total), banks=banks, runs=runs, waiting=waiting, officer=is_officer(),
                           form=ReconcileForm())


@bp.route("/staff/payments/reconcile", methods=["POST"])
@allow(*OFFICERS)
def reconcile():
    if not ReconcileForm().validate_on_submit():
        abort(400)
    db = db_session()
    actor = current_actor()
    run = start_run(db, actor=actor, now=now())
    counts = Counts()
    try:
        with attempt():
            # One transaction for the whole run: the request commits once at its end.
            while (batch := reconcile_batch(db, actor=actor, now=now())).examined:
                counts.add(batch)
    except UseCaseFailed as failed:
        finish_run(run, Counts(), now=now(), error=failed.error.code)
        flash(failed.message, "error")
    else:
        finish_run(run, counts, now=now())
        flash(ngettext("Reconciliation finished: %(num)d payment examined, %(reference)d matched by payment "
                       "reference, %(employer)d by employer number and amount, %(unmatched)d left unmatched.",
                       "Reconciliation finished: %(num)d payments examined, %(reference)d matched by payment "
                       "reference, %(employer)d by employer number and amount, %(unmatched)d left unmatched.",
                       counts.examined, reference=counts.matched_by_reference,
                       employer=counts.matched_by_employer, unmatched=counts.unmatched), "success")
    return redirect(url_for("payments.unmatched"))
