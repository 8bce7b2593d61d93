"""Notices in the portal: the employer's inbox (list, unread count, reading marks read, scoped to the employer)
and the staff view of an employer's notices with how each was delivered and every delivery attempt."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from notifications.channels import UndeliverableError
from notifications.notices import Notice, notify
from notifications.outbox import OutboxMessage, deliver_due
from tests import factories
from tests.factories import ACTOR
from tests.functional.conftest import log_in

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
EN = {"Accept-Language": "en"}
OVERDUE = {"period": "2026-09", "due": "2026-10-20", "as_of": "2026-11-20", "amount": "40000", "days": 31,
           "components": [["employee_share", "40000"]], "stage": 0}


class _Mail:
    name = "email"

    def send(self, recipient, subject, body, language=None, attachments=()) -> None:
        pass


class _BrokenGateway:
    """An SMS gateway that is down: a passing failure, retried later."""

    name = "sms"

    def send(self, recipient, subject, body, language=None, attachments=()) -> None:
        raise ConnectionError("gateway down")


class _RefusingGateway:
    name = "sms"

    def send(self, recipient, subject, body, language=None, attachments=()) -> None:
        raise UndeliverableError("message too long")


def _messages(db, notice: Notice) -> dict[str, OutboxMessage]:
    return {m.channel: m for m in db.scalars(select(OutboxMessage).where(OutboxMessage.notice_id == notice.id))}


@pytest.fixture
def lao(db):
    """A Lao employer with three notices: a filing reminder (e-mail sent, SMS waiting for a retry), an overdue
    notice (e-mail waiting, SMS refused for good) and a payment receipt (e-mail only, never tried)."""
    employer = factories.employer(db)
    admin = factories.user(db, "employer_admin", employer_id=employer.id)
    clerk = factories.user(db, "employer_clerk", employer_id=employer.id)
    reminder = notify(db, employer, "filing_reminder", period="2026-10",
                      params={"period": "2026-10", "due": "2026-11-20"}, actor=ACTOR,
                      now=NOW - dt.timedelta(days=2), link="http://x/")
    overdue = notify(db, employer, "overdue", period="2026-09", params=OVERDUE, actor=ACTOR,
                     now=NOW - dt.timedelta(days=1), link="http://x/")
    receipt = notify(db, employer, "payment_received", period=None, stage=7,
                     params={"amount": "345000", "paid_on": "2026-11-19", "balance": "0",
                             "components": [["employee_share", "165000"], ["employer_share", "180000"]]},
                     actor=ACTOR, now=NOW, link="http://x/")
    first = _messages(db, reminder)
    deliver_due(db, {"email": _Mail(), "sms": _BrokenGateway()}, now=NOW, ids=[first["email"].id, first["sms"].id])
    deliver_due(db, {"sms": _RefusingGateway()}, now=NOW, ids=[_messages(db, overdue)["sms"].id])
    db.commit()
    return {"employer": employer, "admin": admin, "clerk": clerk, "reminder": reminder, "overdue": overdue,
            "receipt": receipt}


@pytest.fixture
def other(db):
    """Another employer, with a notice of its own and a clerk."""
    employer = factories.employer(db)
    clerk = factories.user(db, "employer_clerk", employer_id=employer.id)
    notice = notify(db, employer, "missed_filing", period="2026-10", params={"period": "2026-10", "due": "2026-11-20"},
                    actor=ACTOR, now=NOW, link="http://x/")
    db.commit()
    return {"employer": employer, "clerk": clerk, "notice": notice}


def _client(app, user):
    client = app.test_client()
    assert log_in(client, user.email).status_code == 302
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _item(page: str, item_id: str) -> str:
    match = re.search(rf'<li id="{item_id}"[^>]*>(.*?)</li>', page, re.DOTALL)
    assert match, f"no item {item_id}"
    return match.group(0)


def _nav_count(page: str) -> str | None:
    match = re.search(r'id="nav-notices">(.*?)</a>', page, re.DOTALL)
    assert match, "no Notices link in the navigation"
    count = re.search(r'class="badge count"[^>]*>(\d+)<', match.group(1))
    return count.group(1) if count else None


def test_the_inbox_lists_notices_newest_first_with_the_unread_marked(app, lao) -> None:
    page = _client(app, lao["admin"]).get("/employer/notices", headers=EN).get_data(as_text=True)
    ids = re.findall(r'<li id="notice-(\d+)"', page)
    assert ids == [str(lao[name].id) for name in ("receipt", "overdue", "reminder")]
    reminder = _item(page, f"notice-{lao['reminder'].id}")
    assert 'class="unread"' in reminder
    assert '<span class="visually-hidden">Unread: </span><strong>' in reminder
    assert f'href="/employer/notices/{lao["reminder"].id}"' in reminder
    assert "Filing reminder · October 2026 · Nov 18, 2026" in _text(reminder)
    assert "Overdue notice · September 2026" in _text(_item(page, f"notice-{lao['overdue'].id}"))
    assert "Payment receipt · Nov 20, 2026" in _text(_item(page, f"notice-{lao['receipt'].id}"))
    assert _nav_count(page) == "3"
    assert "(3 unread notices)" in page


def test_the_home_page_shows_the_unread_count_with_a_link(app, lao) -> None:
    page = _client(app, lao["clerk"]).get("/employer", headers=EN).get_data(as_text=True)
    assert re.search(r'id="unread-notices"><a href="/employer/notices">You have 3 unread notices.</a>', page)


def test_opening_a_notice_shows_it_and_marks_it_read(app, db, lao) -> None:
    client = _client(app, lao["clerk"])
    notice = lao["reminder"]
    page = client.get(f"/employer/notices/{notice.id}", headers=EN).get_data(as_text=True)
    assert f'<h1 lang="lo">{notice.subject}</h1>' in page
    # The body keeps its paragraphs and line breaks.
    assert page.count("<p>", page.index('id="body"'), page.index('id="delivery"')) >= 4
    assert "<br>" in page[page.index('id="body"'):page.index('id="delivery"')]
    assert 'id="copy"' not in page  # no second language in Laos
    delivery = _text(page[page.index('id="delivery"'):])
    assert f"E-mail to {lao['employer'].email} Sent on" in delivery
    assert f"SMS to {lao['employer'].phone} Waiting to be sent (next try at" in delivery
    assert _nav_count(page) == "2"  # read as it is shown
    db.expire_all()
    read = db.get(Notice, notice.id)
    assert read.read_at is not None and read.read_by_user_id == lao["clerk"].id
    listing = client.get("/employer/notices", headers=EN).get_data(as_text=True)
    assert 'class="read"' in _item(listing, f"notice-{notice.id}")
    assert "<strong>" not in _item(listing, f"notice-{notice.id}")
    # Opened again by someone else of the employer: still read by the first reader, at the first time.
    _client(app, lao["admin"]).get(f"/employer/notices/{notice.id}")
    db.expire_all()
    assert db.get(Notice, notice.id).read_by_user_id == lao["clerk"].id


def test_the_employer_sees_a_failed_message_and_a_notice_sent_by_e_mail_only(app, lao) -> None:
    client = _client(app, lao["admin"])
    overdue = _text(client.get(f"/employer/notices/{lao['overdue'].id}", headers=EN).get_data(as_text=True))
    assert "Could not be sent: failed after 1 try" in overdue
    receipt = client.get(f"/employer/notices/{lao['receipt'].id}", headers=EN).get_data(as_text=True)
    assert 'id="delivery-email">Waiting to be sent</dd>' in receipt and 'id="delivery-sms"' not in receipt


def test_another_employers_notice_is_not_found(app, db, lao, other) -> None:
    for user in (lao["admin"], lao["clerk"]):
        assert _client(app, user).get(f"/employer/notices/{other['notice'].id}").status_code == 404
    clerk = _client(app, other["clerk"])
    assert clerk.get(f"/employer/notices/{lao['reminder'].id}").status_code == 404
    assert f"notice-{lao['reminder'].id}" not in clerk.get("/employer/notices").get_data(as_text=True)
    db.expire_all()
    assert db.get(Notice, lao["reminder"].id).read_at is None
    assert db.get(Notice, other["notice"].id).read_at is None


def test_the_inbox_is_paginated(app, db, lao, monkeypatch) -> None:
    monkeypatch.setattr("portal.inbox.PAGE_SIZE", 2)
    client = _client(app, lao["admin"])
    first = client.get("/employer/notices", headers=EN).get_data(as_text=True)
    assert re.findall(r'<li id="notice-(\d+)"', first) == [str(lao["receipt"].id), str(lao["overdue"].id)]
    assert "Page 1 of 2" in first
    second = client.get("/employer/notices?page=2", headers=EN).get_data(as_text=True)
    assert re.findall(r'<li id="notice-(\d+)"', second) == [str(lao["reminder"].id)]
    assert client.get("/employer/notices?page=99", headers=EN).status_code == 200


def test_a_tajik_notice_shows_the_russian_copy(app, db) -> None:
    employer = factories.employer(db, scheme_code="TJ-SOCTAX")
    admin = factories.user(db, "employer_admin", employer_id=employer.id)
    notice = notify(db, employer, "overdue", period="2026-09",
                    params={**OVERDUE, "amount": "40.00", "components": [["employee_share", "40.00"]]},
                    actor=ACTOR, now=NOW, link="http://x/")
    db.commit()
    assert notice.language == "tg" and notice.copy_language == "ru"
    page = _client(app, admin).get(f"/employer/notices/{notice.id}", headers=EN).get_data(as_text=True)
    assert f'<h1 lang="tg">{notice.subject}</h1>' in page
    copy = page[page.index('id="copy"'):page.index('id="delivery"')]
    assert "The same notice in Русский" in copy
    assert '<div lang="ru">' in copy and notice.copy_subject in copy
    assert notice.copy_body.split("\n")[0] in copy


def test_staff_see_delivery_and_every_attempt_without_marking_read(app, db, lao) -> None:
    inspector = factories.user(db, "inspector")
    db.commit()
    client = _client(app, inspector)
    employer = lao["employer"]
    account = client.get(f"/staff/employers/{employer.id}/account", headers=EN).get_data(as_text=True)
    section = account[account.index('id="notices"'):]
    row = _text(re.search(rf'<tr id="notice-{lao["reminder"].id}">(.*?)</tr>', section, re.DOTALL).group(1))
    assert row.startswith("Filing reminder")
    assert "October 2026" in row and "Not read" in row
    assert "E-mail: Sent · 1 attempt" in row
    assert "SMS: Waiting · 1 attempt · next try at" in row and "ConnectionError: gateway down" in row
    overdue = _text(re.search(rf'<tr id="notice-{lao["overdue"].id}">(.*?)</tr>', section, re.DOTALL).group(1))
    assert "E-mail: Waiting · 0 attempts" in overdue
    assert "SMS: Failed · 1 attempt" in overdue and "UndeliverableError: message too long" in overdue
    link = f'/staff/employers/{employer.id}/notices/{lao["reminder"].id}'
    assert f'href="{link}"' in section

    page = client.get(link, headers=EN).get_data(as_text=True)
    assert lao["reminder"].subject in page and 'id="body"' in page
    attempts = [_text(row) for row in re.findall(r'<tr id="attempt-\d+">(.*?)</tr>', page, re.DOTALL)]
    assert len(attempts) == 2
    assert any(row.endswith("E-mail Sent —") for row in attempts)
    assert any(row.endswith("SMS Failed ConnectionError: gateway down") for row in attempts)
    assert "Not read" in _text(page[page.index('id="read"'):])
    db.expire_all()
    assert db.get(Notice, lao["reminder"].id).read_at is None  # staff reading does not mark it read


def test_staff_see_who_read_a_notice(app, db, lao) -> None:
    _client(app, lao["clerk"]).get(f"/employer/notices/{lao['receipt'].id}")
    supervisor = factories.user(db, "supervisor")
    db.commit()
    page = _client(app, supervisor).get(
        f"/staff/employers/{lao['employer'].id}/notices/{lao['receipt'].id}", headers=EN).get_data(as_text=True)
    read = _text(page[page.index('id="read"'):page.index("</dd>", page.index('id="read"'))])
    assert "Read on" in read and lao["clerk"].full_name in read
    assert "No attempt yet." in page


def test_a_notice_of_another_employer_is_not_found_for_staff(app, db, lao, other) -> None:
    sysadmin = factories.user(db, "sysadmin")
    db.commit()
    client = _client(app, sysadmin)
    assert client.get(f"/staff/employers/{lao['employer'].id}/notices/{other['notice'].id}").status_code == 404
    assert client.get(f"/staff/employers/{other['employer'].id}/notices/{other['notice'].id}").status_code == 200


def test_employers_cannot_reach_the_staff_pages(app, lao) -> None:
    client = _client(app, lao["admin"])
    assert client.get(f"/staff/employers/{lao['employer'].id}/notices/{lao['reminder'].id}").status_code == 403
    assert client.get(f"/staff/employers/{lao['employer'].id}/account").status_code == 403


def test_staff_have_no_inbox(app, db) -> None:
    inspector = factories.user(db, "inspector")
    db.commit()
    client = _client(app, inspector)
    assert client.get("/employer/notices").status_code == 403
    assert 'id="nav-notices"' not in client.get("/inspector").get_data(as_text=True)
