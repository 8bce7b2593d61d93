"""The declaration receipt: the PDF an employer gets for each filed declaration version, in its language.

The receipt is rebuilt from the stored version (the rates, limits and amounts copied when it was filed),
never from the parameters in force today, so it reads the same whenever it is printed.  It shows what was
declared, what this version charges (the ledger's entries for it: the total for an original, the difference
for a replacement or corrective) and, at the bottom of its last page, a payment slip with the payment
reference in both forms and as a Code 128 barcode.

Every text goes through :func:`receipt_content`, which returns translated, formatted, labelled strings
without touching reportlab; :func:`receipt_pdf` only lays them out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import partial
from io import BytesIO
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_precision
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from contributions.declarations import Declaration
from contributions.filing import amount_charged_by
from contributions.rules.references import body_of, format_numeric, format_rf, rf_reference
from employers.employers import LANGUAGES, Employer
from notifications.fonts import register_pdf_fonts
from notifications.i18n import translations_for


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when the receipt is built, in its language."""
    return text


# Beyond this many workers the list is left to the portal: a receipt stays a few pages long.
MAX_PRINTED_LINES = 300
FLOOR_MARK, CEILING_MARK = "†", "‡"
LEGEND = ((FLOOR_MARK, _("Minimum insurable base applied")), (CEILING_MARK, _("Maximum insurable base applied")))
KIND_NAMES = {"original": _("Original"), "replacement": _("Replacement"), "corrective": _("Corrective")}
LINE_HEADERS = (_("No."), _("Social security number"), _("Name"), _("Gross wage"), _("Insurable base"),
                _("Employee share"), _("Employer share"), "")


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled value; ``key`` names it whatever the language."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class ReceiptContent:
    """Every string printed on a receipt, already translated and formatted, without zero-width spaces."""

    language: str
    institution: str
    scheme: str
    title: str
    receipt: list[Item]
    employer_heading: str
    employer: list[Item]
    declaration_heading: str
    declaration: list[Item]
    notes: list[str]
    totals_heading: str
    totals: list[Item]
    lines_heading: str
    amounts_in: str
    line_headers: tuple[str, ...]
    lines: list[tuple[str, ...]] | None  # None beyond MAX_PRINTED_LINES: ``lines_summary`` says so instead
    line_total: tuple[str, ...]
    legend: str  # what the marks in the last column mean; empty when no line has one
    lines_summary: str
    slip_heading: str
    slip: list[Item]
    slip_notes: list[str]
    barcode: str
    disclaimer: str
    footer: str
    page_of: str  # "Page %(page)d of %(pages)d", filled in once the pages are counted

    def items(self) -> list[Item]:
        return self.receipt + self.employer + self.declaration + self.totals + self.slip

    def value(self, key: str) -> str:
        """The value of the first item named ``key`` (KeyError if the receipt has none)."""
        for item in self.items():
            if item.key == key:
                return item.value
        raise KeyError(key)

    def strings(self) -> list[str]:
        """Every string the PDF is built from (for checks)."""

        def walk(value: object) -> Iterator[str]:
            if isinstance(value, str):
                yield value
            elif isinstance(value, Item):
                yield from (value.label, value.value)
            elif isinstance(value, list | tuple):
                for element in value:
                    yield from walk(element)

        return [text for spec in fields(self) for text in walk(getattr(self, spec.name))]


def clean(text: str) -> str:
    """Babel's Lao output and typed Lao contain U+200B, which reportlab would print as a visible space."""
    return text.replace("\u200b", "")


