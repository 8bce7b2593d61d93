from __future__ import annotations

import datetime as dt
import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from common.errors import DomainError
from employers.accounts import User
from employers.activation import WorkerActivation
from notifications.outbox import OutboxMessage
from portal.messages import message_for
from tests import factories
from tests.functional.conftest import TOKEN, csrf_client, log_in

PHONE = "+856 20 5555 0202"
NEW_PASSWORD = "a sentence only I know"
SENT = "If these details match our records, we have sent a code by SMS"


@pytest.fixture
def person(db):
    employer = factories.employer_since(db, dt.date(2024, 1, 1))
    found = factories.hire(db, employer, phone=PHONE, birth_date="1988-07-09").person
    db.commit()
    return found


@pytest.fixture
def csrf_app(app_config, session_factory):
    from portal import create_app

    return create_app({**app_config, "WTF_CSRF_ENABLED": True}, session_factory=session_factory)


def csrf_of(client, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def ask_code(client, person, **changes: str):
    data = {"social_security_number": person.social_security_number, "document_number": person.document_number,
            "birth_date": person.birth_date.isoformat(), "email": "worker@example.test"}
    data.update(changes)
    return client.post("/worker/activate", data={**data, "csrf_token": csrf_of(client, "/worker/activate")})


def send_code(client, location: str, code: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(location, data={"code": code, "new_password": password, "confirm": confirm or password,
                                       "csrf_token": csrf_of(client, location)})


def sent_code(db) -> str:
    messages = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "worker.activation_code")).all()
    assert len(messages) == 1 and messages[0].recipient == PHONE
    return re.search(r"\b(\d{6})\b", messages[0].body).group(1)


def page_of(client, location: str) -> str:
    """The page without what differs by nature: the CSRF token and the page's own address."""
    return TOKEN.sub("", client.get(location).get_data(as_text=True)).replace(location, "")


def message(app, code: str) -> str:
    with app.test_request_context():
        return str(escape(message_for(DomainError(code))))


def test_a_worker_activates_the_account_and_sees_the_record(csrf_app, db, person) -> None:
    client = csrf_app.test_client()
    assert "/worker/activate" in client.get("/login").get_data(as_text=True)
    response = ask_code(client, person)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.fullmatch(r"/worker/activate/[\w-]{40,}", location)
    page = client.get(location).get_data(as_text=True)
    assert SENT in page and "15 minutes" in page
    assert send_code(client, location, sent_code(db), confirm="another sentence").status_code == 422
    response = send_code(client, location, sent_code(db))
    assert response.status_code == 302 and response.headers["Location"] == "/worker/record"
    record = client.get("/worker/record")
    assert record.status_code == 200 and 'id="not-linked"' not in record.get_data(as_text=True)
    user = db.scalar(select(User).where(User.email == "worker@example.test"))
    assert user.person_id == person.id and user.last_login_at is not None
    client.post("/logout", data={"csrf_token": csrf_of(client, "/worker/record")})
    assert client.post("/login", data={"email": "worker@example.test", "password": NEW_PASSWORD,
                                       "csrf_token": csrf_of(client, "/login")}).status_code == 302


def test_details_that_match_nobody_get_the_same_answer(csrf_app, db, person) -> None:
    client = csrf_app.test_client()
    same = []
    for changes in ({}, {"social_security_number": "LA99999999", "email": "someone@example.test"}):
        response = ask_code(client, person, **changes)
        assert response.status_code == 302
        same.append((response, page_of(client, response.headers["Location"])))
    (matched, first), (other, second) = same
    assert first == second and SENT in first
    assert len(matched.headers["Location"]) == len(other.headers["Location"])
    sent_code(db)  # one SMS: the match's
    assert page_of(client, "/worker/activate/not-a-token") == page_of(client, other.headers["Location"])
    response = send_code(client, "/worker/activate/not-a-token", "123456")
    assert response.status_code == 422 and message(csrf_app, "activation.expired") in response.get_data(as_text=True)


def test_wrong_codes_are_counted_although_the_page_answers_an_error(csrf_app, db, person) -> None:
    client = csrf_app.test_client()
    location = ask_code(client, person).headers["Location"]
    code = sent_code(db)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = send_code(client, location, wrong)
        assert response.status_code == 422
        assert message(csrf_app, "activation.code_wrong") in response.get_data(as_text=True)
    row = db.scalar(select(WorkerActivation).where(WorkerActivation.person_id == person.id))
    db.refresh(row)
    assert row.attempts == 5
    response = send_code(client, location, code)
    assert response.status_code == 422 and message(csrf_app, "activation.expired") in response.get_data(as_text=True)
    assert db.scalar(select(User).where(User.person_id == person.id)) is None


def test_too_many_starts_answer_429_on_the_form(csrf_app, db, person) -> None:
    client = csrf_app.test_client()
    for n in range(5):
        assert ask_code(client, person, social_security_number=f"LA1000{n}").status_code == 302
    response = ask_code(client, person)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert message(csrf_app, "activation.too_many") in page and 'name="social_security_number"' in page


def test_a_signed_in_user_is_sent_home(app, users) -> None:
    client = app.test_client()
    log_in(client, users["worker"].email)
    assert client.get("/worker/activate").status_code == 302


@pytest.fixture
def activated(db, person):
    user = factories.user(db, "worker", email="linked@example.test")
    user.person_id = person.id
    user.last_login_at = factories.NOW
    db.commit()
    return user


def test_a_supervisor_resets_a_workers_access(app_config, session_factory, db, users, person, activated) -> None:
    client = csrf_client(app_config, session_factory, users["supervisor"])
    path = f"/staff/persons/{person.id}/worker-access"
    page = client.get(path)
    assert page.status_code == 200 and "linked@example.test" in page.get_data(as_text=True)
    assert client.post(f"{path}/reset").status_code == 400  # no CSRF token
    response = client.post(f"{path}/reset", data={"csrf_token": csrf_of(client, path)})
    assert response.status_code == 302 and response.headers["Location"] == path
    db.refresh(activated)
    assert (activated.person_id, activated.is_active) == (None, False)
    page = client.get(path).get_data(as_text=True)
    assert "linked@example.test" not in page and "no worker account" in page
    response = client.post(f"{path}/reset", data={"csrf_token": csrf_of(client, path)})
    assert response.status_code == 422
    assert message(client.application, "activation.no_account") in response.get_data(as_text=True)


@pytest.mark.parametrize(("who", "status"), [("supervisor", 200), ("sysadmin", 200), ("inspector", 403),
                                              ("worker", 403), ("employer_admin", 403)])
def test_who_sees_the_access_page(app, users, person, who: str, status: int) -> None:
    client = app.test_client()
    log_in(client, users[who].email)
    assert client.get(f"/staff/persons/{person.id}/worker-access").status_code == status
    assert client.get("/staff/persons/999999/worker-access").status_code == (404 if status == 200 else 403)
