"""The suspense queue (payments no rule could match, oldest first) and the reconciliation runs."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from sqlalchemy import func, or_, select

from common.errors import DomainError
from contributions.payments import Bank, Payment, ReconciliationRun
from contributions.rules.declaration_lines import parse_wage
from portal.access import allow
from portal.database import db_session, session_factory
from portal.messages import message_for
from portal.payment_jobs import run_reconciliation
from portal.payments import OFFICERS, PAGE_SIZE, VIEWERS, bp, is_officer, page_count, page_number
from portal.payments.forms import ReconcileForm
from portal.web import current_actor, now

log = logging.getLogger("portal.payments")

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
    actor = current_actor()
    # The run commits batch by batch in sessions of its own, as the scheduled job does: a failure keeps the
    # batches done before it, and account locks are never held from one batch to the next.  The request's
    # own transaction (it only read the user) is ended first so it holds no lock against them.
    db_session().rollback()
    try:
        run = run_reconciliation(session_factory(), now=now, actor=actor)
    except Exception:  # noqa: BLE001 - the run is recorded as failed with its error; the officer is told
        log.exception("reconciliation started by %s failed", actor.label)
        flash(message_for(DomainError("payment.reconciliation_failed")), "error")
    else:
        flash(ngettext("Reconciliation finished: %(num)d payment examined, %(reference)d matched by payment "
                       "reference, %(employer)d by employer number and amount, %(unmatched)d left unmatched.",
                       "Reconciliation finished: %(num)d payments examined, %(reference)d matched by payment "
                       "reference, %(employer)d by employer number and amount, %(unmatched)d left unmatched.",
                       run.examined, reference=run.matched_by_reference,
                       employer=run.matched_by_employer, unmatched=run.unmatched), "success")
    return redirect(url_for("payments.unmatched"))
