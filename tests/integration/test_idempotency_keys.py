"""common/idempotency.py on the database: a key is claimed once per scope, its answer kept and replayed, a key
reused for another request refused, a claim undone by its transaction's rollback, old answers purged."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from common.errors import DomainError
from common.idempotency import KEEP, IdempotentRequest, claim_key, fingerprint, keep_answer, key_is_valid, purge_answers

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
SCOPE = "employer:1"
PRINT = fingerprint("POST", "/api/v1/declarations/nil", b'{"period":"2026-06","reason":"Closed"}')


def _claim(db, key: str = "key-1", *, scope: str = SCOPE, print_: str = PRINT, now: dt.datetime = NOW):
    return claim_key(db, scope=scope, key=key, fingerprint=print_, now=now)


def test_a_kept_answer_is_replayed_for_the_same_request(db) -> None:
    first = _claim(db)
    assert first.replay is False
    keep_answer(first.row, status_code=201, content_type="application/json", body='{"id":7}',
                location="/api/v1/declarations/7")
    db.commit()
    again = _claim(db, now=NOW + dt.timedelta(hours=1))
    assert again.replay is True
    assert again.row.id == first.row.id
    assert (again.row.status_code, again.row.content_type, again.row.body, again.row.location) == (
        201, "application/json", '{"id":7}', "/api/v1/declarations/7")
    assert len(db.scalars(select(IdempotentRequest)).all()) == 1


def test_a_key_used_for_another_request_is_refused(db) -> None:
    keep_answer(_claim(db).row, status_code=201, content_type="application/json", body="{}", location=None)
    db.commit()
    other = fingerprint("POST", "/api/v1/declarations/nil", b'{"period":"2026-07","reason":"Closed"}')
    with pytest.raises(DomainError) as refused:
        _claim(db, print_=other)
    assert refused.value.code == "api.idempotency_key_reused"
    # The refusal leaves the session usable and the kept answer as it was.
    assert db.scalars(select(IdempotentRequest.fingerprint)).all() == [PRINT]


def test_the_fingerprint_covers_method_path_and_body() -> None:
    body = b'{"period":"2026-06"}'
    prints = {fingerprint("POST", "/api/v1/declarations/nil", body),
              fingerprint("PUT", "/api/v1/declarations/nil", body),
              fingerprint("POST", "/api/v1/declarations/nil?x=1", body),
              fingerprint("POST", "/api/v1/declarations/nil", body + b" ")}
    assert len(prints) == 4
    assert fingerprint("post", "/p", body) == fingerprint("POST", "/p", body)
    assert len(fingerprint("POST", "/p", body)) == 64


def test_the_same_key_in_another_scope_is_another_claim(db) -> None:
    keep_answer(_claim(db).row, status_code=201, content_type="application/json", body="{}", location=None)
    theirs = _claim(db, scope="employer:2",
                    print_=fingerprint("POST", "/api/v1/workers", b"{}"))  # another body: not "reused" there
    assert theirs.replay is False
    assert len(db.scalars(select(IdempotentRequest)).all()) == 2


def test_a_claim_rolled_back_with_its_work_frees_the_key(db) -> None:
    request = db.begin_nested()
    _claim(db)
    request.rollback()  # the request failed: its work and its claim go together
    assert db.scalars(select(IdempotentRequest)).all() == []
    assert _claim(db).replay is False


def test_a_claim_without_an_answer_is_in_progress(db) -> None:
    _claim(db)
    with pytest.raises(DomainError) as waiting:
        _claim(db)
    assert waiting.value.code == "api.idempotency_in_progress"


def test_answers_older_than_seven_days_are_purged_and_newer_ones_kept(db) -> None:
    ages = {"old": KEEP + dt.timedelta(seconds=1), "month": dt.timedelta(days=30), "edge": KEEP,
            "day": dt.timedelta(days=1), "fresh": dt.timedelta(0)}
    for key, age in ages.items():
        keep_answer(_claim(db, key, now=NOW - age).row, status_code=200, content_type="application/json", body="{}",
                    location=None)
    db.commit()
    assert purge_answers(db, now=NOW) == 2
    db.commit()
    assert sorted(db.scalars(select(IdempotentRequest.key)).all()) == ["day", "edge", "fresh"]
    assert purge_answers(db, now=NOW) == 0
    # A purged key may be used again, for anything.
    assert _claim(db, "old", print_=fingerprint("POST", "/api/v1/workers", b"{}")).replay is False


@pytest.mark.parametrize(("key", "valid"), [
    ("a", True),
    ("3f2b8c1e-6d4a-4e7b-9a51-0c2d7e8f9b10", True),
    ("payroll/2026-06#1", True),
    ("".join(chr(c) for c in range(0x21, 0x7F)), True),  # every visible ASCII character
    ("k" * 255, True),
    ("", False),
    ("k" * 256, False),
    (" key", False),
    ("key ", False),
    ("two words", False),  # the description: 1 to 255 visible ASCII characters, so no space
    ("tab\tkey", False),
    ("line\nkey", False),
    ("nul\x00key", False),
    ("del\x7fkey", False),
    ("clé", False),
    ("ключ", False),
    ("😀", False),
])
def test_key_is_valid(key: str, valid: bool) -> None:
    assert key_is_valid(key) is valid
