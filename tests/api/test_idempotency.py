"""Idempotency keys on the API's writes: a repeat gets the first answer and changes nothing, a key reused for
another request is refused, a write without a key is refused before anything happens, and only answers that
did something (below 400) are kept, so a corrected request may be sent again with the same key."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import func, select

from common.audit import AuditEvent
from common.idempotency import IdempotentRequest
from common.period import Period
from contributions.declarations import Declaration, DeclarationLine
from contributions.drafts import open_draft
from contributions.ledger import LedgerEntry
from employers.persons import Employment, Person
from portal.api.openapi import description
from tests import factories
from tests.api.conftest import REGISTERED, ApiClient, token_for

MAY = Period(2026, 5)
JUNE = Period(2026, 6)


def hire_body(**person: object) -> dict:
    return {"person": factories.person_values(document_country="LA", nationality="LA", **person),
            "employment": factories.employment_values(hired_on="2025-03-03", monthly_wage="4000000")}


def draft(db, employer, period: Period = MAY) -> Declaration:
    made = open_draft(db, employer, period, actor=factories.ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    return made


def count(db, model, *where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where))


def snapshot(db, employer) -> dict:
    """Everything a write could change, for "nothing was written" (the audit log and the token's last use
    are written for every call on purpose)."""
    db.expire_all()
    declarations = db.scalars(select(Declaration).where(Declaration.employer_id == employer.id)
                              .order_by(Declaration.id)).all()
    jobs = db.scalars(select(Employment).where(Employment.employer_id == employer.id).order_by(Employment.id)).all()
    return {"persons": count(db, Person), "employments": [(j.id, j.ended_on, j.end_reason) for j in jobs],
            "declarations": [(d.id, d.period, d.status, d.revision, d.version, d.line_count) for d in declarations],
            "lines": count(db, DeclarationLine),
            "ledger": count(db, LedgerEntry, LedgerEntry.employer_id == employer.id),
            "kept answers": count(db, IdempotentRequest)}


def same_answer(first, second) -> None:
    assert second.status_code == first.status_code
    assert second.get_data() == first.get_data()
    assert second.headers.get("Location") == first.headers.get("Location")
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"


def test_registering_a_hire_twice_with_one_key_registers_it_once(api, db, api_employer) -> None:
    body, key = hire_body(), str(uuid.uuid4())
    first = api.post("/workers", body, key=key)
    assert first.status_code == 201, first.json
    again = api.post("/workers", body, key=key)
    same_answer(first, again)
    assert again.headers["Location"].endswith(f"/api/v1/workers/{first.json['id']}")
    assert count(db, Employment, Employment.employer_id == api_employer.id) == 3
    # Without the key the same hire is a second, overlapping employment: the replay is not a re-run.
    assert api.post("/workers", body).status_code == 409


def test_submitting_twice_with_one_key_files_once_and_charges_once(api, db, api_employer) -> None:
    record, key = draft(db, api_employer), str(uuid.uuid4())
    first = api.post(f"/declarations/{record.id}/submit", {"revision": record.revision}, key=key)
    assert first.status_code == 200, first.json
    assert first.json["status"] == "submitted" and first.json["version"] == 1
    charges = count(db, LedgerEntry, LedgerEntry.declaration_id == record.id)
    assert charges > 0
    again = api.post(f"/declarations/{record.id}/submit", {"revision": record.revision}, key=key)
    same_answer(first, again)
    db.expire_all()
    filed = db.scalars(select(Declaration).where(Declaration.employer_id == api_employer.id,
                                                 Declaration.status != "draft")).all()
    assert [(d.period, d.version) for d in filed] == [(str(MAY), 1)]
    assert count(db, LedgerEntry, LedgerEntry.declaration_id == record.id) == charges


def test_a_nil_declaration_sent_twice_with_one_key_is_filed_once(api, db, api_employer) -> None:
    body, key = {"period": str(JUNE), "reason": "Closed for renovation"}, str(uuid.uuid4())
    first = api.post("/declarations/nil", body, key=key)
    assert first.status_code == 201, first.json
    again = api.post("/declarations/nil", body, key=key)
    same_answer(first, again)  # 201 again: without the key a second nil answers 200 "filed already"
    assert api.post("/declarations/nil", body).status_code == 200
    assert count(db, Declaration, Declaration.employer_id == api_employer.id, Declaration.is_nil) == 1


def test_a_replay_is_the_first_answer_not_the_current_state(api, db, api_employer) -> None:
    ssn = api_employer.jobs[0].person.social_security_number
    body, key = {"period": str(MAY), "lines": [{"social_security_number": ssn, "gross_wage": "3000000"}]}, "create-may"
    first = api.post("/declarations", body, key=key)
    assert first.status_code == 201, first.json
    changed = api.put(f"/declarations/{first.json['id']}/lines",
                      {"lines": [{"social_security_number": ssn, "gross_wage": "3500000"}],
                       "revision": first.json["revision"]})
    assert changed.status_code == 200, changed.json
    again = api.post("/declarations", body, key=key)
    same_answer(first, again)
    assert again.json["revision"] == first.json["revision"] and again.json["totals"]["gross"] == "3000000"
    assert api.get(f"/declarations/{first.json['id']}").json["totals"]["gross"] == "3500000"  # not re-run


def test_deleting_a_draft_twice_with_one_key_answers_204_twice(api, db, api_employer) -> None:
    record, key = draft(db, api_employer), str(uuid.uuid4())
    first = api.delete(f"/declarations/{record.id}", key=key)
    assert first.status_code == 204 and first.get_data() == b""
    again = api.delete(f"/declarations/{record.id}", key=key)
    assert again.status_code == 204 and again.get_data() == b""
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.delete(f"/declarations/{record.id}").status_code == 404  # a new key: the draft is gone


def test_a_replay_is_audited_as_a_replay(api, db, api_employer) -> None:
    body, key = {"period": str(JUNE), "reason": "Closed"}, str(uuid.uuid4())
    api.post("/declarations/nil", body, key=key)
    api.post("/declarations/nil", body, key=key)
    summaries = db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "api.call")
                           .order_by(AuditEvent.id)).all()
    assert summaries[-2:] == ["POST /api/v1/declarations/nil -> 201", "POST /api/v1/declarations/nil -> 201 (replayed)"]


@pytest.mark.parametrize("other", [
    pytest.param(lambda body: {**body, "reason": "Closed for the season"}, id="another body"),
    pytest.param(lambda body: {"reason": body["reason"], "period": body["period"]}, id="same members, another order"),
])
def test_a_key_reused_with_another_body_is_refused_and_changes_nothing(api, db, api_employer, other) -> None:
    body, key = {"period": str(JUNE), "reason": "Closed"}, str(uuid.uuid4())
    assert api.post("/declarations/nil", data=json.dumps(body), content_type="application/json",
                    key=key).status_code == 201
    before = snapshot(db, api_employer)
    # Sent as bytes: Flask's test client would sort the members and make both bodies the same.
    refused = api.post("/declarations/nil", data=json.dumps(other(body)), content_type="application/json", key=key)
    assert refused.status_code == 409
    assert refused.json["code"] == "api.idempotency_key_reused"
    assert "Idempotent-Replayed" not in refused.headers
    assert snapshot(db, api_employer) == before


def test_a_key_reused_on_another_route_is_refused(api, db, api_employer) -> None:
    key = str(uuid.uuid4())
    assert api.post("/declarations/nil", {"period": str(JUNE), "reason": "Closed"}, key=key).status_code == 201
    before = snapshot(db, api_employer)
    refused = api.post("/workers", hire_body(), key=key)
    assert (refused.status_code, refused.json["code"]) == (409, "api.idempotency_key_reused")
    assert snapshot(db, api_employer) == before


def write_routes(db, employer) -> list[tuple[str, str, str, object]]:
    """Every write (method, described path, path, body), with a body that would succeed: only the missing
    key can refuse it."""
    record, doomed = draft(db, employer), draft(db, employer, Period(2026, 4))
    job, other = employer.jobs
    line = {"social_security_number": other.person.social_security_number, "gross_wage": "3000000"}
    return [
        ("POST", "/workers", "/workers", hire_body()),
        ("POST", "/workers/{worker_id}/end", f"/workers/{job.id}/end", {"ended_on": "2026-05-31",
                                                                        "reason": "resignation"}),
        ("POST", "/declarations", "/declarations", {"period": str(JUNE), "lines": [line]}),
        ("POST", "/declarations/nil", "/declarations/nil", {"period": "2026-07", "reason": "Closed"}),
        ("PUT", "/declarations/{declaration_id}/lines", f"/declarations/{record.id}/lines", {"lines": [line]}),
        ("POST", "/declarations/{declaration_id}/submit", f"/declarations/{record.id}/submit", {}),
        ("DELETE", "/declarations/{declaration_id}", f"/declarations/{doomed.id}", None),
    ]


def test_the_write_routes_here_are_every_write_the_description_lists(db, api_employer) -> None:
    described = {(method.upper(), path) for path, item in description()["paths"].items()
                 for method, operation in item.items()
                 if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))}
    assert {(method, path) for method, path, _, _ in write_routes(db, api_employer)} == described


def test_every_write_without_a_key_is_refused_and_writes_nothing(api, db, api_employer) -> None:
    for method, _, path, body in write_routes(db, api_employer):
        before = snapshot(db, api_employer)
        refused = api.write(method, path, body, key=None)
        assert refused.status_code == 400, (method, path, refused.json)
        assert refused.json["code"] == "api.idempotency_key_required", (method, path)
        assert refused.json["field"] == "Idempotency-Key"
        assert snapshot(db, api_employer) == before, (method, path)
        assert api.write(method, path, body).status_code < 400, (method, path)  # the same call with a key


def test_validating_needs_no_key(api, db, api_employer) -> None:
    record = draft(db, api_employer)
    answer = api.post(f"/declarations/{record.id}/validate", key=None)
    assert answer.status_code == 200 and answer.json["valid"] is True


@pytest.mark.parametrize("key", ["k" * 256, "clé-1", "two\tparts", "\x7f"], ids=["256 characters", "non-ASCII",
                                                                             "tab", "DEL"])
def test_an_invalid_key_is_refused_and_writes_nothing(api, db, api_employer, key) -> None:
    before = snapshot(db, api_employer)
    refused = api.post("/declarations/nil", {"period": str(JUNE), "reason": "Closed"}, key=key)
    assert refused.status_code == 400
    assert (refused.json["code"], refused.json["field"]) == ("api.idempotency_key_invalid", "Idempotency-Key")
    assert snapshot(db, api_employer) == before


def test_a_key_of_255_visible_characters_is_accepted(api) -> None:
    key = "".join(chr(c) for c in range(0x21, 0x7F)) * 3
    answer = api.post("/declarations/nil", {"period": str(JUNE), "reason": "Closed"}, key=key[:255])
    assert answer.status_code == 201, answer.json


def test_keys_belong_to_one_employer(app, api, db, api_employer) -> None:
    other_employer = factories.employer_since(db, REGISTERED)
    db.commit()
    other = ApiClient(app.test_client(), token_for(db, other_employer))
    body, key = {"period": str(JUNE), "reason": "Closed"}, "payroll-2026-06"
    mine = api.post("/declarations/nil", body, key=key)
    theirs = other.post("/declarations/nil", body, key=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json["id"] != mine.json["id"]
    assert count(db, Declaration, Declaration.employer_id == other_employer.id, Declaration.is_nil) == 1
    # And another body under the same key is not "reused" across employers either.
    assert other.post("/workers", hire_body(), key="payroll-2026-07").status_code == 201
    assert api.post("/declarations/nil", {"period": "2026-07", "reason": "Closed"},
                    key="payroll-2026-07").status_code == 201


def test_a_refused_request_is_not_kept_so_the_corrected_one_is_carried_out(api, db, api_employer) -> None:
    key, body = str(uuid.uuid4()), hire_body()
    wrong = {**body, "person": {**body["person"], "given_name": ""}}
    refused = api.post("/workers", wrong, key=key)
    assert refused.status_code == 400
    assert [(p["code"], p["field"]) for p in refused.json["problems"]] == [("field.required", "person.given_name")]
    assert count(db, IdempotentRequest) == 0
    again = api.post("/workers", wrong, key=key)  # the same wrong request: judged again, not replayed
    assert again.status_code == 400 and "Idempotent-Replayed" not in again.headers
    corrected = api.post("/workers", body, key=key)
    assert corrected.status_code == 201, corrected.json
    assert "Idempotent-Replayed" not in corrected.headers
    assert count(db, Employment, Employment.employer_id == api_employer.id) == 3
    same_answer(corrected, api.post("/workers", body, key=key))  # now it is kept


def test_a_conflict_is_not_kept_either(api, db, api_employer) -> None:
    record, key = draft(db, api_employer), str(uuid.uuid4())
    stale = api.post(f"/declarations/{record.id}/submit", {"revision": record.revision + 1}, key=key)
    assert (stale.status_code, stale.json["code"]) == (409, "declaration.changed")
    again = api.post(f"/declarations/{record.id}/submit", {"revision": record.revision + 1}, key=key)
    assert again.status_code == 409 and "Idempotent-Replayed" not in again.headers  # judged again
    corrected = api.post(f"/declarations/{record.id}/submit", {"revision": record.revision}, key=key)
    assert corrected.status_code == 200 and corrected.json["status"] == "submitted"


def test_a_read_only_token_cannot_write_even_with_a_key(app, db, api_employer) -> None:
    reader = ApiClient(app.test_client(), token_for(db, api_employer, scope="read", name="Reader"))
    record = draft(db, api_employer)
    assert reader.get("/workers").status_code == 200
    for method, path, body in [("POST", "/declarations/nil", {"period": str(JUNE), "reason": "Closed"}),
                               ("POST", f"/declarations/{record.id}/submit", {}),
                               ("DELETE", f"/declarations/{record.id}", None),
                               ("POST", "/workers", hire_body())]:
        before = snapshot(db, api_employer)
        for key in (str(uuid.uuid4()), None):
            refused = reader.write(method, path, body, key=key)
            assert refused.status_code == 403, (method, path, refused.json)
            assert refused.json["code"] == "api.read_only_token"
        assert snapshot(db, api_employer) == before
