"""The night's notices for ``n`` employers (10,000 by default) that each owe one overdue month, delivered by
e-mail to a real SMTP server, then a batch of 1,000 of them printed as letters; against a plain batched
INSERT of as many outbox rows.

The data: three employers in four Tajik (TJ-SOCTAX: their notices are written in Tajik with a Russian copy),
one in four Lao (LA-LSSO, in Lao); each registered on 1 May 2026 with an e-mail address, a postal address and
no phone (so no SMS), has filed its declaration for May 2026 (a ``declaration`` row, charged in the ledger for
both shares with the declaration's id, a little different per employer) and paid nothing.  On ``AS_OF``
(25 June 2026) May is overdue (due 15 June in Tajikistan, 22 June in Lao PDR), April is before the
registration and June is not due yet, so the night writes exactly one notice per employer: an overdue notice
(stage 0).  Everything is written set-based in SQL, in a database of its own (created, migrated and dropped
here), because the job and the delivery commit.

Timed (``seconds``, target < 120 s): ``run_job(..., "send_notices", ...)`` as the scheduler runs it (per
scheme, a transaction per 500 employers), which writes the notices and queues their e-mails
(``job_seconds``); then delivery (``delivery_seconds``): ``notifications.outbox.deliver_due`` with an SMTP
channel like ``portal.mail.channels_from_config``'s pointed at a local aiosmtpd server (started here, as the
tests' ``smtp_server`` fixture does), 100 messages a call, each call committed, until nothing is pending.  The
server counts what it receives (``emails_delivered``) and the bench checks it against the outbox.

``pdf_seconds`` (target < 60 s): ``create_letter_batch`` of 1,000 Tajik notices (each letter with its Russian
copy), committed, and ``letter_batch_pdf`` of the batch; ``pdf_pages``, ``pdf_mb``.

Baseline (``baseline_seconds``): ``insert_rows`` (1,000 rows a statement) of as many ``outbox_message`` rows
as the job queued (copies of them, bodies included), in a transaction rolled back: the least a run that
stores the same messages could do, without deciding, writing or sending anything.  The best of two.

Figures: ``n``, ``seconds``, ``job_seconds``, ``delivery_seconds``, ``pdf_seconds``, ``notices``,
``emails_queued``, ``emails_delivered``, ``delivery_calls``, ``letters``, ``pdf_pages``, ``pdf_mb``,
``baseline_seconds``, ``baseline_rows``, ``setup_seconds``, ``setup_peak_mb`` and ``peak_mb`` (the process's
memory high-water mark before and after the timed parts)."""

from __future__ import annotations

import datetime as dt
import re
import resource
import socket
import threading
import time

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench.databases import populated, scratch_database
from common.audit import Actor
from common.period import Period
from common.schemes import Scheme
from contributions.calendar import period_due_date
from contributions.ledger import insert_rows
from contributions.parameters import rules_on
from employers.employers import Employer, EmployerProfile
from employers.numbers import NumberSequence
from employers.rules import format_number
from notifications.channels.smtp import SmtpChannel, SmtpSettings
from notifications.notices import Notice
from notifications.outbox import OutboxMessage, deliver_due
from portal.jobs import run_job
from portal.reference import load_reference_data
from portal.schema import load_metadata

default_n = 10_000
AS_OF = dt.date(2026, 6, 25)
NOW = dt.datetime(2026, 6, 25, 1, 30, tzinfo=dt.UTC)  # the night's run: 06:30 in Dushanbe, 08:30 in Vientiane
SETUP = dt.datetime(2026, 5, 1, 3, 0, tzinfo=dt.UTC)
REGISTERED_ON = dt.date(2026, 5, 1)
PERIOD = "2026-05"
ACTOR = Actor.system("bench")
TJ, LA = "TJ-SOCTAX", "LA-LSSO"
SCHEMES = {
    TJ: {"region": "TJ-DU-01", "language": "tg", "category": "non_budget", "bill": (2_000, 150)},
    LA: {"region": "LA-VT-01", "language": "lo", "category": "private", "bill": (5_000_000, 500_000)},
}
LETTERS = 1_000
DELIVERY_BATCH = 100
SENDER = "no-reply@contributions.example"


# Set-up ----------------------------------------------------------------------------------------------------

