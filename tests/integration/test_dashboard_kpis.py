"""The compliance dashboard, hand-counted on five Tajik employers after the night of Monday 20 April 2026
(assessments, then the facts and scores).  February 2026 (due 16 March) is the month looked at.

* A (Dushanbe, trade): registered 1 February, two workers at 2,000.00; February filed on time (880.00)
  and paid in full on 12 March.
* B (Sughd, construction): registered 1 February, one worker at 2,000.00; February filed late on 20 March
  (440.00), 200.00 paid on 25 March.
* C (Dushanbe, trade): registered 1 February, one worker at 3,000.00; never files.  February is assessed
  on the head count: the minimum wage of 1,000.00 x 22 % + 25 % = 275.00.  Two workers reported it.
* D (Dushanbe, trade): registered 5 March: not expected for February.
* E (Dushanbe, construction): registered June 2025, one worker; declared October 2025 (440.00, never paid),
  then ceased on 31 December 2025 without ending the worker's employment.  Two reports about November.

Scores (``test_risk_factors.py`` has each factor): A 8.33 (March not filed), B 26.19, D 8.33: low; C 30.63
(two months not filed 16.67, arrears of two months' average 5.00, 35 days 0.96, two reports 8): medium;
E 63.89 (six months not filed 25, one late payment 1.67, arrears of seven months' average 15, 154 days 4.22,
construction 10, two reports 8): high.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from common.period import Period
from contributions.assessments import assess_non_filers
from employers.employers import change_status
from employers.persons import Employment
from inspections.dashboard import TREND_MONTHS, Scope, dashboard, latest_due_period, rate
from inspections.reports import WorkerReport
from inspections.risk import compute_risk
from tests.factories import ACTOR
from tests.integration.test_compliance_facts import SCHEME, at, file, pay_at_counter, tajik

FEBRUARY = Period(2026, 2)
AS_OF = dt.date(2026, 4, 20)
DUSHANBE, SUGHD = "TJ-DU", "TJ-SU"


def reports(db, employer, period: str, count: int) -> None:
    """``count`` open reports by the employer's (first) worker about ``period``."""
    person_id = db.scalars(select(Employment.person_id).where(Employment.employer_id == employer.id)).first()
    for _ in range(count):
        db.add(WorkerReport(employer_id=employer.id, person_id=person_id, period=period, kind="not_declared",
                            status="open", note="", created_at=at("2026-04-01")))
    db.flush()


@pytest.fixture
def night(db) -> dict:
    a = tajik(db, "2026-02-01", "2000.00", "2000.00", region_code="TJ-DU-01", sector_code="G")
    b = tajik(db, "2026-02-01", "2000.00", region_code="TJ-SU-01", sector_code="F")
    c = tajik(db, "2026-02-01", "3000.00", region_code="TJ-DU-02", sector_code="G")
    d = tajik(db, "2026-03-05", region_code="TJ-DU-01", sector_code="G")
    e = tajik(db, "2025-06-01", "2000.00", region_code="TJ-DU-01", sector_code="F")
    file(db, e, "2025-10", "2025-11-10")
    change_status(db, e, "ceased", ceased_on=dt.date(2025, 12, 31), actor=ACTOR, now=at("2026-01-05"))
    file(db, a, "2026-02", "2026-03-10")
    pay_at_counter(db, a, "880.00", "2026-03-12")
    file(db, b, "2026-02", "2026-03-20")
    pay_at_counter(db, b, "200.00", "2026-03-25")
    reports(db, c, "2026-02", 2)
    reports(db, e, "2025-11", 2)
    assess_non_filers(db, SCHEME, as_of=AS_OF, actor=ACTOR, now=at("2026-04-20"))
    compute_risk(db, SCHEME, as_of=AS_OF, actor=ACTOR, now=at("2026-04-20"))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def figures(board) -> tuple:
    month = board.month
    return (month.expected, month.filed, month.on_time, month.non_filers, month.assessed, month.charged, month.paid,
            month.filing_rate, month.on_time_rate, month.collection_rate)


def registry(board) -> tuple:
    return board.registered_employers, board.active_employers, board.registered_workers, board.active_workers


def buckets(**amounts: str) -> dict[str, D]:
    labels = {"days_31_90": "31-90", "days_91_180": "91-180"}
    totals = {"0-30": D(0), "31-90": D(0), "91-180": D(0), "181-365": D(0), "365+": D(0)}
    totals.update({labels[name]: D(amount) for name, amount in amounts.items()})
    return totals


def test_the_month_for_the_whole_scheme(db, night) -> None:
    board = dashboard(db, Scope(SCHEME), FEBRUARY)
    assert (board.period, board.facts_as_of) == ("2026-02", AS_OF)
    # Registered by the end of February: A, B, C and E; active in it: not E.  Workers: E's is not active.
    assert registry(board) == (4, 3, 5, 4)
    # Expected A, B, C; filed A and B, on time A; C has not filed and is assessed.  1,080.00 of 1,595.00 paid.
    assert figures(board) == (3, 2, 1, 1, 1, D("1595.00"), D("1080.00"), D("66.7"), D("33.3"), D("67.7"))
    # Overdue on 20 April: B's 240.00 and C's 275.00 for 35 days, E's 440.00 for 154 days.
    assert (board.overdue, board.overdue_employers) == (D("955.00"), 3)
    assert board.aging == buckets(days_31_90="515.00", days_91_180="440.00")
    assert board.bands == {"low": 3, "medium": 1, "high": 1}


