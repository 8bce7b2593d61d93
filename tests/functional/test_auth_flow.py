from __future__ import annotations

import re

from sqlalchemy import select

from common.audit import AuditEvent
from employers.accounts import User
from notifications.i18n import translations_for
from notifications.outbox import OutboxMessage
from tests import factories
from tests.functional.conftest import log_in


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_login_logout_round_trip_is_audited(client, users, db) -> None:
    admin = users["employer_admin"]
    response = log_in(client, admin.email, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/employer", follow_redirects=True)
    assert admin.employer.legal_name in _text(page)
    assert client.post("/logout").status_code == 302
    assert client.get("/employer").status_code == 302
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.actor_user_id == admin.id)))
    assert actions[-2:] == ["auth.login", "auth.logout"]


def test_wrong_password_shows_a_translated_error_and_is_recorded(client, users, db) -> None:
    inspector = users["inspector"]
    response = client.post("/login", data={"email": inspector.email, "password": "wrong guess!"},
                           headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    expected = translations_for("ru").gettext("The e-mail address or the password is not correct.")
    assert expected != "The e-mail address or the password is not correct."
    assert expected in _text(response)
    db.expire_all()
    assert db.get(User, inspector.id).failed_logins == 1
    assert db.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "auth.login_failed"


def test_lockout_after_repeated_failures(client, users, db) -> None:
    worker = users["worker"]
    for _ in range(5):
        response = client.post("/login", data={"email": worker.email, "password": "not the password"})
    assert "locked" in _text(response)
    # Even the right password is refused while the account is locked.
    assert log_in(client, worker.email).status_code == 200
    assert client.get("/worker").status_code == 302


def test_open_redirect_after_login_is_refused(client, users) -> None:
    response = client.post("/login?next=//evil.example/x", data={"email": users["worker"].email,
                                                                  "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/account/password", data={"email": users["worker"].email,
                                                                     "password": factories.PASSWORD})
    assert response.headers["Location"] == "/account/password"


def test_change_password_keeps_this_session_and_ends_others(app, users) -> None:
    supervisor = users["supervisor"]
    mine, other = app.test_client(), app.test_client()
    log_in(mine, supervisor.email)
    log_in(other, supervisor.email)
    response = mine.post("/account/password", data={"current_password": factories.PASSWORD,
                                                    "new_password": "a brand new passphrase",
                                                    "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert mine.get("/supervisor").status_code == 200
    assert other.get("/supervisor").status_code == 302


def test_change_password_mismatch_is_explained(client, users) -> None:
    log_in(client, users["sysadmin"].email)
    response = client.post("/account/password", data={"current_password": factories.PASSWORD,
                                                      "new_password": "a brand new passphrase",
                                                      "confirm": "something else entirely"})
    assert response.status_code == 200
    assert "The two passwords do not match." in _text(response)


def test_password_reset_by_email_through_a_real_smtp_server(app, users, db, smtp_server) -> None:
    port, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, DELIVER_MAIL_AFTER_REQUEST=True)
    clerk = users["employer_clerk"]
    clerk.locale = "lo"
    db.commit()
    client = app.test_client()
    response = client.post("/password/forgot", data={"email": clerk.email})
    assert response.status_code == 302
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == clerk.email
    lao = translations_for("lo")
    assert message["Subject"] == lao.gettext("Reset your contributions portal password")
    body = message.get_content()
    link = re.search(r"http://portal\.test(/password/reset/\S+)", body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": "ລະຫັດຜ່ານໃໝ່ທີ່ຍາວພໍ", "confirm": "ລະຫັດຜ່ານໃໝ່ທີ່ຍາວພໍ"})
    assert response.status_code == 302
    assert log_in(client, clerk.email, "ລະຫັດຜ່ານໃໝ່ທີ່ຍາວພໍ").status_code == 302
    # The link works once.
    assert client.get(link).status_code == 404
    assert db.scalar(select(OutboxMessage.status).where(OutboxMessage.recipient == clerk.email)) == "sent"


def test_reset_request_for_unknown_address_says_the_same_and_sends_nothing(client, db) -> None:
    response = client.post("/password/forgot", data={"email": "nobody@example.test"}, follow_redirects=True)
    assert "If an account uses this address" in _text(response)
    assert db.scalar(select(OutboxMessage.id)) is None


def test_unreachable_smtp_keeps_the_message_for_retry(app, users, db) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, DELIVER_MAIL_AFTER_REQUEST=True)
    response = app.test_client().post("/password/forgot", data={"email": users["inspector"].email})
    assert response.status_code == 302
    message = db.scalars(select(OutboxMessage)).one()
    assert message.status == "pending" and message.attempts == 1 and message.last_error


def test_csrf_is_required_on_forms(app_config, session_factory, users) -> None:
    from portal import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True}, session_factory=session_factory)
    client = app.test_client()
    response = client.post("/login", data={"email": users["worker"].email, "password": factories.PASSWORD},
                           headers={"Accept-Language": "tg"})
    assert response.status_code == 400
    expected = translations_for("tg").gettext(
        "This form has expired or did not come from this site. Go back, reload the page and try again.")
    assert expected in _text(response)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', _text(page)).group(1)
    response = client.post("/login", data={"email": users["worker"].email, "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


def test_security_headers(client) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script" not in _text(response) and "style=" not in _text(response)


def test_session_cookie_is_http_only_and_same_site(client, users) -> None:
    response = log_in(client, users["worker"].email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
