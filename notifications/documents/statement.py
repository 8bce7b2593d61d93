"""The statement of account: what an employer was charged and paid for a range of months, and the payments
received in it, as an A4 PDF in one language.

The figures come from the ledger as it stands on the statement's date (``contributions.account``): what a
period shows as paid includes money received after the range.  Every text goes through
:func:`statement_content`, which returns translated, formatted strings without touching reportlab;
:func:`statement_pdf` lays them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.period import Period
from contributions.account import PeriodAccount, account_periods, credit_held
from contributions.ledger import balance_of
from contributions.payments import Payment
from employers.employers import LANGUAGES, Employer
from notifications.documents.formatting import Item, Text, all_strings, clean, employer_items, shorten
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
REFERENCE_LENGTH = 40  # characters of a payment's reference text printed; the portal shows all of it
STATUS_NAMES = {"paid": _("Paid"), "partly_paid": _("Partly paid"), "unpaid": _("Unpaid"),
                "nothing_due": _("Nothing due")}
PAYMENT_STATUS_NAMES = {"matched": _("Matched"), "reversed": _("Reversed")}
PERIOD_HEADERS = (_("Period"), _("Due date"), _("Charged"), _("Paid"), _("Outstanding"), _("Status"))
PAYMENT_HEADERS = (_("Date"), _("Amount"), _("Reference"), _("Status"))


@dataclass(frozen=True)
class StatementContent:
    """Every string printed on a statement, already translated and formatted, without zero-width spaces."""

    language: str
    institution: str
    scheme: str
    title: str
    employer_heading: str
    employer: list[Item]
    statement_heading: str
    statement: list[Item]
    periods_heading: str
    amounts_in: str
    period_headers: tuple[str, ...]
    periods: list[tuple[str, ...]]  # oldest first
    period_total: tuple[str, ...]
    no_periods: str  # printed instead of the table when no period of the range has a charge or a payment
    summary: list[Item]
    as_of_note: str
    payments_heading: str
    payment_headers: tuple[str, ...]
    payments: list[tuple[str, ...]]  # by value date
    no_payments: str
    footer: str
    page_of: str  # "Page %(page)d of %(pages)d", filled in once the pages are counted

    def value(self, key: str) -> str:
        """The value of the first item named ``key`` (KeyError if the statement has none)."""
        for item in self.employer + self.statement + self.summary:
            if item.key == key:
                return item.value
        raise KeyError(key)

    def strings(self) -> list[str]:
        """Every string the PDF is built from (for checks)."""
        return all_strings(self)


def balance_words(balance: Decimal) -> str:
    """How to say a balance in words: the message (not yet translated), to fill with the size of it."""
    if balance > ZERO:
        return _("%(amount)s owed")
    if balance < ZERO:
        return _("%(amount)s in your favour (credit)")
    return _("Nothing owed")


def payments_between(session: Session, employer_id: int, first: dt.date, last: dt.date) -> list[Payment]:
    """The employer's payments (matched or reversed) with a value date from ``first`` to ``last`` inclusive."""
    return list(session.scalars(select(Payment).where(Payment.employer_id == employer_id,
                                                      Payment.value_date >= first, Payment.value_date <= last)
                                .order_by(Payment.value_date, Payment.id)))


def _period_row(row: PeriodAccount, t: Text, today: dt.date) -> tuple[str, ...]:
    status = t(STATUS_NAMES[row.status])
    if row.overdue_on(today):
        status = f"{status} · {t(_('overdue'))}"
    return (t.period(row.period), t.date(row.due_date), t.number(row.charged), t.number(row.paid),
            t.number(row.outstanding), status)


def _payment_row(payment: Payment, t: Text) -> tuple[str, ...]:
    status = PAYMENT_STATUS_NAMES.get(payment.status)
    return (t.date(payment.value_date), t.number(payment.amount),
            shorten(payment.remittance or "", REFERENCE_LENGTH) or "—", t(status) if status else payment.status)


