"""What a hostile or sloppy client cannot do: get a fresh rate budget by spelling the header differently,
guess tokens quickly, put a NUL in the path, or make any /api address answer a web page."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, token_for
from tests.api.contract import months_of
from tests.api.test_errors import error


@pytest.fixture
def make_app(app_config, session_factory, instance_path):
    from portal import create_app

    return lambda **overrides: create_app({**app_config, **overrides}, session_factory=session_factory)


def test_the_same_token_spelt_differently_in_the_header_shares_one_budget(make_app, db, api_employer) -> None:
    client = make_app(API_RATE_LIMIT="3 per minute").test_client()
    token = token_for(db, api_employer)
    spellings = [f"Bearer {token}", f"bearer {token}", f"Bearer   {token}", f"BEARER {token} "]
    answers = [client.get("/api/v1/employer", headers={"Authorization": header}).status_code
               for header in spellings]
    assert answers == [200, 200, 200, 429]


def test_guessing_tokens_from_one_address_is_stopped_after_the_failures_allowed(make_app, db, api_employer) -> None:
    client = make_app(API_FAILED_AUTH_LIMIT="5 per minute").test_client()
    answers = [client.get("/api/v1/employer", headers={"Authorization": f"Bearer ocp_guess{n}"}).status_code
               for n in range(6)]
    assert answers == [401] * 5 + [429]
    error(client.get("/api/v1/employer", headers={"Authorization": "Bearer ocp_guess99"}), 429, "api.rate_limited")


def test_successful_calls_do_not_use_the_budget_of_failures(make_app, db, api_employer) -> None:
    app = make_app(API_FAILED_AUTH_LIMIT="2 per minute")
    mine = ApiClient(app.test_client(), token_for(db, api_employer))
    assert [mine.get("/employer").status_code for _ in range(5)] == [200] * 5


def test_a_nul_in_the_path_is_a_json_400_not_a_server_error(api) -> None:
    error(api.get("/periods/%00"), 400, "api.nul_character")
    error(api.get("/workers/1%00"), 400, "api.nul_character")


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/v2/workers", "/api/v1/nowhere"])
def test_any_address_under_api_answers_json(client, path) -> None:
    error(client.get(path, headers={"Accept-Language": "ru"}), 404, "api.not_found")


def test_current_on_is_a_plain_date_only(api) -> None:
    for text in ("2026-W01-1", "20260105", "2026-1-5"):
        error(api.get(f"/workers?current_on={text}"), 400, "field.date_invalid", field="current_on")


def test_a_line_value_too_long_is_named_too_long(api, api_employer) -> None:
    response = api.post("/declarations", {"period": months_of(api_employer)[0], "lines": [
        {"social_security_number": "1" * 101, "gross_wage": "1000"}]})
    error(response, 400, "field.too_long", field="social_security_number", row=1)


def test_a_refused_token_is_logged_with_its_address_never_the_token(client, caplog) -> None:
    with caplog.at_level("WARNING"):
        client.get("/api/v1/employer", headers={"Authorization": "Bearer ocp_secret_guess"})
    refused = [r.getMessage() for r in caplog.records if "no valid token" in r.getMessage()]
    assert refused and "127.0.0.1" in refused[0] and "/api/v1/employer" in refused[0]
    assert "ocp_secret_guess" not in caplog.text
