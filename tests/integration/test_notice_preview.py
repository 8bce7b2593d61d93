"""``portal notices preview KIND --lang LANG``: a sample notice of every kind in every language, its SMS text,
the copy in the scheme's second language, the one-letter PDF, and clear refusals of what does not exist."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from common.schemes import Scheme
from notifications.notice_preview import SAMPLE_REFERENCE, preview_notice
from notifications.notices import KINDS, SMS_KINDS

LANGUAGES = ("lo", "tg", "ru", "en")


@pytest.fixture
def preview(app_config, session_factory, instance_path):
    """Runs the command against the test database (in the test's transaction)."""
    from portal import create_app
    from portal.cli import main

    def run(*args: str):
        info = ScriptInfo(create_app=lambda: create_app(app_config, session_factory=session_factory))
        return CliRunner().invoke(main, ["notices", "preview", *args], obj=info)

    return run


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_in_each_language_prints_a_subject(preview, kind: str, language: str) -> None:
    result = preview(kind, "--lang", language)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    scheme = "TJ-SOCTAX" if language in ("tg", "ru") else "LA-LSSO"
    assert lines[0] == f"Notice {kind} in {language} ({scheme}), with sample amounts and dates"
    subject = lines[1].removeprefix("Subject: ")
    assert lines[1].startswith("Subject: ") and len(subject) > 10 and "%(" not in result.output
    if kind in SMS_KINDS:
        assert any(line.startswith("SMS (") for line in lines)
    else:
        assert "SMS: none (this notice is not sent by SMS)" in lines
    assert "http://portal.test/employer/" in result.output  # the link of the portal's configured address
    assert ("Copy in ru" in lines) == (language == "tg")  # Tajik notices carry a Russian copy


def test_the_notice_is_written_as_its_language_writes_amounts_and_dates(db) -> None:
    lao, tajik = db.get(Scheme, "LA-LSSO"), db.get(Scheme, "TJ-SOCTAX")
    now = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
    english = preview_notice(db, "overdue", "en", lao, today=dt.date(2026, 11, 20), link="http://x/", now=now)
    assert english.subject == "Payment overdue for September 2026: LAK352,345"
    assert "- Interest: LAK7,345" in english.body and "November 20, 2026" in english.body
    assert english.copy_language is None and english.letter.value("reference") == SAMPLE_REFERENCE
    tajik_demand = preview_notice(db, "demand", "tg", tajik, today=dt.date(2026, 11, 20), link="http://x/", now=now)
    assert "562,45" in tajik_demand.subject and tajik_demand.copy_language == "ru"
    assert "ноября 2026" in tajik_demand.copy_body
    assert tajik_demand.letter.recipient[0] == "ҶДММ «Намуна»"


def test_an_unknown_kind_or_language_is_refused_with_the_choices(preview) -> None:
    unknown = preview("reminder", "--lang", "lo")
    assert unknown.exit_code == 2
    assert "Invalid value for 'KIND': 'reminder' is not one of" in unknown.output
    assert all(f"'{kind}'" in unknown.output for kind in KINDS)
    language = preview("overdue", "--lang", "fr")
    assert language.exit_code == 2
    assert "Invalid value for '--lang': 'fr' is not one of 'lo', 'tg', 'ru', 'en'." in language.output
    scheme = preview("overdue", "--lang", "lo", "--scheme", "XX")
    assert scheme.exit_code == 2 and "unknown scheme 'XX'; schemes: LA-LSSO, TJ-SOCTAX" in scheme.output
    assert preview("overdue").exit_code == 2  # --lang is required


@pytest.mark.parametrize("language, scheme", [("lo", "LA-LSSO"), ("tg", "TJ-SOCTAX"), ("en", "TJ-SOCTAX")])
def test_pdf_writes_a_one_letter_pdf(preview, tmp_path, language: str, scheme: str) -> None:
    target = tmp_path / "letter.pdf"
    result = preview("demand", "--lang", language, "--scheme", scheme, "--pdf", str(target))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"PDF written to {target}"
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf
    text = subprocess.run(["pdftotext", str(target), "-"], check=True, capture_output=True, text=True).stdout
    # One letter: a page, or two for a long demand with its Russian copy, each footed with the reference.
    assert 1 <= text.count("\f") <= 2
    assert SAMPLE_REFERENCE in text
    assert ("Копия" in text or "Copy in" in text or "Нусха" in text) == (scheme == "TJ-SOCTAX")  # a Russian copy
