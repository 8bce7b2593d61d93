"""Changing a scheme parameter: a new dated version, never an edit of the past.

A new version is refused when it would take effect on or before the first day of a period already declared
in the scheme: a period is computed with the versions in force on its first day, so a version starting that
day or earlier would rewrite what employers filed.  Every version added leaves an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from common.errors import DomainError
from common.money import ROUNDING_MODES
from common.period import Period
from common.schemes import Scheme
from contributions.declarations import Declaration
from contributions.ledger import DEBT_COMPONENTS
from contributions.parameters import CONFIDENCE, NAMES, SchemeParameter
from contributions.rules.allocation import PERIOD_ORDERS
from contributions.rules.due_dates import ROLL_RULES, parse_weekend
from contributions.rules.interest import SHAPES

RATES = ("rate.employee", "rate.employer", "interest.rate", "interest.cap", "assessment.uplift_first",
         "assessment.uplift_step")
FINE_UNITS = ("currency", "calculation_index")
# Alternatives for the base floor: when both are in force, the later version applies (see ``rules_on``).
FLOOR_ALTERNATIVES = ("base.floor", "base.floor_factor")
# Parameters no declaration depends on, which may be given from any date: the calculation index (a late
# one, entered when the budget law is known, corrects the fines, which are computed again every night), the
# approval threshold of waivers, the validity of certificates and the notice settings (read on the day they
# are used).
OUTSIDE_DECLARATIONS = ("calculation_index", "waiver.approval_threshold", "certificate.valid_days",
                        "notice.reminder_days", "notice.demand_days", "notice.copy_language")
# ... and neither do the risk weights (``risk.*``), which only rank employers for inspectors.
VALUE_LENGTH = 60  # the width of ``scheme_parameter.value``


def _decimal(text: str, *, at_most: Decimal | None = None) -> str:
    number = Decimal(text)
    # The exponent is bounded before formatting: "1E999999999" would otherwise expand to a billion digits.
    if not number.is_finite() or abs(number.as_tuple().exponent) > VALUE_LENGTH:
        raise ValueError(text)
    if number < 0 or (at_most is not None and number > at_most):
        raise ValueError(text)
    return format(number, "f")


def _integer(low: int, high: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        number = int(text)
        if not low <= number <= high:
            raise ValueError(text)
        return str(number)
    return check


def _one_of(allowed: object) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text not in allowed:  # type: ignore[operator]
            raise ValueError(text)
        return text
    return check


def _components(text: str) -> str:
    """Every debt component once, in the order payments settle them."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if sorted(parts) != sorted(DEBT_COMPONENTS):
        raise ValueError(text)
    return ",".join(parts)


def _days_list(text: str) -> str:
    """Whole numbers of days from 1 to 366, rising, separated by commas: ``30,60``."""
    days = [int(part) for part in text.split(",") if part.strip()]
    if not days or days != sorted(set(days)) or not all(1 <= day <= 366 for day in days):
        raise ValueError(text)
    return ",".join(str(day) for day in days)


def _weekend(text: str) -> str:
    return ",".join(str(day) for day in sorted(parse_weekend(text)))


# How each parameter's text is checked and written: a rate is a fraction (0.055 is 5.5 per cent), amounts
# are in the scheme's currency, ``rounding.places`` is the number of decimals kept (LAK 0, TJS 2).
_CHECKS: dict[str, Callable[[str], str]] = {
    # Amounts are stored with two decimals: a rule keeping more would be rounded a second time by the database.
    "rounding.places": _integer(0, 2),
    "rounding.mode": _one_of(ROUNDING_MODES),
    "due.day": _integer(1, 31),
    "due.roll": _one_of(ROLL_RULES),
    "calendar.weekend": _weekend,
    "allocation.components": _components,
    "allocation.periods": _one_of(PERIOD_ORDERS),
    "interest.shape": _one_of(SHAPES),
    "fine.filing.unit": _one_of(FINE_UNITS),
    "fine.filing.step_days": _integer(0, 366),
    "assessment.grace_days": _integer(0, 366),
    "certificate.valid_days": _integer(1, 366),
    "notice.reminder_days": _integer(0, 60),
    "notice.demand_days": _days_list,
    "notice.copy_language": _one_of(("lo", "tg", "ru", "en")),
    # The nightly facts keep 24 months; a window reaches at most 22 back from the month before the run.
    "risk.window_months": _integer(1, 22),
}


