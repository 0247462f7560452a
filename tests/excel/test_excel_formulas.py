"""Block writes pass over cells they have no new value for: formulas there stay formulas."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite.core import columns as C
from tagihlite.core.writeplan import KEEP, ColumnWrite, WritePlan
from tagihlite.excel import actions as excel_actions
from tagihlite.excel.sheet import RowWriter, apply_plan, read_sheet

CLERK_MESSAGE = '="Yth. "&B{row}&", mohon dibayar."'  # a clerk's own Pesan formula


def _formula_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row
            if c.data_type == "f"}


def _text_cell(path: Path, sheet: str, address: str) -> tuple[object, str]:
    cell = openpyxl.load_workbook(path)[sheet][address]
    return cell.value, cell.data_type


@pytest.fixture
def small_sheet(tmp_path: Path) -> Path:
    """Header on row 1, rows 2-3 and 5 data, row 4 a subtotal between them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["Nama", "Jumlah", "Catatan"])
    ws.append(["A", 10, "=B2*2"])
    ws.append(["=Toko Teks", 20, None])
    ws.append(["Subtotal", "=SUM(B2:B3)", "=B4/2"])
    ws.append(["C", 30, "lama"])
    ws["A3"].data_type = "s"  # customer text that merely looks like a formula
    path = tmp_path / "s.xlsx"
    wb.save(path)
    return path


def test_a_block_write_keeps_formulas_and_text_it_passes_over(xl: MemoryExcel,
                                                              small_sheet: Path,
                                                              tmp_path: Path) -> None:
    book = xl.open(small_sheet)
    live = read_sheet(book.sheets["S"])
    plan = WritePlan(sheet="S", header_row=1, row_numbers=[2, 3, 5])
    plan.columns = [ColumnWrite(col=1, header="Nama", new=False, values=[KEEP, KEEP, "C2"]),
                    ColumnWrite(col=2, header="Jumlah", new=False, values=[11, KEEP, 31]),
                    ColumnWrite(col=3, header="Catatan", new=False,
                                values=[KEEP, "=Catatan Teks", KEEP])]
    apply_plan(book, live, plan, highlight=False)
    out = xl.save(tmp_path / "o.xlsx")
    assert _formula_cells(out, "S") == {(2, 3): "=B2*2", (4, 2): "=SUM(B2:B3)",
                                        (4, 3): "=B4/2"}
    assert _text_cell(out, "S", "A3") == ("=Toko Teks", "s")  # KEEP text stays text
    assert _text_cell(out, "S", "C3") == ("=Catatan Teks", "s")  # new text is text too
    assert xl.value("S", "B2") == 11.0 and xl.value("S", "A5") == "C2"


def test_a_row_write_during_a_send_keeps_formulas(xl: MemoryExcel, small_sheet: Path,
                                                  tmp_path: Path) -> None:
    book = xl.open(small_sheet)
    live = read_sheet(book.sheets["S"])
    cols = [ColumnWrite(col=2, header="Jumlah", new=False, values=[]),
            ColumnWrite(col=3, header="Catatan", new=False, values=[])]
    writer = RowWriter(live, cols, [2, 5])
    writer.write(2, {"Jumlah": 12, "Catatan": KEEP})
    writer.write(5, {"Catatan": "baru"})
    out = xl.save(tmp_path / "o.xlsx")
    assert _formula_cells(out, "S") == {(2, 3): "=B2*2", (4, 2): "=SUM(B2:B3)",
                                        (4, 3): "=B4/2"}
    assert xl.value("S", "B2") == 12.0 and xl.value("S", "C5") == "baru"


def _customers(n: int) -> list[dict[str, object]]:
    return [{"Nama Pelanggan": f"Pelanggan Fiktif {i}", "Nomor Indibiz": f"14123{i:07d}",
             "Jumlah Tagihan": 100000 + i, "No WhatsApp": f"0812{i:08d}",
             "Status Bayar": "LUNAS" if i % 5 == 0 else "BELUM BAYAR",
             "Periode": "2026-11"} for i in range(1, n + 1)]


def _with_formulas(path: Path) -> Path:
    """The add-in workbook with ``No`` as =ROW()-1 and a clerk's formula in every Pesan."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb["Tagihan"]
    headers = [c.value for c in ws[1]]
    pesan = headers.index(C.MESSAGE) + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 1).value = "=ROW()-1"
        ws.cell(r, pesan).value = CLERK_MESSAGE.format(row=r)
    wb.save(path)
    wb.close()
    return path


def test_mark_keeps_formulas_and_costs_the_same_for_10_and_10000_rows(
        xl: MemoryExcel, tmp_path: Path) -> None:
    from tagihlite.addin.build import build_workbook

    costs = []
    for n in (10, 10_000):
        path = _with_formulas(build_workbook(tmp_path / f"n{n}.xlsm", customers=_customers(n)))
        xl.open(path)
        tx.on_ribbon("tl_mark")
        assert [a for a in xl.alerts if a["mode"] == "critical"] == []
        costs.append(xl.calls)
        out = _formula_cells(xl.save(tmp_path / f"o{n}.xlsm"), "Tagihan")
        pesan = next(c for (r, c), v in out.items() if v == CLERK_MESSAGE.format(row=r))
        assert {(r, c): v for (r, c), v in out.items() if c == pesan} == {
            (r, pesan): CLERK_MESSAGE.format(row=r) for r in range(2, n + 2)}
    assert costs[0] == costs[1] < 100


def test_import_keeps_the_no_formulas_and_customer_text(xl: MemoryExcel, addin_xlsm: Path,
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from test_import import _export

    wb = openpyxl.load_workbook(addin_xlsm, keep_vba=True)
    ws = wb["Tagihan"]
    last = ws.max_row
    for r in range(2, last + 1):
        ws.cell(r, 1).value = "=ROW()-1"
    ws["B5"].value, ws["B5"].data_type = "=Toko Formula Lama", "s"
    wb.save(addin_xlsm)
    wb.close()
    export = _export(tmp_path / "export.xlsx")
    monkeypatch.setattr(excel_actions, "_ask_import_file", lambda: str(export))
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_import")
    assert "1 baris baru" in xl.alerts[-1]["prompt"]
    out = xl.save(tmp_path / "o.xlsm")
    formulas = _formula_cells(out, "Tagihan")
    assert {r: formulas.get((r, 1)) for r in range(2, last + 1)} == dict.fromkeys(
        range(2, last + 1), "=ROW()-1")
    assert (last + 1, 1) not in formulas and xl.value("Tagihan", f"A{last + 1}") == last
    assert _text_cell(out, "Tagihan", "B5") == ("=Toko Formula Lama", "s")
