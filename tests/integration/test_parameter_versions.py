from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from itertools import count

import pytest
from sqlalchemy import select

from common.audit import AuditEvent
from common.errors import DomainError
from contributions.declarations import Declaration
from contributions.parameter_versions import add_parameter_version, parameter_overview
from contributions.parameters import SchemeParameter, rules_on
from tests import factories
from tests.factories import ACTOR, NOW

_receipts = count(1)


def add(db, **fields):
    values = {"scheme_code": "LA-LSSO", "name": "rate.employer", "category": None,
              "valid_from": dt.date(2027, 1, 1), "value": "0.07", "source": "Decree 99/PM of 1 Dec 2026, Art. 3",
              "confidence": "confirmed", "actor": ACTOR, "now": NOW}
    values.update(fields)
    return add_parameter_version(db, **values)


def refusal(db, **fields) -> DomainError:
    with pytest.raises(DomainError) as caught:
        add(db, **fields)
    return caught.value


def filed_declaration(db, employer, period: str, *, status: str = "submitted") -> Declaration:
    n = next(_receipts)
    filed = status != "draft"
    declaration = Declaration(
        employer_id=employer.id, scheme_code=employer.scheme_code, period=period, version=1 if filed else None,
        kind="original", status=status, category=employer.category, currency=employer.scheme.currency,
        receipt_number=f"R-PARAM-{n}" if filed else None, payment_reference=f"P-PARAM-{n}" if filed else None,
        created_at=NOW, created_by="tests", filed_at=NOW if filed else None, filed_by="tests" if filed else None)
    db.add(declaration)
    db.flush()
    return declaration


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"scheme_code": "XX-NONE"}, "parameter.scheme_unknown"),
        ({"scheme_code": ""}, "parameter.scheme_unknown"),
        ({"name": "rate.unknown"}, "parameter.name_unknown"),
        ({"category": "budget"}, "parameter.category_unknown"),  # a Tajik category on the Lao scheme
        ({"value": "1.2"}, "parameter.value_invalid"),  # a rate above 1
        ({"value": "-0.01"}, "parameter.value_invalid"),
        ({"value": "NaN"}, "parameter.value_invalid"),
        ({"value": "7%"}, "parameter.value_invalid"),
        ({"value": ""}, "parameter.value_invalid"),
        ({"name": "base.ceiling", "value": "4,500,000"}, "parameter.value_invalid"),
        ({"name": "base.ceiling", "value": "Infinity"}, "parameter.value_invalid"),
        ({"name": "base.ceiling", "value": "1E999999999"}, "parameter.value_invalid"),
        ({"name": "minimum_wage", "value": "-1"}, "parameter.value_invalid"),
        ({"name": "rounding.places", "value": "5"}, "parameter.value_invalid"),
        ({"name": "rounding.places", "value": "1.5"}, "parameter.value_invalid"),
        ({"name": "rounding.mode", "value": "bankers"}, "parameter.value_invalid"),
        ({"name": "due.day", "value": "0"}, "parameter.value_invalid"),
        ({"name": "due.day", "value": "32"}, "parameter.value_invalid"),
        ({"name": "due.roll", "value": "whenever"}, "parameter.value_invalid"),
        ({"name": "calendar.weekend", "value": "6,8"}, "parameter.value_invalid"),
        ({"name": "calendar.weekend", "value": "1,2,3,4,5,6,7"}, "parameter.value_invalid"),
        ({"source": "   "}, "parameter.source_required"),
        ({"confidence": "certain"}, "parameter.confidence_unknown"),
        # The seeded Lao employer rate of 2013.
        ({"valid_from": dt.date(2013, 7, 26), "value": "0.06"}, "parameter.version_exists"),
    ],
)
def test_refusals(db, fields, code) -> None:
    assert refusal(db, **fields).code == code
    assert db.scalars(select(SchemeParameter).where(SchemeParameter.source.startswith("Decree 99/PM"))).all() == []


