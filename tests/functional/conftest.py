from __future__ import annotations

import re

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


TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_client(app_config, session_factory, user):
    """A client of a portal with CSRF protection on (as in production), logged in as ``user``."""
    from portal import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True}, session_factory=session_factory)
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client
