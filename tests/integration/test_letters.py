"""Letters for post: which notices a batch takes, and the batch's PDF (one letter a notice, each on a page of
its own, with the address, the reference, the text in the notice's language and the Russian copy of a Tajik
notice).

PDF text extraction loses positioned Lao marks, so Lao is checked by the strings the letter is built from,
by Lao letters being present in the extracted text, and by rasterizing the letter with pdftoppm (the sample
PNGs in test-artifacts/letters are for looking at).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from common.audit import AuditEvent
from notifications.documents.letter import batch_letters, letter_batch_pdf, letter_content
from notifications.letters import LETTER_KINDS, create_letter_batch, letters_waiting
from notifications.notices import LetterBatch, Notice, notify
from tests import factories
from tests.conftest import ARTIFACTS
from tests.factories import ACTOR

NOW = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
LINK = "http://portal.test/employer/"
LAO_ADDRESS = "ບ້ານ ສີສະເກດ, ເມືອງ ຈັນທະບູລີ\nນະຄອນຫຼວງວຽງຈັນ"
TAJIK_ADDRESS = "кӯчаи Рӯдакӣ 1, ш. Душанбе"
LAO = re.compile(r"[\u0e80-\u0eff]")


def _params(kind: str, period: str = "2026-09") -> dict:
    due = {"2026-08": "2026-09-21", "2026-09": "2026-10-20", "2026-10": "2026-11-20"}[period]
    if kind in ("filing_reminder", "missed_filing"):
        return {"period": period, "due": due}
    if kind == "assessment":
        return {"period": period, "due": due, "amount": "1035000", "basis": "last_declared"}
    if kind == "declaration_receipt":
        return {"period": period, "version": 1, "receipt": "R-1", "amount": "345000", "due": due,
                "reference": "LA-2026-09-0001"}
    return {"period": period, "due": due, "as_of": "2026-11-20", "amount": "352345", "days": 31,
            "stage": 1 if kind == "demand" else 0,
            "components": [["employee_share", "165000"], ["employer_share", "180000"], ["interest", "7345"]]}


def _notify(db, employer, kind: str, *, period: str = "2026-09", minutes: int = 0) -> Notice:
    stage = 1 if kind == "demand" else 0
    notice = notify(db, employer, kind, period=period, stage=stage, params=_params(kind, period), actor=ACTOR,
                    now=NOW + dt.timedelta(minutes=minutes), link=LINK)
    assert notice is not None
    return notice


@pytest.fixture
def lao(db):
    return factories.employer(db, address=LAO_ADDRESS, legal_name="ບໍລິ\u200bສັດ ແສງ\u200bຕາເວັນ ຈຳກັດ")


@pytest.fixture
def tajik(db):
    return factories.employer(db, scheme_code="TJ-SOCTAX", address=TAJIK_ADDRESS, legal_name="ҶДММ «Офтоб»")


def _words(text: str) -> str:
    """``text`` with every run of white space (no-break spaces included) made one space."""
    return " ".join(text.split())


def _pdf_text(pdf: bytes, directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "letters.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True)
    return text.stdout


def _pages(pdf: bytes, directory: Path) -> list[str]:
    """The text of each page."""
    return _pdf_text(pdf, directory).split("\f")[:-1]


def _rasterize(pdf: bytes, directory: Path, dpi: int = 60) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("page*.png"):
        stale.unlink()
    source = directory / "letters.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(directory / "page")], check=True)
    return sorted(directory.glob("page*.png"))


# --- Batches ------------------------------------------------------------------------------------------------


def test_a_batch_takes_the_schemes_unbatched_notices_of_the_kinds_oldest_first(db, lao, tajik) -> None:
    other = factories.employer(db)
    written = {kind: _notify(db, lao, kind, minutes=10 - i) for i, kind in enumerate(
        ("filing_reminder", "missed_filing", "assessment", "overdue", "demand", "declaration_receipt"))}
    older = _notify(db, other, "overdue", period="2026-08", minutes=-60)
    tajik_notice = _notify(db, tajik, "overdue")
    assert letters_waiting(db, "LA-LSSO") == 5

    batch = create_letter_batch(db, "LA-LSSO", actor=ACTOR, now=NOW)
    assert batch is not None and batch.letters == 5 and batch.scheme_code == "LA-LSSO"
    assert batch.created_by == ACTOR.label
    taken = list(db.scalars(select(Notice).where(Notice.letter_batch_id == batch.id)))
    assert {notice.id for notice in taken} == {older.id} | {written[kind].id for kind in LETTER_KINDS}
    # Oldest first: the other employer's notice, then the demand (written first), then back to missed filing.
    assert [content.reference for content in batch_letters(db, batch)] == [
        f"N-{notice.id}" for notice in (older, written["demand"], written["overdue"], written["assessment"],
                                        written["missed_filing"])]
    assert written["filing_reminder"].letter_batch_id is None  # reminders and receipts are not posted
    assert written["declaration_receipt"].letter_batch_id is None
    assert tajik_notice.letter_batch_id is None  # another scheme
    assert letters_waiting(db, "LA-LSSO") == 0 and letters_waiting(db, "TJ-SOCTAX") == 1
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "letters.batch_created")).one()
    assert audit.object_id == str(batch.id) and "5 letter(s)" in audit.summary


def test_a_second_batch_takes_none_of_the_firsts(db, lao) -> None:
    first_notices = [_notify(db, lao, kind) for kind in ("missed_filing", "overdue")]
    first = create_letter_batch(db, "LA-LSSO", actor=ACTOR, now=NOW)
    assert create_letter_batch(db, "LA-LSSO", actor=ACTOR, now=NOW) is None  # nothing new: no empty batch
    later = _notify(db, lao, "overdue", period="2026-10", minutes=30)
    second = create_letter_batch(db, "LA-LSSO", actor=ACTOR, now=NOW + dt.timedelta(hours=1))
    assert second is not None and second.id != first.id and second.letters == 1
    assert list(db.scalars(select(Notice.id).where(Notice.letter_batch_id == second.id))) == [later.id]
    assert {n.id for n in db.scalars(select(Notice).where(Notice.letter_batch_id == first.id))} == \
        {n.id for n in first_notices}
    assert db.scalar(select(LetterBatch).where(LetterBatch.id == first.id)).letters == 2


def test_kinds_and_limit_choose_the_notices(db, lao) -> None:
    overdue = [_notify(db, lao, "overdue", period=period, minutes=i)
               for i, period in enumerate(("2026-08", "2026-09", "2026-10"))]
    missed = _notify(db, lao, "missed_filing")
    batch = create_letter_batch(db, "LA-LSSO", kinds=("overdue",), limit=2, actor=ACTOR, now=NOW)
    assert batch.letters == 2
    assert set(db.scalars(select(Notice.id).where(Notice.letter_batch_id == batch.id))) == \
        {overdue[0].id, overdue[1].id}
    rest = create_letter_batch(db, "LA-LSSO", actor=ACTOR, now=NOW)
    assert set(db.scalars(select(Notice.id).where(Notice.letter_batch_id == rest.id))) == {overdue[2].id, missed.id}
    assert create_letter_batch(db, "LA-LSSO", kinds=("declaration_receipt",), actor=ACTOR, now=NOW) is None
    with pytest.raises(ValueError):
        create_letter_batch(db, "LA-LSSO", kinds=("reminder",), actor=ACTOR, now=NOW)


# --- The PDF ------------------------------------------------------------------------------------------------


def test_the_pdf_has_one_letter_a_notice_with_address_and_reference(db, lao) -> None:
    notices = [_notify(db, lao, kind, minutes=i) for i, kind in enumerate(LETTER_KINDS)]
    factories_en = factories.employer(db, preferred_language="en", address="12 Lane Xang Avenue\nVientiane",
                                      legal_name="Mekong Trading Co., Ltd.")
    english = _notify(db, factories_en, "demand", minutes=10)
    batch = create_letter_batch(db, "LA-LSSO", actor=ACTOR, now=NOW)
    pdf = letter_batch_pdf(db, batch)
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf
    pages = _pages(pdf, ARTIFACTS / "letters" / "batch")
    assert len(pages) == 5  # each letter starts a page; these fit on one
    for page, notice in zip(pages, notices + [english], strict=True):
        assert f"N-{notice.id}" in page  # the reference, in the details and in the footer
    last = _words(pages[-1])
    for expected in ("Mekong Trading Co., Ltd.", "12 Lane Xang Avenue", "Vientiane", english.subject,
                     "Total: LAK352,345, including interest to date.", "Employer number", "Page 1 of 1",
                     "November 20, 2026", "- Interest: LAK7,345"):
        assert expected in last, expected
    for page in pages[:-1]:
        assert LAO.search(page)  # Lao letters are extracted (the marks above and below may be lost)
        assert lao.employer_number in page


def test_lao_letter_texts_are_lao_without_zero_width_spaces(db, lao) -> None:
    notice = _notify(db, lao, "overdue")
    content = letter_content(notice, lao, lao.scheme)
    assert content.language == "lo" and content.copy_language is None
    assert content.recipient == ["ບໍລິສັດ ແສງຕາເວັນ ຈຳກັດ", "ບ້ານ ສີສະເກດ, ເມືອງ ຈັນທະບູລີ", "ນະຄອນຫຼວງວຽງຈັນ"]
    assert content.institution == "ສຳນັກງານປະກັນສັງຄົມແຫ່ງຊາດ"
    assert content.value("reference") == f"N-{notice.id}"
    assert LAO.search(content.value("date"))  # the date in Lao
    assert all("\u200b" not in text for text in content.strings())


def test_a_tajik_letter_carries_the_russian_copy(db, tajik, tmp_path) -> None:
    notice = _notify(db, tajik, "demand")
    assert notice.language == "tg" and notice.copy_language == "ru"
    content = letter_content(notice, tajik, tajik.scheme)
    assert content.copy_language == "ru" and content.copy_subject == notice.copy_subject
    assert content.recipient == ["ҶДММ «Офтоб»", TAJIK_ADDRESS]
    batch = create_letter_batch(db, "TJ-SOCTAX", actor=ACTOR, now=NOW)
    pages = _pages(letter_batch_pdf(db, batch), tmp_path)
    text = _words(" ".join(pages))
    for expected in ("ҶДММ «Офтоб»", "кӯчаи Рӯдакӣ 1, ш. Душанбе", f"N-{notice.id}", content.value("date"),
                     content.institution, content.copy_heading, content.copy_details):
        assert _words(expected) in text, expected
    # The Tajik text comes first, then the Russian copy after the rule.
    assert text.index(_words(content.subject)) < text.index(_words(content.copy_subject))
    assert _words(content.copy_body[-1][-1]) in text  # the copy's signature, to its end
    assert "ноября 2026" in text  # the copy's dates as Russian writes them


def test_a_long_letter_runs_onto_more_pages_with_its_own_page_count(db, lao, tajik, tmp_path) -> None:
    short = _notify(db, lao, "missed_filing")
    long = _notify(db, lao, "overdue", minutes=1)
    long.body = "\n\n".join([long.body] * 8)
    db.flush()
    after = _notify(db, lao, "assessment", minutes=2)
    batch = create_letter_batch(db, "LA-LSSO", actor=ACTOR, now=NOW)
    pdf = letter_batch_pdf(db, batch)
    pages = _pages(pdf, tmp_path)
    assert len(pages) >= 4
    references = [re.findall(r"N-\d+", page) for page in pages]
    assert f"N-{short.id}" in references[0] and f"N-{after.id}" in references[-1]
    assert all(f"N-{long.id}" in found for found in references[1:-1])  # the footer of every page of it
    assert len(_rasterize(pdf, tmp_path)) == len(pages)


def test_a_batch_without_letters_is_refused(db) -> None:
    batch = LetterBatch(scheme_code="LA-LSSO", created_at=NOW, created_by="test", letters=0)
    db.add(batch)
    db.flush()
    with pytest.raises(ValueError):
        letter_batch_pdf(db, batch)


def test_sample_letters_for_review(db, lao, tajik) -> None:
    """Writes a Lao and a Tajik letter (PDF and 60 dpi PNG) to test-artifacts/letters to look at."""
    for name, employer, kind in (("lo", lao, "demand"), ("tg", tajik, "overdue")):
        _notify(db, employer, kind)
        batch = create_letter_batch(db, employer.scheme_code, actor=ACTOR, now=NOW)
        pdf = letter_batch_pdf(db, batch)
        assert len(_rasterize(pdf, ARTIFACTS / "letters" / name)) >= 1


def test_two_batches_made_at_once_never_share_a_letter(database_url, tmp_path) -> None:
    """On PostgreSQL the second batch is made while the first is not committed yet: it skips the notices the
    first has locked.  SQLite serialises writers, so there the second follows the first."""
    from sqlalchemy.orm import Session

    from tests.conftest import migrated_database

    with migrated_database(database_url, tmp_path, "letters") as engine:
        with Session(engine) as session:
            employer = factories.employer(session, address=LAO_ADDRESS)
            written = [_notify(session, employer, "overdue", period=period, minutes=i)
                       for i, period in enumerate(("2026-08", "2026-09", "2026-10"))]
            session.commit()
            ids = {notice.id for notice in written}
        postgres = engine.dialect.name == "postgresql"
        with Session(engine) as first, Session(engine) as second:
            one = create_letter_batch(first, "LA-LSSO", limit=2, actor=ACTOR, now=NOW)
            if not postgres:
                first.commit()
            two = create_letter_batch(second, "LA-LSSO", actor=ACTOR, now=NOW)
            second.commit()
            if postgres:
                first.commit()
            assert one.letters == 2 and two is not None and two.letters == 1
        with Session(engine) as session:
            taken = dict(session.execute(select(Notice.id, Notice.letter_batch_id)).all())
            assert set(taken) == ids and None not in taken.values()
            assert sorted(list(taken.values()).count(batch) for batch in set(taken.values())) == [1, 2]
