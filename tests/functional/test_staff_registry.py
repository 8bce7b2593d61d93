from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from employers.accounts import User
from employers.employers import Employer, profile_history, profile_on
from employers.persons import PossibleDuplicate
from employers.workers import register_hire
from notifications.outbox import OutboxMessage
from tests import factories
from tests.factories import ACTOR, NOW, employment_values, person_values
from tests.functional.conftest import log_in


@pytest.fixture
def officer(app, users):
    client = app.test_client()
    log_in(client, users["supervisor"].email)
    return client


def test_direct_registration_invites_the_administrator(officer, db) -> None:
    data = {k: str(v or "") for k, v in factories.profile("LA-LSSO").items()}
    data |= {"scheme_code": "LA-LSSO", "tax_number": "5555666677", "registration_number": "",
             "admin_name": "ແສງ ວົງສາ", "admin_email": "seng.admin@example.test"}
    response = officer.post("/staff/employers/new", data=data)
    assert response.status_code == 302
    employer = db.scalars(select(Employer).where(Employer.tax_number == "5555666677")).one()
    assert employer.status == "active" and employer.employer_number.startswith("LA")
    admin = db.scalars(select(User).where(User.email == "seng.admin@example.test")).one()
    assert not admin.is_active
    invitation = db.scalars(select(OutboxMessage).where(OutboxMessage.recipient == admin.email)).one()
    assert invitation.kind == "account.invitation" and invitation.language == "lo"


def test_status_changes_from_the_staff_page(officer, db) -> None:
    employer = factories.employer(db)
    db.commit()
    officer.post(f"/staff/employers/{employer.id}/status", data={"status": "suspended", "reason": "inspection"})
    db.refresh(employer)
    assert employer.status == "suspended"
    officer.post(f"/staff/employers/{employer.id}/status", data={"status": "ceased"})  # no date: refused
    db.refresh(employer)
    assert employer.status == "suspended"
    officer.post(f"/staff/employers/{employer.id}/status", data={"status": "ceased", "ceased_on": "2026-12-31"})
    db.refresh(employer)
    assert employer.status == "ceased" and employer.ceased_on == dt.date(2026, 12, 31)


def test_staff_change_the_category_from_a_date(officer, db) -> None:
    employer = factories.employer(db, scheme_code="TJ-SOCTAX")
    db.commit()
    data = {k: str(v or "") for k, v in factories.profile("TJ-SOCTAX").items()}
    data |= {"category": "budget", "valid_from": "2026-11-25", "note": "budget-funded since 25 November"}
    assert officer.post(f"/staff/employers/{employer.id}/profile", data=data).status_code == 302
    assert profile_on(db, employer.id, dt.date(2026, 11, 24)).category == "non_budget"
    assert profile_on(db, employer.id, dt.date(2026, 11, 25)).category == "budget"
    assert len(profile_history(db, employer.id)) == 2
    page = officer.get(f"/staff/employers/{employer.id}").get_data(as_text=True)
    assert employer.employer_number in page


def test_duplicate_review_closes_the_flag(officer, db) -> None:
    employer = factories.employer(db)
    register_hire(db, employer, person=person_values(family_name_latin="Same", document_number="DOC11111"),
                  employment=employment_values(), actor=ACTOR, now=NOW)
    register_hire(db, employer, person=person_values(family_name_latin="Same", document_number="DOC22222"),
                  employment=employment_values(), actor=ACTOR, now=NOW)
    db.commit()
    flag = db.scalars(select(PossibleDuplicate)).one()
    assert "DOC22222" in officer.get("/staff/duplicates").get_data(as_text=True)
    officer.post("/staff/duplicates", data={"flag_id": flag.id, "decision": "different_people", "note": "twins"})
    db.refresh(flag)
    assert flag.status == "different_people" and flag.resolution_note == "twins"
    assert officer.post("/staff/duplicates", data={"flag_id": flag.id, "decision": "same_person"}).status_code == 404