def normalized_value(name: str, text: str) -> str:
    """The value as stored (``"0.0550"`` stays, ``" 20 "`` becomes ``"20"``, ``"7,6"`` becomes ``"6,7"``);
    raises ``parameter.value_invalid`` when it does not fit the parameter's type and range."""
    text = (text or "").strip()
    try:
        if not text or len(text) > VALUE_LENGTH:
            raise ValueError(text)
        if name in _CHECKS:
            value = _CHECKS[name](text)
        elif NAMES[name] is Decimal:
            value = _decimal(text, at_most=Decimal(1) if name in RATES or name.startswith("branch.") else None)
        else:
            raise ValueError(name)
    except (ValueError, InvalidOperation, ArithmeticError):
        raise DomainError("parameter.value_invalid", name=name, value=text[:VALUE_LENGTH]) from None
    if len(value) > VALUE_LENGTH:
        raise DomainError("parameter.value_invalid", name=name, value=text[:VALUE_LENGTH])
    return value


def latest_declared_period(session: Session, scheme_code: str, category: str | None) -> Period | None:
    """The latest period with a filed declaration in the scheme (of ``category`` when given)."""
    query = select(func.max(Declaration.period)).where(Declaration.scheme_code == scheme_code,
                                                       Declaration.status != "draft")
    if category is not None:
        query = query.where(Declaration.category == category)
    latest = session.scalar(query)
    return Period.parse(latest) if latest else None


def add_parameter_version(
    session: Session,
    *,
    scheme_code: str,
    name: str,
    category: str | None,
    valid_from: dt.date,
    value: str,
    source: str,
    confidence: str,
    actor: Actor,
    now: dt.datetime,
) -> SchemeParameter:
    """Record a new version of parameter ``name`` in force from ``valid_from`` (inclusive) until the next
    version.  ``category`` None applies to every employer of the scheme.  Flushes, never commits."""
    scheme = session.get(Scheme, scheme_code) if scheme_code else None
    if scheme is None:
        raise DomainError("parameter.scheme_unknown", scheme=scheme_code)
    if name not in NAMES:
        raise DomainError("parameter.name_unknown", name=name)
    category = category or None
    if category is not None and category not in {c["code"] for c in scheme.employer_categories}:
        raise DomainError("parameter.category_unknown", category=category)
    value = normalized_value(name, value)
    source = (source or "").strip()
    if not source:
        raise DomainError("parameter.source_required")
    if confidence not in CONFIDENCE:
        raise DomainError("parameter.confidence_unknown", confidence=confidence)
    same_key = session.scalar(select(SchemeParameter.id).where(
        SchemeParameter.scheme_code == scheme.code, SchemeParameter.name == name,
        SchemeParameter.category.is_(None) if category is None else SchemeParameter.category == category,
        SchemeParameter.valid_from == valid_from))
    if same_key is not None:
        raise DomainError("parameter.version_exists", name=name, valid_from=valid_from.isoformat())
    declared = latest_declared_period(session, scheme.code, category)
    affects_declarations = name not in OUTSIDE_DECLARATIONS and not name.startswith("risk.")
    if affects_declarations and declared is not None and valid_from <= declared.first_day:
        raise DomainError("parameter.period_declared", period=str(declared),
                          first_day=(declared.first_day + dt.timedelta(days=1)).isoformat())

    version = SchemeParameter(scheme_code=scheme.code, name=name, category=category, valid_from=valid_from,
                              value=value, source=source, confidence=confidence, recorded_at=now,
                              recorded_by=actor.label[:255])
    session.add(version)
    session.flush()
    record_audit(session, actor=actor, action="parameter.version_added", now=now, object_type="scheme_parameter",
                 object_id=version.id,
                 summary=f"{scheme.code} {name}{f' [{category}]' if category else ''} = {value} "
                         f"from {valid_from.isoformat()} ({confidence})")
    session.flush()
    return version


@dataclass(frozen=True)
class ParameterOverview:
    """A scheme's parameters as an administrator reads them: what is in force on ``day`` per name and
    category, and every version of each, newest first."""

    day: dt.date
    in_force: list[SchemeParameter]
    history: dict[tuple[str, str | None], list[SchemeParameter]]


def parameter_overview(session: Session, scheme_code: str, day: dt.date) -> ParameterOverview:
    versions = session.scalars(select(SchemeParameter).where(SchemeParameter.scheme_code == scheme_code)
                               .order_by(SchemeParameter.valid_from.desc(), SchemeParameter.id.desc())).all()
    order = list(NAMES)
    history: dict[tuple[str, str | None], list[SchemeParameter]] = {}
    for version in sorted(versions, key=lambda v: (order.index(v.name) if v.name in NAMES else len(order),
                                                   v.name, v.category or "")):
        history.setdefault((version.name, version.category), []).append(version)
    current = {key: next((v for v in items if v.valid_from <= day), None) for key, items in history.items()}
    for category in {category for _name, category in current}:
        floors = [current.get((name, category)) for name in FLOOR_ALTERNATIVES]
        if all(floors):
            older = min(floors, key=lambda v: v.valid_from)  # type: ignore[union-attr]
            current[(older.name, category)] = None  # type: ignore[union-attr]
    return ParameterOverview(day=day, in_force=[v for v in current.values() if v is not None], history=history)