class _Text:
    """Translation and formatting in one language; amounts with the currency's own precision (LAK none,
    TJS two decimals)."""

    def __init__(self, language: str, currency: str) -> None:
        self.language, self.currency = language, currency
        self._gettext = translations_for(language).gettext
        places = get_currency_precision(currency)
        self._number_pattern = "#,##0" + ("." + "0" * places if places else "")

    def __call__(self, message: str, **params: object) -> str:
        text = self._gettext(message)
        return clean(text % params if params else text)

    def money(self, amount: Decimal) -> str:
        return clean(format_currency(amount, self.currency, locale=self.language))

    def number(self, amount: Decimal) -> str:
        return clean(format_decimal(amount, format=self._number_pattern, locale=self.language))

    def count(self, count: int) -> str:
        return clean(format_decimal(count, locale=self.language))

    def rate(self, rate: Decimal) -> str:
        return clean(format_percent(rate, "#,##0.###%", locale=self.language))

    def date(self, day: dt.date | None) -> str:
        return clean(format_date(day, format="long", locale=self.language)) if day else "—"

    def period(self, period: str) -> str:
        first_day = dt.date(int(period[:4]), int(period[5:7]), 1)
        return clean(format_skeleton("yMMMM", first_day, locale=self.language))

    def moment(self, when: dt.datetime, time_zone: str) -> str:
        """Local date and time with the UTC offset, e.g. ``November 20, 2026, 16:30 (UTC+07:00)``."""
        local = when.astimezone(ZoneInfo(time_zone))
        offset = local.strftime("%z")
        return f"{self.date(local.date())}, {local:%H:%M} (UTC{offset[:3]}:{offset[3:]})"


def _employer_items(employer: Employer, t: _Text) -> list[Item]:
    items = [Item("legal_name", t(_("Legal name")), clean(employer.legal_name))]
    if employer.legal_name_latin and employer.legal_name_latin != employer.legal_name:
        items.append(Item("legal_name_latin", t(_("Legal name in Latin script")), clean(employer.legal_name_latin)))
    return items + [Item("employer_number", t(_("Employer number")), employer.employer_number or ""),
                    Item("tax_number", t(_("Tax identification number")), employer.tax_number),
                    Item("address", t(_("Address")), clean(employer.address))]


def _declaration_items(declaration: Declaration, t: _Text, previous_receipt: str | None) -> list[Item]:
    items = [Item("period", t(_("Period")), t.period(declaration.period)),
             Item("version", t(_("Version")), str(declaration.version)),
             Item("kind", t(_("Type of declaration")), t(KIND_NAMES[declaration.kind]))]
    if previous_receipt:
        items.append(Item("previous", t(_("Previous version")), previous_receipt))
    if declaration.rate_employee is not None and declaration.rate_employer is not None:
        items.append(Item("rates", t(_("Contribution rates")), t(
            _("employee %(employee)s, employer %(employer)s"),
            employee=t.rate(declaration.rate_employee), employer=t.rate(declaration.rate_employer))))
    if declaration.base_floor is not None:
        items.append(Item("base_floor", t(_("Minimum insurable base")), t.money(declaration.base_floor)))
    if declaration.base_ceiling is not None:
        items.append(Item("base_ceiling", t(_("Maximum insurable base")), t.money(declaration.base_ceiling)))
    return items


def _notes(declaration: Declaration, t: _Text) -> list[str]:
    notes = []
    if declaration.is_nil:
        notes.append(t(_("Nil declaration: no wages were paid for this period.")))
        if declaration.nil_reason.strip():
            notes.append(t(_("Reason given: %(reason)s"), reason=clean(declaration.nil_reason.strip())))
    if declaration.is_late:
        notes.append(t(_("Filed late, after the due date of %(date)s."), date=t.date(declaration.due_date)))
    return notes


