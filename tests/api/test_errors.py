"""Every kind of refusal under /api/v1 answers with the one JSON error shape: 401, 403, 404, 405, 400 (bad
JSON, wrong types, NUL characters), 413, 429; messages follow Accept-Language; every authenticated call is
audited, a refused one too, while its own work is rolled back; no call ever gets a session cookie."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import func, select

from common.audit import AuditEvent
from common.period import Period
from contributions.declarations import Declaration
from contributions.drafts import open_draft
from employers.api_tokens import ApiToken, create_api_token, revoke_api_token
from employers.persons import Employment
from tests import factories
from tests.api.conftest import ApiClient, token_for

SHAPE = {"code", "message", "field", "row", "problems"}


def error(response, status: int, code: str, *, field: str | None = None, row: int | None = None) -> dict:
    """The answer is the API's JSON error with this status and code (and field and row)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == SHAPE, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"].strip()
    assert (body["field"], body["row"]) == (field, row), body
    assert isinstance(body["problems"], list)
    for problem in body["problems"]:
        assert set(problem) == {"code", "message", "field", "row"}
    return body


@pytest.fixture
def make_app(app_config, session_factory, instance_path):
    """An app like ``app`` with some settings changed."""
    from portal import create_app

    return lambda **overrides: create_app({**app_config, **overrides}, session_factory=session_factory)


def _audit_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(AuditEvent))


# 401 --------------------------------------------------------------------------------------------------------


def _expired(db, employer, _valid: str = "") -> str:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    _row, token = create_api_token(db, employer, name="Old", scope="write", days=30, actor=factories.ACTOR,
                                   now=long_ago)
    db.commit()
    return f"Bearer {token}"


def _revoked(db, employer, _valid: str = "") -> str:
    token = token_for(db, employer, name="Revoked")
    row = db.scalars(select(ApiToken).where(ApiToken.name == "Revoked")).one()
    revoke_api_token(db, employer.id, row.id, actor=factories.ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    return f"Bearer {token}"


@pytest.mark.parametrize("authorization", [
    pytest.param(lambda db, e, t: None, id="no header"),
    pytest.param(lambda db, e, t: "", id="empty"),
    pytest.param(lambda db, e, t: "Bearer", id="scheme only"),
    pytest.param(lambda db, e, t: "Bearer    ", id="blank token"),
    pytest.param(lambda db, e, t: t, id="token without scheme"),
    pytest.param(lambda db, e, t: f"Basic {t}", id="another scheme"),
    pytest.param(lambda db, e, t: "Bearer ocp_" + "x" * 43, id="unknown"),
    pytest.param(lambda db, e, t: "Bearer not-a-token", id="not ours"),
    pytest.param(lambda db, e, t: "Bearer ocp_" + "x" * 200, id="too long"),
    pytest.param(lambda db, e, t: f"Bearer {t}x", id="one character more"),
    pytest.param(_expired, id="expired"),
    pytest.param(_revoked, id="revoked"),
])
def test_a_call_without_a_valid_token_is_refused_with_401(client, db, api_employer, authorization) -> None:
    valid = token_for(db, api_employer, name="Valid")
    header = authorization(db, api_employer, valid)
    audited = _audit_count(db)
    answer = client.get("/api/v1/workers", headers={} if header is None else {"Authorization": header})
    error(answer, 401, "api.token_invalid")
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert _audit_count(db) == audited  # nobody to audit: an unauthenticated call writes no audit row
    assert client.get("/api/v1/workers", headers={"Authorization": f"bearer {valid}"}).status_code == 200


def test_every_refused_token_gets_the_same_answer(client, db, api_employer) -> None:
    """Expired, revoked and unknown look alike: the answer does not tell which tokens exist."""
    answers = {client.get("/api/v1/employer", headers={"Authorization": header}).get_data()
               for header in (_expired(db, api_employer), _revoked(db, api_employer), "Bearer ocp_" + "y" * 43)}
    assert len(answers) == 1


def test_a_write_without_a_token_is_refused_before_anything_else(client) -> None:
    error(client.post("/api/v1/declarations/nil", data="{not json", content_type="text/plain"), 401,
          "api.token_invalid")


# 403 --------------------------------------------------------------------------------------------------------


def test_a_read_only_token_may_read_but_not_write(app, db, api_employer) -> None:
    reader = ApiClient(app.test_client(), token_for(db, api_employer, scope="read", name="Reader"))
    assert reader.get("/employer").status_code == 200
    error(reader.post("/declarations/nil", {"period": "2026-06", "reason": "Closed"}), 403, "api.read_only_token")


# 404 --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nothing", "/workers/abc", "/workers/-1", "/workers/1/nothing",
                                  "/declarations/1.5", "/employer/", "/v2/workers", ""])
