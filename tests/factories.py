"""Factories for test data: small functions with sensible defaults, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from common.audit import Actor
from employers.accounts import EMPLOYER_ROLES, Role, User, create_user
from employers.employers import Employer, create_employer

PASSWORD = "correct horse battery"
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
_sequence = itertools.count(1)
ACTOR = Actor.system("tests")


def employer(session: Session, *, scheme_code: str = "LA-LSSO", **fields: object) -> Employer:
    n = next(_sequence)
    values = {
        "legal_name": f"ບໍລິສັດ ທົດລອງ {n}" if scheme_code.startswith("LA") else f"ҶДММ «Санҷиш {n}»",
        "legal_name_latin": f"Test Employer {n}",
        "preferred_language": "lo" if scheme_code.startswith("LA") else "tg",
        "city": "Vientiane" if scheme_code.startswith("LA") else "Dushanbe",
    }
    values.update(fields)
    return create_employer(session, scheme_code=scheme_code, actor=ACTOR, now=NOW, **values)  # type: ignore[arg-type]


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
