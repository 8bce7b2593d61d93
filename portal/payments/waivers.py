"""Waivers of interest and fines: payment officers ask for one on an employer's account page; above the
scheme's threshold it waits in the approvals queue, where a supervisor other than the one who asked approves
or rejects it.  The rules (what may be waived, four eyes, the ledger and the audit) are
``contributions.waivers``'; these pages only collect what is typed and show the answers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_precision
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import DomainError
from contributions import waivers as rules
from contributions.ledger import CHARGE_KINDS, LedgerEntry
from contributions.rules.declaration_lines import parse_wage
from contributions.waivers import WAIVABLE, Waiver
from employers.accounts import Role, User
from employers.employers import Employer
from portal.access import allow
from portal.database import db_session
from portal.i18n import money, period_label
from portal.messages import message_for
from portal.payments import OFFICERS, bp
from portal.payments.employer_account import _employer, _show
from portal.payments.forms import ApproveWaiverForm, RejectWaiverForm, WaiverForm, add_error
from portal.web import UseCaseFailed, attempt, current_actor, now

ZERO = Decimal(0)
DECIDERS = (Role.SUPERVISOR,)
# Where a refusal of the domain is shown; others go to the top of the page.
FIELD_OF_CODE = {
    "waiver.period_invalid": ("period",),
    "waiver.component_unknown": ("component",),
    "waiver.amount_invalid": ("amount",),
    "waiver.more_than_charged": ("amount",),
    "waiver.reason_required": ("reason",),
    "waiver.note_required": ("note",),
    "field.too_long": ("reason", "note"),
}


@dataclass(frozen=True)
class Waivable:
    """What is left to waive of one component of one period: charged (waivers in effect deducted), less
    the waivers waiting for approval."""

    period: str
    component: str
    charged: Decimal
    pending: Decimal

    @property
    def available(self) -> Decimal:
        return max(self.charged - self.pending, ZERO)


def waivable_rows(session: Session, employer_id: int) -> list[Waivable]:
    """Every period and component with interest or a fine charged, newest period first.  The same figures
    as ``contributions.waivers.waivable``, in two queries for the whole account."""
    charged = session.execute(
        select(LedgerEntry.period, LedgerEntry.component, func.sum(LedgerEntry.debit - LedgerEntry.credit))
        .where(LedgerEntry.employer_id == employer_id, LedgerEntry.component.in_(WAIVABLE),
               LedgerEntry.kind.in_(CHARGE_KINDS))
        .group_by(LedgerEntry.period, LedgerEntry.component))
    pending = dict(((period, component), Decimal(amount)) for period, component, amount in session.execute(
        select(Waiver.period, Waiver.component, func.sum(Waiver.amount))
        .where(Waiver.employer_id == employer_id, Waiver.status == "pending")
        .group_by(Waiver.period, Waiver.component)))
    rows = [Waivable(period, component, Decimal(amount), pending.get((period, component), ZERO))
            for period, component, amount in charged if Decimal(amount) > ZERO]
    return sorted(rows, key=lambda row: (row.period, -WAIVABLE.index(row.component)), reverse=True)


def staff_names(session: Session, waivers: list[Waiver]) -> dict[int, str]:
    ids = {w.requested_by_user_id for w in waivers} | {w.decided_by_user_id for w in waivers}
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def can_decide() -> bool:
    return current_user.is_authenticated and current_user.role in {role.value for role in DECIDERS}


def waiver_panel(session: Session, employer: Employer, form: WaiverForm | None = None) -> dict:
    """What the employer account page needs for its waivers section (``payments/_waivers.html``)."""
    waivable = waivable_rows(session, employer.id)
    form = form or WaiverForm(prefix="waiver", formdata=None)
    form.period.choices = [("", _("Choose a period"))] + [
        (period, period_label(period)) for period in dict.fromkeys(row.period for row in waivable)]
    waivers = rules.waivers_of(session, employer.id)
    return {"waiver_form": form, "waivable": waivable, "waivers": waivers,
            "waiver_staff": staff_names(session, waivers), "can_decide_waivers": can_decide()}


def _place(form, error: DomainError, currency: str) -> str | None:
    """The message under its field; returned for the top of the page when no field of ``form`` fits."""
    if error.code == "waiver.more_than_charged":  # what is available, written as money
        error = DomainError(error.code, available=money(error.params.get("available", 0), currency))
    for name in FIELD_OF_CODE.get(error.code, ()):
        if form is not None and name in form:
            add_error(form[name], error)
            return None
    return message_for(error)


def _read_amount(form: WaiverForm, currency: str) -> Decimal | None:
    """The positive amount typed, grouping allowed (``1,000,000``), with at most the currency's decimals."""
    amount = parse_wage(form.amount.data, get_currency_precision(currency))
    if amount is None or amount <= ZERO:
        add_error(form.amount, DomainError("waiver.amount_invalid"))
        return None
    return amount


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/account/waivers", methods=["POST"])
@allow(*OFFICERS)
def request_waiver(employer_id: int):
    employer = _employer(employer_id, registered=True)
    db = db_session()
    currency = employer.scheme.currency
    form = WaiverForm(prefix="waiver")
    error = None
    if form.validate_on_submit():
        periods = {row.period for row in waivable_rows(db, employer.id)}
        if form.period.data not in periods:  # not one of the choices: nothing of it can be waived
            form.period.errors = [*form.period.errors, _("Choose a period from the list.")]
        amount = _read_amount(form, currency)
        if amount is not None and not form.period.errors:
            try:
                with attempt():
                    waiver = rules.request_waiver(
                        db, employer, period=form.period.data, component=form.component.data, amount=amount,
                        reason=form.reason.data or "", actor=current_actor(), now=now())
            except UseCaseFailed as failed:
                error = _place(form, failed.error, currency)
            else:
                values = {"amount": money(waiver.amount, waiver.currency), "period": period_label(waiver.period)}
                if waiver.status == "approved":
                    flash(_("The waiver of %(amount)s for %(period)s is in effect.", **values), "success")
                else:
                    flash(_("The waiver of %(amount)s for %(period)s is above the approval threshold: it waits "
                            "for a supervisor's approval.", **values), "success")
                return redirect(url_for("payments.employer_account", employer_id=employer.id, _anchor="waivers"))
    return _show(employer, waiver=form, error=error, status=422)


