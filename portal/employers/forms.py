from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from portal.forms import PortalForm

LANGUAGE_CHOICES = [SelectChoice("lo", "ລາວ"), SelectChoice("tg", "Тоҷикӣ"), SelectChoice("ru", "Русский"),
                    SelectChoice("en", "English")]


class NewPasswordFields(PortalForm):
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(), Length(min=10, max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})


class ContactFields(PortalForm):
    """What an employer's administrator may change without staff."""

    trading_name = StringField(_l("Trading name"), validators=[Optional(), Length(max=255)])
    address = TextAreaField(_l("Address"), validators=[DataRequired(), Length(max=1000)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=255)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=40)], render_kw={"type": "tel"})
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)])
    preferred_language = SelectField(_l("Language of letters and messages"), choices=LANGUAGE_CHOICES,
                                     validators=[DataRequired()])


class ProfileFields(ContactFields):
    """The whole employer profile; the choices of the selects are set by the view."""

    legal_name = StringField(_l("Legal name (in Lao or Tajik script)"), validators=[DataRequired(), Length(max=255)])
    legal_name_latin = StringField(_l("Legal name in Latin script"), validators=[DataRequired(), Length(max=255)])
    category = SelectField(_l("Employer category"), validators=[DataRequired()], validate_choice=False)
    sector_code = SelectField(_l("Economic sector"), validators=[Optional()], validate_choice=False)
    region_code = SelectField(_l("Province and district"), validators=[DataRequired()], validate_choice=False)


class RegistrationNumbers(PortalForm):
    tax_number = StringField(_l("Tax identification number"), validators=[DataRequired(), Length(max=30)])
    registration_number = StringField(_l("Business registration number"), validators=[Optional(), Length(max=50)])


class ApplicationForm(ProfileFields, RegistrationNumbers, NewPasswordFields):
    scheme_code = SelectField(_l("Country and scheme"), validators=[DataRequired()], validate_choice=False)
    admin_name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=255)])
    admin_email = EmailField(_l("Your e-mail address (your login)"), validators=[DataRequired(), Length(max=255)])
    submit = SubmitField(_l("Send the application"))


class CorrectionForm(ProfileFields, RegistrationNumbers):
    submit = SubmitField(_l("Send the corrected application"))


class ProfileChangeForm(ContactFields):
    valid_from = DateField(_l("In force from"), validators=[DataRequired()])
    submit = SubmitField(_l("Save the change"))


class ReviewForm(PortalForm):
    text = TextAreaField(_l("Comment or reason"), validators=[Optional(), Length(max=2000)])


class InviteForm(PortalForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, validators=[DataRequired()])
    submit = SubmitField(_l("Send the invitation"))


class AcceptInvitationForm(NewPasswordFields):
    submit = SubmitField(_l("Activate my account"))
