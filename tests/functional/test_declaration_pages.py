"""Declaration pages: the period list, the draft editor, uploads, filing (once) and a nil declaration."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from contributions.declarations import Declaration, DeclarationLine
from contributions.ledger import LedgerEntry
from tests import factories
from tests.functional.conftest import log_in


@pytest.fixture
def lao(db):
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    jobs = [factories.hire(db, employer, wage=wage) for wage in ("3000000", "5000000")]
    admin = factories.user(db, "employer_admin", employer_id=employer.id)
    db.commit()
    return employer, jobs, admin


@pytest.fixture
def client(app, lao):
    client = app.test_client()
    log_in(client, lao[2].email)
    return client


def _draft(client, period: str = "2026-04") -> int:
    response = client.post(f"/employer/declarations/period/{period}/draft")
    assert response.status_code == 302
    return int(re.search(r"/employer/declarations/(\d+)$", response.headers["Location"]).group(1))


def _lines(db, declaration_id: int) -> dict[str, DeclarationLine]:
    db.expire_all()
    return {line.person.social_security_number: line for line in db.scalars(
        select(DeclarationLine).where(DeclarationLine.declaration_id == declaration_id))}


def _form(db, declaration_id: int, **wages: str) -> dict[str, object]:
    draft = db.get(Declaration, declaration_id)
    data: dict[str, object] = {"revision": str(draft.revision), "line": []}
    for number, line in _lines(db, declaration_id).items():
        data["line"].append(str(line.id))
        data[f"wage-{line.id}"] = wages.get(number, str(line.gross_wage))
    return data


def test_the_period_list_links_each_month_with_its_status(client) -> None:
    page = client.get("/employer/declarations/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Not filed, overdue" in page and "/employer/declarations/period/2026-04" in page
    assert "/employer/declarations/period/2024-12" not in page  # before the registration


def test_edit_a_wage_on_the_draft_and_see_the_new_contribution(client, db, lao) -> None:
    _, jobs, _ = lao
    draft_id = _draft(client)
    number = jobs[0].person.social_security_number
    response = client.post(f"/employer/declarations/{draft_id}", data=_form(db, draft_id, **{number: "4000000"}))
    assert response.status_code == 302
    line = _lines(db, draft_id)[number]
    assert (line.gross_wage, line.employee_share, line.employer_share) == (4000000, 220000, 240000)


def test_a_bad_wage_is_named_on_its_line_and_nothing_changes(client, db, lao) -> None:
    _, jobs, _ = lao
    draft_id = _draft(client)
    number = jobs[1].person.social_security_number
    response = client.post(f"/employer/declarations/{draft_id}", data=_form(db, draft_id, **{number: "-5"}),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    line = _lines(db, draft_id)[number]
    assert f'id="errors-{line.id}"' in page and "negative" in page
    assert line.gross_wage == 5000000


def test_upload_with_problems_lists_them_by_row_and_loads_nothing(client, db, lao) -> None:
    _, jobs, _ = lao
    draft_id = _draft(client)
    before = {n: line.gross_wage for n, line in _lines(db, draft_id).items()}
    content = ("Social security number,Gross wage of the month,Days worked\n"
               f"{jobs[0].person.social_security_number},abc,\n"
               "\n"
               "123456789,1000000,40\n").encode()
    revision = str(db.get(Declaration, draft_id).revision)
    response = client.post(f"/employer/declarations/{draft_id}/upload",
                           data={"revision": revision, "file": (io.BytesIO(content), "april.csv")},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", response.get_data(as_text=True))
    assert rows == [("2", "Gross wage of the month"), ("4", "Days worked"), ("4", "Social security number")]
    assert {n: line.gross_wage for n, line in _lines(db, draft_id).items()} == before


def test_upload_an_xlsx_with_titles_in_lao_replaces_the_lines(client, db, lao) -> None:
    _, jobs, _ = lao
    draft_id = _draft(client)
    from notifications.i18n import translations_for

    lao_titles = [translations_for("lo").gettext(t) for t in ("Social security number", "Gross wage of the month")]
    book = Workbook()
    sheet = book.active
    sheet.append(lao_titles)
    sheet.append([jobs[1].person.social_security_number, 2600000])
    data = io.BytesIO()
    book.save(data)
    revision = str(db.get(Declaration, draft_id).revision)
    response = client.post(f"/employer/declarations/{draft_id}/upload",
                           data={"revision": revision, "file": (io.BytesIO(data.getvalue()), "april.xlsx")})
    assert response.status_code == 302
    assert {n: line.gross_wage for n, line in _lines(db, draft_id).items()} == \
        {jobs[1].person.social_security_number: 2600000}


def test_filing_twice_files_once_and_shows_the_receipt(client, db, lao) -> None:
    employer, _, _ = lao
    draft_id = _draft(client)
    revision = str(db.get(Declaration, draft_id).revision)
    data = {"revision": revision, "confirm": "y"}
    first = client.post(f"/employer/declarations/{draft_id}/submit", data=data)
    second = client.post(f"/employer/declarations/{draft_id}/submit", data=data)
    assert first.status_code == second.status_code == 302
    db.expire_all()
    filed = db.get(Declaration, draft_id)
    assert filed.status == "submitted" and filed.receipt_number
    page = client.get(f"/employer/declarations/{draft_id}").get_data(as_text=True)
    assert filed.receipt_number in page and filed.payment_reference[:4] in page
    assert db.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.employer_id == employer.id)) == 2


def test_filing_needs_the_confirmation(client, db) -> None:
    draft_id = _draft(client)
    revision = str(db.get(Declaration, draft_id).revision)
    response = client.post(f"/employer/declarations/{draft_id}/submit", data={"revision": revision})
    assert response.status_code == 422
    assert db.get(Declaration, draft_id).status == "draft"


def test_a_nil_declaration_through_the_form(client, db, lao) -> None:
    employer, _, _ = lao
    response = client.post("/employer/declarations/period/2026-03/nil", data={"reason": "Seasonal closure"})
    assert response.status_code == 302
    filed = db.scalars(select(Declaration).where(Declaration.employer_id == employer.id)).one()
    assert filed.is_nil and filed.nil_reason == "Seasonal closure" and filed.status == "submitted"
    # The receipt is a notice in the employer's language, queued by e-mail with the filing.
    from notifications.notices import Notice
    from notifications.outbox import OutboxMessage

    notice = db.scalars(select(Notice).where(Notice.employer_id == employer.id)).one()
    assert (notice.kind, notice.period, notice.stage, notice.language) == ("declaration_receipt", "2026-03", 1, "lo")
    assert filed.receipt_number in notice.body
    assert [m.channel for m in db.scalars(select(OutboxMessage).where(OutboxMessage.notice_id == notice.id))] == \
        ["email"]


def test_another_employers_declaration_is_not_found(client, db) -> None:
    other = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, other)
    from common.period import Period
    from contributions.drafts import open_draft
    from contributions.filing import submit_declaration

    draft = open_draft(db, other, Period(2026, 4), actor=factories.ACTOR, now=factories.NOW)
    filed = submit_declaration(db, other, draft.id, revision=None, actor=factories.ACTOR, now=factories.NOW)
    db.commit()
    for path in (f"/employer/declarations/{draft.id}", f"/employer/declarations/{draft.id}/receipt.pdf",
                 f"/employer/declarations/{draft.id}/lines.csv"):
        assert client.get(path).status_code == 404
    assert client.post(f"/employer/declarations/{draft.id}/submit", data={"revision": "0", "confirm": "y"}
                       ).status_code == 404
    assert filed.created


@pytest.mark.parametrize("period", ["1900-01", "2000-01", "9999-12", "2024-12", "2026-13", "x"])
def test_periods_that_cannot_be_declared_are_not_found(client, period) -> None:
    assert client.get(f"/employer/declarations/period/{period}").status_code == 404


def test_a_form_without_a_readable_revision_is_refused(client, db) -> None:
    draft_id = _draft(client)
    data = _form(db, draft_id) | {"revision": "abc"}
    assert client.post(f"/employer/declarations/{draft_id}", data=data).status_code == 400
    assert client.post(f"/employer/declarations/{draft_id}/submit",
                       data={"revision": "", "confirm": "y"}).status_code in (400, 422)
    assert db.get(Declaration, draft_id).status == "draft"


def test_the_branch_split_is_shown_only_when_the_shares_are_complete(client, db) -> None:
    from contributions.parameter_versions import add_parameter_version

    def share(name: str, value: str, valid_from: dt.date) -> None:
        add_parameter_version(db, scheme_code="LA-LSSO", name=name, category=None, valid_from=valid_from,
                              value=value, source="test", confidence="unconfirmed", actor=factories.ACTOR,
                              now=factories.NOW)
        db.commit()

    def filed_page(period: str) -> str:
        draft_id = _draft(client, period)
        revision = str(db.get(Declaration, draft_id).revision)
        client.post(f"/employer/declarations/{draft_id}/submit", data={"revision": revision, "confirm": "y"})
        page = client.get(f"/employer/declarations/{draft_id}", headers={"Accept-Language": "en"})
        assert page.status_code == 200
        return page.get_data(as_text=True)

    share("branch.pension", "0.6", dt.date(2025, 12, 1))
    assert "Split between the branches" not in filed_page("2026-03")  # 0.6 alone: no split, and no error
    share("branch.health", "0.4", dt.date(2026, 4, 1))
    april = filed_page("2026-04")
    assert "Split between the branches" in april and "Pensions" in april and "Health care" in april
