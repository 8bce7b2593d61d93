"""A bank statement of 100,000 transactions imported and reconciled, against plain batched INSERTs of the
same number of payment and ledger rows.

The data: ``n / 20`` Lao employers, each with one worker and five filed declarations (2025-12 to 2026-04)
whose charges are in the ledger.  Per employer the statement holds twenty credits: the two latest periods are
paid in eight instalments each quoting the payment reference (numeric with spaces or dashes, compact, or the
RF form, in free text or as a structured creditor reference), the three older ones in one payment each that
quotes only the employer number and exactly what the period still owes, and one payment that no rule can
match (a mistyped reference, the employer number with everything owed at once, or no identification at all).
That is 80 % by reference, 15 % by employer number and amount, 5 % unmatched.  The statement is a camt.053
file from BCEL in one ``Stmt``, in random order, booked over three days.

Timed (``seconds``): ``import_statement`` of the whole file then committed, and reconciliation as the job
runs it: ``reconcile_batch`` of 1,000 payments in a session of its own, committed, until a batch examines
nothing.  The outcome is checked afterwards: the counts, every instalment on its declaration, and every
period settled with no credit left over.

Baseline (``baseline_seconds``): in a transaction rolled back after the run, plain batched INSERTs (1,000 rows
a statement) of as many payment rows as the statement has, with the values the import writes already typed,
and of as many ledger rows as the reconciliation wrote (copies of those rows under other posting keys): the
cheapest way to store what the run stored, without reading a file or deciding anything.  The best of two.

Everything happens in a database of its own (created, migrated and dropped here), because the import and
the reconciliation commit.  Before the timed part the bench's own objects (the credits it wrote, the outcome
it expects) are frozen out of the garbage collector's reach, so that the collections the import and the
reconciliation trigger scan what a job's process would hold.

Figures: ``seconds``, ``import_seconds``, ``reconcile_seconds``, ``baseline_seconds``, ``matched_by_reference``,
``matched_by_employer``, ``unmatched``, ``batches``, ``slowest_batch_seconds``, ``ledger_rows``,
``baseline_rows``, ``employers``, ``statement_mb``, and ``setup_peak_rss_mb``: the memory high-water mark
before the timed part (``peak_rss_mb``, measured by ``python -m bench`` at the end, includes the import)."""

from __future__ import annotations

import datetime as dt
import gc
import random
import resource
import time
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from xml.sax.saxutils import escape

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from bench.databases import populated, scratch_database
from common.audit import Actor
from common.period import Period
from contributions.declarations import Declaration, DeclarationLine
from contributions.drafts import computed_values, period_rules
from contributions.ledger import DEBT_COMPONENTS, LedgerEntry
from contributions.payment_actions import import_statement
from contributions.payments import Bank, Payment, ReconciliationRun
from contributions.reconciliation import Counts, finish_run, reconcile_batch, start_run
from contributions.rules.references import format_numeric, format_rf, numeric_reference, reference_body, rf_reference
from employers.employers import Employer, EmployerProfile
from employers.numbers import NumberSequence
from employers.persons import Employment, Person
from employers.rules import format_number
from portal import synthetic as datagen
from portal.reference import load_reference_data
from portal.schema import load_metadata

default_n = 100_000
BATCH = 1_000
PER_EMPLOYER = 20
INSTALMENTS = 8
AMOUNT_PERIODS = (Period(2025, 12), Period(2026, 1), Period(2026, 2))  # paid by employer number and amount
REFERENCE_PERIODS = (Period(2026, 3), Period(2026, 4))  # paid in instalments quoting the reference
PERIODS = AMOUNT_PERIODS + REFERENCE_PERIODS
REGISTERED_ON = dt.date(2025, 1, 2)
HIRED_ON = dt.date(2025, 1, 6)
BOOKED = (dt.date(2026, 6, 22), dt.date(2026, 6, 23), dt.date(2026, 6, 24))
NOW = dt.datetime(2026, 6, 25, 3, 0, tzinfo=dt.UTC)
SETUP = dt.datetime(2025, 1, 2, 3, 0, tzinfo=dt.UTC)
ACTOR = Actor.system("bench")
BANK = "BCEL"
CAMT = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@dataclass
class Filed:
    period: Period
    declaration_id: int
    reference: str
    total: Decimal


