"""The shipped font renders every character the portal shows, and reportlab can shape it."""

from __future__ import annotations

import unicodedata

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from notifications.fonts import BOLD, REGULAR, register_pdf_fonts
from notifications.i18n import TRANSLATIONS_DIR
from portal.demo import demo_logins
from portal.i18n import LANGUAGE_NAMES


def _catalog_text() -> str:
    parts = []
    for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po"):
        with po.open("rb") as handle:
            for message in read_po(handle):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                parts.extend(s for s in strings if s)
    return "".join(parts)


@pytest.mark.parametrize("path", [REGULAR, BOLD], ids=["regular", "bold"])
def test_font_covers_every_character_of_the_catalogs_and_demo(path) -> None:
    cmap = TTFont(str(path)).getBestCmap()
    text = _catalog_text() + "".join(LANGUAGE_NAMES.values()) + "".join(login.name for login in demo_logins())
    text += "₭ғӣқӯҳҷҒӢҚӮҲҶ«»№"
    missing = sorted({ch for ch in text if ord(ch) not in cmap and unicodedata.category(ch) not in ("Cc", "Zl")})
    assert missing == []


def test_pdf_fonts_are_shapable() -> None:
    from reportlab.pdfbase import pdfmetrics

    regular, bold = register_pdf_fonts()
    assert pdfmetrics.getFont(regular).shapable and pdfmetrics.getFont(bold).shapable
