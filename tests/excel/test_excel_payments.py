"""Impor Pembayaran on the ribbon writes what ``tagihlite payments import`` writes."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from core.core_helpers import run_cli, write_book
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite.excel import actions as excel_actions

HEADER = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp", "Status Bayar",
          "Periode"]


def _cells(path, sheet="Tagihan"):
    ws = openpyxl.load_workbook(path)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_ribbon_and_cli_import_the_same_payments(xl: MemoryExcel, tmp_path,
                                                 monkeypatch: pytest.MonkeyPatch):
    rows = [[f"Toko {i}", f"30{i:02d}", 100_000, f"0812-7000-{i:04d}", "BELUM BAYAR",
             "2026-11"] for i in range(1, 4)]
    book = write_book(tmp_path / "a.xlsx", rows, header=HEADER)
    pay = tmp_path / "bayar.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Nomor Indibiz", "Periode", "Tanggal Bayar", "Jumlah Bayar"])
    wb.active.append(["3001", "2026-11", dt.date(2026, 12, 3), 100_000])
    wb.active.append(["3002", "2026-11", dt.date(2026, 12, 4), 40_000])
    wb.save(pay)
    cli_copy = shutil.copy(book, tmp_path / "cli.xlsx")
    monkeypatch.setattr(excel_actions, "_ask_import_file", lambda: str(pay))
    xl.open(book)
    tx.on_ribbon("tl_import_payments")
    assert "1 tagihan lunas, 1 dibayar sebagian" in xl.alerts[-1]["prompt"]
    out = xl.save(tmp_path / "excel.xlsx")
    # the journal already holds these payments: the command line finds nothing new and
    # writes the same values from the journal
    code, text, err = run_cli("payments", "import", pay, cli_copy)
    assert code == 0, err
    assert "0 baru" in text
    excel_rows, cli_rows = _cells(out), _cells(cli_copy)
    assert excel_rows == cli_rows
    header = excel_rows[0]
    assert [r[header.index("Status Bayar")] for r in excel_rows[1:]] == [
        "LUNAS", "BELUM BAYAR", "BELUM BAYAR"]
    assert excel_rows[2][header.index("Jumlah Tagihan")] == 60_000
