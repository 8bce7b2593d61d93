"""Choices of the employer forms, named in the page's language."""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from common.errors import DomainError
from common.schemes import Scheme
from employers.regions import Region, Sector
from employers.registration import ApplicationInvalid
from portal.database import db_session
from portal.employers import bp
from portal.messages import message_for


def language() -> str:
    return str(get_locale() or "en")


def fill_choices(form, session: Session, *, schemes: list[Scheme] | None = None) -> None:
    lang = language()
    schemes = schemes if schemes is not None else list(session.scalars(select(Scheme).order_by(Scheme.code)))
    countries = {scheme.country for scheme in schemes}
    if hasattr(form, "scheme_code"):
        form.scheme_code.choices = [SelectChoice("", "—")] + [SelectChoice(s.code, s.name_in(lang)) for s in schemes]
    form.category.choices = [SelectChoice("", "—")] + [
        SelectChoice(category["code"], category["names"].get(lang) or category["names"]["en"],
                     optgroup=scheme.name_in(lang))
        for scheme in schemes for category in scheme.employer_categories]
    form.sector_code.choices = [SelectChoice("", "—")] + [
        SelectChoice(sector.code, f"{sector.code} · {sector.name_in(lang)}")
        for sector in session.scalars(select(Sector).order_by(Sector.code))]
    regions = list(session.scalars(select(Region).where(Region.country.in_(countries)).order_by(Region.code)))
    provinces = [region for region in regions if region.level == "province"]
    choices = [SelectChoice("", "—")]
    for province in provinces:
        label = province.name_in(lang)
        choices.append(SelectChoice(province.code, label, optgroup=label))
        choices.extend(SelectChoice(region.code, region.name_in(lang), optgroup=label)
                       for region in regions if region.parent_code == province.code)
    form.region_code.choices = choices


PROBLEM_FIELDS = {
    "employer.tax_number_taken": "tax_number",
    "user.email_taken": "admin_email",
    "password.too_short": "password",
    "password.too_common": "password",
    "password.same_as_login": "password",
    "password.too_long": "password",
}


def show_problems(form, error: DomainError) -> str | None:
    """Put each problem of ``error`` under its field; returns a message for the top of the form when a
    problem belongs to no field shown."""
    if isinstance(error, ApplicationInvalid):
        problems = error.problems
    else:
        problems = [(PROBLEM_FIELDS.get(error.code), error.code)]
    general = None
    for field_name, code in problems:
        message = message_for(DomainError(code, **error.params) if code == error.code else DomainError(code))
        field = getattr(form, field_name, None) if field_name else None
        if field is None:
            general = message
        else:
            field.errors = [*field.errors, message]
    return general


@bp.app_context_processor
def _reference_names() -> dict:
    """``region_name(code)`` and ``sector_name(code)`` for templates, in the page's language."""

    def region_name(code: str | None) -> str:
        region = db_session().get(Region, code) if code else None
        if region is None:
            return code or "—"
        parent = db_session().get(Region, region.parent_code) if region.parent_code else None
        return region.name_in(language()) + (f" · {parent.name_in(language())}" if parent else "")

    def sector_name(code: str | None) -> str:
        sector = db_session().get(Sector, code) if code else None
        return f"{sector.code} · {sector.name_in(language())}" if sector else "—"

    return {"region_name": region_name, "sector_name": sector_name}
