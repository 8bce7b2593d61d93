"""Late-filing fines as of a date: Tajik fines in calculation indices for each started 10 days, growing
while the declaration is missing and fixed once it is filed; idempotent reruns; a Lao fine set by an
administrator; no fine without a rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.fines import post_fines
from contributions.ledger import LedgerEntry
from contributions.parameter_versions import add_parameter_version
from tests import factories
from tests.factories import ACTOR

NOW = dt.datetime(2026, 5, 20, 5, 0, tzinfo=dt.UTC)


def _file(db, employer, period: Period, when: dt.datetime):
    draft = open_draft(db, employer, period, actor=ACTOR, now=when)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=when).declaration


def _fines(db, employer_id: int) -> dict[str, D]:
    return dict(db.execute(select(LedgerEntry.period, func.sum(LedgerEntry.debit - LedgerEntry.credit))
                           .where(LedgerEntry.employer_id == employer_id, LedgerEntry.component == "fine")
                           .group_by(LedgerEntry.period)).all())


def _run(db, scheme: str, day: str):
    return post_fines(db, scheme, as_of=dt.date.fromisoformat(day), actor=ACTOR, now=NOW)


@pytest.fixture
def tajik(db):
    """Registered on 1 February 2026 with one worker; February is due Monday 16 March, March on 15 April."""
    employer = factories.employer_since(db, dt.date(2026, 2, 1), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2000.00", hired_on="2026-02-01", document_type="passport")
    return employer


def test_tajik_fines_grow_while_missing_and_stop_when_filed(db, tajik) -> None:
    # February filed on 27 March (Dushanbe): 11 days late, two started 10-day steps of 68 TJS.
    filed = _file(db, tajik, Period(2026, 2), dt.datetime(2026, 3, 27, 5, 0, tzinfo=dt.UTC))
    assert filed.is_late
    counts = _run(db, "TJ-SOCTAX", "2026-04-20")
    # March is missing: 5 days late on 20 April, one step.
    assert _fines(db, tajik.id) == {"2026-02": D("136.00"), "2026-03": D("68.00")}
    assert counts.late_periods == 2 and counts.periods_changed == 2
    again = _run(db, "TJ-SOCTAX", "2026-04-20")
    assert again.periods_changed == 0 and _fines(db, tajik.id)["2026-03"] == D("68.00")
    _run(db, "TJ-SOCTAX", "2026-04-26")  # 11 days: a second step
    assert _fines(db, tajik.id) == {"2026-02": D("136.00"), "2026-03": D("136.00")}
    _file(db, tajik, Period(2026, 3), dt.datetime(2026, 4, 27, 5, 0, tzinfo=dt.UTC))  # 12 days late
    _run(db, "TJ-SOCTAX", "2026-05-10")
    # Filed: March stays at two steps; April (due 15 May) is not late yet.
    assert _fines(db, tajik.id) == {"2026-02": D("136.00"), "2026-03": D("136.00")}


def test_missed_runs_are_caught_up_by_one(db, tajik) -> None:
    _file(db, tajik, Period(2026, 2), dt.datetime(2026, 3, 27, 5, 0, tzinfo=dt.UTC))
    _run(db, "TJ-SOCTAX", "2026-04-26")
    daily = _fines(db, tajik.id)
    other = factories.employer_since(db, dt.date(2026, 2, 1), scheme_code="TJ-SOCTAX")
    factories.hire(db, other, wage="2000.00", hired_on="2026-02-01", document_type="passport")
    _file(db, other, Period(2026, 2), dt.datetime(2026, 3, 27, 5, 0, tzinfo=dt.UTC))
    for day in ("2026-04-16", "2026-04-20", "2026-04-26"):
        _run(db, "TJ-SOCTAX", day)
    assert _fines(db, other.id) == daily


def test_a_period_filed_on_time_is_not_fined(db, tajik) -> None:
    _file(db, tajik, Period(2026, 2), dt.datetime(2026, 3, 16, 5, 0, tzinfo=dt.UTC))
    _run(db, "TJ-SOCTAX", "2026-04-10")
    assert _fines(db, tajik.id) == {}


def test_lao_fines_only_once_an_administrator_sets_the_rule(db) -> None:
    employer = factories.employer_since(db, dt.date(2026, 2, 1))
    factories.hire(db, employer, hired_on="2026-02-01")
    assert _run(db, "LA-LSSO", "2026-05-01").late_periods == 0
    for name, value in (("fine.filing.amount", "500000"), ("fine.filing.unit", "currency"),
                        ("fine.filing.step_days", "0")):
        add_parameter_version(db, scheme_code="LA-LSSO", name=name, category=None, valid_from=dt.date(2026, 1, 1),
                              value=value, source="LSSO decision (test)", confidence="confirmed", actor=ACTOR,
                              now=NOW)
    _run(db, "LA-LSSO", "2026-05-01")
    # February (due 20 March) and March (due 20 April) are missing: one fixed fine each.
    assert _fines(db, employer.id) == {"2026-02": D(500000), "2026-03": D(500000)}


def test_credit_the_employer_holds_pays_the_fine_at_once(db, tajik) -> None:
    from contributions.arrears import arrears_lines
    from contributions.payment_actions import record_counter_receipt

    # February filed on time and overpaid by 1,000.00 TJS; March filed 2 days late (paid from the credit).
    february = _file(db, tajik, Period(2026, 2), dt.datetime(2026, 3, 10, 5, 0, tzinfo=dt.UTC))
    record_counter_receipt(db, tajik, amount=D("1440.00"), value_date=dt.date(2026, 3, 11), channel="cash",
                           payer_name="", reference="", declaration_id=february.id, actor=ACTOR,
                           now=dt.datetime(2026, 3, 11, 5, 0, tzinfo=dt.UTC))
    _file(db, tajik, Period(2026, 3), dt.datetime(2026, 4, 17, 5, 0, tzinfo=dt.UTC))
    _run(db, "TJ-SOCTAX", "2026-04-20")
    charged = db.scalar(select(func.sum(LedgerEntry.debit - LedgerEntry.credit)).where(
        LedgerEntry.employer_id == tajik.id, LedgerEntry.component == "fine",
        LedgerEntry.kind.in_(("charge", "charge_reduction"))))
    assert charged == D("68.00") and _fines(db, tajik.id) == {"2026-03": D("0.00")}
    # Nothing is overdue: the fine was paid from the credit when it was charged.
    assert arrears_lines(db, as_of=dt.date(2026, 4, 25), employer_id=tajik.id) == []
    credit = db.scalar(select(func.sum(LedgerEntry.credit - LedgerEntry.debit)).where(
        LedgerEntry.employer_id == tajik.id, LedgerEntry.component == "credit"))
    assert credit == D("1000.00") - D("440.00") - D("68.00")


def test_the_calculation_index_of_a_year_can_be_entered_after_it_was_used(db, tajik) -> None:
    """The index for 2026 was not known (the 2023 one, 68, applied); entered later, it corrects the fines at
    the next run, although periods of 2026 are declared already."""
    _file(db, tajik, Period(2026, 2), dt.datetime(2026, 3, 27, 5, 0, tzinfo=dt.UTC))
    _run(db, "TJ-SOCTAX", "2026-04-20")
    assert _fines(db, tajik.id)["2026-02"] == D("136.00")
    add_parameter_version(db, scheme_code="TJ-SOCTAX", name="calculation_index", category=None,
                          valid_from=dt.date(2026, 1, 1), value="75", source="State Budget Law 2026 (test)",
                          confidence="confirmed", actor=ACTOR, now=NOW)
    _run(db, "TJ-SOCTAX", "2026-04-21")
    assert _fines(db, tajik.id)["2026-02"] == D("150.00")  # two steps of 75
