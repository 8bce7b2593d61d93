"""Lists read what each row needs for the whole page at once: a page of 6 declarations or payments costs
the database as many statements as a page of 3 (no query per row)."""

from __future__ import annotations

from sqlalchemy import event

from common.period import Period
from tests.api.contract import both_lines, create_draft, submit, today_of
from tests.api.test_account_api import pay


def _statements(connection, call) -> int:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        assert call().status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return len(seen)


def _file_and_pay(api, db, employer, months: list[str]) -> None:
    for month in months:
        filed = submit(api, create_draft(api, month, both_lines(employer))["id"])
        pay(db, employer, "100000", declaration_id=filed["id"])


def test_a_page_of_declarations_or_payments_costs_the_same_whatever_its_length(api, db, connection,
                                                                             api_employer) -> None:
    this_month = Period.of(today_of(api_employer))
    months = [str(this_month.shift(-n)) for n in range(1, 7)]
    _file_and_pay(api, db, api_employer, months[:3])
    few = (_statements(connection, lambda: api.get("/declarations")),
           _statements(connection, lambda: api.get("/payments")))
    _file_and_pay(api, db, api_employer, months[3:])
    many = (_statements(connection, lambda: api.get("/declarations")),
            _statements(connection, lambda: api.get("/payments")))
    assert api.get("/declarations").get_json()["items"][5]["amount_charged"] is not None
    assert len(api.get("/payments").get_json()["items"]) == 6
    assert many == few
