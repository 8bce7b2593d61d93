"""Bank statements: the imports so far, and the upload of a camt.053/camt.054 or CSV statement file."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from common.errors import DomainError
from contributions.bank_files import StatementInvalid
from contributions.payment_actions import import_statement
from contributions.payments import Bank, BankStatement
from portal.access import allow
from portal.database import db_session
from portal.i18n import money
from portal.messages import message_for
from portal.payments import OFFICERS, PAGE_SIZE, VIEWERS, bp, is_officer, page_count, page_number
from portal.payments.forms import StatementForm, add_error
from portal.web import UseCaseFailed, attempt, current_actor, now

MAX_REPORTED_PROBLEMS = 500
# The fields a statement's problems name, as the problem table titles them.
FIELD_TITLES = {
    "transaction_id": _l("Bank transaction"),
    "booking_date": _l("Booking date"),
    "value_date": _l("Value date"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "reversal": _l("Reversal"),
    "status": _l("Status"),
    "credit_debit": _l("Credit or debit"),
}


def _bank_choices(form: StatementForm) -> None:
    locale = str(get_locale() or "en")
    banks = db_session().scalars(select(Bank).order_by(Bank.scheme_code, Bank.code))
    form.bank.choices = [SelectChoice("", "—")] + [
        SelectChoice(bank.code, f"{bank.name_in(locale)} · {bank.scheme.name_in(locale)}") for bank in banks]


def _page(form: StatementForm, *, error: str | None = None, problems: list | None = None):
    db = db_session()
    page = page_number()
    total = db.scalar(select(func.count()).select_from(BankStatement)) or 0
    rows = db.execute(select(BankStatement, Bank).join(Bank, Bank.code == BankStatement.bank_code)
                      .order_by(BankStatement.imported_at.desc(), BankStatement.id.desc())
                      .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("payments/statements.html", rows=rows, total=total, page=page, pages=page_count(total),
                           form=form, officer=is_officer(), error=error, problems=problems or [],
                           limit=MAX_REPORTED_PROBLEMS)


@bp.route("/staff/payments/statements")
@allow(*VIEWERS)
def statements():
    form = StatementForm()
    _bank_choices(form)
    return _page(form)


@bp.route("/staff/payments/statements", methods=["POST"])
@allow(*OFFICERS)
def upload_statement():
    db = db_session()
    form = StatementForm()
    _bank_choices(form)
    error, problems = None, []
    if form.validate_on_submit():
        bank = db.get(Bank, form.bank.data) if form.bank.data else None
        if bank is None:
            add_error(form.bank, DomainError("bank.unknown"))
        else:
            upload = form.file.data
            limit = current_app.config["MAX_IMPORT_BYTES"]
            data = upload.read(limit + 1)
            try:
                with attempt():
                    if len(data) > limit:
                        raise DomainError("import.too_large", megabytes=limit // 2**20)
                    statement = import_statement(db, bank, upload.filename or "statement", data,
                                                 actor=current_actor(), now=now())
            except UseCaseFailed as failed:
                error = failed.message
                if isinstance(failed.error, StatementInvalid):
                    problems = _problems(failed.error.problems)
            else:
                flash(ngettext("Statement imported: %(num)d transaction, %(new)d new, %(total)s. Run the "
                               "reconciliation to match the new payments.",
                               "Statement imported: %(num)d transactions, %(new)d new, %(total)s. Run the "
                               "reconciliation to match the new payments.",
                               statement.line_count, new=statement.new_count,
                               total=money(statement.total, bank.scheme.currency)), "success")
                return redirect(url_for("payments.statements"))
    return _page(form, error=error, problems=problems), 422


def _problems(found: list[tuple[int, str, str, dict]]) -> list[tuple[int, str, str]]:
    out = []
    for row, field, code, params in found[:MAX_REPORTED_PROBLEMS]:
        title = str(FIELD_TITLES[field]) if field in FIELD_TITLES else field
        if "field" in params:  # the message names the field too: by its title, not its code
            params = {**params, "field": str(FIELD_TITLES.get(params["field"], params["field"]))}
        out.append((row, title, message_for(DomainError(code, **params))))
    return out
