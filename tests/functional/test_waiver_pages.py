"""Waivers on the staff pages (asked for on an employer's account, approved or rejected in the supervisors'
queue) and on the employer's own account page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from common.audit import Actor, AuditEvent
from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.interest import post_interest
from contributions.ledger import LedgerEntry
from contributions.waivers import Waiver, request_waiver
from tests import factories
from tests.factories import ACTOR
from tests.functional.conftest import log_in

FILED = dt.datetime(2026, 3, 10, 5, 0, tzinfo=dt.UTC)
INTEREST_RUN = dt.datetime(2026, 4, 20, 5, 0, tzinfo=dt.UTC)
REASON = "Bank strike in March"


def _indebted(db):
    """A Tajik employer that declared 200,000.00 TJS of wages for February 2026 (44,000.00 due on 16 March)
    and has paid nothing: 528.00 of interest on 15 April, above the scheme's 500 TJS approval threshold."""
    employer = factories.employer_since(db, dt.date(2025, 1, 2), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="200000.00", document_type="passport")
    draft = open_draft(db, employer, Period(2026, 2), actor=ACTOR, now=FILED)
    submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=FILED)
    return employer


@pytest.fixture
def tajik(db):
    employer, other = _indebted(db), _indebted(db)
    post_interest(db, "TJ-SOCTAX", as_of=dt.date(2026, 4, 15), actor=ACTOR, now=INTEREST_RUN)
    people = {role: factories.user(db, role) for role in ("supervisor", "sysadmin", "inspector")}
    people["second"] = factories.user(db, "supervisor", full_name="Second Supervisor")
    people["employer"] = factories.user(db, "employer_admin", employer_id=employer.id)
    # The other employer has a waiver of its own, in effect.
    boss = Actor(user_id=people["second"].id, label=people["second"].email)
    request_waiver(db, other, period="2026-02", component="interest", amount="10.00",
                   reason="Flood at the other employer", actor=boss, now=INTEREST_RUN)
    db.commit()
    assert _interest(db, employer.id) == Decimal("528.00")
    return employer, other, people


def _client(app, user):
    client = app.test_client()
    assert log_in(client, user.email).status_code == 302
    return client


@pytest.fixture
def officer(app, tajik):
    return _client(app, tajik[2]["supervisor"])


@pytest.fixture
def second(app, tajik):
    return _client(app, tajik[2]["second"])


def _interest(db, employer_id: int) -> Decimal:
    db.expire_all()
    return db.scalar(select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0))
                     .where(LedgerEntry.employer_id == employer_id, LedgerEntry.component == "interest"))


def _waivers(db, employer_id: int) -> list[Waiver]:
    db.expire_all()
    return list(db.scalars(select(Waiver).where(Waiver.employer_id == employer_id).order_by(Waiver.id)))


def _ask(client, employer_id: int, **fields: str):
    data = {"waiver-period": "2026-02", "waiver-component": "interest", "waiver-amount": "100.00",
            "waiver-reason": REASON}
    data.update({f"waiver-{name}": value for name, value in fields.items()})
    return client.post(f"/staff/employers/{employer_id}/account/waivers", data=data)


def _text(response) -> str:
    return response.get_data(as_text=True).replace("\xa0", "").replace("\u202f", "")


def _on_field(page: str, field: str, message: str) -> bool:
    return re.search(rf'id="{field}-errors">\s*<li>{re.escape(message)}</li>', page) is not None


def test_a_waiver_within_the_threshold_takes_effect_at_once(officer, db, tajik) -> None:
    employer, _, people = tajik
    page = _text(officer.get(f"/staff/employers/{employer.id}/account"))
    assert "What can still be waived" in page and "Record the waiver" in page
    assert re.search(r'id="waivable-2026-02-interest">.*?<strong>TJS528\.00</strong>', page, re.S)
    assert '<option value="2026-02">February 2026</option>' in page
    assert "TJS44,528.00" in page  # charged for February: the contributions and the interest

    response = _ask(officer, employer.id, amount="100")
    assert response.status_code == 302 and response.headers["Location"].endswith("#waivers")
    page = _text(officer.get(response.headers["Location"]))
    assert "The waiver of TJS100.00 for February 2026 is in effect." in page
    assert _interest(db, employer.id) == Decimal("428.00")
    assert "TJS44,428.00" in page and "TJS44,528.00" not in page
    assert re.search(r'id="waivable-2026-02-interest">.*?<strong>TJS428\.00</strong>', page, re.S)
    [waiver] = _waivers(db, employer.id)
    assert (waiver.status, waiver.amount, waiver.reason) == ("approved", Decimal("100.00"), REASON)
    row = re.search(rf'<tr id="waiver-{waiver.id}".*?</tr>', page, re.S).group(0)
    assert "In effect" in row and REASON in row and people["supervisor"].full_name in row
    events = db.execute(select(AuditEvent.action, AuditEvent.actor_user_id).where(
        AuditEvent.object_type == "waiver", AuditEvent.object_id == str(waiver.id)).order_by(AuditEvent.id)).all()
    assert events == [("waiver.requested", people["supervisor"].id), ("waiver.approved", people["supervisor"].id)]


