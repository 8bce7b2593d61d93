from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from employers.rules import (
    application_problems,
    email_is_valid,
    format_number,
    is_latin_text,
    normalise_number,
    number_is_valid,
    phone_is_valid,
)

LAO_FORMAT = {"prefix": "LA", "digits": 7, "check": "luhn"}
TJ_FORMAT = {"prefix": "", "digits": 9, "check": "mod_11_10"}


def test_numbers_have_prefix_padding_and_check_digit() -> None:
    assert format_number(LAO_FORMAT, 1) == "LA00000018"
    assert number_is_valid(LAO_FORMAT, "LA00000018")
    assert number_is_valid(LAO_FORMAT, "la 0000-0018")  # as people type it
    assert not number_is_valid(LAO_FORMAT, "LA00000019")
    assert not number_is_valid(LAO_FORMAT, "TJ00000018")
    assert not number_is_valid(TJ_FORMAT, "12345")
    with pytest.raises(ValueError):
        format_number(LAO_FORMAT, 10**7)


@pytest.mark.parametrize("number_format", [LAO_FORMAT, TJ_FORMAT, {"prefix": "", "digits": 9, "check": "damm"}],
                         ids=["luhn", "mod_11_10", "damm"])
@given(sequence=st.integers(1, 9_999_999), position=st.integers(0, 7), delta=st.integers(1, 9))
def test_any_single_digit_typo_is_caught(number_format, sequence: int, position: int, delta: int) -> None:
    number = format_number(number_format, sequence)
    assert number_is_valid(number_format, number)
    prefix = number_format["prefix"]
    body = list(number[len(prefix):])
    body[position] = str((int(body[position]) + delta) % 10)
    assert not number_is_valid(number_format, prefix + "".join(body))


@pytest.mark.parametrize("check", ["damm", "verhoeff"])
@given(sequence=st.integers(1, 999_999_999), position=st.integers(0, 8))
def test_damm_and_verhoeff_catch_every_swap_of_neighbours(check: str, sequence: int, position: int) -> None:
    number_format = {"prefix": "", "digits": 9, "check": check}
    number = format_number(number_format, sequence)
    if number[position] != number[position + 1]:
        swapped = number[:position] + number[position + 1] + number[position] + number[position + 2:]
        assert not number_is_valid(number_format, swapped)


def test_normalise_number() -> None:
    assert normalise_number(" 012-345.678 ") == "012345678"


@pytest.mark.parametrize(("phone", "ok"), [
    ("+856 21 212 345", True), ("020 5555 1234", True), ("(37) 221-45-67", True),
    ("12345", False), ("+856 abc 123", False), ("", False), ("+" + "1" * 16, False),
])
def test_phone_numbers(phone: str, ok: bool) -> None:
    assert phone_is_valid(phone) is ok


@pytest.mark.parametrize(("email", "ok"), [("hr@example.la", True), ("a@b", False), ("no-at.example", False),
                                           ("sp ace@example.tj", False), ("x@.example", False)])
def test_email_addresses(email: str, ok: bool) -> None:
    assert email_is_valid(email) is ok


def test_latin_names() -> None:
    assert is_latin_text("Société Générale & Co., Ltd. 2")
    assert not is_latin_text("ບໍລິສັດ Mekong")
    assert not is_latin_text("Помир Textile")


def test_application_problems_name_every_field_at_once() -> None:
    values = {"legal_name": "ບໍລິສັດ", "legal_name_latin": "ບໍລິສັດ", "tax_number": "12", "category": "secret",
              "region_code": "TJ-DU-01", "address": "", "contact_name": "x", "phone": "1", "email": "nope",
              "preferred_language": "fr", "sector_code": "Z"}
    problems = application_problems(values, categories={"private"}, regions={"LA-VT-01"}, sectors={"A"},
                                    languages={"lo", "en"})
    assert sorted(problems) == sorted([
        ("address", "field.required"), ("legal_name_latin", "employer.latin_required"),
        ("tax_number", "employer.tax_number_invalid"), ("category", "employer.category_unknown"),
        ("region_code", "employer.region_unknown"), ("sector_code", "employer.sector_unknown"),
        ("phone", "contact.phone_invalid"), ("email", "contact.email_invalid"),
        ("preferred_language", "employer.language_unknown"),
    ])
