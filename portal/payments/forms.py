"""Forms of the payment pages.  They check the shape of what is typed; the rules are the services'."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_currency_precision
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from common.errors import DomainError
from contributions.rules.declaration_lines import parse_wage
from portal.forms import PortalForm
from portal.messages import message_for


class StatementForm(PortalForm):
    bank = SelectField(_l("Bank"), validate_choice=False)
    file = FileField(_l("Statement file (camt.053, camt.054 or the bank's CSV)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import the statement"))


class ReconcileForm(PortalForm):
    submit = SubmitField(_l("Run reconciliation now"))


class AssignForm(PortalForm):
    employer_number = StringField(_l("Employer number"), validators=[DataRequired(), Length(max=40)])
    receipt_number = StringField(_l("Declaration receipt number (optional)"), validators=[Optional(), Length(max=30)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Assign to this employer"))


class UndoForm(PortalForm):
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Undo the match"))


class ReverseForm(PortalForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Reverse the payment"))


class CounterReceiptForm(PortalForm):
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=40)])
    value_date = DateField(_l("Date received"), validators=[InputRequired()])
    channel = SelectField(_l("Paid in"), choices=[SelectChoice("cash", _l("Cash")),
                                                  SelectChoice("cheque", _l("Cheque"))], validate_choice=False)
    payer_name = StringField(_l("Paid by"), validators=[Optional(), Length(max=255)])
    reference = StringField(_l("Reference or cheque number"), validators=[Optional(), Length(max=500)])
    receipt_number = StringField(_l("Declaration receipt number (optional)"), validators=[Optional(), Length(max=30)])
    submit = SubmitField(_l("Record the receipt"))


class RefundForm(PortalForm):
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=40)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Refund"))


def read_amount(field: StringField, currency: str) -> Decimal | None:
    """The positive amount typed in ``field`` with at most the currency's decimals; otherwise None, with
    the message under the field."""
    amount = parse_wage(field.data, get_currency_precision(currency))
    if amount is None or amount <= 0:
        field.errors = [*field.errors, message_for(DomainError("payment.amount_invalid"))]
        return None
    return amount


def add_error(field, error: DomainError) -> None:
    field.errors = [*field.errors, message_for(error)]


class WaiverForm(PortalForm):
    """A waiver of interest or a fine; the periods to choose from are set by the page (those with something
    left to waive)."""

    period = SelectField(_l("Period"), validate_choice=False)
    component = SelectField(_l("What to waive"), choices=[SelectChoice("interest", _l("Interest")),
                                                          SelectChoice("fine", _l("Fine"))], validate_choice=False)
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=40)])
    reason = TextAreaField(_l("Reason (the employer sees it)"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Record the waiver"))


class ApproveWaiverForm(PortalForm):
    submit = SubmitField(_l("Approve"))


class RejectWaiverForm(PortalForm):
    note = TextAreaField(_l("Reason for rejecting"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Reject"))
