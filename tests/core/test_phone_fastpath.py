"""The Indonesian fast path must agree with phonenumbers' own parse, always."""

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


# Prefixes where a pattern of the ID metadata turns on its fourth or fifth digit.
_EDGES = ["21500", "21501", "2114", "2115", "2150", "8071", "8070", "1500", "1770", "1779",
          "800", "804", "809", "619", "61", "21", "22", "24", "761", "778", "702", "9"]


_WRITINGS = [lambda n: "0" + n, lambda n: "+62 " + n, lambda n: "0062" + n,
             lambda n: f"(0{n[:3]}) {n[3:]}", lambda n: f"+62-{n[:3]}-{n[3:]}"]


@pytest.mark.parametrize("seed", range(3))
def test_national_numbers_match_phonenumbers(seed: int) -> None:
    """Fixed lines, toll-free, UAN...: every national number after 0, +62 or 0062."""
    rng = random.Random(seed)
    parse._SHAPE_KINDS.clear()
    parse._one_number.cache_clear()
    for i in range(4000):
        head = rng.choice(_EDGES) if i % 2 else rng.choice("1234567912")
        nsn = head + "".join(rng.choice("0123456789") for _ in range(rng.randint(2, 11)))
        nsn = nsn[:13]
        if len(nsn) < 6:
            continue
        cell = rng.choice(_WRITINGS)(nsn)
        assert parse._one_number(cell, "ID") == _reference(cell), cell
        # The same cell through the whole phone() path agrees too.
        e164, kind = _reference(cell)
        got = parse.phone(cell)
        assert (got.e164, got.reason) == (
            e164 if kind == "mobile" else None,
            {"mobile": None, "fixed": "phone_not_mobile", "invalid": "phone_invalid"}[kind]), cell


# The ID patterns _shape() was derived from: a literal prefix of at most five digits, then
# digits. A phonenumbers upgrade that changes them must be looked at before it ships.
PINNED_ID_PATTERNS = {
    "general_desc": r"00[1-9]\d{9,14}|(?:[1-36]|8\d{5})\d{6}|00\d{9}|[1-9]\d{8,10}|[2-9]\d{7}",
    "mobile": r"8[1-35-9]\d{7,10}",
    "premium_rate": r"809\d{7}",
    "shared_cost": r"804\d{7}",
    "uan": r"(?:1500|8071\d{3})\d{3}",
    "toll_free": r"00(?:1803\d{5,11}|7803\d{7})|(?:177\d|800)\d{5,7}",
}


PINNED_FIXED_LINE = (
    r"2[124]\d{7,8}|619\d{8}|2(?:1(?:14|500)|2\d{3})\d{3}|61\d{5,8}|(?:2(?:[35][1-4]|6[0-8]|"
    r"7[1-6]|8\d|9[1-8])|3(?:1|[25][1-8]|3[1-68]|4[1-3]|6[1-3568]|7[0-469]|8\d)|4(?:0[1-589]|"
    r"1[01347-9]|2[0-36-8]|3[0-24-68]|43|5[1-378]|6[1-5]|7[134]|8[1245])|5(?:1[1-35-9]|"
    r"2[25-8]|3[124-9]|4[1-3589]|5[1-46]|6[1-8])|6(?:[25]\d|3[1-69]|4[1-6])|7(?:02|[125][1-9]|"
    r"[36]\d|4[1-8]|7[0-36-9])|9(?:0[12]|1[013-8]|2[0-479]|5[125-8]|6[23679]|7[159]|"
    r"8[01346]))\d{5,8}")


def test_id_metadata_is_the_one_the_shape_rule_was_derived_for() -> None:
    from phonenumbers import PhoneMetadata

    meta = PhoneMetadata.metadata_for_region("ID")
    for attr, pattern in PINNED_ID_PATTERNS.items():
        assert getattr(meta, attr).national_number_pattern == pattern, attr
    assert meta.fixed_line.national_number_pattern == PINNED_FIXED_LINE
    assert meta.national_prefix_for_parsing == "0"
    assert parse._SHAPE_PREFIX == 5


def test_fast_path_has_no_cache_to_grow() -> None:
    """Nearly every phone cell is a different number: the common case is not memoised
    (30,000 cache entries cost memory and time for nothing)."""
    parse._phone_cached.cache_clear()
    for i in range(100):
        assert parse.phone(f"0812{i:08d}").e164 == f"+62812{i:08d}"
    assert parse._phone_cached.cache_info().currsize == 0


def test_the_shape_regex_and_the_shape_rule_agree() -> None:
    """_ID_SHAPE's second group is the lookup key _id_kind stores under (else every number
    would miss the cache and pay for phonenumbers again)."""
    rng = random.Random(7)
    for _ in range(2000):
        head = rng.choice("123456789")
        nsn = head + "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 12)))
        m = parse._ID_SHAPE.fullmatch("0" + nsn)
        if m is None:
            continue
        number, key, number2, key2 = m.groups()
        assert (number or number2) == nsn
        assert (key or key2, len(nsn)) == parse._shape(nsn), nsn
