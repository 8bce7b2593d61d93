"""The inspectors' list of employers (filtered, sorted, paginated, exported as CSV or XLSX) and their
worklist: the highest-risk employers of their area, each with the factors that weigh most and its case.

Filters come as query arguments, so a list can be bookmarked, shared and linked to from the dashboard; a
value that cannot be read is answered 400 with the form and the reason, never silently ignored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flask import abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from common.errors import DomainError
from common.period import Period
from common.schemes import Scheme
from employers.import_files import write_csv, write_xlsx
from employers.regions import Region, Sector
from inspections.cases import InspectionCase
from inspections.employer_list import FILINGS, SORTS, EmployerRow, ListFilter, employer_rows, export_rows
from inspections.risk import RiskScore
from inspections.scoring import BANDS, UNITS
from portal.access import allow
from portal.database import db_session
from portal.employers.choices import language
from portal.inspections import INSPECTORS, bp, user_provinces
from portal.inspections.labels import BAND_LABELS, FACTOR_LABELS, FILING_LABELS, SORT_LABELS
from portal.messages import message_for
from portal.payments import page_number
from portal.web import download, now

PAGE_SIZE = 50
WORKLIST_SIZE = 50
STATUSES = ("active", "suspended", "ceased")  # of registered employers: the only ones listed
# The query arguments of a list, in the order links write them.
KEYS = ("scheme", "province", "sector", "category", "status", "band", "arrears_min", "period", "filing",
        "assessed", "open_case", "q", "sort")
_AMOUNT = re.compile(r"^\d{1,15}(\.\d{1,4})?$")


class BadArgument(Exception):
    """A query argument that cannot be read; ``message`` says why, in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text_arg(args: MultiDict, name: str, limit: int = 40) -> str:
    return (args.get(name) or "").strip()[:limit]


def choice_arg(args: MultiDict, name: str, allowed, message: str) -> str | None:
    """The argument if it is one of ``allowed``; None when empty; else ``BadArgument(message)``."""
    value = text_arg(args, name)
    if not value:
        return None
    if value not in allowed:
        raise BadArgument(message)
    return value


def period_arg(args: MultiDict) -> Period | None:
    value = text_arg(args, "period")
    if not value:
        return None
    try:
        period = Period.parse(value)
    except DomainError as error:
        raise BadArgument(message_for(error)) from error
    if not 2000 <= period.year <= 2100:  # a year of trend before it must still be a month
        raise BadArgument(message_for(DomainError("period.invalid")))
    return period


def amount_arg(args: MultiDict, name: str) -> Decimal | None:
    value = text_arg(args, name)
    if not value:
        return None
    if not _AMOUNT.match(value):
        raise BadArgument(_("Type the smallest overdue amount as a number, for example 1000 or 1000.50."))
    return Decimal(value)


def schemes() -> list[Scheme]:
    return list(db_session().scalars(select(Scheme).order_by(Scheme.code)))


def provinces(countries: set[str]) -> list[Region]:
    """The provinces of these countries the signed-in user works on."""
    limit = user_provinces()
    query = select(Region).where(Region.country.in_(countries), Region.level == "province").order_by(Region.code)
    return [region for region in db_session().scalars(query) if limit is None or region.code in limit]


def sectors() -> list[Sector]:
    return list(db_session().scalars(select(Sector).order_by(Sector.code)))


def province_arg(args: MultiDict, offered: list[Region]) -> str | None:
    return choice_arg(args, "province", {region.code for region in offered}, _("Choose a province from the list."))


def sector_arg(args: MultiDict, offered: list[Sector]) -> str | None:
    return choice_arg(args, "sector", {sector.code for sector in offered}, _("Choose a sector from the list."))


def scheme_arg(args: MultiDict, offered: list[Scheme]) -> Scheme | None:
    code = choice_arg(args, "scheme", {scheme.code for scheme in offered}, _("Choose a scheme from the list."))
    return next((scheme for scheme in offered if scheme.code == code), None)


@dataclass(frozen=True)
class ListForm:
    """What the filter form offers."""

    schemes: list[Scheme]
    provinces: list[Region]
    sectors: list[Sector]

    @classmethod
    def of(cls, args: MultiDict) -> ListForm:
        offered = schemes()
        chosen = [scheme for scheme in offered if scheme.code == text_arg(args, "scheme")] or offered
        return cls(offered, provinces({scheme.country for scheme in chosen}), sectors())

    def categories(self, lang: str) -> list[tuple[str, str]]:
        named: dict[str, str] = {}
        for scheme in self.schemes:
            for category in scheme.employer_categories:
                named.setdefault(category["code"], scheme.category_name(category["code"], lang))
        return sorted(named.items(), key=lambda item: item[1])


