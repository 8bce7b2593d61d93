"""Notices: written once by key, in the employer's language (with the Russian copy in Tajikistan), queued by
e-mail and SMS; the notices job writes reminders, missed-filing, assessment, overdue and demand notices
within their windows, and a run after days off writes what daily runs would have."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import func, select

from common.period import Period
from contributions.assessments import assess_non_filers
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.interest import post_interest
from notifications.notice_jobs import send_notices
from notifications.notices import KINDS, TEMPLATES, Notice, notify, render_notice
from notifications.outbox import OutboxMessage
from tests import factories
from tests.factories import ACTOR

LINK = "http://portal.test/employer/"
_INSTITUTIONS = {scheme["code"]: scheme["institution_names"] for scheme in json.loads(
    (Path(__file__).resolve().parents[2] / "common" / "reference" / "schemes.json").read_text("utf-8"))["schemes"]}
NOW = dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC)


def _run(db, day: str, scheme: str = "TJ-SOCTAX"):
    return send_notices(db, scheme, as_of=dt.date.fromisoformat(day), actor=ACTOR, now=NOW, link=LINK)


def _notices(db, employer_id: int) -> list[tuple[str, str | None, int]]:
    return sorted((n.kind, n.period, n.stage) for n in db.scalars(select(Notice).where(
        Notice.employer_id == employer_id)))


@pytest.fixture
def tajik(db):
    """Registered on 1 February 2026 with one worker at 2,000.00 TJS; February is due Monday 16 March."""
    employer = factories.employer_since(db, dt.date(2026, 2, 1), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2000.00", hired_on="2026-02-01", document_type="passport")
    return employer


def test_a_notice_is_written_once_in_the_employers_language_with_the_russian_copy(db, tajik) -> None:
    params = {"period": "2026-02", "due": "2026-03-16"}
    notice = notify(db, tajik, "filing_reminder", period="2026-02", params=params, actor=ACTOR, now=NOW, link=LINK)
    assert notify(db, tajik, "filing_reminder", period="2026-02", params=params, actor=ACTOR, now=NOW,
                  link=LINK) is None
    assert (notice.language, notice.copy_language) == ("tg", "ru")
    assert "Март 2026" in notice.subject or "март" in notice.subject.lower()  # the period in Tajik
    assert "16" in notice.subject and notice.copy_subject and notice.copy_subject != notice.subject
    messages = db.scalars(select(OutboxMessage).where(OutboxMessage.notice_id == notice.id)).all()
    assert sorted(m.channel for m in messages) == ["email", "sms"]
    email = next(m for m in messages if m.channel == "email")
    assert email.recipient == tajik.email and notice.copy_body in email.body and notice.body in email.body
    sms = next(m for m in messages if m.channel == "sms")
    assert sms.recipient == tajik.phone and sms.body == notice.sms


def test_every_notice_exists_in_every_language() -> None:
    """Each kind renders in Lao, Tajik and Russian with its own words, not the English source."""
    params = {"period": "2026-02", "due": "2026-03-16", "as_of": "2026-04-20", "amount": "440.00", "days": 35,
              "stage": 1, "components": [["employee_share", "40.00"], ["interest", "1.23"]], "receipt": "TJ-1",
              "version": 1, "reference": "123", "paid_on": "2026-03-10", "balance": "0.00",
              "basis": "last_declared", "employer": "E", "number": "1", "case": "C-000001"}
    english = {kind: render_notice(kind, "en", params, currency="TJS", institution="I", link=LINK)
               for kind in KINDS}
    for language in ("lo", "tg", "ru"):
        for kind in KINDS:
            subject, body, sms = render_notice(kind, language, params, currency="TJS", institution="I", link=LINK)
            assert subject != english[kind][0] and body != english[kind][1], (language, kind)
            assert (sms != english[kind][2]) if TEMPLATES[kind][2] else sms == ""


def test_every_sms_fits_three_parts_in_every_language() -> None:
    """With the longest institution name and a large amount, the SMS of each kind fits the gateway."""
    from common.schemes import Scheme
    from notifications.notices import SMS_KINDS, sms_fits

    params = {"period": "2026-12", "due": "2027-01-15", "as_of": "2027-03-20", "amount": "123456789.00",
              "days": 64, "stage": 2, "basis": "head_count", "employer": "E", "number": "1",
              "components": [["employee_share", "1.00"]], "case": "C-123456", "reference": "9" * 20,
              "receipt": "TJ-2026-000123"}
    for language in ("lo", "tg", "ru", "en"):
        for kind in SMS_KINDS:
            for code in ("LA-LSSO", "TJ-SOCTAX"):
                institution = Scheme(code=code, names={}, institution_names=_INSTITUTIONS[code], country="",
                                     currency="", time_zone="", languages="").institution_in(language)
                sms = render_notice(kind, language, params, currency="LAK", institution=institution, link=LINK)[2]
                assert sms_fits(sms), (language, kind, code, len(sms))


def test_reminder_before_the_due_date_then_missed_filing_after_it(db, tajik) -> None:
    assert _run(db, "2026-03-10").reminders == 0  # more than 5 days before 16 March
    assert _run(db, "2026-03-11").reminders == 1
    assert _run(db, "2026-03-16").reminders == 0  # written once
    counts = _run(db, "2026-03-17")
    assert (counts.reminders, counts.missed) == (0, 1)
    assert _notices(db, tajik.id) == [("filing_reminder", "2026-02", 0), ("missed_filing", "2026-02", 0)]


def test_nothing_for_a_period_filed_on_time(db, tajik) -> None:
    draft = open_draft(db, tajik, Period(2026, 2), actor=ACTOR, now=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    submit_declaration(db, tajik, draft.id, revision=None, actor=ACTOR, now=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    _run(db, "2026-03-12")
    _run(db, "2026-03-17")
    # Filed (though not paid: that is an overdue notice, not a filing one).
    assert [n for n in _notices(db, tajik.id) if n[1] == "2026-02"] == [("overdue", "2026-02", 0)]


def test_overdue_then_demands_at_30_and_60_days_with_interest_to_date(db, tajik) -> None:
    draft = open_draft(db, tajik, Period(2026, 2), actor=ACTOR, now=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    submit_declaration(db, tajik, draft.id, revision=None, actor=ACTOR, now=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    assert _run(db, "2026-03-16").overdue == 0  # due that day
    assert _run(db, "2026-03-17").overdue == 1
    post_interest(db, "TJ-SOCTAX", as_of=dt.date(2026, 4, 15), actor=ACTOR, now=NOW)
    counts = _run(db, "2026-04-15")  # 30 days overdue
    assert (counts.overdue, counts.demands) == (0, 1)
    demand = db.scalars(select(Notice).where(Notice.kind == "demand", Notice.employer_id == tajik.id)).one()
    # 440.00 of contributions and 30 days of interest (5.28) to date.
    assert demand.params["amount"] == "445.28" and ["interest", "5.28"] in demand.params["components"]
    assert _run(db, "2026-05-15").demands == 1  # the second demand, at 60 days
    assert [n for n in _notices(db, tajik.id) if n[1] == "2026-02"] == [
        ("demand", "2026-02", 1), ("demand", "2026-02", 2), ("overdue", "2026-02", 0)]


def test_a_run_after_days_off_writes_what_daily_runs_would_have(db, tajik) -> None:
    other = factories.employer_since(db, dt.date(2026, 2, 1), scheme_code="TJ-SOCTAX")
    factories.hire(db, other, wage="2000.00", hired_on="2026-02-01", document_type="passport")
    day = dt.date(2026, 3, 8)
    while day <= dt.date(2026, 3, 20):
        send_notices(db, "TJ-SOCTAX", as_of=day, actor=ACTOR, now=NOW, link=LINK, employer_ids=[tajik.id])
        day += dt.timedelta(days=1)
    send_notices(db, "TJ-SOCTAX", as_of=dt.date(2026, 3, 20), actor=ACTOR, now=NOW, link=LINK,
                 employer_ids=[other.id])
    # Daily runs wrote the reminder (from 11 March) and the missed filing (from 17 March); a run on 20 March
    # after days off writes the missed filing, still in its month, but not a reminder for a date now past.
    assert _notices(db, tajik.id) == [("filing_reminder", "2026-02", 0), ("missed_filing", "2026-02", 0)]
    assert _notices(db, other.id) == [("missed_filing", "2026-02", 0)]


def test_an_assessment_notice_when_a_month_is_estimated(db, tajik) -> None:
    assess_non_filers(db, "TJ-SOCTAX", as_of=dt.date(2026, 4, 20), actor=ACTOR, now=NOW)
    _run(db, "2026-04-20")
    notice = db.scalars(select(Notice).where(Notice.kind == "assessment", Notice.employer_id == tajik.id)).one()
    assert notice.period == "2026-02" and D(notice.params["amount"]) > 0
    assert db.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "assessment")) == 1


def test_a_payment_matched_by_the_reconciliation_gets_one_receipt(db, session_factory, tajik) -> None:
    from contributions.payments import Payment
    from portal.payment_jobs import run_reconciliation

    filed_at = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    filed = submit_declaration(db, tajik, open_draft(db, tajik, Period(2026, 2), actor=ACTOR, now=filed_at).id,
                               revision=None, actor=ACTOR, now=filed_at).declaration
    db.add(Payment(scheme_code="TJ-SOCTAX", bank_code="AMONATBONK", transaction_id="RECEIPT-1", channel="bank",
                   booking_date=dt.date(2026, 3, 10), value_date=dt.date(2026, 3, 10), amount=D("440.00"),
                   currency="TJS", remittance=filed.payment_reference, status="new", matches=0, payer_name="",
                   payer_account="", note="", received_at=NOW, recorded_by="test"))
    db.commit()
    for _ in range(2):  # a second run finds nothing new, and writes no second receipt
        run_reconciliation(session_factory, now=lambda: NOW)
    receipt = db.scalars(select(Notice).where(Notice.employer_id == tajik.id,
                                              Notice.kind == "payment_received")).one()
    assert receipt.params["amount"] == "440.00" and D(receipt.params["balance"]) == 0
    assert sorted(receipt.params["components"]) == [["employee_share", "40.00"], ["employer_share", "400.00"]]


def test_a_late_filer_gets_the_overdue_notice_first_and_demands_in_turn(db, tajik) -> None:
    filed_at = dt.datetime(2026, 4, 20, 5, 0, tzinfo=dt.UTC)  # 35 days after the due date
    submit_declaration(db, tajik, open_draft(db, tajik, Period(2026, 2), actor=ACTOR, now=filed_at).id,
                       revision=None, actor=ACTOR, now=filed_at)
    counts = _run(db, "2026-04-21")
    assert (counts.overdue, counts.demands) == (1, 0)  # not a demand "despite our earlier notices"
    assert _run(db, "2026-05-19").demands == 0  # 28 days after the overdue notice
    assert _run(db, "2026-05-20").demands == 1
    assert _run(db, "2026-06-18").demands == 0 and _run(db, "2026-06-19").demands == 1


def test_an_estimated_month_gets_the_assessment_notice_not_also_an_overdue_one(db, tajik) -> None:
    assess_non_filers(db, "TJ-SOCTAX", as_of=dt.date(2026, 4, 20), actor=ACTOR,
                      now=dt.datetime(2026, 4, 19, 20, 0, tzinfo=dt.UTC))  # the night of 20 April in Dushanbe
    counts = _run(db, "2026-04-20")
    assert (counts.assessments, counts.overdue, counts.demands) == (1, 0, 0)
    assert _run(db, "2026-05-18").demands == 0 and _run(db, "2026-05-19").demands == 1


def test_nothing_about_a_debt_paid_since_the_date_of_a_late_run(db, tajik) -> None:
    from contributions.payment_actions import record_counter_receipt

    filed_at = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    filed = submit_declaration(db, tajik, open_draft(db, tajik, Period(2026, 2), actor=ACTOR, now=filed_at).id,
                               revision=None, actor=ACTOR, now=filed_at).declaration
    record_counter_receipt(db, tajik, amount=D("440.00"), value_date=dt.date(2026, 4, 16), channel="cash",
                           payer_name="", reference="", declaration_id=filed.id, actor=ACTOR, now=NOW)
    # A run for 15 April, made after the payment of the 16th: the debt was overdue then, but is paid now.
    assert _run(db, "2026-04-15").overdue == 0


def test_no_job_runs_for_a_date_that_has_not_begun(db, session_factory) -> None:
    from common.audit import Actor
    from common.errors import DomainError
    from portal.jobs import run_job

    with pytest.raises(DomainError) as refused:
        run_job(session_factory, "send_notices", as_of=dt.date(2026, 6, 3), actor=Actor.system("tests"),
                now=lambda: NOW)
    assert refused.value.code == "job.as_of_future"


def test_a_demand_e_mail_carries_its_letter_as_a_pdf(db, tajik, smtp_server, tmp_path) -> None:
    import subprocess

    from notifications.channels.smtp import SmtpChannel, SmtpSettings
    from notifications.letters import notice_attachments
    from notifications.outbox import deliver_due

    port, inbox = smtp_server
    params = {"period": "2026-02", "due": "2026-03-16", "as_of": "2026-04-15", "amount": "445.28", "days": 30,
              "stage": 1, "components": [["employee_share", "40.00"], ["employer_share", "400.00"],
                                         ["interest", "5.28"]]}
    demand = notify(db, tajik, "demand", period="2026-02", stage=1, params=params, actor=ACTOR, now=NOW, link=LINK)
    notify(db, tajik, "filing_reminder", period="2026-03", params={"period": "2026-03", "due": "2026-04-15"},
           actor=ACTOR, now=NOW, link=LINK)
    channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=port, sender="no-reply@portal.test"))
    assert deliver_due(db, {"email": channel}, now=NOW, attach=notice_attachments)["sent"] == 2
    by_subject = {message["Subject"]: message for message in inbox.messages}
    letter = by_subject[demand.subject]
    assert letter["Content-Language"] == "tg"
    [attachment] = list(letter.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename() == f"N-{demand.id}.pdf"
    path = tmp_path / "letter.pdf"
    path.write_bytes(attachment.get_content())
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert f"N-{demand.id}" in text and "445,28" in text
    reminder = next(m for subject, m in by_subject.items() if subject != demand.subject)
    assert list(reminder.iter_attachments()) == []  # a reminder is only an e-mail