def _employers(session: Session, employers: int) -> dict[str, int]:
    tajik = round(employers * 0.75) if employers > 1 else employers
    counts = {TJ: tajik, LA: employers - tajik}
    rows = []
    for code, count in counts.items():
        number_format = session.get(Scheme, code).registry_settings["employer_number"]
        spec = SCHEMES[code]
        for i in range(1, count + 1):
            rows.append({
                "scheme_code": code, "employer_number": format_number(number_format, i),
                "tax_number": f"{(20_000_000 if code == TJ else 5_500_000_000) + i}",
                "registration_number": f"ENT-{i:06d}", "status": "active", "registered_on": REGISTERED_ON,
                "ceased_on": None, "review_note": "", "created_at": SETUP,
                "legal_name": f"ҶДММ «Помир Савдо {i}»" if code == TJ else f"ບໍລິສັດ ນ້ຳຂອງ ການຄ້າ {i} ຈຳກັດ",
                "legal_name_latin": f"{'Pomir Trade' if code == TJ else 'Mekong Trading'} {i}",
                "trading_name": "", "category": spec["category"], "sector_code": "G", "region_code": spec["region"],
                "address": (f"кӯчаи Рӯдакӣ {i}\nш. Душанбе, 734025" if code == TJ
                            else f"ບ້ານ ສີສະເກດ {i}, ເມືອງ ຈັນທະບູລີ\nນະຄອນຫຼວງວຽງຈັນ"),
                "contact_name": "", "phone": "", "email": f"employer{i}@{code.lower()}.example.test",
                "preferred_language": spec["language"]})
    insert_rows(session, Employer.__table__, rows, conflict=("employer_number",))
    fields = ("legal_name", "legal_name_latin", "trading_name", "category", "sector_code", "region_code",
              "address", "contact_name", "phone", "email", "preferred_language")
    session.execute(text(
        f"INSERT INTO employer_profile (employer_id, valid_from, recorded_at, recorded_by, note, {', '.join(fields)}) "
        f"SELECT id, registered_on, created_at, :by, 'registration', {', '.join(fields)} FROM employer ORDER BY id"),
        {"by": ACTOR.label})
    insert_rows(session, NumberSequence.__table__,
                [{"name": f"employer:{code}", "last_value": count} for code, count in counts.items() if count],
                conflict=("name",))
    return counts


# May declared by every employer (filed on 10 June) and charged, nothing paid.
_DECLARATIONS = """
INSERT INTO declaration (employer_id, scheme_code, period, version, kind, status, is_nil, nil_reason, category,
                         currency, rate_employee, rate_employer, revision, line_count, total_gross, total_base,
                         total_employee, total_employer, due_date, is_late, receipt_number, payment_reference,
                         created_at, created_by, filed_at, filed_by)
SELECT e.id, e.scheme_code, r.period, 1, 'original', 'submitted', false, '', e.category, r.currency,
       r.rate_employee, r.rate_employer, 0, 1, b.bill, b.bill, round(b.bill * r.rate_employee, r.places),
       round(b.bill * r.rate_employer, r.places), r.due_date, false, 'R-' || e.employer_number || '-' || r.period,
       'P' || e.id || replace(r.period, '-', ''), :filed_at, :by, :filed_at, :by
FROM employer e JOIN bench_rule r ON r.scheme_code = e.scheme_code
CROSS JOIN LATERAL (SELECT round(r.bill_low + r.bill_step * (abs(hashint8extended(e.id, 3)) % 1000), r.places)
                    AS bill) b
ORDER BY e.id
"""

_CHARGES = """
INSERT INTO ledger_entry (employer_id, period, component, kind, debit, credit, currency, due_date, declaration_id,
                          payment_id, posting_key, posted_at, posted_by)
SELECT d.employer_id, d.period, c.component, 'charge',
       CASE c.component WHEN 'employee_share' THEN d.total_employee ELSE d.total_employer END, 0, d.currency,
       d.due_date, d.id, NULL, 'declaration:' || d.id || ':' || c.component, d.filed_at, :by
FROM declaration d CROSS JOIN (VALUES ('employee_share'), ('employer_share')) AS c(component)
ORDER BY d.id, c.component
"""


def _populate(session: Session, employers: int) -> dict[str, int]:
    load_reference_data(session)
    counts = _employers(session, employers)
    rules = []
    for code, spec in SCHEMES.items():
        scheme = session.get(Scheme, code)
        period_rules = rules_on(session, code, spec["category"], dt.date(2026, 5, 1))
        rates = period_rules.rates()
        due = period_due_date(session, code, scheme.country, spec["category"], Period.parse(PERIOD))
        rules.append({"scheme_code": code, "period": PERIOD, "currency": scheme.currency,
                      "rate_employee": rates.employee, "rate_employer": rates.employer,
                      "places": int(period_rules.rounding().places), "due_date": due,
                      "bill_low": spec["bill"][0], "bill_step": spec["bill"][1]})
    session.execute(text(
        "CREATE TEMPORARY TABLE bench_rule (scheme_code text, period text, currency text, rate_employee numeric, "
        "rate_employer numeric, places int, due_date date, bill_low numeric, bill_step numeric) ON COMMIT DROP"))
    session.execute(text(
        "INSERT INTO bench_rule VALUES (:scheme_code, :period, :currency, :rate_employee, :rate_employer, :places, "
        ":due_date, :bill_low, :bill_step)"), rules)
    filed_at = dt.datetime(2026, 6, 10, 4, 0, tzinfo=dt.UTC)
    session.execute(text(_DECLARATIONS), {"filed_at": filed_at, "by": ACTOR.label})
    session.execute(text(_CHARGES), {"by": ACTOR.label})
    return counts


