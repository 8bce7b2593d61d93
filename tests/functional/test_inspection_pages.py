"""The inspectors' dashboard, list of employers (with its exports) and worklist, on two Tajik employers in two
provinces scored as of 20 November 2026, with hand-counted figures; an inspector limited to one province sees
only its employer."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D
from urllib.parse import parse_qs, urlsplit

import pytest

from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.payment_actions import record_counter_receipt
from inspections.areas import set_provinces
from inspections.risk import compute_risk, risk_of
from inspections.scoring import BANDS, FACTORS, SECTOR
from tests import factories
from tests.factories import ACTOR, NOW
from tests.functional.conftest import log_in

AS_OF = dt.date(2026, 11, 20)
EN = {"Accept-Language": "en"}
TJ = {"scheme": "TJ-SOCTAX"}
OCTOBER = {**TJ, "period": "2026-10"}


def _file(db, employer, month: int, day: dt.date):
    when = dt.datetime.combine(day, dt.time(5, 0), tzinfo=dt.UTC)
    draft = open_draft(db, employer, Period(2026, month), actor=ACTOR, now=when)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=when).declaration


def _pay(db, employer, amount: str, day: dt.date, declaration) -> None:
    record_counter_receipt(db, employer, amount=D(amount), value_date=day, channel="cash", payer_name="",
                           reference="", declaration_id=declaration.id, actor=ACTOR, now=NOW)


@pytest.fixture
def tajik(db):
    """Both registered on 1 June 2026 with one worker at 2,000.00 TJS (non-budget: 440.00 a month).

    A (Dushanbe, whose legal name starts with "="): files June to October, July late (due Monday 17 August,
    filed the 20th); pays each month when it files, but only 110.00 of October's 440.00 (330.00 overdue
    since Monday 16 November).
    B (Sughd, construction): files June on time and nothing since (4 months not filed), pays nothing: 440.00
    overdue since 15 July.  The job runs on 20 November: A is in the low band, B in the medium one."""
    a = factories.employer_since(db, dt.date(2026, 6, 1), scheme_code="TJ-SOCTAX", region_code="TJ-DU-01")
    b = factories.employer_since(db, dt.date(2026, 6, 1), scheme_code="TJ-SOCTAX", region_code="TJ-SU-01",
                                 sector_code="F")
    a.legal_name = '=HYPERLINK("http://evil.test")'
    for employer in (a, b):
        factories.hire(db, employer, wage="2000.00", hired_on="2026-06-01", document_type="passport")
    for month, day in ((6, dt.date(2026, 7, 5)), (7, dt.date(2026, 8, 20)), (8, dt.date(2026, 9, 5)),
                       (9, dt.date(2026, 10, 5)), (10, dt.date(2026, 11, 5))):
        _pay(db, a, "110.00" if month == 10 else "440.00", day, _file(db, a, month, day))
    _file(db, b, 6, dt.date(2026, 7, 5))
    compute_risk(db, "TJ-SOCTAX", as_of=AS_OF, actor=ACTOR, now=NOW)
    db.commit()
    return a, b


def _signed_in(app, person):
    client = app.test_client()
    log_in(client, person.email)
    return client


@pytest.fixture
def inspector(app, db):
    person = factories.user(db, "inspector")
    db.commit()
    return _signed_in(app, person)


@pytest.fixture
def dushanbe_only(app, db):
    """An inspector limited to the province of Dushanbe."""
    person = factories.user(db, "inspector")
    set_provinces(db, person, ["TJ-DU"], actor=ACTOR, now=NOW)
    db.commit()
    return _signed_in(app, person)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _block(page: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no #{element_id}"
    return match.group(2)


def _href(block: str) -> dict[str, list[str]]:
    """The path and the query arguments of the first link of ``block``."""
    url = urlsplit(re.search(r'href="([^"]+)"', block).group(1).replace("&amp;", "&"))
    return {"path": [url.path], **parse_qs(url.query)}


def _listed(client, **args) -> list[int]:
    response = client.get("/inspections/employers", query_string=args, headers=EN)
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'<tr id="employer-(\d+)"', response.get_data(as_text=True))]


def test_the_scores_are_those_the_fixture_describes(db, tajik) -> None:
    a, b = tajik
    assert (risk_of(db, a.id).band, risk_of(db, a.id).overdue) == ("low", D("330.00"))
    assert (risk_of(db, b.id).band, risk_of(db, b.id).overdue, risk_of(db, b.id).months_not_filed) == \
        ("medium", D("440.00"), 4)


def test_the_dashboard_shows_the_month_and_links_each_figure_to_its_list(inspector, tajik) -> None:
    response = inspector.get("/inspections/dashboard", query_string=OCTOBER, headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "as of Nov 20, 2026" in _text(_block(page, "facts-date"))
    # Two employers expected to file October; A filed on time, B did not; 110.00 paid of 440.00 charged.
    assert _text(_block(page, "filing-rate")).startswith("Filing rate 50% 1 of 2 employers")
    assert _text(_block(page, "on-time-rate")).startswith("On-time filing rate 50% 0 filed late")
    assert _text(_block(page, "non-filers")).startswith("Non-filers 1")
    assert "Collection rate 25% TJS110.00 paid of TJS440.00 charged" in _text(_block(page, "collection-rate"))
    registry = _text(_block(page, "registry"))
    assert "Registered employers 2" in registry and "Registered workers 2" in registry
    assert _href(_block(page, "non-filers")) == {"path": ["/inspections/employers"], "filing": ["not_filed"],
                                                 "period": ["2026-10"], "scheme": ["TJ-SOCTAX"]}
    assert _href(_block(page, "filing-rate"))["filing"] == ["filed"]
    assert _href(_block(page, "on-time-rate"))["filing"] == ["late"]
    assert _href(_block(page, "assessed"))["assessed"] == ["1"]
    bands = _block(page, "bands")
    assert re.search(r'band=medium[^"]*">1</a>', bands.replace("&amp;", "&")) and "High risk" in bands
    arrears = _block(page, "arrears")
    assert "TJS770.00" in _text(arrears) and "2 employers" in _text(arrears)
    assert _href(arrears)["arrears_min"] == ["0.01"]


def test_by_default_the_latest_month_due_and_a_note_before_the_first_night(inspector, tajik, monkeypatch) -> None:
    monkeypatch.setattr("portal.inspections.dashboard.now", lambda: NOW)
    page = inspector.get("/inspections/dashboard", query_string=TJ, headers=EN).get_data(as_text=True)
    assert "Compliance dashboard · Social tax · October 2026" in page
    page = inspector.get("/inspections/dashboard", headers=EN).get_data(as_text=True)  # the first scheme: Laos
    assert "Compliance dashboard · Social security for enterprise employees · October 2026" in page
    assert "has not run yet" in _block(page, "facts-date")


def test_the_charts_are_svg_with_their_numbers(inspector, tajik) -> None:
    page = inspector.get("/inspections/dashboard", query_string={**OCTOBER, "province": "TJ-DU"},
                         headers=EN).get_data(as_text=True)
    trend = _block(page, "trend-chart")
    assert "<title id=\"trend-title\">" in trend
    # A alone: every month filed; July late; October a quarter paid.
    assert "Filing rate, October 2026: 100%" in trend and "On-time filing rate, July 2026: 0%" in trend
    assert "Collection rate, October 2026: 25%" in trend
    assert "/inspections/dashboard?period=2026-07&amp;scheme=TJ-SOCTAX&amp;province=TJ-DU" in trend
    aging = _block(page, "aging-chart")
    assert "Up to 30 days: TJS330.00" in aging and "91 to 180 days: TJS0.00" in aging


def test_the_list_filters(inspector, tajik) -> None:
    a, b = tajik
    assert _listed(inspector, **TJ) == [b.id, a.id]  # riskiest first
    assert _listed(inspector, **TJ, band="medium") == [b.id]
    assert _listed(inspector, **TJ, band="low") == [a.id]
    assert _listed(inspector, **OCTOBER, filing="not_filed") == [b.id]
    assert _listed(inspector, **TJ, period="2026-07", filing="late") == [a.id]
    assert _listed(inspector, **TJ, arrears_min="400") == [b.id]
    assert _listed(inspector, **TJ, arrears_min="0.01", sort="arrears") == [b.id, a.id]
    assert _listed(inspector, **TJ, province="TJ-DU") == [a.id]
    assert _listed(inspector, **TJ, sort="name") == [a.id, b.id]  # "=" sorts before Cyrillic
    page = inspector.get("/inspections/employers", query_string=TJ, headers=EN).get_data(as_text=True)
    row = _text(_block(page, f"employer-{b.id}"))
    assert f"/inspections/employers/{b.id}" in _block(page, f"employer-{b.id}")
    assert "Sughd" in row and "Medium risk" in row and "TJS440.00" in row and row.endswith(" 4")
    assert 'id="export-csv"' in page and "/inspections/employers.xlsx?scheme=TJ-SOCTAX" in page


@pytest.mark.parametrize("args", [{"arrears_min": "1e3"}, {"arrears_min": "1.2.3"}, {"arrears_min": "-5"},
                                  {"period": "2026-13"}, {"band": "extreme"}, {"filing": "late"},
                                  {"province": "XX-YY"}, {"scheme": "NOPE"}])
def test_arguments_that_cannot_be_read_are_a_400_with_the_form(inspector, args) -> None:
    response = inspector.get("/inspections/employers", query_string=args, headers=EN)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and 'id="filters"' in page and 'id="employers"' not in page


@pytest.mark.parametrize("args", [{"period": "2026-1"}, {"province": "LA-VT"}, {"sector": "ZZ"}, {"scheme": "NOPE"}])
def test_the_dashboard_answers_400_to_what_it_cannot_read(inspector, args) -> None:
    response = inspector.get("/inspections/dashboard", query_string={**TJ, **args}, headers=EN)
    assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)


def test_the_csv_export_has_the_header_the_rows_and_no_formula(inspector, tajik) -> None:
    a, b = tajik
    response = inspector.get("/inspections/employers.csv", query_string={**TJ, "sort": "arrears"}, headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Employer number,Name,Scheme,Province,Region,Sector")
    assert [line.split(",")[0] for line in lines[1:]] == [b.employer_number, a.employer_number]
    assert lines[2].split(",", 2)[1].startswith("\"'=HYPERLINK(")


def test_the_xlsx_export_opens(inspector, tajik) -> None:
    from openpyxl import load_workbook

    response = inspector.get("/inspections/employers.xlsx", query_string={**TJ, "band": "low"}, headers=EN)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.get_data()), read_only=True).active.values)
    assert rows[0][:2] == ("Employer number", "Name") and len(rows) == 2
    assert rows[1][0] == tajik[0].employer_number and rows[1][1].startswith("'=")


def test_the_worklist_shows_the_factors_weighing_most_and_a_way_to_open_a_case(inspector, tajik) -> None:
    a, b = tajik
    page = inspector.get("/inspections/worklist", headers=EN).get_data(as_text=True)
    assert re.findall(r'<tr id="work-(\d+)"', page) == [str(b.id), str(a.id)]
    row = _block(page, f"work-{b.id}")
    # B: 25 points for 4 months not filed (full at 3), 12.50 for 440.00 overdue (5 months of its average
    # charge, full at 6), 10 for construction, 3.51 for 128 days overdue, 1.67 for one late payment.
    assert _text(row).split("Medium risk 52.68 ")[1].startswith(
        "Months not filed: 4 (25 points) Arrears size (months of contributions): 5 (12.5 points) "
        "Sector: 10 (10 points)")
    assert f"/inspections/employers/{b.id}/cases/new" in row
    home = inspector.get("/inspector", headers=EN).get_data(as_text=True)
    assert f'id="work-{b.id}"' in home and "/inspections/dashboard" in home and "Nothing to show yet" not in home


def test_an_inspector_limited_to_a_province_sees_only_its_employers(dushanbe_only, tajik) -> None:
    a, b = tajik
    page = dushanbe_only.get("/inspections/dashboard", query_string=OCTOBER, headers=EN).get_data(as_text=True)
    assert _text(_block(page, "filing-rate")).startswith("Filing rate 100% 1 of 1 employers")
    assert _text(_block(page, "non-filers")).startswith("Non-filers 0")
    assert 'value="TJ-SU"' not in page  # the province is not offered
    assert _listed(dushanbe_only, **TJ) == [a.id]
    assert _listed(dushanbe_only, **OCTOBER, filing="not_filed") == []
    worklist = dushanbe_only.get("/inspections/worklist", headers=EN).get_data(as_text=True)
    assert re.findall(r'<tr id="work-(\d+)"', worklist) == [str(a.id)]
    export = dushanbe_only.get("/inspections/employers.csv", headers=EN).get_data().decode("utf-8-sig")
    assert len(export.splitlines()) == 2 and b.employer_number not in export


def test_the_staff_pages_keep_a_limited_inspector_to_the_province(dushanbe_only, tajik) -> None:
    """The older staff pages of one employer answer as the workspace does: not found outside the area."""
    a, b = tajik
    for path in (f"/staff/employers/{b.id}", f"/staff/employers/{b.id}/account",
                 f"/staff/employers/{b.id}/account/arrears.pdf"):
        assert dushanbe_only.get(path, headers=EN).status_code == 404, path
    assert dushanbe_only.get(f"/staff/employers/{a.id}", headers=EN).status_code == 200
    listed = dushanbe_only.get("/staff/employers", headers=EN).get_data(as_text=True)
    assert a.employer_number in listed and b.employer_number not in listed
    arrears = dushanbe_only.get("/staff/arrears", query_string={"scheme": "TJ-SOCTAX", "as_of": "2026-11-20"},
                                headers=EN).get_data(as_text=True)
    assert a.employer_number in arrears and b.employer_number not in arrears


def test_active_employers_link_to_those_expected_to_file_that_month(inspector, tajik) -> None:
    a, b = tajik
    page = inspector.get("/inspections/dashboard", query_string=OCTOBER, headers=EN).get_data(as_text=True)
    assert "filing=expected" in _block(page, "registry")
    assert sorted(_listed(inspector, **OCTOBER, filing="expected")) == sorted([a.id, b.id])
    assert _listed(inspector, **TJ, period="2026-05", filing="expected") == []  # before they registered


@pytest.mark.parametrize("period", ["1900-01", "2999-12"])
def test_a_month_out_of_range_is_a_400(inspector, period) -> None:
    response = inspector.get("/inspections/dashboard", query_string={**TJ, "period": period}, headers=EN)
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["employer_admin", "employer_clerk"])
def test_employers_are_refused(app, users, role) -> None:
    client = _signed_in(app, users[role])
    for path in ("/inspections/dashboard", "/inspections/employers", "/inspections/employers.csv",
                 "/inspections/worklist"):
        assert client.get(path).status_code == 403


def test_every_code_has_its_words() -> None:
    from inspections.cases import OUTCOMES, REASONS, STATUSES
    from inspections.employer_list import FILINGS, SORTS
    from portal.inspections import labels

    for words, codes in ((labels.FACTOR_LABELS, (*FACTORS, SECTOR)), (labels.BAND_LABELS, BANDS),
                         (labels.REASON_LABELS, REASONS), (labels.OUTCOME_LABELS, OUTCOMES),
                         (labels.CASE_STATUS_LABELS, STATUSES), (labels.FILING_LABELS, FILINGS),
                         (labels.SORT_LABELS, SORTS)):
        assert set(words) == set(codes)
