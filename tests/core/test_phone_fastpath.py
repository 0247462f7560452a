"""The Indonesian mobile fast path must agree with phonenumbers' own parse, always."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from tagihlite.core import parse


def _reference(cell: str) -> tuple[str | None, str]:
    """phonenumbers alone, the slow way, on the same normalisation rules."""
    digits = "".join(ch for ch in cell if ch.isdigit() or ch == "+")
    if digits.startswith("0062"):
        digits = "+" + digits[2:]
    elif digits.startswith("62"):
        digits = "+" + digits
    elif digits.startswith("8"):
        digits = "0" + digits
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException:
        return None, "invalid"
    kind = parse._kind(number)
    if kind == "invalid":
        return None, kind
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind


@pytest.mark.parametrize("seed", range(3))
def test_fast_path_matches_phonenumbers_on_random_numbers(seed: int) -> None:
    rng = random.Random(seed)
    parse._SHAPE_KINDS.clear()
    parse._one_number.cache_clear()
    for _ in range(3000):
        nsn = "8" + "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 12)))
        cell = rng.choice(["0", "+62 ", "62", "", "0062"]) + nsn
        assert parse._one_number(cell, "ID") == _reference(cell), cell


def test_fast_path_is_taken_and_agrees_for_common_formats() -> None:
    parse._SHAPE_KINDS.clear()
    parse._phone_cached.cache_clear()
    cells = ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(0812) 3456.7890",
             "81234567890", "0800-123-4567", "0809 1234 567"]
    for cell in cells:
        got = parse.phone(cell)
        e164, kind = _reference(cell)
        expected_reason = {"mobile": None, "fixed": "phone_not_mobile",
                           "invalid": "phone_invalid"}[kind]
        assert (got.e164, got.reason) == (e164 if kind == "mobile" else None, expected_reason)
    assert parse._SHAPE_KINDS, "the fast path was not used"
