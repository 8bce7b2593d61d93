"""The base form: CSRF (Flask-WTF) and messages in the user's language."""

from __future__ import annotations

from flask_wtf import FlaskForm

from portal.i18n import WTFormsTranslations

_translations = WTFormsTranslations()


class PortalForm(FlaskForm):
    class Meta:
        def get_translations(self, form: object) -> WTFormsTranslations:
            return _translations
