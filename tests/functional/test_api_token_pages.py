"""The API tokens page: an employer administrator creates a token and sees it once, the token works against
the API until it is revoked; clerks and other employers have no access; every form needs its CSRF token."""

from __future__ import annotations

import re

from sqlalchemy import select

from common.audit import AuditEvent
from employers.api_tokens import ApiToken, create_api_token, tokens_of
from tests import factories
from tests.functional.conftest import TOKEN, csrf_client, log_in

PAGE = "/employer/api-tokens"
SHOWN = re.compile(r'<code id="token-value">(ocp_[A-Za-z0-9_-]+)</code>')


def _create(client, name: str = "Payroll", scope: str = "write", days: str = "90", **extra):
    return client.post(PAGE, data={"name": name, "scope": scope, "days": days, **extra})


def _employer_via_api(app, token: str):
    return app.test_client().get("/api/v1/employer", headers={"Authorization": f"Bearer {token}"})


def test_an_administrator_creates_a_token_and_sees_it_once(app, client, db, users) -> None:
    admin = users["employer_admin"]
    log_in(client, admin.email)
    empty = client.get(PAGE)
    assert empty.status_code == 200 and "No token yet." in empty.get_data(as_text=True)

    created = _create(client, name="Payroll 2026", scope="write", days="180")
    body = created.get_data(as_text=True)
    assert created.status_code == 200
    token = SHOWN.search(body).group(1)
    assert "it will not be shown again" in body
    assert f"Authorization: Bearer {token}" in body and 'href="/api/v1/docs"' in body
    assert created.headers["Cache-Control"] == "no-store"
    assert 'value="Payroll 2026"' not in body  # the form is blank again for the next token
    row = db.scalars(select(ApiToken).where(ApiToken.employer_id == admin.employer_id)).one()
    assert (row.name, row.scope, row.hint) == ("Payroll 2026", "write", token[:10])
    assert db.scalar(select(AuditEvent.actor_label).where(AuditEvent.action == "api_token.created",
                                                          AuditEvent.object_id == str(row.id))) == admin.email

    again = client.get(PAGE).get_data(as_text=True)
    assert token not in again and not SHOWN.search(again) and "will not be shown again" not in again
    assert "Payroll 2026" in again and f"{token[:10]}…" in again and "Read and write" in again
    assert "Active" in again and "Never" in again

    answer = _employer_via_api(app, token)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["employer_number"] == admin.employer.employer_number
    listed = client.get(PAGE).get_data(as_text=True)
    assert "Never" not in listed  # the call is noted as the token's last use


def test_revoking_a_token_stops_the_api_at_once(app, client, db, users) -> None:
    admin = users["employer_admin"]
    log_in(client, admin.email)
    token = SHOWN.search(_create(client).get_data(as_text=True)).group(1)
    assert _employer_via_api(app, token).status_code == 200
    row = tokens_of(db, admin.employer_id)[0]
    page = client.get(PAGE).get_data(as_text=True)
    assert f'action="/employer/api-tokens/{row.id}/revoke"' in page

    revoked = client.post(f"{PAGE}/{row.id}/revoke")
    assert revoked.status_code == 302 and revoked.headers["Location"].endswith(PAGE)
    answer = _employer_via_api(app, token)
    assert answer.status_code == 401 and answer.get_json()["code"] == "api.token_invalid"
    page = client.get(PAGE).get_data(as_text=True)
    assert "is revoked" in page and "Revoked" in page
    assert f'action="/employer/api-tokens/{row.id}/revoke"' not in page  # no button for a revoked token
    # The name is free again for a new token.
    assert SHOWN.search(_create(client).get_data(as_text=True))


def test_refusals_are_shown_next_to_the_form(client, db, users) -> None:
    admin = users["employer_admin"]
    log_in(client, admin.email)
    assert SHOWN.search(_create(client, name="Payroll").get_data(as_text=True))
    taken = _create(client, name="payroll")
    body = taken.get_data(as_text=True)
    assert taken.status_code == 422 and "An active token already has this name." in body and not SHOWN.search(body)
    nameless = _create(client, name="  ")
    assert nameless.status_code == 422 and "Give the token a name" in nameless.get_data(as_text=True)
    too_long = _create(client, name="x" * 81)
    assert too_long.status_code == 422 and not SHOWN.search(too_long.get_data(as_text=True))
    for tampered in ({"scope": "admin"}, {"days": "7"}, {"days": "many"}):
        answer = _create(client, **{"name": "Other", **tampered})
        assert answer.status_code == 422 and not SHOWN.search(answer.get_data(as_text=True))
    db.expire_all()
    assert [row.name for row in tokens_of(db, admin.employer_id)] == ["Payroll"]


def test_a_clerk_has_no_access(client, db, users) -> None:
    admin, clerk = users["employer_admin"], users["employer_clerk"]
    row, _token = create_api_token(db, admin.employer, name="Payroll", scope="read", days=90, actor=factories.ACTOR,
                                   now=factories.NOW)
    db.commit()
    log_in(client, clerk.email)
    assert client.get(PAGE).status_code == 403
    assert _create(client).status_code == 403
    assert client.post(f"{PAGE}/{row.id}/revoke").status_code == 403
    assert PAGE not in client.get("/employer").get_data(as_text=True)
    db.expire_all()
    assert [(r.name, r.revoked_at) for r in tokens_of(db, admin.employer_id)] == [("Payroll", None)]


def test_the_administrators_home_page_links_to_the_tokens(client, users) -> None:
    log_in(client, users["employer_admin"].email)
    assert f'href="{PAGE}"' in client.get("/employer").get_data(as_text=True)


def test_another_employers_token_cannot_be_revoked(app, client, db, users) -> None:
    other = factories.employer(db)
    theirs, their_token = create_api_token(db, other, name="Theirs", scope="read", days=90,
                                           actor=factories.ACTOR, now=factories.NOW)
    db.commit()
    log_in(client, users["employer_admin"].email)
    assert client.post(f"{PAGE}/{theirs.id}/revoke").status_code == 404
    assert "Theirs" not in client.get(PAGE).get_data(as_text=True)
    db.expire_all()
    assert db.get(ApiToken, theirs.id).revoked_at is None
    assert _employer_via_api(app, their_token).status_code == 200


def test_the_forms_need_their_csrf_token(app_config, session_factory, db, users) -> None:
    admin = users["employer_admin"]
    client = csrf_client(app_config, session_factory, admin)
    refused = client.post(PAGE, data={"name": "Payroll", "scope": "read", "days": "90"})
    assert refused.status_code == 400 and not SHOWN.search(refused.get_data(as_text=True))
    db.expire_all()
    assert tokens_of(db, admin.employer_id) == []

    csrf = TOKEN.search(client.get(PAGE).get_data(as_text=True)).group(1)
    created = client.post(PAGE, data={"name": "Payroll", "scope": "read", "days": "90", "csrf_token": csrf})
    assert created.status_code == 200 and SHOWN.search(created.get_data(as_text=True))
    row = tokens_of(db, admin.employer_id)[0]
    assert client.post(f"{PAGE}/{row.id}/revoke").status_code == 400
    db.expire_all()
    assert db.get(ApiToken, row.id).revoked_at is None
    assert client.post(f"{PAGE}/{row.id}/revoke", data={"csrf_token": csrf}).status_code == 302
    db.expire_all()
    assert db.get(ApiToken, row.id).revoked_at is not None

