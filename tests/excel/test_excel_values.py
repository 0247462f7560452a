"""Whatever the core decides, Excel keeps it exactly: text stays text, numbers stay numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from xlengine import MemoryExcel

from tagihlite.excel.sheet import excel_value, write_block

TRICKY = ["=SUM(A1:A9)", "+62 812-7000-1001", "-Toko Minus-", "@admin", "0812700010",
          "141234500001", "2026-11", "1.250.000", "12:30", "TRUE", "'kutip", "Biasa saja",
          "Baris satu\nbaris dua"]


@pytest.fixture
def sheet(xl: MemoryExcel, tmp_path: Path) -> xw.Sheet:
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.save(tmp_path / "s.xlsx")
    return xl.open(tmp_path / "s.xlsx").sheets["S"]


def test_customer_text_round_trips_unchanged(sheet: xw.Sheet) -> None:
    write_block(sheet, 2, 3, [[excel_value(t)] for t in TRICKY])
    assert sheet.range((2, 3), (1 + len(TRICKY), 3)).value == TRICKY


def test_numbers_dates_and_blanks_keep_their_type(sheet: xw.Sheet) -> None:
    aware = dt.datetime(2026, 11, 28, 2, 15, tzinfo=dt.timezone.utc)
    row = [excel_value(v) for v in (1250000, 0.5, True, aware, dt.date(2026, 11, 20), None)]
    write_block(sheet, 1, 1, [row])
    assert sheet.range("A1:F1").value == [1250000.0, 0.5, True,
                                          dt.datetime(2026, 11, 28, 9, 15),  # WIB
                                          dt.datetime(2026, 11, 20), None]


def test_our_own_formulas_stay_formulas(sheet: xw.Sheet, xl: MemoryExcel) -> None:
    link = '=HYPERLINK("https://wa.me/6281270001001","Buka WhatsApp")'
    write_block(sheet, 1, 1, [[excel_value(link, formula=True), excel_value(link)]])
    assert sheet.range("A1").formula == link
    assert sheet.range("B1").formula == link  # shown as text: no formula behind it
    out = openpyxl.load_workbook(xl.save(sheet.book.fullname.replace("s.xlsx", "o.xlsx")))
    assert out["S"]["A1"].data_type == "f" and out["S"]["B1"].data_type == "s"