def _totals_items(declaration: Declaration, t: _Text, charged: Decimal) -> list[Item]:
    if charged >= 0:
        due = Item("amount_due", t(_("Amount due for this version")), t.money(charged))
    else:
        due = Item("amount_due", t(_("Amount credited by this version")), t.money(-charged))
    return [Item("line_count", t(_("Number of workers")), t.count(declaration.line_count)),
            Item("total_gross", t(_("Total gross wages")), t.money(declaration.total_gross)),
            Item("total_base", t(_("Total insurable base")), t.money(declaration.total_base)),
            Item("total_employee", t(_("Employee share")), t.money(declaration.total_employee)),
            Item("total_employer", t(_("Employer share")), t.money(declaration.total_employer)),
            Item("total", t(_("Total contributions")), t.money(declaration.total)),
            due, Item("due_date", t(_("Due date")), t.date(declaration.due_date))]


def _line_rows(declaration: Declaration, t: _Text) -> list[tuple[str, ...]] | None:
    if declaration.line_count > MAX_PRINTED_LINES:
        return None
    return [(str(number), line.person.social_security_number,
             clean(line.person.full_name_latin if t.language == "en" else line.person.full_name),
             t.number(line.gross_wage), t.number(line.base), t.number(line.employee_share),
             t.number(line.employer_share),
             FLOOR_MARK if line.floor_applied else CEILING_MARK if line.ceiling_applied else "")
            for number, line in enumerate(declaration.lines, start=1)]


def _slip_items(declaration: Declaration, employer: Employer, t: _Text, to_pay: Decimal) -> list[Item]:
    reference = declaration.payment_reference or ""
    body = body_of(reference)
    return [Item("payee", t(_("Payee")), clean(employer.scheme.institution_in(t.language))),
            Item("payer", t(_("Employer")), f"{employer.employer_number} — {clean(employer.legal_name)}"),
            Item("slip_period", t(_("Period")), t.period(declaration.period)),
            Item("amount_to_pay", t(_("Amount to pay")), t.money(to_pay)),
            Item("pay_by", t(_("Pay by")), t.date(declaration.due_date)),
            Item("reference", t(_("Payment reference")), format_numeric(reference)),
            Item("reference_rf", t(_("Payment reference (RF)")), format_rf(rf_reference(body)) if body else "")]


def receipt_content(
    declaration: Declaration, employer: Employer, *, charged: Decimal, language: str,
    previous_receipt: str | None = None,
) -> ReceiptContent:
    """The receipt's texts in ``language``.  ``charged`` is what this version adds to the employer's account
    (negative when it reduces an earlier version's charge); ``previous_receipt`` is the receipt number of
    the version it replaces or corrects.  Raises ValueError for a draft or an unknown language."""
    if not declaration.is_filed:
        raise ValueError("a draft declaration has no receipt")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    t, scheme = _Text(language, declaration.currency), employer.scheme
    receipt_number = declaration.receipt_number or ""
    lines = _line_rows(declaration, t)
    to_pay = max(charged, Decimal(0))
    slip_notes = [t(_("Write the payment reference exactly as shown in the reference field of your bank transfer."))]
    if to_pay == 0:
        slip_notes.insert(0, t(_("Nothing to pay for this version.")))
    return ReceiptContent(
        language=language, institution=clean(scheme.institution_in(language)), scheme=clean(scheme.name_in(language)),
        title=t(_("Declaration receipt")),
        receipt=[Item("receipt_number", t(_("Receipt number")), receipt_number),
                 Item("filed_at", t(_("Filed at")), t.moment(declaration.filed_at, scheme.time_zone)),
                 Item("filed_by", t(_("Filed by")), clean(declaration.filed_by or ""))],
        employer_heading=t(_("Employer")), employer=_employer_items(employer, t),
        declaration_heading=t(_("Declaration")), declaration=_declaration_items(declaration, t, previous_receipt),
        notes=_notes(declaration, t), totals_heading=t(_("Totals")), totals=_totals_items(declaration, t, charged),
        lines_heading=t(_("Workers declared")),
        amounts_in=t(_("Amounts in %(currency)s."), currency=declaration.currency),
        line_headers=tuple(t(text) if text else "" for text in LINE_HEADERS), lines=lines,
        line_total=("", "", t(_("Total")), t.number(declaration.total_gross), t.number(declaration.total_base),
                    t.number(declaration.total_employee), t.number(declaration.total_employer), ""),
        legend="    ".join(f"{mark} {t(text)}" for mark, text in LEGEND if any(mark in line for line in lines or ())),
        lines_summary=t(_("The list of the workers declared (%(count)s) is too long to print; it is in the portal, "
                          "with this declaration."), count=t.count(declaration.line_count)),
        slip_heading=t(_("Payment slip")), slip=_slip_items(declaration, employer, t, to_pay), slip_notes=slip_notes,
        barcode=declaration.payment_reference or "",
        disclaimer=t(_("This receipt confirms that the declaration was received. It is not proof of payment.")),
        footer=f"{t(_('Receipt number'))}: {receipt_number}", page_of=t(_("Page %(page)d of %(pages)d")),
    )


