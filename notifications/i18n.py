"""Translations for messages rendered outside a web request (e-mails, SMS, letters), with plain Babel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = ("lo", "tg", "ru", "en")


@lru_cache(maxsize=16)
def translations_for(language: str) -> NullTranslations:
    """The project catalog for ``language``; English (the source language) is the identity."""
    if language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")