@dataclass
class Account:
    number: str
    name: str
    name_latin: str
    bank_account: str
    filed: list[Filed] = field(default_factory=list)


@dataclass(frozen=True)
class Credit:
    transaction_id: str
    booked: dt.date
    amount: Decimal
    payer: str
    payer_account: str
    remittance: str  # free text (Ustrd)
    creditor_reference: str = ""  # structured (Strd/CdtrRefInf/Ref)


# Setup: registered employers with filed declarations and their charges, written set-based ----------------

def _insert_returning(session: Session, model, rows: list[dict]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        ids += session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                               rows[start:start + BATCH]).all()
    return ids


def _insert(session: Session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start:start + BATCH])


def _wage(e: int, p: int) -> Decimal:
    """The one worker's wage: between the Lao base floor and ceiling, a little different each period."""
    return Decimal(2_000_000 + (e % 200) * 10_000 + p * 50_000)


def _populate(session: Session, employers: int) -> list[Account]:
    load_reference_data(session)
    scheme = session.get(Bank, BANK).scheme
    settings = scheme.registry_settings
    people = list(datagen.people(employers, seed=2026, country="LA"))
    profiles = [{"legal_name": f"ບໍລິສັດ {p.family_name} ການຄ້າ ຈຳກັດ", "legal_name_latin": f"{p.family_name_latin} "
                 f"Trading {e + 1} Co., Ltd.", "trading_name": "", "category": "private", "sector_code": "G",
                 "region_code": "LA-VT-01", "address": "ນະຄອນຫຼວງວຽງຈັນ", "contact_name": p.given_name,
                 "phone": "+856 21 000 000", "email": f"employer{e + 1}@example.test", "preferred_language": "lo"}
                for e, p in enumerate(people)]
    numbers = [format_number(settings["employer_number"], e + 1) for e in range(employers)]
    employer_ids = _insert_returning(session, Employer, [
        {"scheme_code": scheme.code, "employer_number": numbers[e], "tax_number": f"{5_500_000_000 + e}",
         "registration_number": f"ENT-{e + 1:06d}", "status": "active", "registered_on": REGISTERED_ON,
         "ceased_on": None, "review_note": "", "created_at": SETUP, **profiles[e]} for e in range(employers)])
    _insert(session, EmployerProfile, [
        {"employer_id": employer_id, "valid_from": REGISTERED_ON, "recorded_at": SETUP, "recorded_by": ACTOR.label,
         "note": "registration", **profiles[e]} for e, employer_id in enumerate(employer_ids)])
    person_ids = _insert_returning(session, Person, [
        {"country": "LA", "social_security_number": format_number(settings["person_number"], e + 1),
         "document_type": "national_id", "document_country": "LA", "document_number": f"RECON{e + 1:08d}",
         "given_name": p.given_name, "family_name": p.family_name, "given_name_latin": p.given_name_latin,
         "family_name_latin": p.family_name_latin, "birth_date": p.birth_date, "sex": p.sex, "nationality": "LA",
         "phone": "", "created_at": SETUP} for e, p in enumerate(people)])
    employment_ids = _insert_returning(session, Employment, [
        {"employer_id": employer_id, "person_id": person_id, "hired_on": HIRED_ON, "job_title": "ພະນັກງານ",
         "contract_type": "permanent", "monthly_wage": _wage(e, 0), "created_at": SETUP, "ended_on": None,
         "end_reason": None} for e, (employer_id, person_id) in enumerate(zip(employer_ids, person_ids, strict=True))])

    sample = session.get(Employer, employer_ids[0])
    rules = {period: period_rules(session, sample, period) for period in PERIODS}
    # The declarations' ids are taken from their sequence first: the payment reference is made from the id.
    count = employers * len(PERIODS)
    ids = list(session.scalars(text("SELECT nextval(pg_get_serial_sequence('declaration', 'id')) "
                                    "FROM generate_series(1, :n)"), {"n": count}))
    accounts = [Account(numbers[e], profiles[e]["legal_name"], profiles[e]["legal_name_latin"],
                        f"0101{e + 1:012d}") for e in range(employers)]
    declarations, lines, charges = [], [], []
    receipts: dict[int, int] = {}
    for e, employer_id in enumerate(employer_ids):
        for p, period in enumerate(PERIODS):
            setting = rules[period]
            declaration_id = ids[e * len(PERIODS) + p]
            wage = _wage(e, p)
            values = computed_values(wage, setting)
            employee, employer = values["employee_share"], values["employer_share"]
            filed_at = dt.datetime.combine(period.next().first_day + dt.timedelta(days=5), dt.time(4), tzinfo=dt.UTC)
            receipts[filed_at.year] = receipts.get(filed_at.year, 0) + 1
            reference = numeric_reference(reference_body(str(period), declaration_id))
            declarations.append({
                "id": declaration_id, "employer_id": employer_id, "scheme_code": scheme.code, "period": str(period),
                "version": 1, "kind": "original", "status": "draft", "previous_id": None, "is_nil": False,
                "nil_reason": "", "category": setting.category, "currency": scheme.currency,
                "rate_employee": setting.rates.employee, "rate_employer": setting.rates.employer,
                "base_floor": setting.limits.floor, "base_ceiling": setting.limits.ceiling, "revision": 1,
                "line_count": 1, "total_gross": wage, "total_base": values["base"], "total_employee": employee,
                "total_employer": employer, "due_date": setting.due_date, "is_late": False,
                "receipt_number": f"{scheme.country}-{filed_at.year}-{receipts[filed_at.year]:07d}",
                "payment_reference": reference, "created_at": filed_at - dt.timedelta(hours=1),
                "created_by": ACTOR.label, "filed_at": filed_at, "filed_by": ACTOR.label, "filed_by_user_id": None})
            lines.append({"declaration_id": declaration_id, "person_id": person_ids[e],
                          "employment_id": employment_ids[e], "gross_wage": wage, "days_worked": None,
                          "absence_reason": None, **values})
            for component, amount in (("employee_share", employee), ("employer_share", employer)):
                charges.append({"employer_id": employer_id, "period": str(period), "component": component,
                                "kind": "charge", "debit": amount, "credit": Decimal(0), "currency": scheme.currency,
                                "due_date": setting.due_date, "declaration_id": declaration_id, "payment_id": None,
                                "posting_key": f"declaration:{declaration_id}:{component}", "posted_at": filed_at,
                                "posted_by": ACTOR.label})
            accounts[e].filed.append(Filed(period, declaration_id, reference, employee + employer))
    _insert(session, Declaration, declarations)
    _insert(session, DeclarationLine, lines)  # while drafts: the lines of a filed declaration are frozen
    session.execute(update(Declaration).where(Declaration.status == "draft").values(status="submitted")
                    .execution_options(synchronize_session=False))
    _insert(session, LedgerEntry, charges)
    sequences = {f"employer:{scheme.code}": employers, f"person:{scheme.country}": employers}
    sequences.update({f"receipt:{scheme.code}:{year}": last for year, last in receipts.items()})
    _insert(session, NumberSequence, [{"name": name, "last_value": last} for name, last in sequences.items()])
    return accounts