def test_a_large_waiver_waits_for_a_second_supervisor(app, officer, second, db, tajik) -> None:
    employer, _, people = tajik
    response = _ask(officer, employer.id, amount="510.00")
    assert response.status_code == 302
    page = _text(officer.get(response.headers["Location"]))
    assert "above the approval threshold: it waits for a supervisor&#39;s approval" in page
    [waiver] = _waivers(db, employer.id)
    assert waiver.status == "pending"
    assert _interest(db, employer.id) == Decimal("528.00")  # nothing in the ledger yet
    assert db.scalar(select(func.count()).select_from(LedgerEntry)
                     .where(LedgerEntry.posting_key == f"waiver:{waiver.id}")) == 0
    assert "Waiting for approval" in page and 'href="/staff/waivers"' in page
    assert re.search(r'id="waivable-2026-02-interest">.*?<strong>TJS18\.00</strong>', page, re.S)

    home = officer.get("/supervisor").get_data(as_text=True)
    assert 'href="/staff/waivers"' in home and '<span class="badge" id="waivers-waiting">1</span>' in home
    queue = _text(officer.get("/staff/waivers"))
    assert "1 waiver is waiting." in queue and employer.legal_name in queue and REASON in queue
    assert "TJS510.00" in queue and people["supervisor"].full_name in queue

    url = f"/staff/waivers/{waiver.id}/approve"
    refused = officer.post(url)
    assert refused.status_code == 422
    assert "A waiver must be approved by a second person, not by the one who asked for it." in \
        refused.get_data(as_text=True)
    assert _waivers(db, employer.id)[0].status == "pending"

    approved = second.post(url)
    assert approved.status_code == 302
    assert "The waiver of TJS510.00 for February 2026 is approved and in effect." in \
        _text(second.get(approved.headers["Location"]))
    assert _interest(db, employer.id) == Decimal("18.00")
    [waiver] = _waivers(db, employer.id)
    assert (waiver.status, waiver.decided_by_user_id) == ("approved", people["second"].id)

    again = second.post(url)  # the same button pressed twice
    assert again.status_code == 422
    assert "This waiver has already been decided." in again.get_data(as_text=True)
    assert _interest(db, employer.id) == Decimal("18.00")
    assert "No waiver is waiting for approval." in second.get("/staff/waivers").get_data(as_text=True)
    assert '<span class="badge" id="waivers-waiting">0</span>' in second.get("/supervisor").get_data(as_text=True)
    account = _text(second.get(f"/staff/employers/{employer.id}/account"))
    assert "Second Supervisor" in account and "In effect" in account


def test_a_rejection_needs_a_note(officer, second, db, tajik) -> None:
    employer, _, _ = tajik
    assert _ask(officer, employer.id, amount="510.00").status_code == 302
    [waiver] = _waivers(db, employer.id)
    url = f"/staff/waivers/{waiver.id}/reject"
    no_note = second.post(url, data={f"reject-{waiver.id}-note": "  "})
    assert no_note.status_code == 422
    assert _on_field(no_note.get_data(as_text=True), f"reject-{waiver.id}-note", "Give the reason for the decision.")
    assert _waivers(db, employer.id)[0].status == "pending"

    rejected = second.post(url, data={f"reject-{waiver.id}-note": "No proof of the strike"})
    assert rejected.status_code == 302
    assert "The waiver of TJS510.00 for February 2026 is rejected." in \
        _text(second.get(rejected.headers["Location"]))
    [waiver] = _waivers(db, employer.id)
    assert (waiver.status, waiver.decision_note) == ("rejected", "No proof of the strike")
    assert _interest(db, employer.id) == Decimal("528.00")
    account = _text(officer.get(f"/staff/employers/{employer.id}/account"))
    row = re.search(rf'<tr id="waiver-{waiver.id}".*?</tr>', account, re.S).group(0)
    assert "Rejected" in row and "No proof of the strike" in row and "Second Supervisor" in row
    assert re.search(r'id="waivable-2026-02-interest">.*?<strong>TJS528\.00</strong>', account, re.S)
    late = second.post(url, data={f"reject-{waiver.id}-note": "Again"})
    assert late.status_code == 422 and "This waiver has already been decided." in late.get_data(as_text=True)


