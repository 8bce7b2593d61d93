from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from common.audit import AuditEvent
from common.errors import DomainError, NotFound
from employers import accounts
from employers.accounts import Role, User
from employers.activation import complete_activation, reset_worker_access, start_activation
from notifications.outbox import OutboxMessage
from portal.workers.activation import CodeSms
from tests import factories
from tests.factories import ACTOR, NOW

NEW_PASSWORD = "my own sentence of a password"
PHONE = "+856 20 5555 0101"


def employer(db, scheme_code: str = "LA-LSSO"):
    return factories.employer_since(db, dt.date(2024, 1, 1), scheme_code=scheme_code)


@pytest.fixture
def person(db):
    return factories.hire(db, employer(db), phone=PHONE, birth_date="1991-03-04").person


def details(person, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {"social_security_number": person.social_security_number,
                                 "document_number": person.document_number, "birth_date": person.birth_date,
                                 "email": "worker@example.test"}
    values.update(changes)
    return values


def start(db, values: dict[str, object], *, ip: str = "10.0.0.1", now: dt.datetime = NOW):
    return start_activation(db, **values, ip=ip, now=now, send_code=CodeSms(db, now))


def sms(db) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "worker.activation_code")
                           .order_by(OutboxMessage.id)))


def code_of(message: OutboxMessage) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def complete(db, token: str, code: str, *, now: dt.datetime = NOW, password: str = NEW_PASSWORD) -> User:
    return complete_activation(db, token=token, code=code, password=password, now=now, ip="10.0.0.2")


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_matching_details_send_a_code_by_sms_to_the_phone_on_record(db, person) -> None:
    token, row = start(db, details(person, social_security_number=f" {person.social_security_number.lower()} ",
                                   document_number=f"{person.document_number[:2]}-{person.document_number[2:]}",
                                   email=" Worker@Example.TEST "))
    assert isinstance(token, str) and len(token) >= 40
    assert row.person_id == person.id and row.email == "worker@example.test" and row.attempts == 0
    assert row.expires_at == NOW + dt.timedelta(minutes=15)
    [message] = sms(db)
    assert message.channel == "sms" and message.recipient == PHONE and message.language == "lo"
    code = code_of(message)
    assert "15" in message.body
    assert token not in row.token_hash and code not in row.code_hash


def test_a_tajik_person_gets_the_code_in_tajik_and_an_account_in_tajik(db) -> None:
    worker = factories.hire(db, employer(db, "TJ-SOCTAX"), phone="+992 93 555 0101").person
    token, _row = start(db, details(worker))
    [message] = sms(db)
    assert message.language == "tg"
    assert complete(db, token, code_of(message)).locale == "tg"


@pytest.mark.parametrize("wrong", [
    {"social_security_number": "LA99999999"},
    {"document_number": "ID99999999"},
    {"birth_date": dt.date(1991, 3, 5)},
])
def test_any_detail_wrong_answers_the_same_and_sends_nothing(db, person, wrong) -> None:
    matched_token, matched = start(db, details(person), ip="10.0.0.1")
    token, row = start(db, details(person, **wrong, email="other@example.test"), ip="10.0.0.9")
    assert type(token) is type(matched_token) and len(token) == len(matched_token)
    assert type(row) is type(matched) and row.person_id is None
    assert row.expires_at == matched.expires_at and row.attempts == 0
    assert len(sms(db)) == 1  # the matching start's only


def test_no_code_for_a_person_already_activated_or_without_a_phone(db, person) -> None:
    token, _row = start(db, details(person))
    complete(db, token, code_of(sms(db)[0]))
    _token, again = start(db, details(person, email="again@example.test"), ip="10.0.0.3")
    assert again.person_id is None
    no_phone = factories.hire(db, employer(db)).person
    _token, row = start(db, details(no_phone, email="nophone@example.test"), ip="10.0.0.4")
    assert row.person_id is None
    assert len(sms(db)) == 1


def test_the_email_must_be_valid_and_not_used_by_an_account(db, person) -> None:
    taken = factories.user(db, Role.INSPECTOR)
    assert refused(start, db, details(person, email="not an address")) == "user.email_invalid"
    assert refused(start, db, details(person, email=taken.email.upper())) == "user.email_taken"
    assert sms(db) == []


def test_at_most_five_starts_an_hour_from_one_address(db, person) -> None:
    for n in range(5):
        start(db, details(person, social_security_number=f"LA0000{n}", email=f"w{n}@example.test"))
    assert refused(start, db, details(person)) == "activation.too_many"
    assert start(db, details(person), ip="10.0.0.2")[1].person_id == person.id
    assert start(db, details(person, email="later@example.test"), now=NOW + dt.timedelta(hours=1))[1] is not None