def statement_content(session: Session, employer: Employer, *, first: Period, last: Period, language: str,
                      today: dt.date) -> StatementContent:
    """The statement's texts in ``language`` for the periods ``first`` to ``last`` (both included), as on
    ``today`` (the scheme's local date).  Raises ValueError for an unknown language or ``last`` before
    ``first``."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if last < first:
        raise ValueError("the last period of a statement is before its first")
    scheme = employer.scheme
    t = Text(language, scheme.currency)
    rows = sorted((row for row in account_periods(session, employer.id) if str(first) <= row.period <= str(last)),
                  key=lambda row: row.period)
    charged, paid = sum((row.charged for row in rows), ZERO), sum((row.paid for row in rows), ZERO)
    balance = balance_of(session, employer.id)
    payments = payments_between(session, employer.id, first.first_day, last.last_day)
    covered = t.period(str(first)) if first == last else f"{t.period(str(first))} – {t.period(str(last))}"
    return StatementContent(
        language=language, institution=clean(scheme.institution_in(language)), scheme=clean(scheme.name_in(language)),
        title=t(_("Statement of account")),
        employer_heading=t(_("Employer")), employer=employer_items(employer, t),
        statement_heading=t(_("Statement")),
        statement=[Item("periods", t(_("Periods covered")), covered),
                   Item("date", t(_("Date of the statement")), t.date(today)),
                   Item("currency", t(_("Currency")), scheme.currency)],
        periods_heading=t(_("Contributions by period")),
        amounts_in=t(_("Amounts in %(currency)s."), currency=scheme.currency),
        period_headers=tuple(t(text) for text in PERIOD_HEADERS),
        periods=[_period_row(row, t, today) for row in rows],
        period_total=(t(_("Total")), "", t.number(charged), t.number(paid), t.number(charged - paid), ""),
        no_periods=t(_("Nothing was charged or paid for these periods.")),
        summary=[Item("outstanding", t(_("Outstanding for these periods")), t.money(charged - paid)),
                 Item("credit", t(_("Credit held")), t.money(credit_held(session, employer.id))),
                 Item("balance", t(_("Balance of the account")),
                      t(balance_words(balance), amount=t.money(abs(balance))))],
        as_of_note=t(_("Amounts paid and statuses are as on %(date)s; the balance covers every period."),
                     date=t.date(today)),
        payments_heading=t(_("Payments received")),
        payment_headers=tuple(t(text) for text in PAYMENT_HEADERS),
        payments=[_payment_row(payment, t) for payment in payments],
        no_payments=t(_("No payment was received in these months.")),
        footer=f"{t(_('Employer number'))}: {employer.employer_number or ''}",
        page_of=t(_("Page %(page)d of %(pages)d")),
    )


def statement_pdf(session: Session, employer: Employer, *, first: Period, last: Period, language: str,
                  today: dt.date) -> bytes:
    """The statement of account of ``employer`` for the periods ``first`` to ``last`` as an A4 PDF in
    ``language``, as on ``today``.  Raises ValueError for an unknown language or a reversed range."""
    return render_statement(statement_content(session, employer, first=first, last=last, language=language,
                                              today=today))


# --- Layout -------------------------------------------------------------------------------------------------

PERIOD_WIDTHS = [30 * mm, 32 * mm, 27 * mm, 27 * mm, 27 * mm, WIDTH - 143 * mm]
PAYMENT_WIDTHS = [32 * mm, 30 * mm, WIDTH - 97 * mm, 35 * mm]


def _letterhead(c: StatementContent, st: Styles) -> list[Flowable]:
    return [para(c.institution, st.institution, WIDTH), para(c.scheme, st.scheme, WIDTH), Rule(WIDTH, 1.2),
            para(c.title, st.title, WIDTH)]


def _parties(c: StatementContent, st: Styles) -> Table:
    half = (WIDTH - 6 * mm) / 2
    left = [para(c.employer_heading, st.heading, half), item_table(c.employer, st, [36 * mm, half - 36 * mm])]
    right = [para(c.statement_heading, st.heading, half), item_table(c.statement, st, [38 * mm, half - 38 * mm])]
    return grid([[left, right]], [half + 6 * mm, half], ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0))


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]], widths: list[float], amounts: set[int], st: Styles,
           total: tuple[str, ...] | None = None) -> Table:
    """Column headers repeated on each page, one row per line, and an optional total row in bold."""

    def row(cells: tuple[str, ...], head: bool = False) -> list[Paragraph]:
        left, right = (st.head, st.head_right) if head else (st.cell, st.cell_right)
        return [para(text, right if i in amounts else left, widths[i] - 2 * PAD) for i, text in enumerate(cells)]

    data = [row(headers, head=True)] + [row(cells) for cells in rows] + ([row(total, head=True)] if total else [])
    commands = [("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LINEBELOW", (0, 1), (-1, -2), 0.25, RULE),
                ("BOX", (0, 0), (-1, -1), 0.8, INK)]
    if total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, INK))
    table = grid(data, widths, *commands)
    table.repeatRows = 1
    return table


def _periods(c: StatementContent, st: Styles) -> list[Flowable]:
    heading = para(c.periods_heading, st.heading, WIDTH)
    if not c.periods:
        return [heading, para(c.no_periods, st.text, WIDTH)]
    table = _table(c.period_headers, c.periods, PERIOD_WIDTHS, {2, 3, 4}, st, total=c.period_total)
    return [heading, para(c.amounts_in, st.small, WIDTH), Spacer(0, 1 * mm), table]


def _summary(c: StatementContent, st: Styles) -> Table:
    """The outstanding amount of the range, the credit held and the balance, the last one shaded."""
    widths = [WIDTH - 70 * mm, 70 * mm]
    rows = [[para(item.label, st.strong if item.key == "balance" else st.text, widths[0] - 4 * mm),
             para(item.value, st.amount, widths[1] - 4 * mm)] for item in c.summary]
    return grid(rows, widths, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE), ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("BOX", (0, 0), (-1, -1), 0.8, INK))


def _payments(c: StatementContent, st: Styles) -> list[Flowable]:
    heading = para(c.payments_heading, st.heading, WIDTH)
    if not c.payments:
        return [heading, para(c.no_payments, st.text, WIDTH)]
    return [heading, _table(c.payment_headers, c.payments, PAYMENT_WIDTHS, {1}, st)]


def render_statement(c: StatementContent) -> bytes:
    st = Styles()
    story: list[Flowable] = _letterhead(c, st) + [_parties(c, st)] + _periods(c, st)
    story += [Spacer(0, 3 * mm), _summary(c, st), Spacer(0, 1 * mm), para(c.as_of_note, st.small, WIDTH)]
    story += _payments(c, st)
    return build_pdf(story, st, title=c.title, author=c.institution, subject=c.scheme, language=c.language,
                     footer=c.footer, page_of=c.page_of)