# The statement -------------------------------------------------------------------------------------------

def _instalments(total: Decimal) -> list[Decimal]:
    part = (total / INSTALMENTS).quantize(Decimal(1), rounding=ROUND_DOWN)
    return [part] * (INSTALMENTS - 1) + [total - part * (INSTALMENTS - 1)]


def _reference_text(account: Account, filed: Filed, k: int) -> tuple[str, str]:
    """(free text, structured reference) quoting the declaration's reference in one of the ways payers do."""
    reference, month = filed.reference, f"{filed.period.month:02d}/{filed.period.year}"
    rf = rf_reference(reference_body(str(filed.period), filed.declaration_id))
    match k % 8:
        case 0:
            return format_numeric(reference), ""
        case 1:
            return f"ຄ່າປະກັນສັງຄົມ ເດືອນ {month} ເລກອ້າງອີງ {reference}", ""
        case 2:
            return "", rf
        case 3:
            return f"contribution {format_rf(rf).lower()} {account.name_latin}", ""
        case 4:
            return "-".join(reference[i:i + 5] for i in range(0, len(reference), 5)), ""
        case 5:
            return f"{account.number} {format_numeric(reference)} instalment", ""
        case 6:
            return f"SSO {account.name_latin}", rf
        case _:
            return f"PAYMENT REF {reference} LSSO", ""


