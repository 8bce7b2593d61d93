"""The page layout shared by the PDFs (receipts, statements): A4 geometry, shaped paragraph styles, tables,
and a footer that says "page N of M".

Every style shapes its text (``shaping=1``) with the merged Noto font, without which reportlab would leave
Lao unshaped; no style splits inside a word, because that would cut Lao in the middle of a syllable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from notifications.documents.formatting import Item
from notifications.fonts import register_pdf_fonts

MARGIN = 16 * mm
TOP_MARGIN = 12 * mm
WIDTH = A4[0] - 2 * MARGIN
INK, RULE, SHADE = colors.black, colors.Color(0.45, 0.45, 0.45), colors.Color(0.88, 0.88, 0.88)
PAD = 2  # points of padding left and right in table cells
_SPACES = re.compile(r"[ \t\n]+")  # where reportlab may break a line (not at no-break spaces)


class Styles:
    """Paragraph styles, all shaped.  Lao needs generous leading so that stacked tone marks never touch the
    line above."""

    def __init__(self) -> None:
        regular, bold = register_pdf_fonts()

        def style(name: str, size: float, *, font: str = regular, leading: float = 1.5, **extra: object,
                  ) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * leading, textColor=INK,
                                  shaping=1, splitLongWords=0, **extra)

        self.institution = style("institution", 13, font=bold, alignment=TA_CENTER)
        self.scheme = style("scheme", 10, alignment=TA_CENTER)
        self.title = style("title", 15, font=bold, alignment=TA_CENTER, spaceBefore=2 * mm, spaceAfter=2 * mm)
        self.heading = style("heading", 10.5, font=bold, spaceBefore=3.5 * mm, spaceAfter=1 * mm)
        self.label = style("label", 8.5)
        self.value = style("value", 9, font=bold)
        self.text = style("text", 9)
        self.strong = style("strong", 9, font=bold)
        self.amount = style("amount", 9, font=bold, alignment=TA_RIGHT)
        self.note = style("note", 9, font=bold, spaceBefore=2 * mm)
        self.small = style("small", 7.5)
        self.small_right = style("small_right", 7.5, alignment=TA_RIGHT)
        self.small_center = style("small_center", 7.5, alignment=TA_CENTER)
        self.cell = style("cell", 7.5, leading=1.45)
        self.cell_right = style("cell_right", 7.5, leading=1.45, alignment=TA_RIGHT)
        self.head = style("head", 7.5, font=bold, leading=1.45)
        self.head_right = style("head_right", 7.5, font=bold, leading=1.45, alignment=TA_RIGHT)
        self.reference = style("reference", 11, font=bold, leading=1.4)


def para(text: str, style: ParagraphStyle, width: float) -> Paragraph:
    """A paragraph of plain ``text`` for a column ``width`` points wide.  A word wider than the column (a long
    run of Lao, which has no spaces between words) gets a smaller font rather than being cut."""
    widest = max((stringWidth(word, style.fontName, style.fontSize) for word in _SPACES.split(text)), default=0)
    if widest > width:
        size = max(style.fontSize * width / widest * 0.97, 5.5)
        style = ParagraphStyle(f"{style.name}~{size:.2f}", parent=style, fontSize=size,
                               leading=style.leading * size / style.fontSize)
    return Paragraph(escape(text), style)


def grid(rows: list[list[Flowable]], widths: list[float], *commands: tuple) -> Table:
    """A table with top-aligned cells and narrow padding; ``commands`` add to or override that style."""
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                               ("RIGHTPADDING", (0, 0), (-1, -1), PAD), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1), *commands]))
    return table


def item_table(items: list[Item], st: Styles, widths: list[float],
               value_style: ParagraphStyle | None = None) -> Table:
    """Labels in the first column, their values in the second."""
    label_width, value_width = (width - 2 * PAD for width in widths)
    return grid([[para(item.label, st.label, label_width),
                  para(item.value, value_style or st.value, value_width)] for item in items],
                widths, ("LEFTPADDING", (0, 0), (0, -1), 0))


class Rule(Flowable):
    """A horizontal line across ``width`` points."""

    def __init__(self, width: float, thickness: float) -> None:
        super().__init__()
        self.width, self.thickness = width, thickness

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.thickness + 2 * mm

    def draw(self) -> None:
        self.canv.setLineWidth(self.thickness)
        self.canv.setStrokeColor(INK)
        self.canv.line(0, 1 * mm, self.width, 1 * mm)


class PagedCanvas(Canvas):
    """Holds the pages back until the end so that each footer can say "page N of M"."""

    def __init__(self, *args: object, footer: Callable[[Canvas, int, int], None], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict] = []
        self._footer = footer

    def showPage(self) -> None:  # reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for state in self._held:
            self.__dict__.update(state)
            self._footer(self, self._pageNumber, len(self._held))
            super().showPage()
        super().save()


def draw_footer(canvas: Canvas, page: int, pages: int, *, left: str, page_of: str, st: Styles) -> None:
    """A rule, ``left`` under its left half and ``page_of`` ("Page %(page)d of %(pages)d") under its right."""
    y = MARGIN - 10 * mm
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, y + 5.5 * mm, MARGIN + WIDTH, y + 5.5 * mm)
    for block in (para(left, st.small, WIDTH / 2),
                  para(page_of % {"page": page, "pages": pages}, st.small_right, WIDTH / 2)):
        block.wrapOn(canvas, WIDTH / 2, 10 * mm)
        block.drawOn(canvas, MARGIN if block.style.alignment != TA_RIGHT else MARGIN + WIDTH / 2, y)


def build_pdf(story: list[Flowable], st: Styles, *, title: str, author: str, subject: str, language: str,
              footer: str, page_of: str) -> bytes:
    """The ``story`` laid out on A4 pages with the footer on each; returns the PDF."""
    buffer = BytesIO()
    frame = Frame(MARGIN, MARGIN, WIDTH, A4[1] - MARGIN - TOP_MARGIN, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0)
    document = BaseDocTemplate(buffer, pagesize=A4, pageTemplates=[PageTemplate("page", [frame])], title=title,
                               author=author, subject=subject, lang=language)
    document.build(story, canvasmaker=partial(PagedCanvas, footer=partial(draw_footer, left=footer, page_of=page_of,
                                                                            st=st)))
    return buffer.getvalue()
