"""Every user-facing string is translated in Lao, Tajik and Russian, and the catalogs match the code.

Fails on an untranslated or fuzzy message, a placeholder that does not match the source, or a string in
the code that `make i18n` has not yet brought into the catalogs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from notifications.i18n import TRANSLATIONS_DIR

LANGUAGES = ["lo", "tg", "ru"]
ROOT = TRANSLATIONS_DIR.parent
WTFORMS_POT = Path(__import__("wtforms").__file__).parent / "locale" / "wtforms.pot"


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _problems(catalog) -> list[str]:
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
    for message, errors in catalog.check():
        problems.extend(f"{error}: {message.id!r}" for error in errors)
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_portal_catalog_is_complete(language: str) -> None:
    catalog = _read(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po")
    assert _problems(catalog) == []


@pytest.mark.parametrize("language", ["lo", "tg"])
def test_wtforms_catalog_is_complete_where_wtforms_ships_none(language: str) -> None:
    catalog = _read(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "wtforms.po")
    assert _problems(catalog) == []
    expected = {m.id for m in _read(WTFORMS_POT) if m.id}
    assert expected - {m.id for m in catalog if m.id} == set()


def test_russian_wtforms_corrections_are_valid() -> None:
    assert _problems(_read(TRANSLATIONS_DIR / "ru" / "LC_MESSAGES" / "wtforms.po")) == []


def test_catalogs_contain_every_string_in_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
         "-k", "_l", "-k", "lazy_gettext", "-k", "N_", "-k", "ngettext:1,2", "--no-location",
         "-o", str(pot), str(ROOT)],
        check=True, capture_output=True, cwd=ROOT,
    )
    in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(pot) if m.id}
    for language in LANGUAGES:
        catalog = _read(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po")
        in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        assert in_code - in_catalog == set(), f"run `make i18n` and translate the new strings ({language})"
