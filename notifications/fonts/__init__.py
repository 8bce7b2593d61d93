"""Noto Sans Lao Latin: one font family for Lao, Latin and Cyrillic (incl. Tajik), for pages and PDFs.

The TTFs are built by build_fonts.py from Debian's Noto Sans and Noto Sans Lao (SIL OFL 1.1, see
OFL.txt).  Pages load them with @font-face; PDFs call register_pdf_fonts() and use paragraph styles
with shaping=1, without which reportlab would leave Lao unshaped (marks not stacked).
"""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
REGULAR = FONT_DIR / "NotoSansLaoLatin-Regular.ttf"
BOLD = FONT_DIR / "NotoSansLaoLatin-Bold.ttf"
PDF_REGULAR = "NotoSansLaoLatin"
PDF_BOLD = "NotoSansLaoLatin-Bold"


def register_pdf_fonts() -> tuple[str, str]:
    """Register both weights with reportlab (once; later calls are no-ops) so that <b> picks Bold.

    Raises RuntimeError if reportlab cannot shape them, i.e. uharfbuzz is not installed.
    """
    # Imported here so that web pages, which only need FONT_DIR, do not load reportlab.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, path in ((PDF_REGULAR, REGULAR), (PDF_BOLD, BOLD)):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        if not pdfmetrics.getFont(name).shapable:
            raise RuntimeError(f"uharfbuzz missing: Lao would be unshaped ({name} is not shapable in reportlab)")
    pdfmetrics.registerFontFamily(
        PDF_REGULAR, normal=PDF_REGULAR, bold=PDF_BOLD, italic=PDF_REGULAR, boldItalic=PDF_BOLD
    )
    return PDF_REGULAR, PDF_BOLD
