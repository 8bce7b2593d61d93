"""The night's late-payment interest run and the arrears as of the same date, on two years of accounts of
``n`` employers (20,000 by default), against a plain read of the same ledger and a plain write of the same
interest rows.

The data: three employers in four Tajik (TJ-SOCTAX, the only scheme with an interest rule: 0.04 % a day),
one in four Lao; 90 % in the schemes' first category, 10 % in the second.  Each has a monthly wage bill of its
own (a little different each month) and 24 periods, the last one the month before ``AS_OF``, each charged in
the ledger for both shares with the scheme's own rates, rounding and due date (the 15th of the next month in
Tajikistan, the 20th in Lao PDR, moved off weekends and holidays), posted a few days before it is due.  Per
employer and period, by a fixed hash: 42.5 % paid in full on time (up to 9 days early), 42.5 % in full 1 to 60
days late, 10 % partly (30 to 90 %, from 5 days early to 34 days late), 5 % not at all; a payment whose value
date is not before ``AS_OF`` has not arrived yet, so the last periods owe more.  Each payment is a real
``payment`` row (bank transfer, matched by employer and amount, value date, received and matched the night
after it) with its ledger entries (kind ``payment``, ``payment_id`` set) settling the employee share first,
as the allocation does.  The ledger rows are written in the order they were posted (charges and payments
interleaved by date), as the portal would have written them.

No ``declaration`` rows: the charges carry ``declaration_id`` NULL (the column allows it) and a posting key of
their own, because neither the interest run nor the arrears read declarations, and 480,000 of them would only
slow the set-up.  Nor interest from earlier nights: the first run is the first ever, so it charges every late
debt from nothing (the most it can have to write in one night); ``next_day_*`` is the run of the night after,
which only changes what is still unpaid.

Everything is written set-based in SQL (``INSERT ... SELECT`` from ``generate_series`` and two temporary
tables), in a database of its own (created, migrated and dropped here), because the job commits.

Timed (``seconds``): ``run_job(..., "post_interest", ...)`` as the scheduler runs it (every scheme, one
transaction each), then ``arrears_lines`` as of the same date for each scheme.  ``rerun_seconds``: the same
again for the same date, which finds nothing to post (checked).  ``next_day_seconds``: the job alone for the
day after (untimed in ``seconds``).

Baseline (``baseline_seconds``): the least such a run has to do, in the same database: one plain ``SELECT
employer_id, period, component, sum(debit - credit) FROM ledger_entry GROUP BY ...`` over every row, fetched
(the balances of all debts of both schemes, read once), plus batched INSERTs (``insert_rows``, 1,000 a
statement) of as many interest rows as the first run posted, in a transaction rolled back.  The best of two
of each (``baseline_read_seconds``, ``baseline_insert_seconds``).

Figures: ``n`` (= ``employers``), ``seconds``, ``rerun_seconds``, ``job_seconds``, ``rerun_job_seconds``,
``arrears_seconds`` (both schemes, first run), ``next_day_seconds``, ``debts`` (charged debts: employer, period
and share, both schemes), ``late_debts`` (the job's count: Tajik debts past their due date, paid or not),
``ledger_entries`` (before the run), ``payments``, ``interest_entries_posted``, ``interest_posted`` (net, TJS),
``next_day_entries_posted``, ``arrears_lines`` per scheme, ``baseline_seconds`` and its parts,
``setup_seconds``, ``setup_peak_mb`` and ``peak_mb`` (the process's memory high-water mark before and after
the timed part; the set-up is done by the database, so the difference is the run's)."""

from __future__ import annotations

import datetime as dt
import resource
import time

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench.databases import populated, scratch_database
from common.audit import Actor
from common.period import Period
from common.schemes import Scheme
from contributions.arrears import arrears_lines
from contributions.calendar import period_due_date
from contributions.jobs import JobRun
from contributions.ledger import LedgerEntry, insert_rows
from contributions.parameters import rules_on
from contributions.payments import Payment
from employers.employers import Employer, EmployerProfile
from employers.numbers import NumberSequence
from employers.rules import format_number
from portal.jobs import run_job
from portal.reference import load_reference_data
from portal.schema import load_metadata