# The SMTP server -----------------------------------------------------------------------------------------------

class _Counter:
    """aiosmtpd handler: counts the messages and bytes received (and keeps none of them)."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0
        self.recipients: set[str] = set()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self._lock:
            self.messages += 1
            self.bytes += len(envelope.content)
            self.recipients.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def _smtp_server():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # aiosmtpd cannot bind port 0 itself
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    counter = _Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, counter, port


# The run ---------------------------------------------------------------------------------------------------

def _deliver_all(sessions, channels) -> tuple[int, int]:
    """``deliver_due`` a batch at a time, each committed, until nothing is pending; (sent, calls)."""
    sent = calls = 0
    while True:
        with sessions() as session:
            counts = deliver_due(session, channels, now=NOW, limit=DELIVERY_BATCH)
            session.commit()
        calls += 1
        sent += counts["sent"]
        assert counts["retry"] == counts["failed"] == 0, counts
        if not any(counts.values()):
            return sent, calls


def _baseline_insert(engine, rows: list[dict]) -> float:
    """``insert_rows`` of ``rows`` into outbox_message in a transaction that is rolled back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        began = time.perf_counter()
        insert_rows(session, OutboxMessage.__table__, rows, conflict=("id",))
        seconds = time.perf_counter() - began
        session.close()
        transaction.rollback()
    return seconds


def _outbox_copies(sessions) -> list[dict]:
    columns = [column for column in OutboxMessage.__table__.columns if column.name != "id"]
    with sessions() as session:
        rows = [dict(row._mapping) for row in session.execute(select(*columns).order_by(OutboxMessage.id))]
    for row in rows:
        row.update(status="pending", attempts=0, sent_at=None, last_error=None)
    return rows


def run(url: str, n: int) -> dict:
    load_metadata()
    with scratch_database(url, "notices") as scratch:
        return _run(scratch, max(1, n))


def _run(url: str, employers: int) -> dict:
    from notifications.documents.letter import letter_batch_pdf
    from notifications.letters import create_letter_batch

    engine, sessions, per_scheme, setup_seconds = populated(url, lambda session: _populate(session, employers))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Employer)) == employers
        assert session.scalar(select(func.count()).select_from(EmployerProfile)) == employers
    setup_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    controller, server, port = _smtp_server()
    try:
        channels = {"email": SmtpChannel(SmtpSettings(host="127.0.0.1", port=port, sender=SENDER))}
        began = time.perf_counter()
        job = run_job(sessions, "send_notices", as_of=AS_OF, actor=ACTOR, now=lambda: NOW)
        job_done = time.perf_counter()
        assert job.status == "finished", (job.status, job.error)
        sent, calls = _deliver_all(sessions, channels)
        delivered = time.perf_counter()
    finally:
        controller.stop()

    with sessions() as session:
        notices = session.scalar(select(func.count()).select_from(Notice))
        overdue = session.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "overdue"))
        queued = session.scalar(select(func.count()).select_from(OutboxMessage))
        pending = session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status != "sent"))
    assert notices == overdue == employers, (notices, overdue, employers)
    assert queued == sent == server.messages == employers and pending == 0, (queued, sent, server.messages)
    assert len(server.recipients) == employers

    pdf_began = time.perf_counter()
    with sessions() as session:
        batch = create_letter_batch(session, TJ if per_scheme[TJ] else LA, actor=ACTOR, now=NOW, limit=LETTERS)
        session.commit()
        pdf = letter_batch_pdf(session, batch)
        letters = batch.letters
    pdf_seconds = time.perf_counter() - pdf_began
    pages = len(re.findall(rb"/Type /Page\b(?!s)", pdf))
    assert pages >= letters
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    copies = _outbox_copies(sessions)
    baseline = min(_baseline_insert(engine, copies) for _ in range(2))
    engine.dispose()
    return {"n": employers, "seconds": round(delivered - began, 3), "job_seconds": round(job_done - began, 3),
            "delivery_seconds": round(delivered - job_done, 3), "pdf_seconds": round(pdf_seconds, 3),
            "baseline_seconds": round(baseline, 3), "baseline_rows": len(copies), "notices": notices,
            "notices_per_scheme": {code: count for code, count in job.counts.items()},
            "employers_per_scheme": per_scheme, "emails_queued": queued, "emails_delivered": server.messages,
            "email_mb": round(server.bytes / 2**20, 1), "delivery_calls": calls, "letters": letters,
            "pdf_pages": pages, "pdf_mb": round(len(pdf) / 2**20, 1), "setup_seconds": round(setup_seconds, 1),
            "setup_peak_mb": round(setup_peak, 1), "peak_mb": round(peak, 1)}