@pytest.mark.parametrize(
    ("name", "text", "stored"),
    [
        ("rate.employer", " 0.0650 ", "0.0650"),
        ("rate.employee", "1", "1"),
        ("base.ceiling", "1e7", "10000000"),
        ("base.floor", "0", "0"),
        ("rounding.places", "2", "2"),
        ("rounding.mode", "half_even", "half_even"),
        ("due.day", "31", "31"),
        ("due.roll", "previous_business_day", "previous_business_day"),
        ("calendar.weekend", "7, 6", "6,7"),
    ],
)
def test_values_are_stored_in_one_form(db, name, text, stored) -> None:
    assert add(db, name=name, value=text).value == stored


def test_a_future_version_applies_to_the_periods_from_its_date(db) -> None:
    version = add(db, valid_from=dt.date(2027, 1, 1), value="0.07", confidence="likely")
    assert (version.recorded_at, version.recorded_by) == (NOW, ACTOR.label)
    assert rules_on(db, "LA-LSSO", "private", dt.date(2026, 12, 1)).rates().employer == D("0.06")
    assert rules_on(db, "LA-LSSO", "private", dt.date(2027, 1, 1)).rates().employer == D("0.07")
    assert rules_on(db, "LA-LSSO", "state_enterprise", dt.date(2027, 6, 1)).rates().employer == D("0.07")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "parameter.version_added")).one()
    assert (event.object_type, event.object_id) == ("scheme_parameter", str(version.id))
    assert "rate.employer" in event.summary and "2027-01-01" in event.summary


def test_a_category_version_leaves_the_other_categories_alone(db) -> None:
    add(db, scheme_code="TJ-SOCTAX", name="rate.employer", category="budget", value="0.24")
    assert rules_on(db, "TJ-SOCTAX", "budget", dt.date(2027, 1, 1)).rates().employer == D("0.24")
    assert rules_on(db, "TJ-SOCTAX", "non_budget", dt.date(2027, 1, 1)).rates().employer == D("0.20")


def test_a_declared_period_cannot_be_rewritten(db) -> None:
    employer = factories.employer(db)  # Lao, private
    filed_declaration(db, employer, "2026-09")
    filed_declaration(db, employer, "2026-10")
    filed_declaration(db, factories.employer(db), "2026-11", status="draft")  # drafts do not count
    error = refusal(db, valid_from=dt.date(2026, 10, 1))
    assert (error.code, error.params) == ("parameter.period_declared",
                                          {"period": "2026-10", "first_day": "2026-10-02"})
    assert refusal(db, valid_from=dt.date(2026, 3, 1)).code == "parameter.period_declared"
    assert refusal(db, category="private", valid_from=dt.date(2026, 10, 1)).code == "parameter.period_declared"
    # Another category has declared nothing; the day after the period's first day is allowed.
    assert add(db, category="state_enterprise", valid_from=dt.date(2026, 10, 1)).id
    assert add(db, valid_from=dt.date(2026, 10, 2)).id
    # Declarations of another scheme do not restrict this one.
    assert add(db, scheme_code="TJ-SOCTAX", valid_from=dt.date(2026, 10, 1)).id


def test_a_superseded_version_still_counts_as_declared(db) -> None:
    filed_declaration(db, factories.employer(db), "2026-08", status="superseded")
    assert refusal(db, valid_from=dt.date(2026, 8, 1)).params["period"] == "2026-08"


def test_overview_shows_what_is_in_force_and_every_version(db) -> None:
    add(db, valid_from=dt.date(2027, 1, 1), value="0.07")
    overview = parameter_overview(db, "LA-LSSO", dt.date(2026, 11, 20))
    in_force = {(v.name, v.category): v for v in overview.in_force}
    assert in_force[("rate.employer", None)].value == "0.06"
    assert in_force[("due.day", None)].confidence == "unconfirmed"
    # The floor as a share of the minimum wage replaced the floor as an amount.
    assert ("base.floor_factor", None) in in_force and ("base.floor", None) not in in_force
    history = overview.history[("rate.employer", None)]
    assert [v.value for v in history] == ["0.07", "0.06", "0.05"]
    assert [v.valid_from for v in history] == sorted((v.valid_from for v in history), reverse=True)
