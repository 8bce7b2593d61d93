"""Compliance facts per employer and month, hand-counted on small Tajik accounts (non-budget: 2 % + 20 %,
so one worker at 2,000.00 TJS is charged 440.00 a month): which months are expected, filed and filed on time,
assessed, what was charged and what was paid by the run's date and by the due date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from sqlalchemy import func, select

from common.period import Period
from contributions.assessments import assess_non_filers
from contributions.declarations import DeclarationLine
from contributions.drafts import LineChange, open_draft, update_lines
from contributions.filing import submit_declaration
from contributions.fines import post_fines
from contributions.interest import post_interest
from contributions.ledger import LedgerEntry
from contributions.payment_actions import record_counter_receipt
from contributions.payments import Payment
from contributions.reconciliation import reconcile_batch
from employers.employers import change_status
from inspections.facts import ComplianceMonth, facts_as_of, refresh_compliance_months
from tests import factories
from tests.factories import ACTOR

SCHEME = "TJ-SOCTAX"


def at(day: str) -> dt.datetime:
    """Ten in the morning in Dushanbe on ``day``."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(5, 0), tzinfo=dt.UTC)


def tajik(db, registered: str, *workers: str, **profile: object):
    """A Tajik employer registered on ``registered`` with a worker (hired that day) at each wage."""
    employer = factories.employer_since(db, dt.date.fromisoformat(registered), scheme_code=SCHEME, **profile)
    for wage in workers:
        factories.hire(db, employer, wage=wage, hired_on=registered, document_type="passport")
    return employer


def file(db, employer, period: str, day: str, *, wage: str | None = None):
    """File ``period`` on ``day`` with the register's wages, or every worker at ``wage``."""
    draft = open_draft(db, employer, Period.parse(period), actor=ACTOR, now=at(day))
    if wage is not None:
        lines = db.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == draft.id)).all()
        update_lines(db, employer, draft.id, [LineChange(line.id, wage) for line in lines], revision=None,
                     actor=ACTOR, now=at(day))
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=at(day)).declaration


def pay_at_counter(db, employer, amount: str, day: str) -> None:
    record_counter_receipt(db, employer, amount=D(amount), value_date=dt.date.fromisoformat(day), channel="cash",
                           payer_name="", reference="", declaration_id=None, actor=ACTOR, now=at(day))


def facts(db, employer_id: int, as_of: str) -> dict[str, ComplianceMonth]:
    refresh_compliance_months(db, SCHEME, as_of=dt.date.fromisoformat(as_of))
    db.expire_all()  # the rows are rewritten in bulk: objects read before are stale
    return {row.period: row for row in db.scalars(select(ComplianceMonth).where(
        ComplianceMonth.employer_id == employer_id))}


def test_months_are_expected_from_registration_to_cessation(db) -> None:
    old = tajik(db, "2023-03-01")
    mid = tajik(db, "2025-06-15")
    ceased = tajik(db, "2024-01-02")
    change_status(db, ceased, "ceased", ceased_on=dt.date(2025, 12, 10), actor=ACTOR, now=at("2025-12-10"))
    lao = factories.employer_since(db, dt.date(2023, 3, 1))
    # On 20 April 2026 the facts cover May 2024 to April 2026.
    written = refresh_compliance_months(db, SCHEME, as_of=dt.date(2026, 4, 20))
    assert written == 24 + 11 + 20
    assert sorted(facts(db, old.id, "2026-04-20")) == [str(Period(2024, 5).shift(n)) for n in range(24)]
    # Registered on 15 June 2025: June is expected, May is not.
    assert sorted(facts(db, mid.id, "2026-04-20")) == [str(Period(2025, 6).shift(n)) for n in range(11)]
    # Ceased on 10 December 2025: December is the last month expected.
    assert sorted(facts(db, ceased.id, "2026-04-20")) == [str(Period(2024, 5).shift(n)) for n in range(20)]
    assert facts(db, lao.id, "2026-04-20") == {}  # another scheme's employer
    january = facts(db, mid.id, "2026-04-20")["2026-01"]
    assert (january.scheme_code, january.due_date, january.as_of) == (SCHEME, dt.date(2026, 2, 16),
                                                                       dt.date(2026, 4, 20))
    assert (january.filed, january.on_time, january.assessed, january.declaration_id, january.workers,
            january.wages, january.charged, january.paid, january.paid_by_due) == (0, 0, 0, None, 0, 0, 0, 0, 0)
    assert facts_as_of(db, SCHEME) == dt.date(2026, 4, 20)


def test_filed_and_on_time(db) -> None:
    employer = tajik(db, "2025-06-01", "2000.00", "1500.00")
    january = file(db, employer, "2026-01", "2026-02-16")  # on the due date: on time
    file(db, employer, "2026-02", "2026-03-17")  # a day late (due 16 March)
    february = file(db, employer, "2026-02", "2026-03-25", wage="3000.00")  # a corrective, after the due date
    file(db, employer, "2026-03", "2026-04-10")
    march = file(db, employer, "2026-03", "2026-04-14", wage="1000.00")  # replaced before the due date
    rows = facts(db, employer.id, "2026-04-20")

    def seen(period: str) -> tuple:
        row = rows[period]
        return row.filed, row.on_time, row.declaration_id, row.workers, row.wages, row.charged

    assert seen("2025-12") == (0, 0, None, 0, 0, 0)
    assert seen("2026-01") == (1, 1, january.id, 2, D("3500.00"), D("770.00"))
    # The first version was late: the month stays late whatever replaced it; the version in force counts.
    assert seen("2026-02") == (1, 0, february.id, 2, D("6000.00"), D("1320.00"))
    assert seen("2026-03") == (1, 1, march.id, 2, D("2000.00"), D("440.00"))
    assert seen("2026-04") == (0, 0, None, 0, 0, 0)  # expected, not due yet


