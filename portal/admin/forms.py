"""Forms of the administration pages, and how scheme parameters are named on them."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from common.money import ROUNDING_MODES
from common.schemes import Scheme
from contributions.ledger import DEBT_COMPONENTS
from contributions.parameter_versions import FINE_UNITS
from contributions.parameters import BRANCHES, ISIC_SECTIONS, NAMES, RISK_FACTORS
from contributions.rules.allocation import PERIOD_ORDERS
from contributions.rules.due_dates import ROLL_RULES
from contributions.rules.interest import SHAPES
from inspections.scoring import UNITS
from portal.forms import PortalForm
from portal.inspections.labels import FACTOR_LABELS, N_


def _factor_label(template: str, factor: str) -> LazyString:
    """A label naming a risk factor, both translated when shown."""
    return LazyString(lambda: gettext(template, factor=gettext(FACTOR_LABELS[factor])))

PARAMETER_LABELS = {
    "rate.employee": _l("Employee contribution rate"),
    "rate.employer": _l("Employer contribution rate"),
    "base.ceiling": _l("Ceiling of the contribution base"),
    "base.floor": _l("Floor of the contribution base (an amount)"),
    "base.floor_factor": _l("Floor of the contribution base (a share of the minimum wage)"),
    "minimum_wage": _l("Minimum wage"),
    "rounding.places": _l("Decimal places kept when rounding"),
    "rounding.mode": _l("Rounding rule"),
    "due.day": _l("Due day in the following month"),
    "due.roll": _l("When the due day is not a business day"),
    "calendar.weekend": _l("Weekend days"),
    "allocation.components": _l("Order in which payments settle the debts of a period"),
    "interest.shape": _l("How late-payment interest is counted"),
    "interest.rate": _l("Late-payment interest rate"),
    "interest.cap": _l("Cap of late-payment interest (a share of the amount due)"),
    "interest.tolerance": _l("Interest below this amount is not charged"),
    "allocation.periods": _l("Order in which payments settle periods"),
    "fine.filing.amount": _l("Late-filing fine (in its unit, for each step of delay)"),
    "fine.filing.unit": _l("Unit of the late-filing fine"),
    "fine.filing.step_days": _l("Days of delay per step of the late-filing fine"),
    "fine.filing.cap": _l("Cap of the late-filing fine (in its unit)"),
    "calculation_index": _l("Calculation index"),
    "assessment.grace_days": _l("Days after the due date before a missing declaration is assessed"),
    "assessment.uplift_first": _l("Uplift of an assessment for the first missing month"),
    "assessment.uplift_step": _l("Further uplift of an assessment for each further missing month"),
    "waiver.approval_threshold": _l("Waivers above this amount need a supervisor's approval"),
    "certificate.valid_days": _l("Days a certificate of compliance is valid"),
    "notice.reminder_days": _l("Days before the due date a filing reminder is sent"),
    "notice.demand_days": _l("Days overdue at which demand letters are sent"),
    "notice.copy_language": _l("Second language of every notice (a copy)"),
    "branch.pension": _l("Share of the total for pensions"),
    "branch.health": _l("Share of the total for health care"),
    "branch.short_term": _l("Share of the total for short-term benefits"),
    "branch.work_injury": _l("Share of the total for work injury"),
    "branch.unemployment": _l("Share of the total for unemployment"),
    "branch.family": _l("Share of the total for family benefits"),
    "risk.window_months": _l("Months a risk score looks back"),
    "risk.band.medium": _l("Risk score from which an employer is of medium risk"),
    "risk.band.high": _l("Risk score from which an employer is of high risk"),
    **{f"risk.weight.{factor}": _factor_label(N_("Risk points at full measure: %(factor)s"), factor)
       for factor in RISK_FACTORS},
    **{f"risk.full.{factor}": _factor_label(N_("Measure that gives all the risk points: %(factor)s"), factor)
       for factor in RISK_FACTORS},
    **{f"risk.sector.{section}": _l("Risk points of the sector %(section)s (ISIC section)", section=section)
       for section in ISIC_SECTIONS},
}

_AMOUNT = _l("An amount in the scheme's currency, with no thousands separators: 4500000.")
VALUE_FORMATS = {
    "rate.employee": _l("A fraction between 0 and 1: 0.055 means 5.5 per cent."),
    "rate.employer": _l("A fraction between 0 and 1: 0.055 means 5.5 per cent."),
    "base.ceiling": _AMOUNT,
    "base.floor": _AMOUNT,
    "base.floor_factor": _l("A factor of the minimum wage: 0.5 means half of it."),
    "minimum_wage": _AMOUNT,
    "rounding.places": _l("A whole number from 0 to 2: 0 for kip, 2 for somoni."),
    "rounding.mode": _l("One of: %(choices)s.", choices=", ".join(ROUNDING_MODES)),
    "due.day": _l("A day from 1 to 31; 31 means the last day of the month."),
    "due.roll": _l("One of: %(choices)s.", choices=", ".join(ROLL_RULES)),
    "calendar.weekend": _l("ISO weekdays separated by commas, from Monday 1 to Sunday 7: 6,7 is Saturday and "
                           "Sunday."),
    "allocation.components": _l("Every component once, separated by commas: %(choices)s.",
                                choices=",".join(DEBT_COMPONENTS)),
    "allocation.periods": _l("One of: %(choices)s.", choices=", ".join(PERIOD_ORDERS)),
    "interest.shape": _l("One of: %(choices)s.", choices=", ".join(SHAPES)),
    "interest.rate": _l("A fraction per day, per month or once: 0.0004 means 0.04 per cent."),
    "interest.cap": _l("A fraction between 0 and 1: 0.5 means at most half of the amount due."),
    "interest.tolerance": _AMOUNT,
    "fine.filing.amount": _l("A number of units: 1 with the calculation index as unit means one index."),
    "fine.filing.unit": _l("One of: %(choices)s.", choices=", ".join(FINE_UNITS)),
    "fine.filing.step_days": _l("A whole number of days from 0 to 366; 0 means the fine is charged once."),
    "fine.filing.cap": _l("A number of units, or leave the parameter out for no cap."),
    "calculation_index": _AMOUNT,
    "assessment.grace_days": _l("A whole number of days from 0 to 366."),
    "assessment.uplift_first": _l("A fraction between 0 and 1: 0.25 means 25 per cent."),
    "assessment.uplift_step": _l("A fraction between 0 and 1: 0.05 means 5 percentage points."),
    "waiver.approval_threshold": _AMOUNT,
    "certificate.valid_days": _l("A whole number of days from 1 to 366."),
    "notice.reminder_days": _l("A whole number of days from 0 to 60."),
    "notice.demand_days": _l("Whole numbers of days, rising, separated by commas: 30,60 sends a first demand at 30 "
                             "days overdue and a second at 60."),
    "notice.copy_language": _l("One of: %(choices)s.", choices="lo, tg, ru, en"),
    **{f"branch.{branch}": _l("A fraction of the total between 0 and 1; the shares of all branches add up to 1.")
       for branch in BRANCHES},
    "risk.window_months": _l("A whole number of months from 1 to 24."),
    "risk.band.medium": _l("Points from 0 to 100."),
    "risk.band.high": _l("Points from 0 to 100."),
    **{f"risk.weight.{factor}": _l("Points from 0 to 100.") for factor in RISK_FACTORS},
    **{f"risk.full.{factor}": _l("A fraction between 0 and 1: 0.5 means half.") if UNITS[factor] == "share"
       else _l("A positive number in the factor's unit: months, a count or days.") for factor in RISK_FACTORS},
    **{f"risk.sector.{section}": _l("Points from 0 to 100.") for section in ISIC_SECTIONS},
}

CONFIDENCE_LABELS = {
    "confirmed": _l("confirmed"),
    "likely": _l("likely"),
    "unconfirmed": _l("unconfirmed"),
}


def parameter_label(name: str) -> str:
    label = PARAMETER_LABELS.get(name)
    return str(label) if label is not None else name


class ParameterVersionForm(PortalForm):
    """A new dated version of one parameter; the choices of the scheme, name and category are set by the
    view, and the domain checks the value against the parameter's type."""

    scheme = SelectField(_l("Scheme"), validators=[DataRequired()], validate_choice=False)
    name = SelectField(_l("Parameter"), validators=[DataRequired()], validate_choice=False)
    category = SelectField(_l("Employer category"), validators=[Optional()], validate_choice=False)
    valid_from = DateField(_l("In force from"), validators=[DataRequired()])
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=60)],
                        render_kw={"autocomplete": "off", "spellcheck": "false"})
    source = TextAreaField(_l("Legal source"), validators=[DataRequired(), Length(max=2000)])
    confidence = SelectField(_l("Confidence"), validate_choice=False,
                             choices=[SelectChoice(code, label) for code, label in CONFIDENCE_LABELS.items()])
    submit = SubmitField(_l("Record the version"))

    def fill_choices(self, schemes: list[Scheme], language: str) -> None:
        self.scheme.choices = [SelectChoice(s.code, s.name_in(language)) for s in schemes]
        self.name.choices = [SelectChoice(name, f"{parameter_label(name)} · {name}") for name in NAMES]
        self.category.choices = [SelectChoice("", gettext("Every employer of the scheme"))] + [
            SelectChoice(category["code"], category["names"].get(language) or category["names"]["en"],
                         optgroup=scheme.name_in(language))
            for scheme in schemes for category in scheme.employer_categories]