def test_an_unknown_address_under_the_api_is_a_json_404(api, path) -> None:
    error(api.get(path), 404, "api.not_found")


@pytest.mark.parametrize("path", ["/workers/{}", "/declarations/{}", "/declarations/{}/lines",
                                  "/declarations/{}/receipt.pdf", "/payments/{}"])
def test_an_unknown_id_is_a_json_404(api, path) -> None:
    error(api.get(path.format(999999)), 404, "api.not_found")


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/declarations/{}", None),
    ("DELETE", "/declarations/{}", None),
    ("GET", "/declarations/{}/lines", None),
    ("PUT", "/declarations/{}/lines", {"lines": [{"social_security_number": "1", "gross_wage": "1"}]}),
    ("POST", "/declarations/{}/submit", {}),
    ("POST", "/declarations/{}/validate", None),
    ("GET", "/workers/{}", None),
    ("POST", "/workers/{}/end", {"ended_on": "2026-06-30", "reason": "resignation"}),
])
def test_an_id_beyond_the_range_of_ids_is_a_404_on_every_method(api, method, path, body) -> None:
    """2147483648 is a well-formed id that can exist nowhere: as for any other unknown id, 404, whatever the
    method (a 405 would say the method is wrong)."""
    error(api.write(method, path.format(2**31), body), 404, "api.not_found")


# 405 --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PATCH", "/workers", {"GET", "POST"}),
    ("DELETE", "/employer", {"GET"}),
    ("PUT", "/declarations/nil", {"POST"}),
    ("POST", "/payments/1", {"GET"}),
])
def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(api, method, path, allowed) -> None:
    answer = api.write(method, path, {})
    error(answer, 405, "api.method_not_allowed")
    assert allowed <= {m.strip() for m in answer.headers.get("Allow", "").split(",")}  # RFC 9110: 405 sends Allow


# 400 --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "content_type", "code"), [
    ('{"period": "2026-06", "reason": "Closed"', "application/json", "api.json_invalid"),
    ("", "application/json", "api.json_invalid"),
    ('["2026-06", "Closed"]', "application/json", "api.json_invalid"),
    ('"2026-06"', "application/json", "api.json_invalid"),
    ("null", "application/json", "api.json_invalid"),
    ('{"period": NaN}', "application/json", "api.json_invalid"),
    ("[" * 100_000 + "]" * 100_000, "application/json", "api.json_invalid"),
    ('{"period": "2026-06", "reason": "\xff"}'.encode("latin-1"), "application/json", "api.json_invalid"),
    ('{"period": "2026-06", "reason": "Closed"}', "text/plain", "api.json_required"),
    ('{"period": "2026-06", "reason": "Closed"}', "application/x-www-form-urlencoded", "api.json_required"),
    ('{"period": "2026-06", "reason": "Closed"}', None, "api.json_required"),
])
def test_a_body_that_is_not_a_json_object_is_refused(api, db, data, content_type, code) -> None:
    answer = api.post("/declarations/nil", data=data, content_type=content_type)
    error(answer, 400, code)
    assert db.scalar(select(func.count()).select_from(Declaration)) == 0