def _mistyped(reference: str) -> str:
    """The reference with one digit wrong: the check digits catch it."""
    position = 9
    return reference[:position] + str((int(reference[position]) + 3) % 10) + reference[position + 1:]


def _credits(accounts: list[Account], seed: int = 53) -> tuple[list[Credit], dict[str, str]]:
    """Every credit of the statement in random order, and the rule each one is meant to be matched by."""
    credits: list[Credit] = []
    intended: dict[str, str] = {}
    randomly = random.Random(seed)
    serial = iter(range(1, 10**9))

    def add(account: Account, amount: Decimal, remittance: str, rule: str, structured: str = "") -> None:
        transaction_id = f"FT26{next(serial):09d}"
        credits.append(Credit(transaction_id, randomly.choice(BOOKED), amount, account.name, account.bank_account,
                              remittance, structured))
        intended[transaction_id] = rule

    for e, account in enumerate(accounts):
        by_period = {filed.period: filed for filed in account.filed}
        for period in REFERENCE_PERIODS:
            filed = by_period[period]
            for k, amount in enumerate(_instalments(filed.total)):
                free, structured = _reference_text(account, filed, e + k)
                add(account, amount, free, "reference", structured)
        for p, period in enumerate(AMOUNT_PERIODS):
            filed = by_period[period]
            number = (account.number, f"{account.number[:2].lower()} {account.number[2:-1]} {account.number[-1]}",
                      f"{account.number[:2]}-{account.number[2:-1]}-{account.number[-1]}")[(e + p) % 3]
            add(account, filed.total, f"{number} ເງິນປະກັນສັງຄົມ {period}", "employer_amount")
        everything = sum((filed.total for filed in account.filed), Decimal(0))
        match e % 3:
            case 0:
                add(account, by_period[REFERENCE_PERIODS[-1]].total,
                    f"ref {_mistyped(by_period[REFERENCE_PERIODS[-1]].reference)}", "unmatched")
            case 1:  # more than any single period owes: an officer has to split it
                add(account, everything, f"{account.number} all arrears", "unmatched")
            case _:
                add(account, everything - Decimal(15_000), "ຄ່າປະກັນສັງຄົມ", "unmatched")
    randomly.shuffle(credits)
    return credits, intended


def _entry(credit: Credit) -> str:
    amount = f"{credit.amount:.2f}"
    parts = []
    if credit.remittance:
        parts.append(f"<Ustrd>{escape(credit.remittance)}</Ustrd>")
    if credit.creditor_reference:
        parts.append("<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
                     f"<Ref>{credit.creditor_reference}</Ref></CdtrRefInf></Strd>")
    return (f'<Ntry><Amt Ccy="LAK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
            f"<BookgDt><Dt>{credit.booked}</Dt></BookgDt><ValDt><Dt>{credit.booked}</Dt></ValDt>"
            f"<AcctSvcrRef>{credit.transaction_id}</AcctSvcrRef>"
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
            "<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
            f'<Amt Ccy="LAK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<RltdPties><Dbtr><Pty><Nm>{escape(credit.payer)}</Nm></Pty></Dbtr>"
            f"<DbtrAcct><Id><Othr><Id>{credit.payer_account}</Id></Othr></Id></DbtrAcct></RltdPties>"
            f"<RmtInf>{''.join(parts)}</RmtInf></TxDtls></NtryDtls></Ntry>\n")