def read_list(args: MultiDict, form: ListForm) -> tuple[ListFilter, str]:
    """The filter and the sort of a list's query arguments, within the user's provinces."""
    scheme = scheme_arg(args, form.schemes)
    category = choice_arg(args, "category", {code for code, _name in form.categories("en")},
                          _("Choose a category from the list."))
    other = _("Choose a value from the list.")
    filing = choice_arg(args, "filing", FILINGS, other)
    assessed = choice_arg(args, "assessed", ("1",), other) == "1"
    period = period_arg(args)
    if (filing or assessed) and period is None:
        raise BadArgument(_("Choose the month the filing filter is about."))
    open_case = choice_arg(args, "open_case", ("yes", "no"), other)
    criteria = ListFilter(
        scheme_code=scheme.code if scheme else None, province=province_arg(args, form.provinces),
        sector=sector_arg(args, form.sectors), category=category,
        status=choice_arg(args, "status", STATUSES, other), band=choice_arg(args, "band", BANDS, other),
        arrears_min=amount_arg(args, "arrears_min"), period=str(period) if period else None, filing=filing,
        assessed=assessed, open_case=None if open_case is None else open_case == "yes",
        search=text_arg(args, "q", 100), provinces=user_provinces())
    return criteria, choice_arg(args, "sort", SORTS, other) or "risk"


def link_args(args: MultiDict) -> dict[str, str]:
    """The list's arguments to keep in its pagination and export links."""
    return {key: text_arg(args, key, 100) for key in KEYS if text_arg(args, key, 100)}


def _regions() -> dict[str, Region]:
    return {region.code: region for region in db_session().scalars(select(Region))}