def _draft(db, employer) -> Declaration:
    record = open_draft(db, employer, Period(2026, 5), actor=factories.ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    return record


def _line(employer, **values) -> dict:
    return {"social_security_number": employer.jobs[0].person.social_security_number, "gross_wage": "3000000",
            **values}


@pytest.mark.parametrize(("method", "path", "body", "field", "row"), [
    ("POST", "/declarations", lambda e: {"period": "2026-06", "lines": "all of them"}, "lines", None),
    ("POST", "/declarations", lambda e: {"period": "2026-06", "lines": {"0": _line(e)}}, "lines", None),
    ("POST", "/declarations", lambda e: {"period": "2026-06", "lines": [_line(e), "a line"]}, "lines", 2),
    ("POST", "/declarations", lambda e: {"period": "2026-06", "lines": [[_line(e)]]}, "lines", 1),
    ("POST", "/declarations", lambda e: {"period": "2026-06", "lines": [_line(e, gross_wage=["1"])]},
     "gross_wage", 1),
    ("POST", "/declarations", lambda e: {"period": ["2026-06"], "lines": [_line(e)]}, "period", None),
    ("POST", "/declarations", lambda e: {"period": True, "lines": [_line(e)]}, "period", None),
    ("PUT", "/declarations/{draft}/lines", lambda e: {"lines": [_line(e)], "revision": "0"}, "revision", None),
    ("PUT", "/declarations/{draft}/lines", lambda e: {"lines": [_line(e)], "revision": 1.0}, "revision", None),
    ("PUT", "/declarations/{draft}/lines", lambda e: {"lines": [_line(e)], "revision": -1}, "revision", None),
    ("POST", "/declarations/{draft}/submit", lambda e: {"revision": "0"}, "revision", None),
    ("POST", "/declarations/{draft}/submit", lambda e: {"revision": True}, "revision", None),
    ("POST", "/declarations/nil", lambda e: {"period": "2026-06", "reason": {"text": "Closed"}}, "reason", None),
    ("POST", "/workers", lambda e: {"person": "Seng", "employment": {}}, "person", None),
    ("POST", "/workers", lambda e: {"person": {"given_name": ["Seng"]}, "employment": {}}, "person.given_name", None),
    ("POST", "/workers", lambda e: {"person": {}, "employment": [1]}, "employment", None),
    ("POST", "/workers/{worker}/end", lambda e: {"ended_on": ["2026-06-30"]}, "ended_on", None),
    ("POST", "/workers/{worker}/end", lambda e: {"ended_on": "2026-06-30", "reason": False}, "reason", None),
])
def test_a_member_of_the_wrong_type_is_refused_with_its_field(api, db, api_employer, method, path, body, field,
                                                               row) -> None:
    record = _draft(db, api_employer)
    before = (record.revision, db.scalar(select(func.count()).select_from(Declaration)))
    answer = api.write(method, path.format(draft=record.id, worker=api_employer.jobs[0].id), body(api_employer))
    error(answer, 400, "api.type_invalid", field=field, row=row)
    db.expire_all()
    assert (db.get(Declaration, record.id).revision, db.scalar(select(func.count()).select_from(Declaration))) == before
    assert db.get(Employment, api_employer.jobs[0].id).ended_on is None


@pytest.mark.parametrize(("path", "body", "field", "row"), [
    ("/declarations/{draft}/submit", lambda e: {"revison": 0}, "revison", None),
    ("/declarations", lambda e: {"period": "2026-06", "lines": [_line(e, days_workd=10)]}, "days_workd", 1),
])
def test_a_misspelt_member_is_refused_not_ignored(api, db, api_employer, path, body, field, row) -> None:
    """The description closes every request object (additionalProperties: false).  Ignoring an unknown member
    would turn a misspelt ``revision`` into a filing without the client's check that the draft is unchanged."""
    record = _draft(db, api_employer)
    answer = api.post(path.format(draft=record.id), body(api_employer))
    assert answer.status_code == 400, answer.get_json()
    found = answer.get_json()
    assert (field, row) in [(found["field"], found["row"])] + [(p["field"], p["row"]) for p in found["problems"]]
    db.expire_all()
    assert [d.status for d in db.scalars(select(Declaration))] == ["draft"]


def test_a_nul_character_in_the_query_string_is_refused(api) -> None:
    error(api.get("/workers?search=Seng%00Vongsa"), 400, "api.nul_character")
    error(api.get("/workers?sea%00rch=Seng"), 400, "api.nul_character")


def test_a_nul_character_in_a_text_member_is_refused_with_its_field(api, db) -> None:
    error(api.post("/declarations/nil", {"period": "2026-06", "reason": "Closed\x00"}), 400, "api.nul_character",
          field="reason")
    hire = {"person": factories.person_values(document_country="LA", nationality="LA", family_name="Vong\x00sa"),
            "employment": factories.employment_values(hired_on="2025-03-03")}
    error(api.post("/workers", hire), 400, "api.nul_character", field="person.family_name")
    assert db.scalar(select(func.count()).select_from(Declaration)) == 0


def test_a_nul_character_in_a_line_is_refused_as_a_nul_character(api, api_employer) -> None:
    body = {"period": "2026-06", "lines": [_line(api_employer), _line(api_employer, social_security_number="12\x00")]}
    error(api.post("/declarations", body), 400, "api.nul_character", field="social_security_number", row=2)


@pytest.mark.parametrize(("path", "body"), [
    ("/declarations/nil", lambda e: {"period": "2026-06", "reason": "MARK"}),
    ("/workers", lambda e: {"person": factories.person_values(document_country="LA", nationality="LA",
                                                              given_name="MARK"),
                            "employment": factories.employment_values(hired_on="2025-03-03")}),
    ("/declarations", lambda e: {"period": "2026-06", "lines": [_line(e, social_security_number="MARK")]}),
], ids=["nil reason", "name", "line"])
def test_text_that_is_not_unicode_is_refused_not_a_server_error(api, db, api_employer, path, body) -> None:
    """JSON may escape a lone UTF-16 surrogate (\\ud800): valid JSON, but no Unicode text, and neither the
    database nor a JSON answer can hold it."""
    raw = json.dumps(body(api_employer)).replace("MARK", "\\ud800")
    answer = api.post(path, data=raw, content_type="application/json")
    error(answer, 400, "api.json_invalid")
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Declaration)) == 0
    assert db.scalar(select(func.count()).select_from(Employment)
                     .where(Employment.employer_id == api_employer.id)) == 2


