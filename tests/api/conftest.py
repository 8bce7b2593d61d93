"""An employer with workers, its API tokens, and a client that signs each call with a token."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from flask.testing import FlaskClient

from employers.api_tokens import create_api_token
from tests import factories

REGISTERED = dt.date(2025, 1, 2)


@dataclass
class ApiClient:
    """Calls ``/api/v1`` with ``token``; every write gets a fresh Idempotency-Key unless one is given."""

    client: FlaskClient
    token: str
    language: str = "en"
    sent: list[str] = field(default_factory=list)

    def headers(self, key: str | None, extra: dict | None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": self.language}
        if key is not None:
            headers["Idempotency-Key"] = key
        headers.update(extra or {})
        return headers

    def get(self, path: str, **kwargs):
        return self.client.get("/api/v1" + path, headers=self.headers(None, kwargs.pop("headers", None)), **kwargs)

    def write(self, method: str, path: str, json: object = None, *, key: str | None = "", **kwargs):
        key = str(uuid.uuid4()) if key == "" else key
        return self.client.open("/api/v1" + path, method=method, json=json,
                                headers=self.headers(key, kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: object = None, **kwargs):
        return self.write("POST", path, json, **kwargs)

    def put(self, path: str, json: object = None, **kwargs):
        return self.write("PUT", path, json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.write("DELETE", path, None, **kwargs)


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "API_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def api_employer(db):
    """A Lao employer registered in January 2025 with two workers hired then."""
    employer = factories.employer_since(db, REGISTERED)
    employer.jobs = [factories.hire(db, employer, wage="3000000"), factories.hire(db, employer, wage="5000000")]
    db.commit()
    return employer


def token_for(db, employer, *, scope: str = "write", name: str = "Payroll") -> str:
    _row, token = create_api_token(db, employer, name=name, scope=scope, days=90, actor=factories.ACTOR,
                                   now=dt.datetime.now(dt.UTC))
    db.commit()
    return token


@pytest.fixture
def api(app, db, api_employer) -> ApiClient:
    return ApiClient(app.test_client(), token_for(db, api_employer))
