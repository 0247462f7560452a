"""Issue 9, "never to a stranger": odd phone, amount and name cells (hostile-tester cases)."""

from __future__ import annotations

import json

import pytest
from core_helpers import customer, run_cli, write_book

from tagihlite.core import parse
from tagihlite.core.ledger import build
from tagihlite.workbook.file import read_table


@pytest.mark.parametrize(("cell", "e164"), [
    ("081234567890.0", "+6281234567890"),  # a float exported as text: the integer
    ("081234567891.00", "+6281234567891"),
    ("0812 3456 7891 ext 2", "+6281234567891"),  # the extension is not glued on
    ("0812 3456 7891 x2", "+6281234567891"),
    ("HP: 0812-3456-7891 (Budi)", "+6281234567891"),  # words and brackets around it
    ("(0812) 3456 7891", "+6281234567891"),
    ("tel 0761 31234, hp 0812 3456 7891", "+6281234567891"),  # several numbers: the HP
    ("0812-3456-7891 / 0813-1111-2222", "+6281234567891"),
    ("0812.3456.7891", "+6281234567891"),
])
def test_phone_is_the_number_a_person_reads(cell, e164):
    assert parse.phone(cell).e164 == e164


@pytest.mark.parametrize("cell", [
    "0812 3456 7891 2",  # a number and a stray digit: never +62812345678912
    "08123456789.12",  # decimals: never +62812345678912
    "0812 3456 7891 0813 1111 2222",  # two numbers without a separator
    "0812 3456 78 91",  # ambiguous grouping
])
def test_ambiguous_phone_is_invalid_not_glued(cell):
    assert parse.phone(cell) == parse.Phone(None, "phone_invalid")


def test_phone_note_names_the_other_number_and_the_extension():
    assert "+6281311112222" in parse.phone("0812-3456-7891 / 0813-1111-2222").note
    assert "ekstensi" in parse.phone("0812 3456 7891 ext 2").note


@pytest.mark.parametrize("raw", [
    float("inf"), float("-inf"), -1, "-50.000", 1250.5, "1.250.000,50"])
def test_impossible_amounts_are_invalid(raw):
    assert parse.amount(raw).reason == "amount_invalid"


@pytest.mark.parametrize("amount", ["12345678901234567890123", 1e19, 1_000_000_001])
def test_amount_above_ceiling_is_invalid_and_send_does_not_crash(tmp_path, amount):
    path = write_book(tmp_path / "b.xlsx", [customer(1, **{"Jumlah Tagihan": amount}),
                                            customer(2)])
    code, out, _ = run_cli("check", path, "--json")
    rows = json.loads(out)["rows"]
    assert [r["reason_code"] for r in rows] == ["amount_invalid", None]
    assert "max_amount" in rows[0]["reason"]
    code, out, err = run_cli("send", path, "--yes")
    assert code == 0, err  # the good row went out; no OverflowError
    assert "Traceback" not in err


def test_ceiling_is_a_setting(tmp_path):
    table = read_table(write_book(tmp_path / "b.xlsx", [customer(1, **{
        "Jumlah Tagihan": 2_000_000})]))
    assert build(table).row(0).eligible
    assert build(table, max_amount=1_000_000).row(0).reason_code == "amount_invalid"


def test_missing_name_is_a_reason_not_an_empty_greeting(tmp_path):
    import openpyxl

    path = write_book(tmp_path / "b.xlsx", [customer(1), customer(2), customer(3)])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["B2"] = None  # empty
    ws["B3"] = "=C3&\"\""  # a formula openpyxl saves without a cached value
    wb.save(path)
    _, out, _ = run_cli("check", path, "--json")
    rows = json.loads(out)["rows"]
    assert [r["reason_code"] for r in rows] == ["name_missing", "name_missing", None]
    assert rows[0]["reason"].startswith("Nama pelanggan kosong")


def test_opt_out_numbers_are_read_the_same_way():
    from tagihlite.auth.optout import to_e164
    from tagihlite.errors import InputError

    assert to_e164("081234567890.0") == "+6281234567890"
    assert to_e164("0812 3456 7891 ext 2") == "+6281234567891"
    with pytest.raises(InputError):
        to_e164("0812 3456 7891 2")  # never +62812345678912


def test_every_key_is_the_reminder_key_of_its_row(tmp_path):
    """build() writes keys inline (one call less per row): they must stay reminder_key's."""
    from tagihlite.core.ledger import reminder_key

    rows = [customer(i) for i in range(1, 6)] + [customer(6, **{"Nomor Indibiz": None})]
    led = build(read_table(write_book(tmp_path / "k.xlsx", rows)), level=2)
    for r in led.rows():
        assert r.key == (reminder_key(r.customer_id, r.period, r.level) if r.customer_id
                         else "")
    assert sum(1 for r in led.rows() if r.key) == 5