# 413 --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["API_MAX_BODY_BYTES", "MAX_CONTENT_LENGTH"])
def test_a_body_larger_than_the_limit_is_a_json_413(make_app, db, api_employer, limit) -> None:
    small = ApiClient(make_app(**{limit: 1000}).test_client(), token_for(db, api_employer))
    body = {"period": "2026-06", "reason": "x" * 1000}
    error(small.post("/declarations/nil", body), 413, "api.body_too_large")
    assert db.scalar(select(func.count()).select_from(Declaration)) == 0
    assert small.post("/declarations/nil", {**body, "reason": "Closed"}).status_code == 201


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_more_lines_than_an_import_may_have_is_a_json_413(make_app, db, api_employer, method) -> None:
    record = _draft(db, api_employer)
    small = ApiClient(make_app(MAX_IMPORT_ROWS=3).test_client(), token_for(db, api_employer))
    path, body = (("/declarations", {"period": "2026-06"}) if method == "POST"
                  else (f"/declarations/{record.id}/lines", {}))
    lines = [_line(api_employer, gross_wage=str(n)) for n in range(4)]
    error(small.write(method, path, {**body, "lines": lines}), 413, "api.too_many_lines", field="lines")


# 429 --------------------------------------------------------------------------------------------------------


def test_too_many_calls_with_one_token_is_a_json_429_with_retry_after(make_app, db, api_employer) -> None:
    limited = make_app(API_RATE_LIMIT="3 per minute")
    mine = ApiClient(limited.test_client(), token_for(db, api_employer, name="Busy"))
    assert [mine.get("/employer").status_code for _ in range(3)] == [200, 200, 200]
    refused = mine.get("/employer")
    error(refused, 429, "api.rate_limited")
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # The limit is per token: another token of the same employer still gets through.
    other = ApiClient(limited.test_client(), token_for(db, api_employer, name="Quiet"))
    assert other.get("/employer").status_code == 200


