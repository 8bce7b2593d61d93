"""The worker's report form.  It checks the shape of what is typed; whether the wage is a wage and the month
may be reported is the domain's to say (``inspections.reports.report_problem``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from inspections.reports import MAX_NOTE
from portal.forms import PortalForm

# What the worker says is wrong, in their words; the reports page shows the same words.
KIND_LABELS = {
    "not_declared": _l("I worked this month but it is not declared"),
    "wrong_wage": _l("My wage is wrong"),
}


class ReportForm(PortalForm):
    kind = RadioField(_l("What is wrong?"), choices=[SelectChoice(code, label) for code, label in KIND_LABELS.items()],
                      validators=[InputRequired(message=_l("Choose what is wrong."))])
    claimed_wage = StringField(_l("Your real monthly gross wage (needed when the wage is wrong)"),
                               validators=[Optional(), Length(max=30)])
    note = TextAreaField(_l("Anything else the inspector should know (optional)"),
                         validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField(_l("Send the report"))
