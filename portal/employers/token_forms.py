"""The form an employer administrator fills in to create an API token.

The choices come from the use case's own lists, so the form cannot offer a scope or an expiry the use case
refuses.  An empty name is left to the use case, whose message says what a good name is.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from employers.api_tokens import EXPIRY_DAYS, NAME_MAX, SCOPES
from portal.forms import PortalForm

SCOPE_LABELS = {"read": _l("Read only"), "write": _l("Read and write")}


class ApiTokenForm(PortalForm):
    name = StringField(lazy_pgettext("API token", "Name"), validators=[Length(max=NAME_MAX)],
                       render_kw={"maxlength": NAME_MAX, "autocomplete": "off"})
    scope = SelectField(_l("What the token may do"), default="read",
                        choices=[SelectChoice(scope, SCOPE_LABELS.get(scope, scope)) for scope in SCOPES])
    # Every choice is 30 days or more, so the plural form is the same in each language of the portal.
    days = SelectField(_l("Valid for"), coerce=int, default=90,
                       choices=[SelectChoice(days, _l("%(num)d days", num=days)) for days in EXPIRY_DAYS])
    submit = SubmitField(_l("Create the token"))
