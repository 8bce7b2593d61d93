"""Notices from the portal's side: the link they carry, the receipts written when a declaration is filed
or a payment is applied, and the notices job as the scheduler runs it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.audit import Actor
from contributions.declarations import Declaration
from contributions.ledger import LedgerEntry, balance_of
from contributions.payments import Payment
from employers.employers import Employer
from notifications.notice_jobs import NoticeCounts, send_notices
from notifications.notices import Notice, notify
from notifications.outbox import OutboxMessage

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def portal_link(path: str = "/") -> str:
    """The portal's public address (``PORTAL_BASE_URL``) with ``path``: what notices point to."""
    base = current_app.config["PORTAL_BASE_URL"] if has_app_context() else \
        os.environ.get("PORTAL_BASE_URL", DEFAULT_BASE_URL)
    return base.rstrip("/") + path


def declaration_filed(session: Session, employer: Employer, declaration: Declaration, *, actor: Actor,
                      now: dt.datetime) -> Notice | None:
    """The receipt of a filed declaration, in the same transaction as the filing."""
    params = {"period": declaration.period, "version": declaration.version, "receipt": declaration.receipt_number,
              "amount": str(declaration.total), "due": declaration.due_date.isoformat(),
              "reference": declaration.payment_reference}
    return notify(session, employer, "declaration_receipt", period=declaration.period, stage=declaration.version,
                  params=params, actor=actor, now=now, link=portal_link("/employer/declarations/"))


def payments_applied(session: Session, payment_ids: Sequence[int], *, actor: Actor,
                     now: dt.datetime) -> list[Notice]:
    """A receipt for each payment matched to an employer, with what it paid, in the same transaction as the
    allocation.  One per payment (its key is the payment's id), however often it is reconciled."""
    written = []
    for payment in session.scalars(select(Payment).where(Payment.id.in_(sorted(set(payment_ids))),
                                                         Payment.status == "matched",
                                                         Payment.employer_id.is_not(None))):
        employer = session.get(Employer, payment.employer_id)
        moved = session.execute(select(LedgerEntry.component, LedgerEntry.credit - LedgerEntry.debit)
                                .where(LedgerEntry.payment_id == payment.id,
                                       LedgerEntry.kind == "payment")).all()
        params = {"amount": str(payment.amount), "paid_on": payment.value_date.isoformat(),
                  "balance": str(balance_of(session, employer.id)),
                  "components": [[component, str(amount)] for component, amount in moved if amount]}
        notice = notify(session, employer, "payment_received", period=None, stage=payment.id, params=params,
                        actor=actor, now=now, link=portal_link("/employer/account/"))
        if notice is not None:
            written.append(notice)
    return written


def send_notices_job(session: Session, code: str, **kwargs) -> NoticeCounts:
    return send_notices(session, code, link=portal_link("/employer/"), **kwargs)


def outbox_ids(session: Session, notices: Sequence[Notice]) -> list[int]:
    """The outbox messages of these notices, to deliver right after the request commits."""
    ids = [notice.id for notice in notices if notice is not None]
    if not ids:
        return []
    return list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.notice_id.in_(ids))))
