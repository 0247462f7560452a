"""The memory engine itself: real files in, xlwings' public API on top, Excel's quirks kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from openpyxl.worksheet.table import Table

from xlengine import ExcelSemanticsError, MemoryExcel


def _workbook(path: Path, rows: int = 5) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "Judul"
    ws.append([])
    ws.append(["Nama", "Nomor", "Jumlah", "Tanggal", "Rumus"])
    for i in range(rows):
        ws.append([f"Toko {i}", f"0{i}123", 1000 + i, dt.datetime(2026, 11, 20), f"=C{4 + i}*2"])
    ws.add_table(Table(displayName="Tabel1", ref=f"A3:E{3 + rows}"))
    wb.create_sheet("Lain")
    wb.save(path)
    return path


def test_values_come_back_as_excel_holds_them(xl: MemoryExcel, tmp_path: Path) -> None:
    book = xl.open(_workbook(tmp_path / "a.xlsx"))
    sheet = book.sheets["Data"]
    used = sheet.used_range
    assert used.address == "$A$1:$E$8"
    grid = used.options(ndim=2).value
    assert grid[2] == ["Nama", "Nomor", "Jumlah", "Tanggal", "Rumus"]
    name, number, amount, date, _formula = grid[3]
    assert (name, number) == ("Toko 0", "00123")  # text cells keep leading zeros
    assert amount == 1000.0 and isinstance(amount, float)  # Excel numbers are doubles
    assert date == dt.datetime(2026, 11, 20)
    assert sheet.range("A4").expand("down").address == "$A$4:$A$8"
    assert sheet.range("A3").expand().address == "$A$3:$E$8"
    assert sheet.range("C4:C5").options(numbers=int).value == [1000, 1001]
    assert sheet.range("E4").formula == "=C4*2"


def test_writes_follow_excel_and_save_back(xl: MemoryExcel, tmp_path: Path) -> None:
    book = xl.open(_workbook(tmp_path / "a.xlsx"))
    sheet = book.sheets["Data"]
    sheet.range("F3").options(transpose=True).value = ["Status", "0812", "'0812", "=1+1", 5]
    assert sheet.range("F4:F7").value == [812.0, "0812", "=1+1", 5.0]
    sheet.range("I1:K1").value = ["TRUE", "2026-11", "12:30"]  # Excel's input parser
    assert sheet.range("I1:K1").value == [True, dt.datetime(2026, 11, 1), dt.time(12, 30)]
    assert xl.value("Data", "F6") == "=1+1"
    assert sheet.range("F6").formula == "=1+1"
    sheet.range("G4").number_format = "@"
    sheet.range("G4").value = "0812"
    assert sheet.range("G4").value == "0812"
    with pytest.raises(ExcelSemanticsError, match="apostrophe"):
        sheet.range("H4").value = "-Toko Maju-"
    sheet.range("A5").raw_value = [["Baru", "'=bukan rumus"]]
    out = xl.save(tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(out)["Data"]
    assert ws["A5"].value == "Baru"
    assert ws["B5"].value == "=bukan rumus" and ws["B5"].data_type == "s"
    assert ws["F7"].value == 5 and ws["F6"].value == "=1+1"
    assert ws.tables["Tabel1"].ref == "A3:E8"


def test_every_impl_call_is_counted_and_reads_cost_the_same(xl: MemoryExcel,
                                                           tmp_path: Path) -> None:
    costs = []
    for rows in (3, 300):
        book = xl.open(_workbook(tmp_path / f"r{rows}.xlsx", rows))
        assert xl.calls == 0  # open() resets
        grid = book.sheets["Data"].used_range.options(ndim=2).value
        assert len(grid) == rows + 3
        costs.append(xl.calls)
    assert costs[0] == costs[1] > 0
    app = xl.app
    xl.reset()
    assert xl.calls == 0
    app.status_bar = "x"
    assert xl.call_counts == {"App.status_bar=": 1}


@pytest.mark.parametrize("touch", [
    lambda b: b.api,
    lambda b: b.app.api,
    lambda b: b.sheets[0].api,
    lambda b: b.sheets[0].range("A1").api,
    lambda b: b.sheets[0].tables[0].api,
])
def test_api_is_banned(xl: MemoryExcel, tmp_path: Path, touch) -> None:
    book = xl.open(_workbook(tmp_path / "a.xlsx"))
    with pytest.raises(AssertionError, match=r"\.api"):
        touch(book)


def test_xlwings_internals_may_test_api_but_not_use_it(xl: MemoryExcel, tmp_path: Path) -> None:
    book = xl.open(_workbook(tmp_path / "a.xlsx"))
    book.sheets[0].range("A1").value = [[1, 2]]  # the conversion layer checks `rng.api`
    with pytest.raises(AssertionError, match="banned"):
        book.macro("TagihLiteApplyHighlight")(book.sheets[0].range("A1"), "A1", "A")


def test_alerts_status_bar_and_scripted_answers(xl: MemoryExcel, tmp_path: Path) -> None:
    book = xl.open(_workbook(tmp_path / "a.xlsx"))
    assert book.app.alert("Halo") == "ok"
    with pytest.raises(AssertionError, match="Unscripted"):
        book.app.alert("Kirim?", buttons="yes_no")
    xl.answer("no", "yes")
    assert book.app.alert("Kirim?", buttons="yes_no") == "no"
    assert book.app.alert("Yakin?", buttons="yes_no") == "yes"
    assert [a["prompt"] for a in xl.alerts] == ["Halo", "Kirim?", "Kirim?", "Yakin?"]
    book.app.status_bar = "Mengirim 1/2 ..."
    book.app.status_bar = False
    assert xl.status_texts == ["Mengirim 1/2 ...", False]


def test_the_one_macro_is_emulated_and_others_fail(xl: MemoryExcel, tmp_path: Path) -> None:
    book = xl.open(_workbook(tmp_path / "a.xlsx"))
    book.macro("TagihLiteApplyHighlight")("Data", "A4:E8", "D")
    assert [(h.sheet, h.address, h.status_column) for h in xl.highlights] == [
        ("Data", "A4:E8", "D")]
    assert xl.highlights[0].rules()[0] == ("A4:E8", "$D4", frozenset({"SIAP KIRIM"}), "FFF2CC")
    with pytest.raises(AssertionError, match="outside"):
        book.macro("TagihLiteApplyHighlight")("Data", "A4:C8", "D")
    with pytest.raises(AssertionError, match="Unknown VBA macro"):
        book.macro("Module1.Other")(1)


def test_caller_selection_tables_and_sheets(xl: MemoryExcel, tmp_path: Path) -> None:
    xl.open(_workbook(tmp_path / "a.xlsx"))
    book = xw.Book.caller()
    assert book.name == "a.xlsx"
    xl.select("Data", "A4:B5,A8")
    assert book.selection.address == "$A$4:$B$5,$A$8"
    assert book.sheets.active.name == "Data"
    table = book.sheets["Data"].tables["Tabel1"]
    assert table.range.address == "$A$3:$E$8"
    assert table.data_body_range.address == "$A$4:$E$8"
    table.resize(book.sheets["Data"].range("A3:F10"))
    assert xl.table_ref("Data", "Tabel1") == (3, 1, 10, 6)
    book.sheets["Lain"].activate()
    assert xw.Book.caller().sheets.active.name == "Lain"
    new = book.sheets.add("Laporan", after=book.sheets[-1])
    assert [s.name for s in book.sheets] == ["Data", "Lain", "Laporan"] and new.name == "Laporan"


def test_formulas_read_back_as_formulas_and_values_differ(xl: MemoryExcel,
                                                         tmp_path: Path) -> None:
    book = xl.open(_workbook(tmp_path / "a.xlsx"))
    sheet = book.sheets["Data"]
    sheet.range("F4:G4").raw_value = [['=HYPERLINK("https://wa.me/62","Buka ""WA""")',
                                       "'=teks"]]
    assert sheet.range("F4").value == 'Buka "WA"'  # the label, as Excel shows it
    assert sheet.range("E4:G5").formula == [
        ["=C4*2", '=HYPERLINK("https://wa.me/62","Buka ""WA""")', "=teks"],
        ["=C5*2", "", ""]]  # text reads as itself: its value tells it from a formula
    assert sheet.range("G4").value == "=teks"


def test_whole_rows_and_columns_are_addressed_as_excel_does(xl: MemoryExcel,
                                                            tmp_path: Path) -> None:
    book = xl.open(_workbook(tmp_path / "a.xlsx"))
    xl.select("Data", "$5:$7")  # the clerk clicked row headers 5 to 7
    assert book.selection.address == "$5:$7"
    assert book.selection.shape == (3, 16_384)
    xl.select("Data", "$B:$C,$9:$9")
    assert book.selection.address == "$B:$C,$9:$9"
    assert book.sheets["Data"].range("A:A").shape == (1_048_576, 1)


def test_a_session_ends_cleanly(tmp_path: Path) -> None:
    with MemoryExcel() as xl:
        xl.open(_workbook(tmp_path / "a.xlsx"))
        assert xw.Book.caller().name == "a.xlsx"
    with pytest.raises(Exception):  # noqa: B017 - no Excel on Linux: xlwings fails its own way
        xw.Book.caller()
