"""The statement of arrears: everything an employer owed and had not paid on a date past its due date, per
period and component, grouped by how long it had been overdue, as an A4 PDF in one language.

"As of" a date means what ``contributions.arrears`` says: charges known on that day, and money by the day it
was paid.  Every text goes through :func:`arrears_content`, which returns translated, formatted strings
without touching reportlab; :func:`arrears_statement_pdf` lays them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table
from sqlalchemy.orm import Session

from contributions.arrears import ArrearsLine, aging, arrears_lines
from contributions.rules.aging import BUCKETS
from employers.employers import LANGUAGES, Employer
from notifications.documents.formatting import Item, Text, all_strings, clean, employer_items
from notifications.documents.layout import (
    INK,
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
    """Mark a string for extraction; it is translated when the statement is built, in its language."""
    return text


ZERO = Decimal(0)
COMPONENT_NAMES = {"employee_share": _("Employee share"), "employer_share": _("Employer share"),
                   "interest": _("Interest"), "fine": _("Fine"), "assessment": _("Assessment")}
# The same names as the aging table of the account pages.
BUCKET_NAMES = {"0-30": _("Up to 30 days"), "31-90": _("31 to 90 days"), "91-180": _("91 to 180 days"),
                "181-365": _("181 to 365 days"), "365+": _("More than a year")}
LINE_HEADERS = (_("Period"), _("Component"), _("Due date"), _("Days overdue"), _("Amount"))


@dataclass(frozen=True)
class ArrearsGroup:
    """The lines of one aging bucket and their subtotal."""

    bucket: str  # the bucket's code in ``BUCKETS`` ("0-30"...)
    title: str
    rows: list[tuple[str, ...]]  # oldest first
    subtotal: tuple[str, ...]


@dataclass(frozen=True)
class ArrearsContent:
    """Every string printed on a statement of arrears, already translated and formatted."""

    language: str
    institution: str
    scheme: str
    title: str
    employer_heading: str
    employer: list[Item]
    statement_heading: str
    statement: list[Item]
    aging_heading: str
    aging: list[Item]  # one per bucket (zero when empty), in ``BUCKETS`` order, then the total (key "total")
    lines_heading: str
    amounts_in: str
    line_headers: tuple[str, ...]
    groups: list[ArrearsGroup]  # from the oldest bucket to the most recent; only buckets with lines
    total: tuple[str, ...]
    nothing_overdue: str  # printed instead of the table when nothing was overdue
    note: str
    footer: str
    page_of: str  # "Page %(page)d of %(pages)d", filled in once the pages are counted

    def value(self, key: str) -> str:
        """The value of the first item named ``key`` (KeyError if the statement has none)."""
        for item in self.employer + self.statement + self.aging:
            if item.key == key:
                return item.value
        raise KeyError(key)

    def strings(self) -> list[str]:
        """Every string the PDF is built from (for checks)."""
        return all_strings(self) + [text for group in self.groups
                                    for text in (group.title, *group.subtotal, *(t for row in group.rows for t in row))]


def _line_row(line: ArrearsLine, t: Text) -> tuple[str, ...]:
    return (t.period(line.period), t(COMPONENT_NAMES.get(line.component, line.component)), t.date(line.due_date),
            t.count(line.days), t.number(line.outstanding))


def _groups(lines: list[ArrearsLine], t: Text) -> list[ArrearsGroup]:
    order = [label for label, _low, _high in reversed(BUCKETS)]  # the oldest debts first, as the lines are
    groups = []
    for label in order:
        members = [line for line in lines if line.bucket == label]
        if not members:
            continue
        subtotal = sum((line.outstanding for line in members), ZERO)
        groups.append(ArrearsGroup(bucket=label, title=t(BUCKET_NAMES[label]),
                                   rows=[_line_row(line, t) for line in members],
                                   subtotal=(t(_("Subtotal")), "", "", "", t.number(subtotal))))
    return groups


def arrears_content(session: Session, employer: Employer, *, as_of: dt.date, language: str,
                    today: dt.date | None = None) -> ArrearsContent:
    """The statement's texts in ``language``: the employer's arrears as of ``as_of``, printed on ``today``
    (default: ``as_of``).  Raises ValueError for an unknown language."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    scheme = employer.scheme
    t = Text(language, scheme.currency)
    lines = arrears_lines(session, as_of=as_of, employer_id=employer.id)
    totals = aging(lines)
    total = sum(totals.values(), ZERO)
    return ArrearsContent(
        language=language, institution=clean(scheme.institution_in(language)), scheme=clean(scheme.name_in(language)),
        title=t(_("Statement of arrears")),
        employer_heading=t(_("Employer")), employer=employer_items(employer, t),
        statement_heading=t(_("Statement")),
        statement=[Item("as_of", t(_("Arrears as of")), t.date(as_of)),
                   Item("date", t(_("Date of the statement")), t.date(today or as_of)),
                   Item("currency", t(_("Currency")), scheme.currency)],
        aging_heading=t(_("Overdue, by age")),
        aging=[Item(label, t(BUCKET_NAMES[label]), t.money(amount)) for label, amount in totals.items()]
        + [Item("total", t(_("Total overdue")), t.money(total))],
        lines_heading=t(_("Overdue amounts by period")),
        amounts_in=t(_("Amounts in %(currency)s."), currency=scheme.currency),
        line_headers=tuple(t(text) for text in LINE_HEADERS),
        groups=_groups(lines, t),
        total=(t(_("Total")), "", "", "", t.number(total)),
        nothing_overdue=t(_("Nothing was overdue on %(date)s."), date=t.date(as_of)),
        note=t(_("Each amount had been charged by %(date)s and was still unpaid that day, past its due date; a "
                 "payment counts from the day it was made. Interest and fines charged after that day are not "
                 "included."), date=t.date(as_of)),
        footer=f"{t(_('Employer number'))}: {employer.employer_number or ''}",
        page_of=t(_("Page %(page)d of %(pages)d")),
    )


