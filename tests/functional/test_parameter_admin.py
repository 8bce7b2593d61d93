from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from contributions.declarations import Declaration
from contributions.parameters import SchemeParameter
from tests import factories
from tests.factories import NOW
from tests.functional.conftest import log_in

FORM = {"scheme": "LA-LSSO", "name": "rate.employer", "category": "", "valid_from": "2027-01-01",
        "value": "0.065", "source": "Decree 99/PM of 1 December 2026, Art. 3", "confidence": "likely"}


@pytest.fixture
def admin(app, users):
    client = app.test_client()
    log_in(client, users["sysadmin"].email)
    return client


def new_versions(db) -> list[SchemeParameter]:
    return list(db.scalars(select(SchemeParameter).where(SchemeParameter.source.startswith("Decree 99/PM"))))


def test_the_list_shows_values_in_force_and_their_doubts(admin) -> None:
    response = admin.get("/admin/parameters?scheme=LA-LSSO")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="badge unconfirmed"' in page and 'class="badge likely"' in page
    assert "due.day" in page and "rate.employee" in page and "reference data" in page
    assert 'class="table-wrap"' in page
    assert "/admin/parameters/new?scheme=LA-LSSO&amp;name=due.day" in page


def test_the_list_of_another_scheme_and_an_unknown_one(admin) -> None:
    page = admin.get("/admin/parameters?scheme=TJ-SOCTAX").get_data(as_text=True)
    assert "Budget-funded organisation" in page
    assert admin.get("/admin/parameters?scheme=XX").status_code == 404


def test_the_form_is_prefilled_from_the_list(admin) -> None:
    page = admin.get("/admin/parameters/new?scheme=TJ-SOCTAX&name=due.day&category=budget").get_data(as_text=True)
    assert '<option selected value="TJ-SOCTAX">' in page
    assert '<option selected value="due.day">' in page
    assert '<option selected value="budget">' in page


def test_the_administrator_adds_a_version(admin, db) -> None:
    response = admin.post("/admin/parameters/new", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/parameters?scheme=LA-LSSO")
    (version,) = new_versions(db)
    assert (version.value, version.valid_from, version.category, version.confidence) == \
        ("0.065", dt.date(2027, 1, 1), None, "likely")
    page = admin.get("/admin/parameters?scheme=LA-LSSO").get_data(as_text=True)
    assert "is recorded" in page and "0.065" in page and 'class="badge scheduled"' in page


def test_a_bad_value_is_refused_with_its_message(admin, db) -> None:
    response = admin.post("/admin/parameters/new", data=FORM | {"value": "6.5"})
    assert response.status_code == 422
    assert "This value is not valid for rate.employer." in response.get_data(as_text=True)
    assert new_versions(db) == []


def test_a_category_of_another_scheme_is_refused(admin, db) -> None:
    response = admin.post("/admin/parameters/new", data=FORM | {"category": "budget"})
    assert response.status_code == 422
    assert "Choose an employer category of this scheme" in response.get_data(as_text=True)


def test_a_declared_period_is_not_rewritten(admin, db) -> None:
    employer = factories.employer(db)
    db.add(Declaration(employer_id=employer.id, scheme_code="LA-LSSO", period="2026-10", version=1, kind="original",
                       status="submitted", category="private", currency="LAK", receipt_number="R-ADMIN-1",
                       payment_reference="P-ADMIN-1", created_at=NOW, created_by="tests", filed_at=NOW))
    db.commit()
    response = admin.post("/admin/parameters/new", data=FORM | {"valid_from": "2026-10-01"})
    assert response.status_code == 422
    assert "Contributions for 2026-10 have already been declared" in response.get_data(as_text=True)
    assert "2026-10-02" in response.get_data(as_text=True)
    assert new_versions(db) == []


def test_a_missing_field_is_refused(admin, db) -> None:
    response = admin.post("/admin/parameters/new", data=FORM | {"source": "", "valid_from": ""})
    assert response.status_code == 422
    assert new_versions(db) == []


@pytest.mark.parametrize("who", ["supervisor", "inspector", "employer_admin", "worker"])
def test_only_the_system_administrator_may_change_parameters(app, users, db, who) -> None:
    client = app.test_client()
    log_in(client, users[who].email)
    assert client.get("/admin/parameters").status_code == 403
    assert client.post("/admin/parameters/new", data=FORM).status_code == 403
    assert new_versions(db) == []


def test_anonymous_visitors_are_sent_to_the_login(client, db) -> None:
    response = client.post("/admin/parameters/new", data=FORM)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert new_versions(db) == []


def test_the_administrators_home_links_to_the_parameters(admin) -> None:
    assert "/admin/parameters" in admin.get("/admin").get_data(as_text=True)


def test_every_parameter_has_a_label_and_a_format_hint() -> None:
    from contributions.parameters import NAMES
    from portal.admin.forms import PARAMETER_LABELS, VALUE_FORMATS

    assert set(PARAMETER_LABELS) == set(NAMES)
    assert set(VALUE_FORMATS) == set(NAMES)
