from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.employers.forms import ProfileFields, RegistrationNumbers
from portal.forms import PortalForm


class StatusForm(PortalForm):
    status = SelectField(_l("New status"), choices=[SelectChoice("active", _l("Active")),
                                                    SelectChoice("suspended", _l("Suspended")),
                                                    SelectChoice("ceased", _l("Ceased"))])
    ceased_on = DateField(_l("Date of cessation"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Change the status"))


class StaffProfileForm(ProfileFields):
    valid_from = DateField(_l("In force from"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save the change"))


class DirectRegistrationForm(ProfileFields, RegistrationNumbers):
    scheme_code = SelectField(_l("Country and scheme"), validators=[DataRequired()], validate_choice=False)
    admin_name = StringField(_l("Administrator's full name"), validators=[DataRequired(), Length(max=255)])
    admin_email = StringField(_l("Administrator's e-mail address"), validators=[DataRequired(), Length(max=255)])
    submit = SubmitField(_l("Register the employer"))


class DuplicateForm(PortalForm):
    flag_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2147483647)])
    decision = SelectField(choices=[SelectChoice("same_person", _l("The same person")),
                                    SelectChoice("different_people", _l("Different people"))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


