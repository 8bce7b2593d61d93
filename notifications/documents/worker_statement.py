"""The worker's statement of contributions: the institution's letterhead, who the worker is, and month by
month for the statement's range what each employer declared for them and whether it paid, with the totals
of each year and of the range; then the verification code, the public verification address and a QR code
of it, as on the certificate of compliance.

The figures are the record's (``contributions.worker_statements.statement_record``) on the day the PDF is
printed.  Every text goes through :func:`worker_statement_content`, which returns translated, formatted
strings without touching reportlab; :func:`worker_statement_pdf` lays them out with the layout of the
employer's statement and the verification block of the certificate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer
from sqlalchemy.orm import Session

from contributions.worker_record import RecordMonth, Totals
from contributions.worker_statements import WorkerStatement, person_scheme, statement_record
from employers.employers import LANGUAGES
from employers.persons import Person
from employers.registration import local_today
from notifications.documents.certificate import _code_box, _verification
from notifications.documents.formatting import Item, Text, all_strings, clean
from notifications.documents.layout import WIDTH, Rule, Styles, build_pdf, item_table, para
from notifications.documents.statement import _letterhead, _table


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when the statement is built, in its language."""
    return text


# The same words as the worker's record page.
STATUS_NAMES = {"paid": _("Declared and paid"), "partly_paid": _("Declared, partly paid"),
                "unpaid": _("Declared, unpaid"), "not_declared": _("Employed but not declared"),
                "estimated": _("Estimated by assessment"), "not_due": _("Not due yet")}
MONTH_HEADERS = (_("Month"), _("Employer"), _("Gross wage"), _("Insurable base"), _("Employee share"),
                 _("Employer share"), _("Status"))
TOTAL_HEADERS = (_("Currency"), _("Months declared"), _("Gross wage"), _("Insurable base"), _("Employee share"),
                 _("Employer share"))


@dataclass(frozen=True)
class StatementYear:
    """The months of one year of the range and their totals."""

    title: str
    rows: list[tuple[str, ...]]  # oldest first
    totals: list[tuple[str, ...]]  # one per currency of the months declared; none when nothing was declared


@dataclass(frozen=True)
class WorkerStatementContent:
    """Every string printed on a worker's statement, already translated and formatted."""

    language: str
    institution: str
    scheme: str
    title: str
    worker_heading: str
    worker: list[Item]
    statement_heading: str
    statement: list[Item]
    months_heading: str
    amounts_in: str
    month_headers: tuple[str, ...]
    years: list[StatementYear]  # oldest first
    no_months: str  # printed instead of the months when the record has none in the range
    range_heading: str
    total_headers: tuple[str, ...]
    range_totals: list[tuple[str, ...]]  # one per currency
    nothing_declared: str  # printed instead of the range totals when no month was declared
    note: str
    code_label: str
    code: str
    verify_heading: str
    verify_text: str
    verify_url: str
    footer: str
    page_of: str  # "Page %(page)d of %(pages)d", filled in once the pages are counted

    def value(self, key: str) -> str:
        """The value of the first item named ``key`` (KeyError if the statement has none)."""
        for item in self.worker + self.statement:
            if item.key == key:
                return item.value
        raise KeyError(key)

    def strings(self) -> list[str]:
        """Every string the PDF is built from (for checks)."""
        return all_strings(self) + [text for year in self.years
                                    for text in (year.title, *(t for row in year.rows + year.totals for t in row))]