def _options(form: ListForm, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter, named in the reader's language."""
    return {
        "scheme": [(scheme.code, scheme.name_in(lang)) for scheme in form.schemes],
        "province": [(region.code, region.name_in(lang)) for region in form.provinces],
        "sector": [(sector.code, f"{sector.code} · {sector.name_in(lang)}") for sector in form.sectors],
        "category": form.categories(lang),
        "status": [(code, _status_label(code)) for code in STATUSES],
        "band": [(band, _(BAND_LABELS[band])) for band in reversed(BANDS)],
        "filing": [(filing, _(FILING_LABELS[filing])) for filing in FILINGS],
        "open_case": [("yes", _("With an open case")), ("no", _("Without an open case"))],
        "sort": [(sort, _(SORT_LABELS[sort])) for sort in SORTS],
    }


def _list_page(form: ListForm, *, error: str | None = None, rows: list[EmployerRow] = (), total: int = 0,
               page: int = 1, pages: int = 1):
    lang = language()
    return render_template(
        "inspections/employers.html", options=_options(form, lang), args=request.args,
        query=link_args(request.args), error=error, rows=rows, total=total, page=page, pages=pages,
        regions=_regions(), sector_names={sector.code: sector.name_in(lang) for sector in form.sectors},
        scheme_of={scheme.code: scheme for scheme in form.schemes}, band_labels=BAND_LABELS)


@bp.route("/inspections/employers")
@allow(*INSPECTORS)
def employers():
    """``?scheme=&province=&sector=&category=&status=&band=&arrears_min=&period=&filing=&assessed=1&open_case=yes
    &q=&sort=&page=``: every argument optional."""
    form = ListForm.of(request.args)
    try:
        criteria, sort = read_list(request.args, form)
    except BadArgument as bad:
        return _list_page(form, error=bad.message), 400
    page = page_number()
    rows, total = employer_rows(db_session(), criteria, sort=sort, page=page, page_size=PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:  # past the end (the list got shorter, or a hand-made link): the last page
        page = pages
        rows, total = employer_rows(db_session(), criteria, sort=sort, page=page, page_size=PAGE_SIZE)
    return _list_page(form, rows=rows, total=total, page=page, pages=pages)


@bp.route("/inspections/employers.<fmt>")
@allow(*INSPECTORS)
def export_employers(fmt: str):
    """The list with the same arguments, every page, as a CSV or XLSX file."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    form = ListForm.of(request.args)
    try:
        criteria, sort = read_list(request.args, form)
    except BadArgument as bad:
        return _list_page(form, error=bad.message), 400
    lang, regions = language(), _regions()
    scheme_of = {scheme.code: scheme for scheme in form.schemes}
    header = [_("Employer number"), _("Name"), _("Scheme"), _("Province"), _("Region"), _("Sector"), _("Category"),
              _("Status"), _("Risk score"), _("Risk band"), _("Overdue"), _("Currency"), _("Months not filed")]
    rows = []
    for row in export_rows(db_session(), criteria, sort=sort):
        region = regions.get(row.region_code)
        province = regions.get(region.parent_code) if region and region.parent_code else region
        rows.append([row.employer_number, row.legal_name, row.scheme_code,
                     province.name_in(lang) if province else "", region.name_in(lang) if region else "",
                     row.sector_code or "", scheme_of[row.scheme_code].category_name(row.category, lang),
                     _status_label(row.status), row.score, _(BAND_LABELS[row.band]) if row.band else "",
                     row.overdue, scheme_of[row.scheme_code].currency, row.months_not_filed])
    name = f"employers-{now().date().isoformat()}.{fmt}"
    if fmt == "csv":
        return download(write_csv(header, rows), name, fmt)
    return download(write_xlsx([(_("Employers"), header, rows)]), name, fmt)


def _status_label(code: str) -> str:
    return {"active": _("Active"), "suspended": _("Suspended"), "ceased": _("Ceased")}.get(code, code)


@dataclass(frozen=True)
class Factor:
    label: str  # in the reader's language, as the two below
    value: str
    points: str


@dataclass(frozen=True)
class WorkItem:
    row: EmployerRow
    band: str
    currency: str
    factors: list[Factor]  # the factors that gave the most points, most first (at most three)
    case: InspectionCase | None  # its open case (the latest, if it has more)


def _top_factors(score: RiskScore | None) -> list[Factor]:
    parts = [part for part in (score.factors if score else []) if Decimal(part["points"]) > 0]
    parts = sorted(parts, key=lambda part: Decimal(part["points"]), reverse=True)[:3]
    return [Factor(_(FACTOR_LABELS[part["factor"]]), _measure(part["factor"], Decimal(part["value"])),
                   format_decimal(Decimal(part["points"]), "#,##0.##")) for part in parts]


def _measure(factor: str, value: Decimal) -> str:
    if UNITS.get(factor) == "share":
        return format_percent(value, "#,##0.#%")
    return format_decimal(value, "#,##0.##")


def work_items(scheme_code: str | None, limit: int) -> list[WorkItem]:
    """The ``limit`` employers of the user's area with the highest scores (above 0), riskiest first."""
    db = db_session()
    rows, _total = employer_rows(db, ListFilter(scheme_code=scheme_code, provinces=user_provinces()), sort="risk",
                                 page_size=limit)
    rows = [row for row in rows if row.score]
    ids = [row.id for row in rows]
    scores = {score.employer_id: score for score in db.scalars(select(RiskScore).where(RiskScore.employer_id.in_(ids)))}
    cases = {case.employer_id: case for case in db.scalars(
        select(InspectionCase).where(InspectionCase.employer_id.in_(ids), InspectionCase.status != "closed")
        .order_by(InspectionCase.id))}
    currencies = dict(db.execute(select(Scheme.code, Scheme.currency)).all())
    return [WorkItem(row, _(BAND_LABELS[row.band]), currencies[row.scheme_code], _top_factors(scores.get(row.id)),
                     cases.get(row.id)) for row in rows]


@bp.app_template_global("inspection_worklist")
def _home_worklist(limit: int = 5) -> list[WorkItem]:
    """The top of the worklist, for the inspector's home page."""
    return work_items(None, limit)


@bp.route("/inspections/worklist")
@allow(*INSPECTORS)
def worklist():
    """``?scheme=CODE``: by default every scheme."""
    offered = schemes()
    try:
        scheme = scheme_arg(request.args, offered)
    except BadArgument as bad:
        return render_template("inspections/worklist.html", schemes=offered, scheme=None, items=[],
                               error=bad.message), 400
    return render_template("inspections/worklist.html", schemes=offered, scheme=scheme, error=None,
                           items=work_items(scheme.code if scheme else None, WORKLIST_SIZE))
