from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.forms import PortalForm


class DraftForm(PortalForm):
    """The draft editor: CSRF and the revision shown; the lines are read from the request by line id."""

    revision = HiddenField(validators=[InputRequired()])


class AddWorkerForm(PortalForm):
    revision = HiddenField(validators=[InputRequired()])
    social_security_number = StringField(_l("Social security number"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Add to the declaration"))


class NilForm(PortalForm):
    reason = TextAreaField(_l("Why no wages were paid in this period"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("File a nil declaration"))


class SubmitForm(PortalForm):
    revision = HiddenField(validators=[InputRequired()])
    confirm = BooleanField(_l("I confirm that this declaration is complete and correct."),
                           validators=[DataRequired()])
    submit = SubmitField(_l("File the declaration"))


class UploadForm(PortalForm):
    revision = HiddenField(validators=[InputRequired()])
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired()])
    submit = SubmitField(_l("Check and load the file"))


class PlainForm(PortalForm):
    """A button that only needs CSRF (open a draft, discard it)."""