# --- The approvals queue -----------------------------------------------------------------------------------

def _queue(*, error: str | None = None, reject: tuple[int, RejectWaiverForm] | None = None, status: int = 200):
    db = db_session()
    pending = rules.pending_waivers(db)
    employers = {e.id: e for e in db.scalars(select(Employer).where(
        Employer.id.in_({w.employer_id for w in pending})))} if pending else {}
    reject_forms = {w.id: RejectWaiverForm(prefix=f"reject-{w.id}", formdata=None) for w in pending}
    if reject is not None and reject[0] in reject_forms:
        reject_forms[reject[0]] = reject[1]
    elif reject is not None and error is None:  # no longer in the queue: its message goes to the top
        error = " ".join(str(message) for message in reject[1].note.errors) or None
    return render_template("payments/waivers.html", pending=pending, employers=employers,
                           staff=staff_names(db, pending), error=error, reject_forms=reject_forms,
                           approve_forms={w.id: ApproveWaiverForm(prefix=f"approve-{w.id}", formdata=None)
                                          for w in pending}), status


def _waiver(waiver_id: int) -> Waiver:
    waiver = db_session().get(Waiver, waiver_id)
    if waiver is None:
        abort(404)
    return waiver


@bp.route("/staff/waivers")
@allow(*DECIDERS)
def waivers():
    return _queue()


@bp.route("/staff/waivers/<int(max=2147483647):waiver_id>/approve", methods=["POST"])
@allow(*DECIDERS)
def approve_waiver(waiver_id: int):
    waiver = _waiver(waiver_id)
    if not ApproveWaiverForm(prefix=f"approve-{waiver_id}").validate_on_submit():
        abort(400)
    try:
        with attempt():
            rules.approve_waiver(db_session(), waiver.id, actor=current_actor(), now=now())
    except UseCaseFailed as failed:
        return _queue(error=_place(None, failed.error, waiver.currency), status=422)
    flash(_("The waiver of %(amount)s for %(period)s is approved and in effect.",
            amount=money(waiver.amount, waiver.currency), period=period_label(waiver.period)), "success")
    return redirect(url_for("payments.waivers"))


@bp.route("/staff/waivers/<int(max=2147483647):waiver_id>/reject", methods=["POST"])
@allow(*DECIDERS)
def reject_waiver(waiver_id: int):
    waiver = _waiver(waiver_id)
    form = RejectWaiverForm(prefix=f"reject-{waiver_id}")
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                rules.reject_waiver(db_session(), waiver.id, actor=current_actor(), now=now(),
                                    note=form.note.data or "")
        except UseCaseFailed as failed:
            error = _place(form, failed.error, waiver.currency)
        else:
            flash(_("The waiver of %(amount)s for %(period)s is rejected.",
                    amount=money(waiver.amount, waiver.currency), period=period_label(waiver.period)), "success")
            return redirect(url_for("payments.waivers"))
    return _queue(error=error, reject=(waiver.id, form), status=422)