def receipt_pdf(session: Session, declaration: Declaration, language: str | None = None) -> bytes:
    """The receipt of a filed declaration version as an A4 PDF, in ``language`` (default: the employer's
    preferred language).  Raises ValueError for a draft."""
    employer = session.get(Employer, declaration.employer_id)
    previous = session.get(Declaration, declaration.previous_id) if declaration.previous_id else None
    content = receipt_content(declaration, employer, charged=amount_charged_by(session, declaration.id),
                              language=language or employer.preferred_language,
                              previous_receipt=previous.receipt_number if previous else None)
    return render_receipt(content)


# --- Layout -------------------------------------------------------------------------------------------------

MARGIN = 16 * mm
TOP_MARGIN = 12 * mm
WIDTH = A4[0] - 2 * MARGIN
INK, RULE, SHADE = colors.black, colors.Color(0.45, 0.45, 0.45), colors.Color(0.88, 0.88, 0.88)
PAD = 2  # points of padding left and right in table cells
LINE_WIDTHS = [9 * mm, 25 * mm, 50 * mm, 22 * mm, 22 * mm, 21 * mm, 21 * mm, 8 * mm]
_SPACES = re.compile(r"[ \t\n]+")  # where reportlab may break a line (not at no-break spaces)


class _Styles:
    """Paragraph styles, all shaped.  Lao needs generous leading so that stacked tone marks never touch the
    line above; no style splits inside a word, because that would cut Lao in the middle of a syllable."""

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


def _p(text: str, style: ParagraphStyle, width: float) -> Paragraph:
    """A paragraph of plain ``text`` for a column ``width`` points wide.  A word wider than the column (a long
    run of Lao, which has no spaces between words) gets a smaller font rather than being cut."""
    widest = max((stringWidth(word, style.fontName, style.fontSize) for word in _SPACES.split(text)), default=0)
    if widest > width:
        size = max(style.fontSize * width / widest * 0.97, 5.5)
        style = ParagraphStyle(f"{style.name}~{size:.2f}", parent=style, fontSize=size,
                               leading=style.leading * size / style.fontSize)
    return Paragraph(escape(text), style)


def _grid(rows: list[list[Flowable]], widths: list[float], *commands: tuple) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                               ("RIGHTPADDING", (0, 0), (-1, -1), PAD), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1), *commands]))
    return table


def _items(items: list[Item], st: _Styles, widths: list[float], value_style: ParagraphStyle | None = None) -> Table:
    label_width, value_width = (width - 2 * PAD for width in widths)
    return _grid([[_p(item.label, st.label, label_width), _p(item.value, value_style or st.value, value_width)]
                  for item in items], widths, ("LEFTPADDING", (0, 0), (0, -1), 0))


