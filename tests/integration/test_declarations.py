"""Declarations: drafts pre-filled from the register, line checks, filing, amendments and the account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from common.errors import DomainError
from common.period import Period
from contributions.declarations import Declaration, DeclarationLine, versions_of
from contributions.drafts import LineChange, LinesInvalid, add_worker, open_draft, replace_lines, update_lines
from contributions.filing import amount_charged_by, file_nil, rf_of, submit_declaration
from contributions.ledger import balance_of, charged_by_component, entries_of
from contributions.periods import period_overview
from contributions.rules.references import body_of
from employers.persons import Employment
from tests import factories
from tests.factories import ACTOR

APRIL = Period(2026, 4)
# Lao April 2026 is due on Wednesday 20 May 2026 (due day 20, next business day).
BEFORE_DUE = dt.datetime(2026, 5, 12, 3, 0, tzinfo=dt.UTC)
AFTER_DUE = dt.datetime(2026, 6, 2, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def lao(db):
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    jobs = [factories.hire(db, employer, wage=wage) for wage in ("3000000", "5000000", "1000000")]
    return employer, jobs


def ssn(job: Employment) -> str:
    return job.person.social_security_number


def lines_of(db, declaration: Declaration) -> dict[str, DeclarationLine]:
    return {line.person.social_security_number: line for line in db.scalars(
        select(DeclarationLine).where(DeclarationLine.declaration_id == declaration.id))}


def test_a_draft_is_prefilled_with_the_workers_of_the_period_and_last_months_wages(db, lao) -> None:
    employer, jobs = lao
    left = factories.hire(db, employer, wage="2000000", hired_on="2025-02-01")
    left.ended_on, left.end_reason = dt.date(2026, 2, 27), "resignation"
    factories.hire(db, employer, wage="2500000", hired_on="2026-05-04")  # hired after April
    march = open_draft(db, employer, Period(2026, 3), actor=ACTOR, now=BEFORE_DUE)
    replace_lines(db, employer, march.id, [{"social_security_number": ssn(jobs[0]), "gross_wage": "3200000"},
                                           {"social_security_number": ssn(jobs[1]), "gross_wage": "5000000"},
                                           {"social_security_number": ssn(jobs[2]), "gross_wage": "1000000"}],
                  revision=None, actor=ACTOR, now=BEFORE_DUE)
    submit_declaration(db, employer, march.id, revision=None, actor=ACTOR, now=BEFORE_DUE)

    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    wages = {number: line.gross_wage for number, line in lines_of(db, draft).items()}
    # Declared last month: March's wage; the leaver of February and the May hire are not in April.
    assert wages == {ssn(jobs[0]): D("3200000"), ssn(jobs[1]): D("5000000"), ssn(jobs[2]): D("1000000")}
    assert draft.status == "draft" and draft.line_count == 3
    assert open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE).id == draft.id  # one draft per period


def test_lao_april_with_a_wage_above_the_ceiling_and_one_below_the_floor(db, lao) -> None:
    """Hand-computed: rates 5.5 % and 6 %, ceiling 4,500,000, floor half of the 2,500,000 minimum wage."""
    employer, jobs = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    lines = replace_lines(db, employer, draft.id, [
        {"social_security_number": ssn(jobs[0]), "gross_wage": "3,000,000", "days_worked": "30"},
        {"social_security_number": ssn(jobs[1]), "gross_wage": "5000000.00"},
        {"social_security_number": ssn(jobs[2]), "gross_wage": "1000000", "days_worked": 12,
         "absence_reason": "sick"},
    ], revision=None, actor=ACTOR, now=BEFORE_DUE)
    assert [note[1] for line in lines for note in line.notes] == ["declaration.below_floor"]
    filed = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=BEFORE_DUE).declaration
    stored = lines_of(db, filed)
    assert (stored[ssn(jobs[0])].employee_share, stored[ssn(jobs[0])].employer_share) == (D("165000"), D("180000"))
    above = stored[ssn(jobs[1])]
    assert (above.base, above.ceiling_applied, above.employee_share, above.employer_share) == \
        (D("4500000"), True, D("247500"), D("270000"))
    below = stored[ssn(jobs[2])]
    assert (below.base, below.floor_applied, below.employee_share, below.employer_share) == \
        (D("1250000"), True, D("68750"), D("75000"))
    assert (filed.total_employee, filed.total_employer, filed.total) == (D("481250"), D("525000"), D("1006250"))
    assert (filed.rate_employee, filed.rate_employer, filed.base_ceiling) == (D("0.055"), D("0.06"), D("4500000"))
    assert filed.due_date == dt.date(2026, 5, 20) and not filed.is_late
    assert charged_by_component(db, employer.id, "2026-04") == {"employee_share": D("481250"),
                                                                "employer_share": D("525000")}


@pytest.mark.parametrize(("category", "employee", "employer_share"),
                         [("non_budget", "40.00", "400.00"), ("budget", "20.00", "500.00")])
def test_tajik_budget_and_non_budget_employers(db, category, employee, employer_share) -> None:
    employer = factories.employer_since(db, dt.date(2025, 1, 2), scheme_code="TJ-SOCTAX", category=category)
    job = factories.hire(db, employer, wage="2000.00", document_type="passport")
    draft = open_draft(db, employer, Period(2026, 2), actor=ACTOR, now=BEFORE_DUE)
    assert lines_of(db, draft)[ssn(job)].gross_wage == D("2000.00")
    filed = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=BEFORE_DUE).declaration
    assert (filed.total_employee, filed.total_employer) == (D(employee), D(employer_share))
    # Tajik February is due on the 15th of March 2026, a Sunday: rolled to Monday the 16th.
    assert filed.due_date == dt.date(2026, 3, 16) and filed.is_late  # filed in May


@pytest.mark.parametrize(("row", "field", "code"), [
    ({"social_security_number": "999999999", "gross_wage": "100"}, "social_security_number",
     "declaration.ssn_unknown"),
    ({"gross_wage": "100"}, "social_security_number", "field.required"),
    ({"social_security_number": "{other}", "gross_wage": "100"}, "social_security_number",
     "declaration.not_employed"),
    ({"social_security_number": "{ssn}", "gross_wage": "-5"}, "gross_wage", "declaration.wage_negative"),
    ({"social_security_number": "{ssn}", "gross_wage": "abc"}, "gross_wage", "declaration.wage_invalid"),
    ({"social_security_number": "{ssn}", "gross_wage": "100.5"}, "gross_wage", "declaration.wage_invalid"),
    ({"social_security_number": "{ssn}", "gross_wage": ""}, "gross_wage", "field.required"),
    ({"social_security_number": "{ssn}", "gross_wage": "100", "days_worked": "31"}, "days_worked",
     "declaration.days_invalid"),
    ({"social_security_number": "{ssn}", "gross_wage": "100", "days_worked": "2.5"}, "days_worked",
     "declaration.days_invalid"),
    ({"social_security_number": "{ssn}", "gross_wage": "100", "absence_reason": "holiday"}, "absence_reason",
     "declaration.absence_reason_unknown"),
    ({"social_security_number": "{ssn}", "gross_wage": "0"}, "absence_reason", "declaration.absence_reason_required"),
])
def test_each_line_problem_is_named_and_nothing_is_written(db, lao, row, field, code) -> None:
    employer, jobs = lao
    other = factories.hire(db, factories.employer_since(db, dt.date(2025, 1, 2)))
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    before = {number: line.gross_wage for number, line in lines_of(db, draft).items()}
    values = {k: str(v).format(ssn=ssn(jobs[0]), other=ssn(other)) for k, v in row.items()}
    good = {"social_security_number": ssn(jobs[1]), "gross_wage": "100"}
    with pytest.raises(LinesInvalid) as raised:
        replace_lines(db, employer, draft.id, [good, values], revision=None, actor=ACTOR, now=BEFORE_DUE)
    bad = [line for line in raised.value.lines if line.problems]
    assert [(line.row, line.problems[0][0], line.problems[0][1]) for line in bad] == [(2, field, code)]
    db.expire_all()
    assert {number: line.gross_wage for number, line in lines_of(db, draft).items()} == before


def test_duplicate_lines_name_the_first_row(db, lao) -> None:
    employer, jobs = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    row = {"social_security_number": ssn(jobs[0]), "gross_wage": "100"}
    with pytest.raises(LinesInvalid) as raised:
        replace_lines(db, employer, draft.id, [row, {"gross_wage": "200", "social_security_number": ssn(jobs[1])},
                                               row], revision=None, actor=ACTOR, now=BEFORE_DUE, first_row=2)
    assert [(line.row, line.problems) for line in raised.value.lines if line.problems] == \
        [(4, [("social_security_number", "declaration.duplicate_line", {"row": 2})])]


@pytest.mark.parametrize(("period", "code"), [(Period(2026, 12), "declaration.period_future"),
                                             (Period(2024, 12), "declaration.period_before_registration")])
def test_periods_that_cannot_be_declared(db, lao, period, code) -> None:
    employer, _ = lao
    with pytest.raises(DomainError, match=code):
        open_draft(db, employer, period, actor=ACTOR, now=factories.NOW)


def test_filing_gives_a_receipt_a_checked_payment_reference_and_is_idempotent(db, lao) -> None:
    employer, _ = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    first = submit_declaration(db, employer, draft.id, revision=draft.revision, actor=ACTOR, now=BEFORE_DUE)
    again = submit_declaration(db, employer, draft.id, revision=draft.revision, actor=ACTOR, now=BEFORE_DUE)
    filed = first.declaration
    assert first.created and not again.created and again.declaration.id == filed.id
    assert filed.status == "submitted" and filed.version == 1 and filed.kind == "original"
    assert filed.receipt_number.startswith("LA-2026-")
    assert body_of(filed.payment_reference) == body_of(rf_of(filed)) == f"202604{filed.id:07d}"
    assert len(entries_of(db, employer.id, "2026-04")) == 2
    assert balance_of(db, employer.id) == filed.total == amount_charged_by(db, filed.id)


def test_a_draft_changed_since_it_was_shown_is_not_filed(db, lao) -> None:
    employer, jobs = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    shown = draft.revision
    add_worker(db, employer, draft.id, ssn(factories.hire(db, employer)), revision=shown, actor=ACTOR, now=BEFORE_DUE)
    with pytest.raises(DomainError, match="declaration.changed"):
        submit_declaration(db, employer, draft.id, revision=shown, actor=ACTOR, now=BEFORE_DUE)


def test_a_filed_declaration_its_lines_and_the_ledger_cannot_be_rewritten(db, lao) -> None:
    employer, _ = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    filed = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=BEFORE_DUE).declaration
    db.flush()
    other = open_draft(db, employer, Period(2026, 3), actor=ACTOR, now=BEFORE_DUE)
    db.flush()
    for statement in (f"UPDATE declaration SET total_employee = 1 WHERE id = {filed.id}",
                      f"UPDATE declaration SET rate_employee = 0.9 WHERE id = {filed.id}",
                      f"UPDATE declaration SET status = 'draft' WHERE id = {filed.id}",
                      f"UPDATE declaration_line SET declaration_id = {filed.id} WHERE declaration_id = {other.id}",
                      f"DELETE FROM declaration WHERE id = {filed.id}",
                      f"UPDATE declaration_line SET gross_wage = 1 WHERE declaration_id = {filed.id}",
                      f"DELETE FROM declaration_line WHERE declaration_id = {filed.id}",
                      f"UPDATE ledger_entry SET debit = 1 WHERE employer_id = {employer.id}",
                      f"DELETE FROM ledger_entry WHERE employer_id = {employer.id}"):
        with pytest.raises(DatabaseError), db.begin_nested():
            db.execute(text(statement))


def test_a_late_original_is_recorded_as_late(db, lao) -> None:
    employer, _ = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=AFTER_DUE)
    filed = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=AFTER_DUE).declaration
    assert filed.is_late and filed.kind == "original"
    row = next(r for r in period_overview(db, employer, now=AFTER_DUE) if r.period == APRIL)
    assert row.status == "filed_late" and row.balance == filed.total


def test_a_replacement_before_the_due_date_supersedes_and_charges_the_difference(db, lao) -> None:
    employer, jobs = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    original = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=BEFORE_DUE).declaration
    amendment = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    assert {n: line.gross_wage for n, line in lines_of(db, amendment).items()} == \
        {n: line.gross_wage for n, line in lines_of(db, original).items()}
    line = lines_of(db, amendment)[ssn(jobs[0])]
    update_lines(db, employer, amendment.id, [LineChange(line.id, "4000000")], revision=None, actor=ACTOR,
                 now=BEFORE_DUE)
    replacement = submit_declaration(db, employer, amendment.id, revision=None, actor=ACTOR,
                                     now=BEFORE_DUE).declaration
    db.refresh(original)
    assert (replacement.kind, replacement.version, replacement.previous_id) == ("replacement", 2, original.id)
    assert original.status == "superseded"
    # 1,000,000 more wages: 55,000 employee and 60,000 employer share, posted as new entries.
    assert amount_charged_by(db, replacement.id) == D("115000")
    assert balance_of(db, employer.id) == replacement.total
    assert [v.id for v in versions_of(db, employer.id, APRIL)] == [original.id, replacement.id]
    assert replacement.payment_reference != original.payment_reference


def test_a_corrective_after_the_due_date_posts_only_the_differences(db, lao) -> None:
    employer, jobs = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    original = submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=BEFORE_DUE).declaration
    amendment = open_draft(db, employer, APRIL, actor=ACTOR, now=AFTER_DUE)
    line = lines_of(db, amendment)[ssn(jobs[0])]
    update_lines(db, employer, amendment.id, [LineChange(line.id, "2000000")], revision=None, actor=ACTOR,
                 now=AFTER_DUE)
    corrective = submit_declaration(db, employer, amendment.id, revision=None, actor=ACTOR,
                                    now=AFTER_DUE).declaration
    db.refresh(original)
    assert corrective.kind == "corrective" and original.status == "submitted"
    # 1,000,000 less wages: reductions of 55,000 and 60,000, due on the original due date.
    reductions = [e for e in entries_of(db, employer.id, "2026-04") if e.declaration_id == corrective.id]
    assert sorted((e.kind, e.credit, e.due_date) for e in reductions) == [
        ("charge_reduction", D("55000"), original.due_date), ("charge_reduction", D("60000"), original.due_date)]
    assert balance_of(db, employer.id) == corrective.total == original.total - D("115000")
    row = next(r for r in period_overview(db, employer, now=AFTER_DUE) if r.period == APRIL)
    assert row.status == "amended" and row.versions == 2 and row.current.id == corrective.id


def test_a_nil_declaration_needs_a_reason(db, lao) -> None:
    employer, _ = lao
    with pytest.raises(DomainError, match="declaration.nil_reason_required"):
        file_nil(db, employer, APRIL, "  ", actor=ACTOR, now=BEFORE_DUE)
    filed = file_nil(db, employer, APRIL, "Closed for renovation", actor=ACTOR, now=BEFORE_DUE).declaration
    assert filed.is_nil and filed.line_count == 0 and filed.total == 0 and filed.receipt_number
    assert entries_of(db, employer.id) == []


def test_leavers_marked_on_the_draft_end_their_employment(db, lao) -> None:
    employer, jobs = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    line = lines_of(db, draft)[ssn(jobs[2])]
    update_lines(db, employer, draft.id, [LineChange(line.id, "500000", left_on="2026-04-15",
                                                     end_reason="resignation")],
                 revision=None, actor=ACTOR, now=BEFORE_DUE)
    db.refresh(jobs[2])
    assert jobs[2].ended_on == dt.date(2026, 4, 15)
    with pytest.raises(LinesInvalid) as raised:
        update_lines(db, employer, draft.id, [LineChange(lines_of(db, draft)[ssn(jobs[0])].id, "1",
                                                         left_on="2026-04-15", end_reason="nonsense")],
                     revision=None, actor=ACTOR, now=BEFORE_DUE)
    assert raised.value.lines[0].problems == [("end_reason", "employment.end_reason_unknown", {})]


def test_the_period_list_shows_each_status(db, lao) -> None:
    employer, _ = lao
    now = dt.datetime(2026, 5, 25, 3, 0, tzinfo=dt.UTC)
    file_nil(db, employer, Period(2026, 3), "Closed", actor=ACTOR, now=now)
    open_draft(db, employer, APRIL, actor=ACTOR, now=now)
    statuses = {row.period: row.status for row in period_overview(db, employer, now=now)}
    assert statuses[Period(2026, 5)] == "not_filed"
    assert statuses[APRIL] == "draft"
    assert statuses[Period(2026, 3)] == "filed_late"
    assert statuses[Period(2026, 2)] == "overdue"
    assert min(statuses) == Period(2025, 1)  # not before the registration month


def test_a_sick_month_is_not_carried_forward_as_the_usual_wage(db, lao) -> None:
    employer, jobs = lao
    march = open_draft(db, employer, Period(2026, 3), actor=ACTOR, now=BEFORE_DUE)
    line = lines_of(db, march)[ssn(jobs[0])]
    update_lines(db, employer, march.id, [LineChange(line.id, "900000", "9", "sick")], revision=None, actor=ACTOR,
                 now=BEFORE_DUE)
    submit_declaration(db, employer, march.id, revision=None, actor=ACTOR, now=BEFORE_DUE)
    april = lines_of(db, open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE))
    assert april[ssn(jobs[0])].gross_wage == D("3000000")  # the agreed wage, not March's 900,000


def test_a_corrective_is_not_a_late_filing(db, lao) -> None:
    employer, _ = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=BEFORE_DUE)
    amendment = open_draft(db, employer, APRIL, actor=ACTOR, now=AFTER_DUE)
    corrective = submit_declaration(db, employer, amendment.id, revision=None, actor=ACTOR, now=AFTER_DUE).declaration
    assert corrective.kind == "corrective" and not corrective.is_late


def test_a_nil_declaration_does_not_throw_away_a_draft_being_worked_on(db, lao) -> None:
    employer, jobs = lao
    draft = open_draft(db, employer, APRIL, actor=ACTOR, now=BEFORE_DUE)
    line = lines_of(db, draft)[ssn(jobs[0])]
    update_lines(db, employer, draft.id, [LineChange(line.id, "3100000")], revision=None, actor=ACTOR, now=BEFORE_DUE)
    with pytest.raises(DomainError, match="declaration.draft_in_progress"):
        file_nil(db, employer, APRIL, "Closed", actor=ACTOR, now=BEFORE_DUE)
    assert lines_of(db, draft)[ssn(jobs[0])].gross_wage == D("3100000")


def test_the_same_nil_declaration_sent_twice_is_filed_once(db, lao) -> None:
    employer, _ = lao
    first = file_nil(db, employer, APRIL, "Closed for the season", actor=ACTOR, now=BEFORE_DUE)
    again = file_nil(db, employer, APRIL, "Closed  for the season ", actor=ACTOR, now=BEFORE_DUE)
    assert first.created and not again.created and again.declaration.id == first.declaration.id
    assert len(versions_of(db, employer.id, APRIL)) == 1