def test_who_may_do_what(app, officer, db, tajik) -> None:
    employer, _, people = tajik
    inspector = _client(app, people["inspector"])
    page = inspector.get(f"/staff/employers/{employer.id}/account").get_data(as_text=True)
    assert "What can still be waived" in page and "Record the waiver" not in page
    assert _ask(inspector, employer.id).status_code == 403
    assert _waivers(db, employer.id) == []

    sysadmin = _client(app, people["sysadmin"])  # a payment officer: may ask, may not decide
    assert _ask(sysadmin, employer.id, amount="510.00").status_code == 302
    [waiver] = _waivers(db, employer.id)
    for client in (inspector, sysadmin):
        assert client.get("/staff/waivers").status_code == 403
        assert client.post(f"/staff/waivers/{waiver.id}/approve").status_code == 403
        assert client.post(f"/staff/waivers/{waiver.id}/reject",
                           data={f"reject-{waiver.id}-note": "x"}).status_code == 403
    assert _waivers(db, employer.id)[0].status == "pending"
    assert officer.post(f"/staff/waivers/{waiver.id}/approve").status_code == 302  # another person: fine
    assert _interest(db, employer.id) == Decimal("18.00")


def test_the_employer_sees_its_waivers_in_effect_only(app, officer, db, tajik) -> None:
    employer, _, people = tajik
    own = _client(app, people["employer"])
    assert "Interest and fines waived" not in own.get("/employer/account/").get_data(as_text=True)
    assert _ask(officer, employer.id, amount="18.00").status_code == 302  # within the threshold: in effect
    assert _ask(officer, employer.id, amount="510.00", reason="Pending: not for the employer").status_code == 302
    assert sorted(w.status for w in _waivers(db, employer.id)) == ["approved", "pending"]
    page = _text(own.get("/employer/account/"))
    assert "Interest and fines waived" in page and REASON in page and "TJS18.00" in page
    assert "Pending: not for the employer" not in page and "TJS510.00" not in page
    assert "Flood at the other employer" not in page  # another employer's waiver
    for person in ("supervisor", "second"):  # staff are not named to the employer
        assert people[person].full_name not in page and people[person].email not in page


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"amount": "abc"}, "amount", "Write a positive amount, with no more decimals than the currency has."),
    ({"amount": "-5"}, "amount", "Write a positive amount, with no more decimals than the currency has."),
    ({"amount": "1.005"}, "amount", "Write a positive amount, with no more decimals than the currency has."),
    ({"amount": ""}, "amount", "This field is required."),
    ({"amount": "528.01"}, "amount",
     "The waiver cannot be more than what is charged and not yet waived for this period (TJS528.00)."),
    ({"reason": "   "}, "reason", "Give the reason for the waiver."),
    ({"period": "2026-03"}, "period", "Choose a period from the list."),  # nothing charged for March
    ({"period": ""}, "period", "Choose a period from the list."),
    ({"period": "February"}, "period", "Choose a period from the list."),
    ({"component": "penalty"}, "component", "Choose interest or fine."),
    ({"component": "fine"}, "amount",  # no fine charged
     "The waiver cannot be more than what is charged and not yet waived for this period (TJS0.00)."),
])
def test_bad_input_is_shown_on_its_field_and_writes_nothing(officer, db, tajik, fields, field, message) -> None:
    employer, _, _ = tajik
    entries = db.scalar(select(func.count()).select_from(LedgerEntry))
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    response = _ask(officer, employer.id, **fields)
    assert response.status_code == 422
    page = _text(response)
    assert _on_field(page, f"waiver-{field}", message), page[page.find('id="waivers"'):]
    assert _waivers(db, employer.id) == []
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == entries
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_an_unknown_waiver_or_employer_is_not_found(officer, second) -> None:
    assert _ask(officer, 2147483647).status_code == 404
    assert second.post("/staff/waivers/2147483647/approve").status_code == 404
    assert second.post("/staff/waivers/2147483647/reject", data={"reject-2147483647-note": "x"}).status_code == 404


@pytest.mark.parametrize("language", ["lo", "tg", "ru"])
def test_the_pages_render_in_every_language(app, officer, db, tajik, language) -> None:
    employer, _, people = tajik
    assert _ask(officer, employer.id, amount="510.00").status_code == 302
    assert _ask(officer, employer.id, amount="10.00").status_code == 302
    own = _client(app, people["employer"])
    bad = _ask(officer, employer.id, amount="abc")
    assert bad.status_code == 422
    for client, path in [(officer, f"/staff/employers/{employer.id}/account"), (officer, "/staff/waivers"),
                         (officer, "/supervisor"), (own, "/employer/account/")]:
        response = client.get(path, headers={"Accept-Language": language})
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in response.get_data(as_text=True)
