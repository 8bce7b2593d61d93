from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.forms import PortalForm


class LoginForm(PortalForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=256)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password",
                                                                message=_l("The two passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))


class ForgotPasswordForm(PortalForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)],
                       render_kw={"autocomplete": "username"})
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(PortalForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=256)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password",
                                                                message=_l("The two passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set the new password"))