def test_a_province_and_a_sector(db, night) -> None:
    dushanbe = dashboard(db, Scope(SCHEME, province=DUSHANBE), FEBRUARY)
    assert registry(dushanbe) == (3, 2, 4, 3)
    assert figures(dushanbe) == (2, 1, 1, 1, 1, D("1155.00"), D("880.00"), D("50.0"), D("50.0"), D("76.2"))
    assert (dushanbe.overdue, dushanbe.overdue_employers) == (D("715.00"), 2)
    assert dushanbe.aging == buckets(days_31_90="275.00", days_91_180="440.00")
    assert dushanbe.bands == {"low": 2, "medium": 1, "high": 1}
    construction = dashboard(db, Scope(SCHEME, sector="F"), FEBRUARY)
    assert registry(construction) == (2, 1, 2, 1)
    assert figures(construction) == (1, 1, 0, 0, 0, D("440.00"), D("200.00"), D("100.0"), D("0.0"), D("45.5"))
    assert (construction.overdue, construction.aging) == (D("680.00"), buckets(days_31_90="240.00",
                                                                                days_91_180="440.00"))
    assert construction.bands == {"low": 1, "medium": 0, "high": 1}
    both = dashboard(db, Scope(SCHEME, province=DUSHANBE, sector="F"), FEBRUARY)
    assert registry(both) == (1, 0, 1, 0) and figures(both)[:2] == (0, 0)


def test_an_inspector_limited_to_provinces(db, night) -> None:
    sughd = dashboard(db, Scope(SCHEME, provinces=[SUGHD]), FEBRUARY)
    assert registry(sughd) == (1, 1, 1, 1)
    assert figures(sughd) == (1, 1, 0, 0, 0, D("440.00"), D("200.00"), D("100.0"), D("0.0"), D("45.5"))
    assert sughd.bands == {"low": 1, "medium": 0, "high": 0}
    # A province outside the limit shows nothing, not the province.
    outside = dashboard(db, Scope(SCHEME, province=DUSHANBE, provinces=[SUGHD]), FEBRUARY)
    assert registry(outside) == (0, 0, 0, 0)
    assert figures(outside) == (0, 0, 0, 0, 0, 0, 0, None, None, None)
    assert (outside.overdue, outside.overdue_employers, outside.aging) == (0, 0, buckets())
    assert outside.bands == {"low": 0, "medium": 0, "high": 0}
    assert registry(dashboard(db, Scope(SCHEME, provinces=[SUGHD, DUSHANBE]), FEBRUARY)) == (4, 3, 5, 4)


def test_non_filers_only_once_the_due_date_has_passed(db, night) -> None:
    # March was due on 15 April: A, B, C and D have not filed it.  April is not due until 15 May.
    march = dashboard(db, Scope(SCHEME), Period(2026, 3))
    assert registry(march)[:2] == (5, 4)
    assert figures(march)[:5] == (4, 0, 0, 4, 0) and march.month.filing_rate == D("0.0")
    april = dashboard(db, Scope(SCHEME), Period(2026, 4))
    assert figures(april)[:5] == (4, 0, 0, 0, 0)
    assert april.month.collection_rate is None  # nothing charged
    assert latest_due_period(db, SCHEME, AS_OF) == Period(2026, 3)
    assert latest_due_period(db, SCHEME, dt.date(2026, 4, 15)) == Period(2026, 2)
    assert latest_due_period(db, "LA-LSSO", AS_OF) == Period(2026, 3)  # no facts: the month before


def test_the_trend_and_months_without_facts(db, night) -> None:
    board = dashboard(db, Scope(SCHEME), FEBRUARY)
    assert len(board.trend) == TREND_MONTHS == 12
    assert [month.period for month in board.trend] == [str(Period(2025, 3).shift(n)) for n in range(12)]
    assert board.trend[-1] == board.month
    # E alone from June to December 2025; October filed on time and not paid; nothing before June.
    trend = {month.period: month for month in board.trend}
    assert (trend["2025-10"].expected, trend["2025-10"].filed, trend["2025-10"].on_time, trend["2025-10"].charged,
            trend["2025-10"].paid, trend["2025-10"].collection_rate) == (1, 1, 1, D("440.00"), 0, D("0.0"))
    assert (trend["2025-11"].expected, trend["2025-11"].non_filers, trend["2025-11"].filing_rate) == (1, 1, D("0.0"))
    assert (trend["2026-01"].expected, trend["2026-01"].filing_rate) == (0, None)
    early = trend["2025-05"]
    assert (early.expected, early.filed, early.charged, early.paid, early.filing_rate, early.on_time_rate,
            early.collection_rate) == (0, 0, 0, 0, None, None, None)


def test_before_the_first_night(db) -> None:
    tajik(db, "2026-02-01", "2000.00")
    board = dashboard(db, Scope(SCHEME), FEBRUARY)
    assert board.facts_as_of is None and registry(board) == (1, 1, 1, 1)
    assert figures(board) == (0, 0, 0, 0, 0, 0, 0, None, None, None)
    assert board.bands == {"low": 0, "medium": 0, "high": 0} and board.overdue == 0


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (2, 3, D("66.7")), (1, 3, D("33.3")), (1, 16, D("6.3")),  # 6.25 rounds half up
    (3, 16, D("18.8")), (0, 5, D("0.0")), (5, 5, D("100.0")), (D("1080.00"), D("1595.00"), D("67.7")),
    (0, 0, None), (5, 0, None), (D(1), D("0.00"), None)])
def test_rate(part, whole, expected) -> None:
    assert rate(part, whole) == expected
