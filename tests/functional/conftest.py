from __future__ import annotations

import pytest

from employers.accounts import Role
from tests import factories

ROLES = [role.value for role in Role]


@pytest.fixture
def users(db) -> dict[str, object]:
    """One user per role; both employer roles belong to the same Lao employer."""
    employer = factories.employer(db)
    people = {}
    for role in Role:
        employer_id = employer.id if role in (Role.EMPLOYER_ADMIN, Role.EMPLOYER_CLERK) else None
        people[role.value] = factories.user(db, role, employer_id=employer_id)
    db.commit()
    return people


def log_in(client, email: str, password: str = factories.PASSWORD, **headers):
    return client.post("/login", data={"email": email, "password": password}, headers=headers)
