"""The forms of inspection cases: open one, then work it (notes and visit findings, files, an assessment,
reassignment, closing).  Choices of people and reports are filled by the view; the codes' labels come from
``labels.py`` and are translated when the form is built, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from inspections.cases import MAX_NOTE, OUTCOMES, REASONS
from portal.forms import PortalForm
from portal.inspections.labels import OUTCOME_LABELS, REASON_LABELS

ASSESSMENT_ROWS = 10


def _choices(labels: dict[str, str], codes: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(code, _l(labels[code])) for code in codes]


class NewCaseForm(PortalForm):
    reason = SelectField(_l("Reason"), choices=_choices(REASON_LABELS, REASONS))
    note = TextAreaField(_l("Why the case is opened"), validators=[Optional(), Length(max=MAX_NOTE)])
    assignee = SelectField(_l("Inspector in charge"), coerce=int)
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    # The employer's open worker reports, shown as check boxes by the page.
    reports = SelectMultipleField(_l("Worker reports to take into the case"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Open the case"))


class NoteForm(PortalForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice("note", _l("Note")),
                                            SelectChoice("visit", _l("Visit finding"))])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=MAX_NOTE)])
    submit = SubmitField(_l("Add to the case"))


class AttachForm(PortalForm):
    file = FileField(_l("File (PDF, PNG, JPEG, XLSX or DOCX, at most 5 MB)"), validators=[FileRequired()])
    submit = SubmitField(_l("Attach the file"))


class AssessedRow(Form):
    """One worker of an assessment; a row left empty is ignored."""

    social_security_number = StringField(_l("Social security number"), validators=[Optional(), Length(max=20)])
    gross_wage = StringField(_l("Gross wage found"), validators=[Optional(), Length(max=30)])


class AssessmentForm(PortalForm):
    period = StringField(_l("Period (YYYY-MM)"), validators=[
        DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l("Write the period as YYYY-MM."))])
    rows = FieldList(FormField(AssessedRow), min_entries=ASSESSMENT_ROWS, max_entries=ASSESSMENT_ROWS)
    note = TextAreaField(_l("What the inspection found"), validators=[DataRequired(), Length(max=MAX_NOTE)])
    submit = SubmitField(_l("Record the assessment"))


class ReassignForm(PortalForm):
    assignee = SelectField(_l("Inspector in charge"), coerce=int)
    submit = SubmitField(_l("Reassign"))


class CloseForm(PortalForm):
    outcome = SelectField(_l("Outcome"), choices=_choices(OUTCOME_LABELS, OUTCOMES))
    note = TextAreaField(_l("Conclusion"), validators=[DataRequired(), Length(max=MAX_NOTE)])
    submit = SubmitField(_l("Close the case"))