default_n = 20_000
AS_OF = dt.date(2026, 6, 25)
NOW = dt.datetime(2026, 6, 25, 1, 30, tzinfo=dt.UTC)  # 06:30 in Dushanbe, 08:30 in Vientiane
SETUP = dt.datetime(2024, 1, 8, 3, 0, tzinfo=dt.UTC)
REGISTERED_ON = dt.date(2024, 1, 8)
PERIODS = 24
ACTOR = Actor.system("bench")
TJ, LA = "TJ-SOCTAX", "LA-LSSO"
# Per scheme: the bank the money comes through, the categories (the first for 90 % of the employers), the
# region and language of the employers, and the range of their monthly wage bills (lowest, step of 1/1000).
SCHEMES = {
    TJ: {"bank": "AMONATBONK", "categories": ("non_budget", "budget"), "region": "TJ-DU-01", "language": "tg",
         "bill": (2_000, 150)},
    LA: {"bank": "BCEL", "categories": ("private", "state_enterprise"), "region": "LA-VT-01", "language": "lo",
         "bill": (5_000_000, 500_000)},
}
BATCH = 1_000


def _periods() -> list[Period]:
    last = Period.of(AS_OF).previous()
    return [last.shift(-k) for k in range(PERIODS - 1, -1, -1)]


# Set-up ----------------------------------------------------------------------------------------------------

def _employers(session: Session, employers: int) -> dict[str, int]:
    tajik = round(employers * 0.75) if employers > 1 else employers
    counts = {TJ: tajik, LA: employers - tajik}
    rows = []
    for code, count in counts.items():
        scheme = session.get(Scheme, code)
        number_format = scheme.registry_settings["employer_number"]
        spec = SCHEMES[code]
        for i in range(1, count + 1):
            latin = f"{'Pomir Trade' if code == TJ else 'Mekong Trading'} {i} {'LLC' if code == TJ else 'Co., Ltd.'}"
            rows.append({
                "scheme_code": code, "employer_number": format_number(number_format, i),
                "tax_number": f"{(20_000_000 if code == TJ else 5_500_000_000) + i}",
                "registration_number": f"ENT-{i:06d}", "status": "active", "registered_on": REGISTERED_ON,
                "ceased_on": None, "review_note": "", "created_at": SETUP,
                "legal_name": f"ҶДММ «Помир Савдо {i}»" if code == TJ else f"ບໍລິສັດ ນ້ຳຂອງ ການຄ້າ {i} ຈຳກັດ",
                "legal_name_latin": latin, "trading_name": "",
                "category": spec["categories"][0 if i % 10 else 1], "sector_code": "G",
                "region_code": spec["region"], "address": "", "contact_name": "", "phone": "",
                "email": f"employer{i}@{code.lower()}.example.test", "preferred_language": spec["language"]})
    insert_rows(session, Employer.__table__, rows, conflict=("employer_number",))
    profile_fields = ("legal_name", "legal_name_latin", "trading_name", "category", "sector_code", "region_code",
                      "address", "contact_name", "phone", "email", "preferred_language")
    session.execute(text(
        f"INSERT INTO employer_profile (employer_id, valid_from, recorded_at, recorded_by, note, "
        f"{', '.join(profile_fields)}) SELECT id, registered_on, created_at, :by, 'registration', "
        f"{', '.join(profile_fields)} FROM employer ORDER BY id"), {"by": ACTOR.label})
    sequences = [{"name": f"employer:{code}", "last_value": count} for code, count in counts.items() if count]
    insert_rows(session, NumberSequence.__table__, sequences, conflict=("name",))
    return counts