class _Amounts:
    """Amounts written with the precision of their own currency (a worker may have employers in two)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._texts: dict[str, Text] = {}

    def __call__(self, amount: Decimal | None, currency: str) -> str:
        if amount is None:
            return "—"
        if currency not in self._texts:
            self._texts[currency] = Text(self.language, currency)
        return self._texts[currency].number(amount)

    def totals(self, total: Totals, currency: str) -> tuple[str, ...]:
        return tuple(self(amount, currency)
                     for amount in (total.gross_wage, total.base, total.employee_share, total.employer_share))


def _month_row(month: RecordMonth, t: Text, amounts: _Amounts) -> tuple[str, ...]:
    employer = clean(month.employer_name) + (f" · {month.employer_number}" if month.employer_number else "")
    return (t.period(month.period), employer,
            *(amounts(getattr(month, name), month.currency)
              for name in ("gross_wage", "base", "employee_share", "employer_share")),
            t(STATUS_NAMES[month.status]))


def _year_totals(year: int, totals: dict[str, Totals], t: Text, amounts: _Amounts) -> list[tuple[str, ...]]:
    several = len(totals) > 1
    return [(t(_("Total %(year)s"), year=year) + (f" ({currency})" if several else ""),
             t(_("Months declared: %(count)s"), count=t.count(total.months)), *amounts.totals(total, currency), "")
            for currency, total in totals.items()]


def _worker_items(person: Person, t: Text) -> list[Item]:
    items = [Item("name", t(_("Name")), clean(person.full_name))]
    if person.full_name_latin != person.full_name:
        items.append(Item("name_latin", t(_("Name in Latin script")), clean(person.full_name_latin)))
    return items + [Item("ssn", t(_("Social security number")), person.social_security_number)]


def worker_statement_content(session: Session, statement: WorkerStatement, *, verify_url: str, today: dt.date,
                             language: str | None = None) -> WorkerStatementContent:
    """The statement's texts in ``language`` (default: the language it was issued in), with the figures of
    the record as on ``today`` (the scheme's local date); ``verify_url`` is the public page that checks this
    statement (its code included).  Raises ValueError for an unknown language."""
    language = language or statement.language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    person = session.get(Person, statement.person_id)
    scheme = person_scheme(session, person)
    t = Text(language, scheme.currency)
    amounts = _Amounts(language)
    record = statement_record(session, statement, today=today)
    first, last = statement.first_period, statement.last_period
    covered = t.period(first) if first == last else f"{t.period(first)} – {t.period(last)}"
    currencies = sorted({month.currency for year in record.years for month in year.months} or {scheme.currency})
    return WorkerStatementContent(
        language=language, institution=clean(scheme.institution_in(language)), scheme=clean(scheme.name_in(language)),
        title=t(_("Statement of contributions")),
        worker_heading=t(_("Insured person")), worker=_worker_items(person, t),
        statement_heading=t(_("Statement")),
        statement=[Item("months", t(_("Months covered")), covered),
                   Item("issued_on", t(_("Issued on")), t.date(local_today(scheme, statement.issued_at))),
                   Item("as_of", t(_("Figures as on")), t.date(today)),
                   Item("code", t(_("Verification code")), statement.code)],
        months_heading=t(_("Contributions month by month")),
        amounts_in=t(_("Amounts in %(currency)s."), currency=", ".join(currencies)),
        month_headers=tuple(t(text) for text in MONTH_HEADERS),
        years=[StatementYear(str(year.year), [_month_row(month, t, amounts) for month in reversed(year.months)],
                             _year_totals(year.year, year.totals, t, amounts)) for year in reversed(record.years)],
        no_months=t(_("Your record has no month in this range.")),
        range_heading=t(_("Totals for the months covered")),
        total_headers=tuple(t(text) for text in TOTAL_HEADERS),
        range_totals=[(currency, t.count(total.months), *amounts.totals(total, currency))
                      for currency, total in record.totals.items()],
        nothing_declared=t(_("No month in this range was declared for you.")),
        note=t(_("Amounts are those each employer declared for you on its declaration in force on %(date)s; the "
                 "totals count the months declared. The status says whether the employer declared the month and "
                 "paid its contributions."), date=t.date(today)),
        code_label=t(_("Verification code")), code=statement.code,
        verify_heading=t(_("Check this statement")),
        verify_text=t(_("Anyone can check that this statement is genuine on the institution's verification page, "
                        "with the verification code, or by scanning the QR code:")),
        verify_url=verify_url,
        footer=f"{t(_('Verification code'))}: {statement.code}",
        page_of=t(_("Page %(page)d of %(pages)d")),
    )


def worker_statement_pdf(session: Session, statement: WorkerStatement, *, verify_url: str, today: dt.date,
                         language: str | None = None) -> bytes:
    """The statement as an A4 PDF in ``language`` (default: the language it was issued in)."""
    return render_worker_statement(worker_statement_content(session, statement, verify_url=verify_url, today=today,
                                                            language=language))


# --- Layout -------------------------------------------------------------------------------------------------

MONTH_WIDTHS = [21 * mm, 37 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm, WIDTH - 146 * mm]
TOTAL_WIDTHS = [24 * mm, 26 * mm, *[(WIDTH - 50 * mm) / 4] * 4]
LABELS = [45 * mm, WIDTH - 45 * mm]


def _months(c: WorkerStatementContent, st: Styles) -> list[Flowable]:
    """A table per year, its total (per currency) in bold at the bottom."""
    story: list[Flowable] = [para(c.months_heading, st.heading, WIDTH)]
    if not c.years:
        return story + [para(c.no_months, st.text, WIDTH)]
    story += [para(c.amounts_in, st.small, WIDTH)]
    for year in c.years:
        story += [para(year.title, st.strong, WIDTH), Spacer(0, 1 * mm),
                  _table(c.month_headers, year.rows + year.totals[:-1], MONTH_WIDTHS, {2, 3, 4, 5}, st,
                         total=year.totals[-1] if year.totals else None), Spacer(0, 2 * mm)]
    return story


def _range_totals(c: WorkerStatementContent, st: Styles) -> list[Flowable]:
    heading = para(c.range_heading, st.heading, WIDTH)
    if not c.range_totals:
        return [heading, para(c.nothing_declared, st.text, WIDTH)]
    return [heading, _table(c.total_headers, c.range_totals, TOTAL_WIDTHS, {1, 2, 3, 4, 5}, st)]


def render_worker_statement(c: WorkerStatementContent) -> bytes:
    st = Styles()
    story: list[Flowable] = _letterhead(c, st) + [
        para(c.worker_heading, st.heading, WIDTH), item_table(c.worker, st, LABELS),
        para(c.statement_heading, st.heading, WIDTH), item_table(c.statement, st, LABELS)]
    story += _months(c, st) + _range_totals(c, st)
    story += [Spacer(0, 1 * mm), para(c.note, st.small, WIDTH), Spacer(0, 5 * mm)]
    code = _code_box(c, st)
    code.hAlign = "CENTER"
    story.append(KeepTogether([code, Spacer(0, 5 * mm), Rule(WIDTH, 0.4), _verification(c, st)]))
    return build_pdf(story, st, title=f"{c.title} {c.code}", author=c.institution, subject=c.scheme,
                     language=c.language, footer=c.footer, page_of=c.page_of)
