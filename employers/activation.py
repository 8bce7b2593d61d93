"""Activation of a worker's account: a person proves who they are with details only they and the fund hold,
and a code sent by SMS to the phone on record, and then chooses the e-mail and password they log in with.

The answer to the first step never tells whether the details matched: a row is written and a token returned
either way, and only a match sends a code (a row of no person can never be completed).  Starts are limited
per address and per social security number, counted from this table, so guessing someone's details is slow;
a code allows a few tries within minutes.  Staff can unlink a person's account so that they activate again.

Only hashes are stored: the SHA-256 of the token, an HMAC of the code keyed with the token (the table alone
does not let anyone try the million codes), and the SHA-256 of the social security number as typed, which
counts the starts of a number that matches nobody too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError, NotFound
from common.schemes import Scheme
from employers.accounts import Role, User, create_user, normalise_email, require_acceptable_password
from employers.persons import Person
from employers.rules import email_is_valid, normalise_number

VALID_MINUTES = 15
MAX_ATTEMPTS = 5
CODE_DIGITS = 6
# Starts allowed within an hour from one address, and for one social security number.
STARTS_PER_IP = 5
STARTS_PER_NUMBER = 3
RATE_WINDOW = dt.timedelta(hours=1)

# Sends the code to the person's phone, in the person's language: (phone, language, code).  The registry
# writes no messages itself; the caller passes what queues the SMS.
SendCode = Callable[[str, str, str], object]


class WorkerActivation(Base):
    __tablename__ = "worker_activation"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        Index("ix_worker_activation_ip_created_at", "ip", "created_at"),
        Index("ix_worker_activation_ssn_hash_created_at", "ssn_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The person whose details were given; empty when they matched nobody (or nobody who may activate).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    ssn_hash: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(255))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _code_hash(token: str, code: str) -> str:
    return hmac.new(token.encode("utf-8"), "".join(code.split()).encode("utf-8"), hashlib.sha256).hexdigest()


def person_language(session: Session, person: Person) -> str:
    """The official language of the person's country (the first of its scheme's), English when unknown."""
    languages = session.scalar(select(Scheme.languages).where(Scheme.country == person.country)
                               .order_by(Scheme.code).limit(1))
    return (languages or "en").split(",")[0]


def _check_rate(session: Session, *, ip: str | None, ssn_hash: str, now: dt.datetime) -> None:
    since = now - RATE_WINDOW
    recent = select(func.count()).select_from(WorkerActivation).where(WorkerActivation.created_at > since)
    by_ip = WorkerActivation.ip.is_(None) if ip is None else WorkerActivation.ip == ip
    if session.scalar(recent.where(by_ip)) >= STARTS_PER_IP or \
            session.scalar(recent.where(WorkerActivation.ssn_hash == ssn_hash)) >= STARTS_PER_NUMBER:
        raise DomainError("activation.too_many")


def _free_email(session: Session, email: str) -> str:
    email = normalise_email(email)
    if not email_is_valid(email):
        raise DomainError("user.email_invalid", email=email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError("user.email_taken", email=email)
    return email


def worker_account_of(session: Session, person_id: int) -> User | None:
    """The account linked to the person (at most one), active or not."""
    return session.scalar(select(User).where(User.person_id == person_id))


def _person_to_activate(session: Session, ssn: str, document_number: str, birth_date: dt.date) -> Person | None:
    """The person with all three details, a phone to send the code to and no account yet; else None."""
    person = session.scalar(select(Person).where(Person.social_security_number == ssn))
    if person is None or person.document_number != document_number or person.birth_date != birth_date:
        return None
    if not person.phone.strip() or worker_account_of(session, person.id) is not None:
        return None
    return person


def start_activation(
    session: Session, *, social_security_number: str, document_number: str, birth_date: dt.date, email: str,
    ip: str | None, now: dt.datetime, send_code: SendCode,
) -> tuple[str, WorkerActivation]:
    """Start an activation; returns the token the next step is reached with, and its row.

    The same comes back whether or not the details matched: the caller must answer the same page either
    way.  Only a match sends a code (``send_code``).  Refuses ``activation.too_many`` past the limits, and an
    e-mail address that is not valid or already has an account.
    """
    ssn = normalise_number(social_security_number)
    ssn_hash = _sha256(ssn)
    _check_rate(session, ip=ip, ssn_hash=ssn_hash, now=now)
    email = _free_email(session, email)
    person = _person_to_activate(session, ssn, normalise_number(document_number), birth_date)
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = WorkerActivation(
        token_hash=_sha256(token), person_id=None if person is None else person.id, ssn_hash=ssn_hash,
        email=email, code_hash=_code_hash(token, code), attempts=0, created_at=now,
        expires_at=now + dt.timedelta(minutes=VALID_MINUTES), ip=ip,
    )
    session.add(row)
    session.flush()
    if person is not None:
        send_code(person.phone, person_language(session, person), code)
    record_audit(session, actor=Actor(None, email, ip), action="worker.activation_started", now=now,
                 object_type="worker_activation", object_id=row.id,
                 summary=f"code sent to person {person.id}" if person is not None else "no person matched")
    return token, row


def _open_activation(session: Session, token: str, now: dt.datetime) -> WorkerActivation:
    row = session.scalar(select(WorkerActivation).where(WorkerActivation.token_hash == _sha256(token)))
    if row is None or row.used_at is not None or row.expires_at <= now or row.attempts >= MAX_ATTEMPTS:
        raise DomainError("activation.expired")
    return row


def _spend_attempt(session: Session, row: WorkerActivation) -> None:
    """Count one try in a single conditional update, so that tries sent at once cannot exceed the limit."""
    spent = session.execute(
        update(WorkerActivation)
        .where(WorkerActivation.id == row.id, WorkerActivation.used_at.is_(None),
               WorkerActivation.attempts < MAX_ATTEMPTS)
        .values(attempts=WorkerActivation.attempts + 1)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not spent:
        raise DomainError("activation.expired")


def complete_activation(
    session: Session, *, token: str, code: str, password: str, now: dt.datetime, ip: str | None = None,
) -> User:
    """Check the code and create the worker's account, linked to the person; returns the new user.

    Refuses ``activation.expired`` (unknown token, expired, used, or out of tries), ``activation.code_wrong``
    (also for a row of no person: whether the details matched is never told) and a password the rules refuse.
    Every try of a code counts, and the count is the one thing a refusal writes: the caller must COMMIT it
    although the use case failed (call this outside a savepoint that rolls back, and commit on a
    ``DomainError``), or the limit of tries does not hold.
    """
    row = _open_activation(session, token, now)
    require_acceptable_password(password, row.email)
    _spend_attempt(session, row)
    if row.person_id is None or not hmac.compare_digest(row.code_hash, _code_hash(token, code)):
        record_audit(session, actor=Actor(None, row.email, ip), action="worker.activation_code_wrong", now=now,
                     object_type="worker_activation", object_id=row.id, summary=f"try {row.attempts}")
        raise DomainError("activation.code_wrong")
    person = session.get(Person, row.person_id)
    if person is None or worker_account_of(session, person.id) is not None:
        raise DomainError("activation.expired")
    user = create_user(session, email=row.email, full_name=person.full_name, role=Role.WORKER, password=password,
                       locale=person_language(session, person), actor=Actor(None, row.email, ip), now=now)
    user.person_id = person.id
    user.last_login_at = now  # the caller signs the new account in at once
    row.used_at = now
    session.flush()
    record_audit(session, actor=user.as_actor(ip), action="worker.activated", now=now, object_type="user",
                 object_id=user.id, summary=f"linked to person {person.id}")
    return user


def reset_worker_access(session: Session, person_id: int, *, actor: Actor, now: dt.datetime) -> User:
    """Unlink and deactivate the person's worker account (its sessions end), so that the person can activate
    again; returns the old account.  ``NotFound`` when the person has no account."""
    user = worker_account_of(session, person_id)
    if user is None:
        raise NotFound("activation.no_account")
    user.person_id = None
    user.is_active = False
    user.session_version += 1
    session.flush()
    record_audit(session, actor=actor, action="worker.access_reset", now=now, object_type="user",
                 object_id=user.id, summary=f"{user.email} unlinked from person {person_id} and deactivated")
    return user