def test_at_most_three_starts_an_hour_for_one_number_even_one_of_nobody(db, person) -> None:
    for n in range(3):
        start(db, details(person, social_security_number="LA99999999"), ip=f"10.0.1.{n}")
    assert refused(start, db, details(person, social_security_number="la-9999 9999"), ip="10.0.2.1") == \
        "activation.too_many"
    for n in range(3):
        start(db, details(person), ip=f"10.0.3.{n}")
    assert refused(start, db, details(person), ip="10.0.4.1") == "activation.too_many"
    assert len(sms(db)) == 3


def test_wrong_codes_are_counted_and_the_fifth_ends_the_activation(db, person) -> None:
    token, row = start(db, details(person))
    code = code_of(sms(db)[0])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for tries in range(1, 6):
        assert refused(complete, db, token, wrong) == "activation.code_wrong"
        db.refresh(row)
        assert row.attempts == tries
    assert refused(complete, db, token, code) == "activation.expired"
    assert db.scalar(select(User).where(User.person_id == person.id)) is None


def test_a_password_the_rules_refuse_costs_no_try(db, person) -> None:
    token, row = start(db, details(person))
    code = code_of(sms(db)[0])
    assert refused(complete, db, token, code, password="short") == "password.too_short"
    db.refresh(row)
    assert row.attempts == 0 and row.used_at is None
    assert complete(db, token, code).person_id == person.id


def test_the_code_is_valid_for_fifteen_minutes(db, person) -> None:
    token, _row = start(db, details(person))
    code = code_of(sms(db)[0])
    assert refused(complete, db, token, code, now=NOW + dt.timedelta(minutes=15)) == "activation.expired"
    assert complete(db, token, code, now=NOW + dt.timedelta(minutes=14, seconds=59)).person_id == person.id


def test_an_unknown_token_has_expired_and_a_row_of_nobody_never_completes(db, person) -> None:
    assert refused(complete, db, "not-a-token", "123456") == "activation.expired"
    token, _row = start(db, details(person, document_number="ID99999999"))
    for code in ("000000", "123456", "999999", "555555", "111111"):
        assert refused(complete, db, token, code) == "activation.code_wrong"
    assert refused(complete, db, token, "000001") == "activation.expired"


def test_the_right_code_creates_a_worker_linked_to_the_person_who_can_log_in(db, person) -> None:
    token, row = start(db, details(person))
    user = complete(db, token, code_of(sms(db)[0]), now=NOW + dt.timedelta(minutes=3))
    assert (user.role, user.person_id, user.email, user.locale, user.is_active) == \
        (Role.WORKER.value, person.id, "worker@example.test", "lo", True)
    assert user.full_name == person.full_name and row.used_at == NOW + dt.timedelta(minutes=3)
    login = accounts.authenticate(db, email="worker@example.test", password=NEW_PASSWORD, ip="10.0.0.2",
                                  now=NOW + dt.timedelta(minutes=5), max_failures=3,
                                  lockout=dt.timedelta(minutes=15))
    assert login.user is not None and login.user.id == user.id
    assert refused(complete, db, token, code_of(sms(db)[0])) == "activation.expired"


def test_audit_rows_record_the_steps_without_secrets(db, person) -> None:
    token, row = start(db, details(person))
    code = code_of(sms(db)[0])
    start(db, details(person, birth_date=dt.date(2000, 1, 1), email="nobody@example.test"), ip="10.0.0.5")
    refused(complete, db, token, "000000" if code != "000000" else "000001")
    user = complete(db, token, code)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action.like("worker.%")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["worker.activation_started", "worker.activation_started",
                                          "worker.activation_code_wrong", "worker.activated"]
    assert events[0].summary == f"code sent to person {person.id}" and events[1].summary == "no person matched"
    assert events[3].actor_user_id == user.id and events[3].object_id == str(user.id)
    every = db.scalars(select(AuditEvent)).all()
    written = " ".join(f"{e.actor_label} {e.summary} {e.object_id}" for e in every)
    assert code not in written and NEW_PASSWORD not in written and token not in written
    assert row.token_hash not in written


def test_staff_reset_unlinks_the_account_and_the_person_activates_again(db, person) -> None:
    token, _row = start(db, details(person))
    user = complete(db, token, code_of(sms(db)[0]))
    assert reset_worker_access(db, person.id, actor=ACTOR, now=NOW).id == user.id
    assert (user.person_id, user.is_active, user.session_version) == (None, False, 2)
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "worker.access_reset")).all()
    assert event.object_id == str(user.id) and event.actor_label == ACTOR.label
    with pytest.raises(NotFound):
        reset_worker_access(db, person.id, actor=ACTOR, now=NOW)
    token, row = start(db, details(person, email="new-address@example.test"), ip="10.0.0.6")
    assert row.person_id == person.id
    assert complete(db, token, code_of(sms(db)[-1])).person_id == person.id