def _letterhead(c: ReceiptContent, st: _Styles) -> list[Flowable]:
    widths = [48 * mm, 66 * mm, WIDTH - 114 * mm]
    cells = [[_p(item.label, st.label, w - 4 * mm), _p(item.value, st.value, w - 4 * mm)]
             for item, w in zip(c.receipt, widths, strict=True)]
    receipt = _grid([cells], widths, ("BOX", (0, 0), (-1, -1), 0.8, INK), ("LINEBEFORE", (1, 0), (-1, 0), 0.3, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm), ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm))
    return [_p(c.institution, st.institution, WIDTH), _p(c.scheme, st.scheme, WIDTH), _Rule(WIDTH, 1.2),
            _p(c.title, st.title, WIDTH), receipt, Spacer(0, 1.5 * mm)]


def _parties(c: ReceiptContent, st: _Styles) -> Table:
    half = (WIDTH - 6 * mm) / 2
    left = [_p(c.employer_heading, st.heading, half), _items(c.employer, st, [36 * mm, half - 36 * mm])]
    right = [_p(c.declaration_heading, st.heading, half), _items(c.declaration, st, [38 * mm, half - 38 * mm])]
    return _grid([[left, right]], [half + 6 * mm, half], ("LEFTPADDING", (0, 0), (-1, -1), 0),
                 ("RIGHTPADDING", (0, 0), (-1, -1), 0))


def _totals(c: ReceiptContent, st: _Styles) -> Table:
    """Two pairs of columns: what was declared on the left, the contributions on the right, and below them
    the amount this version charges with its due date, shaded."""
    items = {item.key: item for item in c.totals}
    layout = [("line_count", "total_employee"), ("total_gross", "total_employer"), ("total_base", "total"),
              ("amount_due", "due_date")]
    widths = [52 * mm, 37 * mm, 52 * mm, 37 * mm]
    strong = {"total", "amount_due", "due_date"}
    rows = []
    for keys in layout:
        row: list[Flowable] = []
        for key, (label_width, value_width) in zip(keys, (widths[:2], widths[2:]), strict=True):
            row += [_p(items[key].label, st.strong if key in strong else st.text, label_width - 4 * mm),
                    _p(items[key].value, st.amount, value_width - 4 * mm)]
        rows.append(row)
    return _grid(rows, widths, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
                 ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
                 ("LINEAFTER", (1, 0), (1, -1), 0.8, INK), ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                 ("BACKGROUND", (0, -1), (-1, -1), SHADE), ("BOX", (0, 0), (-1, -1), 0.8, INK))


def _lines(c: ReceiptContent, st: _Styles) -> list[Flowable]:
    heading = _p(c.lines_heading, st.heading, WIDTH)
    if c.lines is None:
        return [heading, _p(c.lines_summary, st.text, WIDTH)]
    amounts = range(3, 7)

    def row(cells: tuple[str, ...], head: bool = False) -> list[Paragraph]:
        left, right = (st.head, st.head_right) if head else (st.cell, st.cell_right)
        return [_p(text, right if i in amounts else left, LINE_WIDTHS[i] - 2 * PAD) for i, text in enumerate(cells)]

    data = [row(c.line_headers, head=True)] + [row(line) for line in c.lines] + [row(c.line_total, head=True)]
    table = _grid(data, LINE_WIDTHS, ("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                  ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LINEBELOW", (0, 1), (-1, -2), 0.25, RULE),
                  ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK), ("BOX", (0, 0), (-1, -1), 0.8, INK))
    table.repeatRows = 1
    legend = [Spacer(0, 1 * mm), _p(c.legend, st.small, WIDTH)] if c.legend else []
    return [heading, _p(c.amounts_in, st.small, WIDTH), Spacer(0, 1 * mm), table, *legend]


