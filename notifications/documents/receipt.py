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

from dataclasses import dataclass
from decimal import Decimal

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table
from sqlalchemy.orm import Session

from contributions.declarations import Declaration
from contributions.filing import amount_charged_by
from contributions.rules.references import body_of, format_numeric, format_rf, rf_reference
from employers.api_tokens import readable_actor
from employers.employers import LANGUAGES, Employer
from notifications.documents.formatting import Item, Text, all_strings, clean, employer_items
from notifications.documents.layout import (
    INK,
    MARGIN,
    PAD,
    RULE,
    SHADE,
    WIDTH,
    Rule,
    Styles,
    build_pdf,
    grid,
    item_table,
    para,
)


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
        return all_strings(self)


def _declaration_items(declaration: Declaration, t: Text, previous_receipt: str | None) -> list[Item]:
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


def _notes(declaration: Declaration, t: Text) -> list[str]:
    notes = []
    if declaration.is_nil:
        notes.append(t(_("Nil declaration: no wages were paid for this period.")))
        if declaration.nil_reason.strip():
            notes.append(t(_("Reason given: %(reason)s"), reason=clean(declaration.nil_reason.strip())))
    if declaration.is_late:
        notes.append(t(_("Filed late, after the due date of %(date)s."), date=t.date(declaration.due_date)))
    return notes


def _totals_items(declaration: Declaration, t: Text, charged: Decimal) -> list[Item]:
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


def _line_rows(declaration: Declaration, t: Text) -> list[tuple[str, ...]] | None:
    if declaration.line_count > MAX_PRINTED_LINES:
        return None
    return [(str(number), line.person.social_security_number,
             clean(line.person.full_name_latin if t.language == "en" else line.person.full_name),
             t.number(line.gross_wage), t.number(line.base), t.number(line.employee_share),
             t.number(line.employer_share),
             FLOOR_MARK if line.floor_applied else CEILING_MARK if line.ceiling_applied else "")
            for number, line in enumerate(declaration.lines, start=1)]


def _slip_items(declaration: Declaration, employer: Employer, t: Text, to_pay: Decimal) -> list[Item]:
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
    t, scheme = Text(language, declaration.currency), employer.scheme
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
                 Item("filed_by", t(_("Filed by")), clean(readable_actor(declaration.filed_by or "")))],
        employer_heading=t(_("Employer")), employer=employer_items(employer, t),
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

LINE_WIDTHS = [9 * mm, 25 * mm, 50 * mm, 22 * mm, 22 * mm, 21 * mm, 21 * mm, 8 * mm]


def _letterhead(c: ReceiptContent, st: Styles) -> list[Flowable]:
    widths = [48 * mm, 66 * mm, WIDTH - 114 * mm]
    cells = [[para(item.label, st.label, w - 4 * mm), para(item.value, st.value, w - 4 * mm)]
             for item, w in zip(c.receipt, widths, strict=True)]
    receipt = grid([cells], widths, ("BOX", (0, 0), (-1, -1), 0.8, INK), ("LINEBEFORE", (1, 0), (-1, 0), 0.3, RULE),
                   ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm), ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm))
    return [para(c.institution, st.institution, WIDTH), para(c.scheme, st.scheme, WIDTH), Rule(WIDTH, 1.2),
            para(c.title, st.title, WIDTH), receipt, Spacer(0, 1.5 * mm)]


def _parties(c: ReceiptContent, st: Styles) -> Table:
    half = (WIDTH - 6 * mm) / 2
    left = [para(c.employer_heading, st.heading, half), item_table(c.employer, st, [36 * mm, half - 36 * mm])]
    right = [para(c.declaration_heading, st.heading, half), item_table(c.declaration, st, [38 * mm, half - 38 * mm])]
    return grid([[left, right]], [half + 6 * mm, half], ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0))


def _totals(c: ReceiptContent, st: Styles) -> Table:
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
            row += [para(items[key].label, st.strong if key in strong else st.text, label_width - 4 * mm),
                    para(items[key].value, st.amount, value_width - 4 * mm)]
        rows.append(row)
    return grid(rows, widths, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
                ("LINEAFTER", (1, 0), (1, -1), 0.8, INK), ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE), ("BOX", (0, 0), (-1, -1), 0.8, INK))


def _lines(c: ReceiptContent, st: Styles) -> list[Flowable]:
    heading = para(c.lines_heading, st.heading, WIDTH)
    if c.lines is None:
        return [heading, para(c.lines_summary, st.text, WIDTH)]
    amounts = range(3, 7)

    def row(cells: tuple[str, ...], head: bool = False) -> list[Paragraph]:
        left, right = (st.head, st.head_right) if head else (st.cell, st.cell_right)
        return [para(text, right if i in amounts else left, LINE_WIDTHS[i] - 2 * PAD) for i, text in enumerate(cells)]

    data = [row(c.line_headers, head=True)] + [row(line) for line in c.lines] + [row(c.line_total, head=True)]
    table = grid(data, LINE_WIDTHS, ("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                 ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LINEBELOW", (0, 1), (-1, -2), 0.25, RULE),
                 ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK), ("BOX", (0, 0), (-1, -1), 0.8, INK))
    table.repeatRows = 1
    legend = [Spacer(0, 1 * mm), para(c.legend, st.small, WIDTH)] if c.legend else []
    return [heading, para(c.amounts_in, st.small, WIDTH), Spacer(0, 1 * mm), table, *legend]


def _slip(c: ReceiptContent, st: Styles) -> Table:
    inner = WIDTH - 8 * mm
    left_width = inner - 56 * mm
    references = {"reference", "reference_rf"}
    # Labels wide enough for Tajik and Russian on one line: a taller slip would push it onto a second page.
    widths = [46 * mm, left_width - 46 * mm]
    details = item_table([item for item in c.slip if item.key not in references], st, widths)
    numbers = item_table([item for item in c.slip if item.key in references], st, widths, value_style=st.reference)
    barcode = Code128(c.barcode, barWidth=0.3 * mm, barHeight=14 * mm, quiet=1, humanReadable=0)
    right = [barcode, para(format_numeric(c.barcode), st.small_center, 56 * mm)]
    body = grid([[[details, Spacer(0, 1 * mm), numbers], right]], [left_width, 56 * mm],
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0))
    rows = [[para(c.slip_heading, st.strong, inner)], [body]] + [[para(note, st.small, inner)] for note in c.slip_notes]
    return grid(rows, [WIDTH], ("BOX", (0, 0), (-1, -1), 1.2, INK), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm), ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm))


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


def render_receipt(c: ReceiptContent) -> bytes:
    st = Styles()
    story: list[Flowable] = _letterhead(c, st) + [_parties(c, st)]
    story += [para(note, st.note, WIDTH) for note in c.notes]
    story += [para(c.totals_heading, st.heading, WIDTH), _totals(c, st)] + _lines(c, st)
    story += [Spacer(0, 3 * mm), para(c.disclaimer, st.small, WIDTH), Spacer(0, 3 * mm), _SlipAtBottom(_slip(c, st))]
    return build_pdf(story, st, title=f"{c.title} {c.value('receipt_number')}", author=c.institution,
                     subject=c.scheme, language=c.language, footer=c.footer, page_of=c.page_of)