def _camt053(credits: list[Credit], statement: str) -> bytes:
    total = sum((credit.amount for credit in credits), Decimal(0))
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{CAMT}"><BkToCstmrStmt>'
            f"<GrpHdr><MsgId>{statement}</MsgId><CreDtTm>2026-06-24T18:05:12+07:00</CreDtTm></GrpHdr>"
            f"<Stmt><Id>{statement}</Id><CreDtTm>2026-06-24T18:05:12+07:00</CreDtTm>"
            "<Acct><Id><Othr><Id>0101000012345678</Id></Othr></Id><Ccy>LAK</Ccy>"
            "<Nm>LSSO CONTRIBUTIONS COLLECTION</Nm></Acct>"
            f"<TxsSummry><TtlCdtNtries><NbOfNtries>{len(credits)}</NbOfNtries><Sum>{total:.2f}</Sum>"
            "</TtlCdtNtries></TxsSummry>\n")
    return (head + "".join(_entry(credit) for credit in credits) + "</Stmt></BkToCstmrStmt></Document>\n").encode()


# The run -------------------------------------------------------------------------------------------------

def _reconcile(sessions) -> tuple[Counts, list[float]]:
    """As the reconciliation job runs: a recorded run, then a committed batch at a time in a fresh session."""
    with sessions() as session:
        run = start_run(session, actor=ACTOR, now=NOW)
        session.commit()
        run_id = run.id
    counts, batches = Counts(), []
    while True:
        began = time.perf_counter()
        with sessions() as session:
            done = reconcile_batch(session, actor=ACTOR, now=NOW, limit=BATCH)
            session.commit()
        if done.examined == 0:
            break
        batches.append(time.perf_counter() - began)
        counts.add(done)
    with sessions() as session:
        finish_run(session.get(ReconciliationRun, run_id), counts, now=NOW)
        session.commit()
    return counts, batches


def _warm(sessions, accounts: list[Account]) -> None:
    """Load the code paths and fill the statement caches in a transaction that is rolled back."""
    credits = [replace(c, transaction_id=f"WARM{c.transaction_id}") for c in _credits(accounts[:10], seed=7)[0]]
    with sessions() as session:
        import_statement(session, session.get(Bank, BANK), "warm.xml", _camt053(credits, "WARM"), actor=ACTOR, now=NOW)
        while reconcile_batch(session, actor=ACTOR, now=NOW, limit=BATCH).examined:
            pass
        session.rollback()


def _check(session: Session, accounts: list[Account], counts: Counts, intended: dict[str, str]) -> None:
    wanted = {rule: sum(1 for value in intended.values() if value == rule)
              for rule in ("reference", "employer_amount", "unmatched")}
    got = (counts.matched_by_reference, counts.matched_by_employer, counts.unmatched)
    assert got == (wanted["reference"], wanted["employer_amount"], wanted["unmatched"]), (got, wanted)
    stored = dict(session.execute(select(func.coalesce(Payment.match_rule, Payment.status), func.count())
                                  .group_by(func.coalesce(Payment.match_rule, Payment.status))).all())
    assert stored == {rule: number for rule, number in wanted.items() if number}, stored
    misplaced = [(transaction_id, rule) for transaction_id, rule in session.execute(
        select(Payment.transaction_id, func.coalesce(Payment.match_rule, Payment.status)))
        if intended[transaction_id] != rule]
    assert not misplaced, misplaced[:5]
    # Each instalment paid its own declaration, and everything owed is settled with nothing left in credit.
    per_declaration = session.execute(select(Payment.declaration_id, func.count()).where(
        Payment.match_rule == "reference").group_by(Payment.declaration_id)).all()
    assert len(per_declaration) == len(accounts) * len(REFERENCE_PERIODS), len(per_declaration)
    assert {number for _, number in per_declaration} == {INSTALMENTS}, per_declaration[:5]
    owed = session.scalar(select(func.sum(LedgerEntry.debit - LedgerEntry.credit))
                          .where(LedgerEntry.component.in_(DEBT_COMPONENTS)))
    credit = session.scalar(select(func.coalesce(func.sum(LedgerEntry.credit - LedgerEntry.debit), 0))
                            .where(LedgerEntry.component == "credit"))
    assert owed == 0 and credit == 0, (owed, credit)