def arrears_statement_pdf(session: Session, employer: Employer, *, as_of: dt.date, language: str | None = None,
                          today: dt.date | None = None) -> bytes:
    """The statement of arrears of ``employer`` as of ``as_of`` as an A4 PDF in ``language`` (default: the
    employer's preferred language).  Raises ValueError for an unknown language."""
    return render_arrears(arrears_content(session, employer, as_of=as_of,
                                          language=language or employer.preferred_language, today=today))


# --- Layout -------------------------------------------------------------------------------------------------

LINE_WIDTHS = [32 * mm, 42 * mm, 36 * mm, 28 * mm, WIDTH - 138 * mm]
AMOUNTS = {3, 4}


def _letterhead(c: ArrearsContent, st: Styles) -> list[Flowable]:
    return [para(c.institution, st.institution, WIDTH), para(c.scheme, st.scheme, WIDTH), Rule(WIDTH, 1.2),
            para(c.title, st.title, WIDTH)]


def _parties(c: ArrearsContent, st: Styles) -> Table:
    half = (WIDTH - 6 * mm) / 2
    left = [para(c.employer_heading, st.heading, half), item_table(c.employer, st, [36 * mm, half - 36 * mm])]
    right = [para(c.statement_heading, st.heading, half), item_table(c.statement, st, [38 * mm, half - 38 * mm])]
    return grid([[left, right]], [half + 6 * mm, half], ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0))


def _aging(c: ArrearsContent, st: Styles) -> Table:
    """One row per bucket and the total, shaded."""
    widths = [WIDTH - 70 * mm, 70 * mm]
    rows = [[para(item.label, st.strong if item.key == "total" else st.text, widths[0] - 4 * mm),
             para(item.value, st.amount, widths[1] - 4 * mm)] for item in c.aging]
    return grid(rows, widths, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE), ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("BOX", (0, 0), (-1, -1), 0.8, INK))


def _lines(c: ArrearsContent, st: Styles) -> list[Flowable]:
    """Column headers repeated on each page; per bucket a title row, its lines and a subtotal; the total."""
    heading = para(c.lines_heading, st.heading, WIDTH)
    if not c.groups:
        return [heading, para(c.nothing_overdue, st.text, WIDTH)]

    def row(cells: tuple[str, ...], head: bool = False) -> list[Paragraph]:
        left, right = (st.head, st.head_right) if head else (st.cell, st.cell_right)
        return [para(text, right if i in AMOUNTS else left, LINE_WIDTHS[i] - 2 * PAD) for i, text in enumerate(cells)]

    data = [row(c.line_headers, head=True)]
    commands: list[tuple] = [("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                             ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("BOX", (0, 0), (-1, -1), 0.8, INK)]
    for group in c.groups:
        title = len(data)
        data.append([para(group.title, st.head, WIDTH - 2 * PAD)] + [""] * (len(LINE_WIDTHS) - 1))
        commands += [("SPAN", (0, title), (-1, title)), ("LINEBELOW", (0, title), (-1, title), 0.25, RULE)]
        data += [row(cells) for cells in group.rows]
        commands.append(("LINEBELOW", (0, title + 1), (-1, len(data) - 1), 0.25, RULE))
        data.append(row(group.subtotal, head=True))
        commands.append(("LINEBELOW", (0, len(data) - 1), (-1, len(data) - 1), 0.6, INK))
    data.append(row(c.total, head=True))
    commands += [("LINEABOVE", (0, -1), (-1, -1), 0.8, INK), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]
    table = grid(data, LINE_WIDTHS, *commands)
    table.repeatRows = 1
    return [heading, para(c.amounts_in, st.small, WIDTH), Spacer(0, 1 * mm), table]


def render_arrears(c: ArrearsContent) -> bytes:
    st = Styles()
    story: list[Flowable] = _letterhead(c, st) + [_parties(c, st)]
    story += [para(c.aging_heading, st.heading, WIDTH), _aging(c, st)] + _lines(c, st)
    story += [Spacer(0, 2 * mm), para(c.note, st.small, WIDTH)]
    return build_pdf(story, st, title=c.title, author=c.institution, subject=c.scheme, language=c.language,
                     footer=c.footer, page_of=c.page_of)
