"""Cell parsing rules of issue 2 ("Reading the workbook")."""

from __future__ import annotations

import datetime as dt

import pytest

from tagihlite.core import parse


@pytest.mark.parametrize(("raw", "expected"), [
    (141234567891.0, "141234567891"),  # Excel turned it into 1.41234567891E+11
    ("1.41234567891E+11", "141234567891"),
    ("0141234567892", "0141234567892"),  # leading zero survives
    ("'0141234567892", "0141234567892"),  # Excel's text apostrophe
    (141234567893, "141234567893"),
    ("141234567894.0", "141234567894"),
    ("  141234567895 ", "141234567895"),
    (None, None),
    ("   ", None),
])
def test_customer_id_is_text(raw, expected):
    assert parse.customer_id(raw) == expected


@pytest.mark.parametrize(("raw", "value"), [
    (750000, 750000),
    (750000.0, 750000),
    ("Rp 750.000", 750000),
    ("Rp750.000", 750000),
    ("IDR 750.000", 750000),
    ("2.500.000", 2500000),
    ("1,150,000", 1150000),
    ("Rp1.250.000,00", 1250000),
    ("1.250.000,-", 1250000),
    ("1250000", 1250000),
    ("Rp\u00a01.250.000", 1250000),
])
def test_amount_whole_rupiah(raw, value):
    a = parse.amount(raw)
    assert (a.value, a.reason) == (value, None)


@pytest.mark.parametrize(("raw", "reason"), [
    (0, "amount_zero"),
    ("Rp 0", "amount_zero"),
    ("0", "amount_zero"),
    (None, "amount_invalid"),
    ("", "amount_invalid"),
    ("lima ratus ribu", "amount_invalid"),
    (-50000, "amount_invalid"),
    (1250.5, "amount_invalid"),  # Rupiah bills have no cents
    (float("nan"), "amount_invalid"),
    (True, "amount_invalid"),
])
def test_amount_problems(raw, reason):
    assert parse.amount(raw).reason == reason


@pytest.mark.parametrize("word", ["LUNAS", "SUDAH BAYAR", "PAID", "Lunas", "sudah  bayar",
                                  "Sudah Lunas"])
def test_paid_words(word):
    assert parse.paid(word) is True


@pytest.mark.parametrize("word", ["BELUM BAYAR", "BELUM LUNAS", "UNPAID", "", None, "  ",
                                  "belum-bayar"])
def test_unpaid_words_and_blank(word):
    assert parse.paid(word) is False


def test_unknown_paid_word_is_not_guessed():
    assert parse.paid("CICILAN") is None


@pytest.mark.parametrize("raw", ["081234567893", "6281234567893", "+62 812-3456-7893",
                                 "0812 3456 7893", "(0812) 3456-7893", 81234567893,
                                 "81234567893", 6281234567893.0])
def test_phone_normalised_to_e164(raw):
    p = parse.phone(raw)
    assert (p.e164, p.reason) == ("+6281234567893", None)


def test_two_numbers_use_first_mobile_and_note_the_other():
    p = parse.phone("0761-31234 / 0812-3456-7893")
    assert p.e164 == "+6281234567893"
    assert p.reason is None
    assert "+6276131234" in p.note  # the landline is named, not silently dropped
    p2 = parse.phone("081234567893 / 081234567894")
    assert p2.e164 == "+6281234567893"
    assert "+6281234567894" in p2.note


@pytest.mark.parametrize(("raw", "reason"), [
    (None, "phone_missing"),
    ("", "phone_missing"),
    ("-", "phone_missing"),
    ("0761-31234", "phone_not_mobile"),  # Dumai landline
    ("021-5551234", "phone_not_mobile"),
    ("0812", "phone_invalid"),
    ("12345", "phone_invalid"),
    ("tanya sales", "phone_invalid"),
])
def test_phone_problems(raw, reason):
    p = parse.phone(raw)
    assert (p.e164, p.reason) == (None, reason)


@pytest.mark.parametrize(("raw", "expected"), [
    (dt.datetime(2026, 11, 20, 0, 0), dt.date(2026, 11, 20)),
    (dt.date(2026, 11, 20), dt.date(2026, 11, 20)),
    (46346, dt.date(2026, 11, 20)),  # Excel serial
    ("20/11/2026", dt.date(2026, 11, 20)),  # day first
    ("20-11-2026", dt.date(2026, 11, 20)),
    ("2026-11-20", dt.date(2026, 11, 20)),
    ("20 November 2026", dt.date(2026, 11, 20)),
    ("20 Nopember 2026", dt.date(2026, 11, 20)),
    ("20 Des 2026", dt.date(2026, 12, 20)),
    ("31/02/2026", None),
    ("besok", None),
    (None, None),
])
def test_dates(raw, expected):
    assert parse.date_value(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-11", "2026-11"),
    ("11/2026", "2026-11"),
    ("November 2026", "2026-11"),
    ("NOV 2026", "2026-11"),
    ("Nov-26", "2026-11"),
    (202611, "2026-11"),
    (dt.date(2026, 11, 1), "2026-11"),
    ("2026-13", None),
    ("bulan lalu", None),
])
def test_period(raw, expected):
    assert parse.period(raw) == expected