def _slip(c: ReceiptContent, st: _Styles) -> Table:
    inner = WIDTH - 8 * mm
    left_width = inner - 56 * mm
    references = {"reference", "reference_rf"}
    # Labels wide enough for Tajik and Russian on one line: a taller slip would push it onto a second page.
    widths = [46 * mm, left_width - 46 * mm]
    details = _items([item for item in c.slip if item.key not in references], st, widths)
    numbers = _items([item for item in c.slip if item.key in references], st, widths, value_style=st.reference)
    barcode = Code128(c.barcode, barWidth=0.3 * mm, barHeight=14 * mm, quiet=1, humanReadable=0)
    right = [barcode, _p(format_numeric(c.barcode), st.small_center, 56 * mm)]
    body = _grid([[[details, Spacer(0, 1 * mm), numbers], right]], [left_width, 56 * mm],
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER"),
                 ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0))
    rows = [[_p(c.slip_heading, st.strong, inner)], [body]] + [[_p(note, st.small, inner)] for note in c.slip_notes]
    return _grid(rows, [WIDTH], ("BOX", (0, 0), (-1, -1), 1.2, INK), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                 ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                 ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm), ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm))


class _Rule(Flowable):
    def __init__(self, width: float, thickness: float) -> None:
        super().__init__()
        self.width, self.thickness = width, thickness

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.thickness + 2 * mm

    def draw(self) -> None:
        self.canv.setLineWidth(self.thickness)
        self.canv.setStrokeColor(INK)
        self.canv.line(0, 1 * mm, self.width, 1 * mm)


class _SlipAtBottom(Flowable):
    """The payment slip at the bottom of the page, under a dashed cutting line; the space above it stays blank.
    Moves to a new page when it does not fit in what is left of this one."""

    CUT = 5 * mm

    def __init__(self, slip: Table) -> None:
        super().__init__()
        self.slip = slip

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self._slip_height = self.slip.wrap(available_width, available_height)
        return self.width, max(self._slip_height + self.CUT, available_height - 1)

    def draw(self) -> None:
        self.slip.drawOn(self.canv, 0, 0)
        y = self._slip_height + self.CUT / 2
        self.canv.setLineWidth(0.6)
        self.canv.setStrokeColor(RULE)
        self.canv.setDash(4, 3)
        self.canv.line(-MARGIN / 2, y, self.width + MARGIN / 2, y)


class _PagedCanvas(Canvas):
    """Holds the pages back until the end so that each footer can say "page N of M"."""

    def __init__(self, *args: object, footer: object, **kwargs: object) -> None:
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


def _draw_footer(canvas: Canvas, page: int, pages: int, *, c: ReceiptContent, st: _Styles) -> None:
    y = MARGIN - 10 * mm
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, y + 5.5 * mm, MARGIN + WIDTH, y + 5.5 * mm)
    for paragraph in (_p(c.footer, st.small, WIDTH / 2), _p(c.page_of % {"page": page, "pages": pages},
                                                              st.small_right, WIDTH / 2)):
        paragraph.wrapOn(canvas, WIDTH / 2, 10 * mm)
        paragraph.drawOn(canvas, MARGIN if paragraph.style.alignment != TA_RIGHT else MARGIN + WIDTH / 2, y)


def render_receipt(c: ReceiptContent) -> bytes:
    st = _Styles()
    story: list[Flowable] = _letterhead(c, st) + [_parties(c, st)]
    story += [_p(note, st.note, WIDTH) for note in c.notes]
    story += [_p(c.totals_heading, st.heading, WIDTH), _totals(c, st)] + _lines(c, st)
    story += [Spacer(0, 3 * mm), _p(c.disclaimer, st.small, WIDTH), Spacer(0, 3 * mm), _SlipAtBottom(_slip(c, st))]
    buffer = BytesIO()
    frame = Frame(MARGIN, MARGIN, WIDTH, A4[1] - MARGIN - TOP_MARGIN, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0)
    document = BaseDocTemplate(buffer, pagesize=A4, pageTemplates=[PageTemplate("receipt", [frame])],
                               title=f"{c.title} {c.value('receipt_number')}", author=c.institution,
                               subject=c.scheme, lang=c.language)
    document.build(story, canvasmaker=partial(_PagedCanvas, footer=partial(_draw_footer, c=c, st=st)))
    return buffer.getvalue()
