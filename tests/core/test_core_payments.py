"""``tagihlite payments import``: header tolerance, bad cells, partial payments, re-import."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from core.core_helpers import column_values, customer, run_cli, sha256, write_book

from tagihlite import clock


@pytest.fixture(autouse=True)
def _unpin():
    yield
    clock.pin(None)


def _payments(path, header, *rows, title=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append(["REKAP PEMBAYARAN (FIKTIF)"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_bad_paid_date_names_file_sheet_and_cell_and_changes_nothing(tmp_path):
    book = write_book(tmp_path / "b.xlsx", [customer(1)])
    before = sha256(book)
    pay = _payments(tmp_path / "p.xlsx", ["No Internet", "Tgl Bayar"],
                    ["141234500001", "kemarin"])
    code, _, err = run_cli("payments", "import", pay, book)
    assert code == 2 and "'p.xlsx'" in err and "B3" in err and "kemarin" in err
    assert sha256(book) == before
    code, out, _ = run_cli("report", book, "--json")
    assert json.loads(out)["effectiveness"]["curve"] == []  # nothing was journaled


def test_missing_paid_date_column_is_explained(tmp_path):
    book = write_book(tmp_path / "b.xlsx", [customer(1)])
    pay = _payments(tmp_path / "p.xlsx", ["Nomor Indibiz", "Jumlah Bayar"], ["141234500001", 5])
    code, _, err = run_cli("payments", "import", pay, book)
    assert code == 2 and "Tanggal Bayar" in err


def test_partial_then_rest_without_period_and_reimport(tmp_path):
    book = write_book(tmp_path / "b.xlsx", [customer(1), customer(2)])  # 101,000 / 102,000
    first = _payments(tmp_path / "p1.xlsx", ["ID Pelanggan", "Tanggal Pembayaran", "Nominal"],
                      ["141234500001", dt.date(2026, 12, 1), "Rp1.000"],
                      ["141234500001", dt.date(2026, 12, 1), 1000],  # two equal payments
                      ["141234500002", None, None])  # listed, not paid: no payment
    code, out, err = run_cli("payments", "import", first, book)
    assert code == 0, err
    assert "2 baru" in out and "1 dibayar sebagian" in out
    assert column_values(book, "Jumlah Tagihan", [2, 3]) == [99_000, 102_000]
    assert "sisa Rp99.000" in column_values(book, "Catatan", [2])[0]
    for _ in range(2):  # the same list again: nothing new, same sheet
        code, out, _ = run_cli("payments", "import", first, book)
        assert code == 0 and "0 baru, 2 sudah tercatat" in out
        assert column_values(book, "Jumlah Tagihan", [2]) == [99_000]
    rest = _payments(tmp_path / "p2.xlsx", ["Nomor Indibiz", "Tanggal Bayar", "Jumlah Bayar"],
                     ["141234500001", dt.date(2026, 12, 3), 99_000], title=False)
    code, out, _ = run_cli("payments", "import", rest, book)
    assert code == 0 and "1 tagihan lunas" in out
    assert column_values(book, "Status Bayar", [2, 3]) == ["LUNAS", "BELUM BAYAR"]
    assert column_values(book, "Tanggal Bayar", [2])[0].date() == dt.date(2026, 12, 3)
    code, out, _ = run_cli("check", book, "--json")
    rows = json.loads(out)["rows"]
    assert (rows[0]["reason_code"], rows[0]["next_reminder"]) == ("paid", None)
    assert rows[1]["eligible"] is True


def test_journal_keeps_a_bill_paid_when_the_sheet_is_reset(tmp_path):
    book = write_book(tmp_path / "b.xlsx", [customer(1)])
    pay = _payments(tmp_path / "p.xlsx", ["Nomor Indibiz", "Periode", "Tanggal Bayar"],
                    ["141234500001", "2026-11", dt.date(2026, 12, 1)])
    assert run_cli("payments", "import", pay, book)[0] == 0
    fresh = write_book(tmp_path / "fresh.xlsx", [customer(1)])  # an old export: BELUM BAYAR
    code, out, _ = run_cli("check", fresh, "--json")
    assert code == 0 and json.loads(out)["rows"][0]["reason_code"] == "paid"
