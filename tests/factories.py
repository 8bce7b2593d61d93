"""Factories for test data: small functions with sensible defaults, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from common.audit import Actor
from employers.accounts import EMPLOYER_ROLES, Role, User, create_user
from employers.employers import Employer
from employers.registration import ApplicantAccount, register_employer

PASSWORD = "correct horse battery"
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
_sequence = itertools.count(1)
ACTOR = Actor.system("tests")


def profile(scheme_code: str = "LA-LSSO", **fields: object) -> dict[str, object]:
    """A valid employer profile for the scheme; override any field."""
    n = next(_sequence)
    lao = scheme_code.startswith("LA")
    values: dict[str, object] = {
        "legal_name": f"ບໍລິສັດ ທົດລອງ {n}" if lao else f"ҶДММ «Санҷиш {n}»",
        "legal_name_latin": f"Test Employer {n}",
        "trading_name": "",
        "category": "private" if lao else "non_budget",
        "sector_code": "G",
        "region_code": "LA-VT-01" if lao else "TJ-DU-01",
        "address": "ບ້ານ ສີສະເກດ" if lao else "кӯчаи Рӯдакӣ 1",
        "contact_name": "ສົມໃຈ ວົງສາ" if lao else "Зарина Саидова",
        "phone": "+856 20 5555 1234" if lao else "+992 93 555 1234",
        "email": f"contact{n}@employer.test",
        "preferred_language": "lo" if lao else "tg",
    }
    values.update(fields)
    return values


def tax_number() -> str:
    return f"{next(_sequence):09d}"


def employer(session: Session, *, scheme_code: str = "LA-LSSO", **fields: object) -> Employer:
    """An active, registered employer (with an administrator invited but not yet signed in)."""
    n = next(_sequence)
    created, _admin, _token = register_employer(
        session, scheme_code=scheme_code, profile=profile(scheme_code, **fields), tax_number=tax_number(),
        registration_number=f"R-{n}", administrator=ApplicantAccount(f"Admin {n}", f"admin{n}@employer.test", None),
        actor=ACTOR, now=NOW)
    return created


def user(session: Session, role: Role | str = Role.INSPECTOR, *, employer_id: int | None = None,
         password: str = PASSWORD, **fields: object) -> User:
    role = Role(role)
    if role in EMPLOYER_ROLES and employer_id is None:
        employer_id = employer(session).id
    n = next(_sequence)
    values = {"email": f"{role.value}.{n}@example.test", "full_name": f"Test {role.value} {n}", "locale": None}
    values.update(fields)
    return create_user(session, role=role, password=password, employer_id=employer_id, actor=ACTOR, now=NOW,
                       **values)  # type: ignore[arg-type]


def person_values(n: int | None = None, **fields: object) -> dict[str, object]:
    n = next(_sequence) if n is None else n
    values: dict[str, object] = {
        "document_type": "national_id", "document_country": "LA", "document_number": f"ID{n:08d}",
        "given_name": "ແສງ", "family_name": "ວົງສາ", "given_name_latin": "Seng", "family_name_latin": f"Vongsa{n}",
        "birth_date": "1990-05-17", "sex": "M", "nationality": "LA", "phone": "",
    }
    values.update(fields)
    return values


def employment_values(**fields: object) -> dict[str, object]:
    values: dict[str, object] = {"hired_on": "2026-11-20", "job_title": "ຊ່າງໄມ້", "contract_type": "permanent",
                                 "monthly_wage": "3500000"}
    values.update(fields)
    return values


def employer_since(session: Session, registered_on: dt.date, *, scheme_code: str = "LA-LSSO",
                   **fields: object) -> Employer:
    """An active employer registered on ``registered_on`` (its first profile version from that day too)."""
    from employers.employers import EmployerProfile

    created = employer(session, scheme_code=scheme_code, **fields)
    created.registered_on = registered_on
    for version in session.query(EmployerProfile).filter_by(employer_id=created.id):
        version.valid_from = registered_on
    session.flush()
    return created


def hire(session: Session, employer_: Employer, *, wage: str = "3500000", hired_on: str = "2025-01-06",
         **person: object):
    """Register a worker with the employer; returns the employment (with ``person``)."""
    from employers.workers import register_hire

    country = employer_.scheme.country
    values = person_values(document_country=country, nationality=country, **person)
    return register_hire(session, employer_, person=values,
                         employment=employment_values(hired_on=hired_on, monthly_wage=wage),
                         actor=ACTOR, now=NOW).employment