def test_the_rate_limit_counts_every_call_of_a_token_whatever_the_route(make_app, db, api_employer) -> None:
    """The limit is the token's ("too many calls with this token"): a client that used it up on one route
    may not go on with 600 more a minute on each of the others."""
    mine = ApiClient(make_app(API_RATE_LIMIT="3 per minute").test_client(), token_for(db, api_employer))
    assert [mine.get(path).status_code for path in ("/employer", "/workers", "/account")] == [200, 200, 200]
    error(mine.get("/payments"), 429, "api.rate_limited")
    error(mine.post("/declarations/nil", {"period": "2026-06", "reason": "Closed"}), 429, "api.rate_limited")
    assert db.scalar(select(func.count()).select_from(Declaration)) == 0


def test_retry_after_is_sent_only_with_a_429(make_app, db, api_employer) -> None:
    """Retry-After on a 200 or a 201 would tell a client to wait before its next call for no reason."""
    mine = ApiClient(make_app(API_RATE_LIMIT="10 per minute").test_client(), token_for(db, api_employer))
    answers = [mine.get("/employer"), mine.post("/declarations/nil", {"period": "2026-06", "reason": "Closed"}),
               mine.get("/workers/999999")]
    assert [a.status_code for a in answers] == [200, 201, 404]
    assert [a.headers.get("X-RateLimit-Remaining") for a in answers] == ["9", "8", "7"]  # the limiter's own stay
    assert [a.headers.get("Retry-After") for a in answers] == [None, None, None]


# Languages ---------------------------------------------------------------------------------------------------


def test_messages_follow_accept_language(api, api_employer) -> None:
    required, unknown = {}, {}
    for language in ("en", "lo", "tg", "ru"):
        api.language = language
        required[language] = error(api.post("/declarations/nil", {"reason": "Closed"}), 400, "field.required",
                                   field="period")["message"]
        body = error(api.post("/declarations", {"period": "2026-06", "lines": [_line(api_employer),
                                                _line(api_employer, social_security_number="9999999999")]}),
                     400, "declaration.lines_invalid")
        [problem] = body["problems"]
        assert (problem["code"], problem["field"], problem["row"]) == ("declaration.ssn_unknown",
                                                                        "social_security_number", 2)
        unknown[language] = problem["message"]
    assert required["en"] == "This field is required."
    assert unknown["en"] == "No person is registered with this social security number."
    assert len(set(required.values())) == 4 and len(set(unknown.values())) == 4
    assert any("\u0e80" <= c <= "\u0eff" for c in required["lo"])  # Lao script
    api.language = "tg-TJ,ru;q=0.8"
    assert api.post("/declarations/nil", {"reason": "Closed"}).get_json()["message"] == required["tg"]
    api.language = "fr"
    assert api.post("/declarations/nil", {"reason": "Closed"}).get_json()["message"] == required["en"]


def test_a_session_language_cookie_does_not_change_the_api_language(api) -> None:
    api.client.set_cookie("lang", "ru")
    api.language = "lo"
    lao = api.post("/declarations/nil", {"reason": "Closed"}).get_json()["message"]
    assert any("\u0e80" <= c <= "\u0eff" for c in lao)
    api.language = "en"
    assert api.post("/declarations/nil", {"reason": "Closed"}).get_json()["message"] == "This field is required."