def _rules(session: Session) -> list[dict]:
    """Per scheme, category and period: due date, rates and rounding as the portal computes them."""
    rows = []
    for code, spec in SCHEMES.items():
        scheme = session.get(Scheme, code)
        for category in spec["categories"]:
            for seq, period in enumerate(_periods()):
                rules = rules_on(session, code, category, period.first_day)
                rates = rules.rates()
                rows.append({"scheme_code": code, "category": category, "period": str(period), "seq": seq,
                             "due_date": period_due_date(session, code, scheme.country, category, period),
                             "rate_employee": rates.employee, "rate_employer": rates.employer,
                             "places": int(rules.rounding().places), "currency": scheme.currency,
                             "bank_code": spec["bank"], "bill_low": spec["bill"][0], "bill_step": spec["bill"][1]})
    return rows


# One row per employer and period: the two shares charged, and what was paid and when (a fixed hash decides).
_DEBTS = """
CREATE TEMPORARY TABLE bench_debt ON COMMIT DROP AS
WITH drawn AS (
    SELECT e.id AS employer_id, e.scheme_code, r.period, r.due_date, r.currency, r.bank_code, r.places,
           round((r.bill_low + r.bill_step * (abs(hashint8extended(e.id, 3)) % 1000))
                 * (1 + (abs(hashint8extended(e.id::bigint * 100 + r.seq, 4)) % 100) / 1000.0), r.places) AS bill,
           r.rate_employee, r.rate_employer,
           abs(hashint8extended(e.id::bigint * 100 + r.seq, 1)) % 1000 AS fate,
           abs(hashint8extended(e.id::bigint * 100 + r.seq, 2)) % 1000 AS draw
    FROM employer e JOIN bench_rule r ON r.scheme_code = e.scheme_code AND r.category = e.category
), charged AS (
    SELECT *, round(bill * rate_employee, places) AS employee_share,
           round(bill * rate_employer, places) AS employer_share,
           -- filed (and charged) up to 11 days before the due date
           (due_date - (draw % 12)::int)::timestamp + interval '4 hours' AS filed_at,
           CASE WHEN fate < 425 THEN due_date - (draw % 10)::int          -- in full, on time
                WHEN fate < 850 THEN due_date + 1 + (draw % 60)::int      -- in full, 1 to 60 days late
                WHEN fate < 950 THEN due_date - 5 + (draw % 40)::int      -- partly
           END AS value_date
    FROM drawn
)
SELECT employer_id, scheme_code, period, due_date, currency, bank_code, employee_share, employer_share,
       filed_at AT TIME ZONE 'UTC' AS filed_at, value_date,
       CASE WHEN value_date IS NULL OR value_date >= CAST(:as_of AS date) THEN NULL   -- not (yet) paid
            WHEN fate < 850 THEN employee_share + employer_share
            ELSE round((employee_share + employer_share) * (300 + draw % 601) / 1000.0, places)
       END AS paid
FROM charged
"""

_PAYMENTS = """
CREATE TEMPORARY TABLE bench_payment ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('payment', 'id')) AS payment_id, employer_id, scheme_code, period, due_date,
       currency, bank_code, value_date, paid AS amount, least(paid, employee_share) AS to_employee,
       paid - least(paid, employee_share) AS to_employer,
       -- on the statement of the value date, imported and matched that night
       (value_date + 1)::timestamp AT TIME ZONE 'UTC' AS received_at,
       ((value_date + 1)::timestamp + interval '20 minutes') AT TIME ZONE 'UTC' AS matched_at
FROM bench_debt WHERE paid IS NOT NULL
ORDER BY value_date, employer_id, period
"""

_INSERT_PAYMENTS = """
INSERT INTO payment (id, scheme_code, bank_code, transaction_id, statement_id, channel, booking_date, value_date,
                     amount, currency, payer_name, payer_account, remittance, status, employer_id, declaration_id,
                     match_rule, matches, matched_at, matched_by, note, received_at, recorded_by)
SELECT p.payment_id, p.scheme_code, p.bank_code, 'FT' || lpad(p.payment_id::text, 10, '0'), NULL, 'bank',
       p.value_date, p.value_date, p.amount, p.currency, e.legal_name, '', e.employer_number || ' ' || p.period,
       'matched', p.employer_id, NULL, 'employer_amount', 1, p.matched_at, :by, '', p.received_at, :by
FROM bench_payment p JOIN employer e ON e.id = p.employer_id
ORDER BY p.payment_id
"""

