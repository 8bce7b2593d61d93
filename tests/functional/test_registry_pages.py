from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from employers.accounts import User
from employers.employers import Employer, profile_history
from notifications.i18n import translations_for
from notifications.outbox import OutboxMessage
from tests import factories
from tests.functional.conftest import log_in


def _application(**overrides) -> dict[str, str]:
    data = {k: str(v or "") for k, v in factories.profile("TJ-SOCTAX").items()}
    data.update({"scheme_code": "TJ-SOCTAX", "tax_number": "020 111 222", "registration_number": "R-77",
                 "admin_name": "Зарина Саидова", "admin_email": "zarina@example.test",
                 "password": "a long passphrase", "confirm": "a long passphrase"})
    data.update(overrides)
    return data


def _messages(db, recipient: str) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                           .order_by(OutboxMessage.id)))


def test_application_in_tajik_is_received_and_acknowledged(client, db) -> None:
    response = client.post("/apply", data=_application(), headers={"Accept-Language": "tg"})
    assert response.status_code == 200
    employer = db.scalars(select(Employer).where(Employer.tax_number == "020111222")).one()
    assert employer.status == "pending"
    [message] = _messages(db, "zarina@example.test")
    assert message.language == "tg" and message.kind == "registration.received"
    assert message.subject == translations_for("tg").gettext(
        "We have received your application (no. %(reference)s)") % {"reference": employer.id}


def test_bad_application_names_each_field_in_the_users_language_and_writes_nothing(client, db) -> None:
    before = db.scalar(select(func.count()).select_from(Employer))
    response = client.post("/apply", data=_application(phone="12", region_code="LA-VT-01"),
                           headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    ru = translations_for("ru")
    assert ru.gettext("Choose a province or district of the chosen country.") in page
    assert 'id="phone-errors"' in page and 'id="region_code-errors"' in page
    assert db.scalar(select(func.count()).select_from(Employer)) == before
    assert db.scalar(select(func.count()).select_from(User).where(User.email == "zarina@example.test")) == 0


def test_duplicate_tax_number_is_explained_under_its_field(client, db) -> None:
    client.post("/apply", data=_application())
    response = client.post("/apply", data=_application(admin_email="other@example.test"))
    assert response.status_code == 422
    assert 'id="tax_number-errors"' in response.get_data(as_text=True)


def test_staff_approve_and_the_administrator_logs_in(app, client, db, users) -> None:
    client.post("/apply", data=_application())
    employer = db.scalars(select(Employer).where(Employer.tax_number == "020111222")).one()
    staff = app.test_client()
    log_in(staff, users["inspector"].email)
    assert employer.legal_name in staff.get("/staff/applications").get_data(as_text=True)
    assert staff.post(f"/staff/applications/{employer.id}/approve").status_code == 302
    db.refresh(employer)
    assert employer.status == "active" and employer.employer_number
    approved = _messages(db, "zarina@example.test")[-1]
    assert approved.kind == "registration.approved" and employer.employer_number in approved.body
    assert log_in(client, "zarina@example.test", "a long passphrase").status_code == 302
    assert employer.employer_number in client.get("/employer/profile").get_data(as_text=True)


def test_rework_with_the_emailed_link(app, client, db, users) -> None:
    client.post("/apply", data=_application())
    employer = db.scalars(select(Employer).where(Employer.tax_number == "020111222")).one()
    staff = app.test_client()
    log_in(staff, users["supervisor"].email)
    assert staff.post(f"/staff/applications/{employer.id}/rework", data={"text": ""}).status_code == 422
    assert staff.post(f"/staff/applications/{employer.id}/rework",
                      data={"text": "Add the district"}).status_code == 302
    body = _messages(db, "zarina@example.test")[-1].body
    assert "Add the district" in body
    link = re.search(r"http://portal\.test(/apply/correct/\S+)", body).group(1)
    form_page = client.get(link).get_data(as_text=True)
    assert "020111222" in form_page  # pre-filled
    fixed = _application(region_code="TJ-DU-02")
    for key in ("scheme_code", "admin_name", "admin_email", "password", "confirm"):
        fixed.pop(key)
    assert client.post(link, data=fixed).status_code == 200
    db.refresh(employer)
    assert employer.status == "pending" and employer.region_code == "TJ-DU-02"
    assert client.get(link).status_code == 404  # spent


def test_team_invitation_acceptance_and_tenant_isolation(app, db, users) -> None:
    admin = users["employer_admin"]
    client = app.test_client()
    log_in(client, admin.email)
    response = client.post("/employer/team", data={"full_name": "ນ້ອຍ ວົງສາ", "email": "noy@example.test",
                                                   "language": "lo"})
    assert response.status_code == 302
    invitation = _messages(db, "noy@example.test")[-1]
    assert invitation.language == "lo" and invitation.kind == "account.invitation"
    link = re.search(r"http://portal\.test(/invitation/\S+)", invitation.body).group(1)
    newcomer = app.test_client()
    assert newcomer.post(link, data={"password": "ລະຫັດຜ່ານທີ່ຍາວພໍ", "confirm": "ລະຫັດຜ່ານທີ່ຍາວພໍ"}).status_code == 302
    assert log_in(newcomer, "noy@example.test", "ລະຫັດຜ່ານທີ່ຍາວພໍ").status_code == 302
    clerk = db.scalars(select(User).where(User.email == "noy@example.test")).one()
    assert client.post(f"/employer/team/{clerk.id}/deactivate").status_code == 302
    assert newcomer.get("/employer").status_code == 302  # logged out: the account is inactive
    other = factories.user(db, "employer_clerk", employer_id=factories.employer(db).id)
    db.commit()
    assert client.post(f"/employer/team/{other.id}/deactivate").status_code == 404
    db.refresh(other)
    assert other.is_active


def test_profile_change_is_dated_and_kept_in_history(app, db, users) -> None:
    admin = users["employer_admin"]
    client = app.test_client()
    log_in(client, admin.email)
    employer = admin.employer
    data = {"trading_name": "", "address": "ບ້ານ ໂພນສີນວນ", "contact_name": "ສົມໃຈ", "phone": "+856 20 5555 9999",
            "email": "new@employer.test", "preferred_language": "lo"}
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post("/employer/profile/change", data=data | {"valid_from": future})
    assert response.status_code == 200 and 'id="valid_from-errors"' in response.get_data(as_text=True)
    response = client.post("/employer/profile/change", data=data | {"valid_from": employer.registered_on.isoformat()})
    assert response.status_code == 302
    db.refresh(employer)
    assert employer.address == "ບ້ານ ໂພນສີນວນ"
    assert len(profile_history(db, employer.id)) == 2