def _baseline(engine, payments: list[dict], ledger: list[dict]) -> float:
    """Plain batched INSERTs of ``payments`` and ``ledger`` in a transaction that is rolled back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        began = time.perf_counter()
        _insert(session, Payment, payments)
        _insert(session, LedgerEntry, ledger)
        session.flush()
        seconds = time.perf_counter() - began
        session.close()
        transaction.rollback()
    return seconds


def _baseline_rows(session: Session, credits: list[Credit], statement_id: int,
                   first_entry: int) -> tuple[list[dict], list[dict]]:
    payments = [{"scheme_code": "LA-LSSO", "bank_code": BANK, "transaction_id": f"B{c.transaction_id}",
                 "statement_id": statement_id, "channel": "bank", "booking_date": c.booked, "value_date": c.booked,
                 "amount": c.amount, "currency": "LAK", "payer_name": c.payer, "payer_account": c.payer_account,
                 "remittance": " ".join(part for part in (c.remittance, c.creditor_reference) if part),
                 "status": "new", "matches": 0, "note": "", "received_at": NOW, "recorded_by": ACTOR.label}
                for c in credits]
    columns = [column for column in LedgerEntry.__table__.columns if column.name != "id"]
    ledger = [dict(row._mapping) for row in session.execute(
        select(*columns).where(LedgerEntry.id >= first_entry).order_by(LedgerEntry.id))]
    for row in ledger:
        row["posting_key"] = f"baseline:{row['posting_key']}"[:120]
    return payments, ledger


def run(url: str, n: int) -> dict:
    load_metadata()
    employers = max(1, n // PER_EMPLOYER)
    with scratch_database(url, "recon") as scratch:
        return _run(scratch, employers)


def _run(url: str, employers: int) -> dict:
    engine, sessions, accounts, _setup_seconds = populated(url, lambda session: _populate(session, employers))
    credits, intended = _credits(accounts)
    data = _camt053(credits, "STMT-0101000012345678-20260624")
    _warm(sessions, accounts)
    with sessions() as session:
        first_entry = (session.scalar(select(func.max(LedgerEntry.id))) or 0) + 1
    setup_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.collect()
    gc.freeze()

    began = time.perf_counter()
    with sessions() as session:
        statement = import_statement(session, session.get(Bank, BANK), "BCEL-camt053-20260624.xml", data,
                                     actor=ACTOR, now=NOW)
        session.commit()
        statement_id, new_count = statement.id, statement.new_count
    imported = time.perf_counter()
    counts, batches = _reconcile(sessions)
    finished = time.perf_counter()
    gc.unfreeze()
    assert new_count == len(credits), new_count

    with sessions() as session:
        _check(session, accounts, counts, intended)
        payments, ledger = _baseline_rows(session, credits, statement_id, first_entry)
    baseline = min(_baseline(engine, payments, ledger) for _ in range(2))
    engine.dispose()
    return {"n": len(credits), "seconds": round(finished - began, 3), "baseline_seconds": round(baseline, 3),
            "import_seconds": round(imported - began, 3), "reconcile_seconds": round(finished - imported, 3),
            "matched_by_reference": counts.matched_by_reference, "matched_by_employer": counts.matched_by_employer,
            "unmatched": counts.unmatched, "batches": len(batches),
            "slowest_batch_seconds": round(max(batches), 3), "ledger_rows": len(ledger),
            "baseline_rows": len(payments) + len(ledger), "employers": employers,
            "statement_mb": round(len(data) / 2**20, 1), "setup_peak_rss_mb": round(setup_peak, 1)}