# Charges and payments in the order they were posted.
_INSERT_LEDGER = """
INSERT INTO ledger_entry (employer_id, period, component, kind, debit, credit, currency, due_date, declaration_id,
                          payment_id, posting_key, posted_at, posted_by)
SELECT employer_id, period, component, kind, debit, credit, currency, due_date, NULL, payment_id, posting_key,
       posted_at, :by
FROM (
    SELECT d.employer_id, d.period, c.component, 'charge' AS kind,
           CASE c.component WHEN 'employee_share' THEN d.employee_share ELSE d.employer_share END AS debit,
           0 AS credit, d.currency, d.due_date, NULL::integer AS payment_id,
           'charge:' || d.employer_id || ':' || d.period || ':' || c.component AS posting_key,
           d.filed_at AS posted_at
    FROM bench_debt d CROSS JOIN (VALUES ('employee_share'), ('employer_share')) AS c(component)
    UNION ALL
    SELECT p.employer_id, p.period, c.component, 'payment', 0,
           CASE c.component WHEN 'employee_share' THEN p.to_employee ELSE p.to_employer END,
           p.currency, p.due_date, p.payment_id,
           'payment:' || p.payment_id || ':1:' || p.period || ':' || c.component, p.matched_at
    FROM bench_payment p CROSS JOIN (VALUES ('employee_share'), ('employer_share')) AS c(component)
    WHERE CASE c.component WHEN 'employee_share' THEN p.to_employee ELSE p.to_employer END > 0
) AS entry
ORDER BY posted_at, employer_id, period, component
"""


def _populate(session: Session, employers: int) -> dict[str, int]:
    load_reference_data(session)
    counts = _employers(session, employers)
    session.execute(text(
        "CREATE TEMPORARY TABLE bench_rule (scheme_code text, category text, period text, seq int, due_date date, "
        "rate_employee numeric, rate_employer numeric, places int, currency text, bank_code text, "
        "bill_low numeric, bill_step numeric) ON COMMIT DROP"))
    session.execute(text(
        "INSERT INTO bench_rule VALUES (:scheme_code, :category, :period, :seq, :due_date, :rate_employee, "
        ":rate_employer, :places, :currency, :bank_code, :bill_low, :bill_step)"), _rules(session))
    session.execute(text(_DEBTS), {"as_of": AS_OF})
    session.execute(text(_PAYMENTS))
    session.execute(text(_INSERT_PAYMENTS), {"by": ACTOR.label})
    session.execute(text(_INSERT_LEDGER), {"by": ACTOR.label})
    return counts


# The run -------------------------------------------------------------------------------------------------

def _interest_entries(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.component == "interest"))


def _run_once(sessions, as_of: dt.date, *, arrears: bool = True) -> dict:
    """The job as the scheduler runs it, then (optionally) the arrears of each scheme as of the same date."""
    began = time.perf_counter()
    # The night of ``as_of``: the moment NOW is on AS_OF, shifted by as many days.
    night = NOW + (as_of - AS_OF)
    run = run_job(sessions, "post_interest", as_of=as_of, actor=ACTOR, now=lambda: night)
    job_done = time.perf_counter()
    assert run.status == "finished", (run.status, run.error)
    lines = {}
    if arrears:
        with sessions() as session:
            for code in (TJ, LA):
                lines[code] = len(arrears_lines(session, as_of=as_of, scheme_code=code))
    finished = time.perf_counter()
    return {"seconds": finished - began, "job_seconds": job_done - began, "arrears_seconds": finished - job_done,
            "counts": run.counts, "lines": lines}