def test_an_assessment_is_charged_until_the_declaration_replaces_it(db) -> None:
    employer = tajik(db, "2025-12-01", "2000.00")
    file(db, employer, "2025-12", "2026-01-10")
    # January (due 16 February) is missing 30 days later: estimated at December's 440.00 plus 25 %.
    assess_non_filers(db, SCHEME, as_of=dt.date(2026, 3, 19), actor=ACTOR, now=at("2026-03-19"))
    post_interest(db, SCHEME, as_of=dt.date(2026, 3, 19), actor=ACTOR, now=at("2026-03-19"))
    january = facts(db, employer.id, "2026-03-19")["2026-01"]
    assert (january.filed, january.assessed, january.charged, january.paid) == (0, 1, D("550.00"), 0)
    # The estimate earns interest (and filing late a fine): neither is a contribution.
    file(db, employer, "2026-01", "2026-03-25")
    post_fines(db, SCHEME, as_of=dt.date(2026, 3, 25), actor=ACTOR, now=at("2026-03-25"))
    post_interest(db, SCHEME, as_of=dt.date(2026, 3, 25), actor=ACTOR, now=at("2026-03-25"))
    others = dict(db.execute(select(LedgerEntry.component, func.sum(LedgerEntry.debit - LedgerEntry.credit))
                             .where(LedgerEntry.employer_id == employer.id, LedgerEntry.period == "2026-01",
                                    LedgerEntry.component.in_(("interest", "fine")))
                             .group_by(LedgerEntry.component)).all())
    assert others.keys() == {"interest", "fine"} and all(amount > 0 for amount in others.values())
    january = facts(db, employer.id, "2026-03-25")["2026-01"]
    # 550.00 charged, 550.00 reduced when the declaration replaced it, 440.00 declared.
    assert (january.filed, january.on_time, january.assessed, january.charged) == (1, 0, 0, D("440.00"))


def test_paid_by_value_date_and_by_the_due_date(db) -> None:
    employer = tajik(db, "2025-12-01", "2000.00")
    january = file(db, employer, "2026-01", "2026-02-10")  # due 16 February
    february = file(db, employer, "2026-02", "2026-03-10")  # due 16 March
    pay_at_counter(db, employer, "440.00", "2026-02-12")  # January, before its due date
    pay_at_counter(db, employer, "300.00", "2026-03-20")  # February, four days after its due date
    # The bank paid 140.00 for February on 14 March; the statement came on 30 March.
    db.add(Payment(scheme_code=SCHEME, bank_code="AMONATBONK", transaction_id="FEB-140", channel="bank",
                   booking_date=dt.date(2026, 3, 14), value_date=dt.date(2026, 3, 14), amount=D("140.00"),
                   currency="TJS", remittance=february.payment_reference, status="new", matches=0, payer_name="",
                   payer_account="", note="", received_at=at("2026-03-30"), recorded_by="test"))
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=at("2026-03-30"))

    def money(as_of: str, period: str) -> tuple:
        row = facts(db, employer.id, as_of)[period]
        return row.charged, row.paid, row.paid_by_due

    assert money("2026-03-31", "2026-01") == (D("440.00"), D("440.00"), D("440.00"))
    assert money("2026-03-31", "2026-02") == (D("440.00"), D("440.00"), D("140.00"))
    # As of 18 March the counter payment of the 20th was not made yet; the bank's of the 14th was.
    assert money("2026-03-18", "2026-02") == (D("440.00"), D("140.00"), D("140.00"))
    assert money("2026-03-13", "2026-02") == (D("440.00"), 0, 0)
    assert january.id != february.id


def test_rerunning_replaces_the_rows(db) -> None:
    employer = tajik(db, "2025-12-01", "2000.00")
    file(db, employer, "2026-01", "2026-02-10")
    pay_at_counter(db, employer, "200.00", "2026-02-20")

    def snapshot() -> list[tuple]:
        return db.execute(select(ComplianceMonth.employer_id, ComplianceMonth.period, ComplianceMonth.filed,
                                 ComplianceMonth.on_time, ComplianceMonth.charged, ComplianceMonth.paid,
                                 ComplianceMonth.paid_by_due, ComplianceMonth.as_of)
                          .where(ComplianceMonth.scheme_code == SCHEME)
                          .order_by(ComplianceMonth.employer_id, ComplianceMonth.period)).all()

    assert refresh_compliance_months(db, SCHEME, as_of=dt.date(2026, 3, 20)) == 4  # December to March
    first = snapshot()
    assert refresh_compliance_months(db, SCHEME, as_of=dt.date(2026, 3, 20)) == 4
    assert snapshot() == first
    assert [(row.period, row.paid, row.paid_by_due) for row in first if row.employer_id == employer.id][1] == \
        ("2026-01", D("200.00"), 0)
    # What happened since is taken in by the next run; the rows are replaced, not added.
    file(db, employer, "2026-02", "2026-03-21")
    refresh_compliance_months(db, SCHEME, as_of=dt.date(2026, 3, 21))
    db.expire_all()
    again = {row.period: row for row in db.scalars(select(ComplianceMonth).where(
        ComplianceMonth.employer_id == employer.id))}
    assert len(again) == 4 and (again["2026-02"].filed, again["2026-02"].on_time) == (1, 0)
    assert {row.as_of for row in again.values()} == {dt.date(2026, 3, 21)}