# Audit and cookies ---------------------------------------------------------------------------------------------


def _calls(db) -> list[AuditEvent]:
    db.expire_all()
    return db.scalars(select(AuditEvent).where(AuditEvent.action == "api.call").order_by(AuditEvent.id)).all()


def test_every_authenticated_call_is_audited_with_the_token_name(api, db, api_employer) -> None:
    token = db.scalars(select(ApiToken).where(ApiToken.employer_id == api_employer.id)).one()
    assert api.get("/workers").status_code == 200
    assert api.get("/workers/999999").status_code == 404
    assert api.post("/declarations/nil", {"period": "2026-06", "reason": "Closed"}).status_code == 201
    calls = _calls(db)
    assert [c.summary for c in calls] == ["GET /api/v1/workers -> 200", "GET /api/v1/workers/999999 -> 404",
                                          "POST /api/v1/declarations/nil -> 201"]
    assert {c.actor_label for c in calls} == {f"api:{api_employer.id}:Payroll"}
    assert {(c.object_type, c.object_id, c.actor_user_id) for c in calls} == {("api_token", str(token.id), None)}
    db.refresh(token)
    assert token.last_used_at is not None


def test_a_refused_call_is_audited_while_its_own_work_is_rolled_back(api, db, api_employer) -> None:
    before = _audit_count(db)
    body = {"period": "2026-06", "lines": [_line(api_employer),
                                           _line(api_employer, social_security_number="9999999999")]}
    answer = api.post("/declarations", body)
    error(answer, 400, "declaration.lines_invalid")
    db.expire_all()
    assert db.scalars(select(Declaration).where(Declaration.employer_id == api_employer.id)).all() == []
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[before:]
    assert [(e.action, e.summary) for e in events] == [("api.call", "POST /api/v1/declarations -> 400")]
    assert events[0].actor_label == f"api:{api_employer.id}:Payroll"


def test_a_refused_write_without_a_key_and_a_read_only_refusal_are_audited(app, api, db, api_employer) -> None:
    reader = ApiClient(app.test_client(), token_for(db, api_employer, scope="read", name="Reader"))
    api.post("/declarations/nil", {"period": "2026-06", "reason": "Closed"}, key=None)
    reader.post("/declarations/nil", {"period": "2026-06", "reason": "Closed"})
    assert [(c.actor_label, c.summary) for c in _calls(db)] == [
        (f"api:{api_employer.id}:Payroll", "POST /api/v1/declarations/nil -> 400"),
        (f"api:{api_employer.id}:Reader", "POST /api/v1/declarations/nil -> 403")]


def test_an_unauthenticated_call_writes_no_audit_row(client, db, api_employer) -> None:
    before = _audit_count(db)
    client.get("/api/v1/workers")
    client.post("/api/v1/declarations/nil", json={"period": "2026-06", "reason": "Closed"},
                headers={"Authorization": "Bearer ocp_nope", "Idempotency-Key": str(uuid.uuid4())})
    client.get("/api/v1/nothing")
    assert _audit_count(db) == before


def test_no_api_answer_sets_a_cookie(api, db, api_employer, client) -> None:
    answers = [api.get("/workers"), api.get("/workers/999999"), api.post("/declarations/nil", {}),
               api.post("/declarations/nil", {"period": "2026-06", "reason": "Closed"}),
               api.client.open("/api/v1/workers", method="PATCH"), client.get("/api/v1/employer"),
               client.get("/api/v1/openapi.json")]
    assert [a.status_code for a in answers] == [200, 404, 400, 201, 405, 401, 200]
    assert [a.headers.getlist("Set-Cookie") for a in answers] == [[]] * len(answers)
    assert api.client.get_cookie("session") is None