def _baseline_read(engine) -> float:
    """One plain GROUP BY over the whole ledger, every row fetched."""
    with engine.connect() as connection:
        began = time.perf_counter()
        connection.execute(text("SELECT employer_id, period, component, sum(debit - credit) FROM ledger_entry "
                                "GROUP BY employer_id, period, component")).all()
        return time.perf_counter() - began


def _baseline_insert(engine, rows: list[dict]) -> float:
    """``insert_rows`` of ``rows`` in a transaction that is rolled back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        began = time.perf_counter()
        insert_rows(session, LedgerEntry.__table__, rows, conflict=("posting_key",))
        seconds = time.perf_counter() - began
        session.close()
        transaction.rollback()
    return seconds


def _interest_copies(sessions) -> list[dict]:
    """The interest entries the run posted, under other posting keys."""
    columns = [column for column in LedgerEntry.__table__.columns if column.name != "id"]
    with sessions() as session:
        rows = [dict(row._mapping) for row in session.execute(
            select(*columns).where(LedgerEntry.component == "interest").order_by(LedgerEntry.id))]
    for row in rows:
        row["posting_key"] = f"baseline:{row['posting_key']}"[:120]
    return rows


def run(url: str, n: int) -> dict:
    load_metadata()
    with scratch_database(url, "arrears") as scratch:
        return _run(scratch, max(1, n))


def _run(url: str, employers: int) -> dict:
    engine, sessions, per_scheme, setup_seconds = populated(url, lambda session: _populate(session, employers))
    with sessions() as session:
        ledger_entries = session.scalar(select(func.count()).select_from(LedgerEntry))
        debts = session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "charge"))
        payments = session.scalar(select(func.count()).select_from(Payment))
        assert session.scalar(select(func.count()).select_from(Employer)) == employers
        assert session.scalar(select(func.count()).select_from(EmployerProfile)) == employers
    setup_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    first = _run_once(sessions, AS_OF)
    posted = _interest_entries(sessions)
    again = _run_once(sessions, AS_OF)
    assert _interest_entries(sessions) == posted, "the second run for the same date posted again"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    next_day = _run_once(sessions, AS_OF + dt.timedelta(days=1), arrears=False)
    next_day_posted = _interest_entries(sessions) - posted
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(JobRun).where(JobRun.status == "finished")) == 3

    copies = _interest_copies(sessions)
    read = min(_baseline_read(engine) for _ in range(2))
    write = min(_baseline_insert(engine, copies) for _ in range(2)) if copies else 0.0
    engine.dispose()
    tajik = first["counts"].get(TJ, {})
    return {"n": employers, "seconds": round(first["seconds"], 3), "rerun_seconds": round(again["seconds"], 3),
            "baseline_seconds": round(read + write, 3), "job_seconds": round(first["job_seconds"], 3),
            "arrears_seconds": round(first["arrears_seconds"], 3), "rerun_job_seconds": round(again["job_seconds"], 3),
            "rerun_arrears_seconds": round(again["arrears_seconds"], 3),
            "next_day_seconds": round(next_day["job_seconds"], 3), "baseline_read_seconds": round(read, 3),
            "baseline_insert_seconds": round(write, 3), "employers": employers,
            "employers_per_scheme": per_scheme, "debts": debts, "late_debts": tajik.get("debts"),
            # Debts the rerun and the next night computed again (the rest were settled and unchanged).
            "rerun_debts": again["counts"].get(TJ, {}).get("debts"),
            "next_day_debts": next_day["counts"].get(TJ, {}).get("debts"),
            "ledger_entries": ledger_entries, "payments": payments, "interest_entries_posted": posted,
            "interest_posted": tajik.get("posted"), "next_day_entries_posted": next_day_posted,
            "arrears_lines": first["lines"], "setup_seconds": round(setup_seconds, 1),
            "setup_peak_mb": round(setup_peak, 1), "peak_mb": round(peak, 1)}
