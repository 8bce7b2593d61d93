from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import PortalForm

DOCUMENT_TYPES = [SelectChoice("national_id", _l("National identity card")), SelectChoice("passport", _l("Passport")),
                  SelectChoice("family_book", _l("Family book")),
                  SelectChoice("residence_permit", _l("Residence permit"))]
SEXES = [SelectChoice("F", _l("Female")), SelectChoice("M", _l("Male"))]
CONTRACT_TYPES = [SelectChoice("permanent", _l("Permanent")), SelectChoice("fixed_term", _l("Fixed term")),
                  SelectChoice("casual", _l("Casual")), SelectChoice("apprentice", _l("Apprentice"))]
END_REASONS = [SelectChoice("resignation", _l("Resignation")), SelectChoice("dismissal", _l("Dismissal")),
               SelectChoice("end_of_contract", _l("End of contract")), SelectChoice("retirement", _l("Retirement")),
               SelectChoice("death", _l("Death")), SelectChoice("transfer", _l("Transfer")),
               SelectChoice("other", _l("Other reason"))]


class HireForm(PortalForm):
    document_type = SelectField(_l("Identity document"), choices=DOCUMENT_TYPES)
    document_country = StringField(_l("Issuing country (two letters, e.g. LA, TJ)"),
                                   validators=[DataRequired(), Length(min=2, max=2)])
    document_number = StringField(_l("Document number"), validators=[DataRequired(), Length(max=40)])
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=120)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=120)])
    given_name_latin = StringField(_l("Given name in Latin script"), validators=[DataRequired(), Length(max=120)])
    family_name_latin = StringField(_l("Family name in Latin script"), validators=[DataRequired(), Length(max=120)])
    birth_date = DateField(_l("Date of birth"), validators=[DataRequired()])
    sex = SelectField(_l("Sex"), choices=SEXES)
    nationality = StringField(_l("Nationality (two letters)"), validators=[DataRequired(), Length(min=2, max=2)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)], render_kw={"type": "tel"})
    hired_on = DateField(_l("Hire date"), validators=[DataRequired()])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=120)])
    contract_type = SelectField(_l("Contract"), choices=CONTRACT_TYPES)
    monthly_wage = StringField(_l("Agreed monthly wage"), validators=[DataRequired(), Length(max=30)],
                               render_kw={"inputmode": "decimal"})
    submit = SubmitField(_l("Register the worker"))


class EndForm(PortalForm):
    ended_on = DateField(_l("Last day of work"), validators=[DataRequired()])
    end_reason = SelectField(_l("Reason"), choices=END_REASONS)
    submit = SubmitField(_l("End the employment"))


class CorrectDatesForm(PortalForm):
    hired_on = DateField(_l("Hire date"), validators=[DataRequired()])
    ended_on = DateField(_l("Last day of work"), validators=[Optional()])
    end_reason = SelectField(_l("Reason"), choices=[SelectChoice("", "—"), *END_REASONS], validators=[Optional()])
    submit = SubmitField(_l("Correct the dates"))


class UploadForm(PortalForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired()])
    submit = SubmitField(_l("Check the file"))
