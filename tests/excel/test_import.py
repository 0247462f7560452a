"""Impor Data / ``tagihlite import``: a fresh export merged into Tagihan, same in both shells."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from xlcompare import cells, columns
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite.cli import main
from tagihlite.core import columns as C
from tagihlite.core.importer import ABSENT_PREFIX, merge
from tagihlite.core.table import locate
from tagihlite.core.vocab import Status
from tagihlite.core.writeplan import KEEP
from tagihlite.excel import actions as excel_actions
from tagihlite.workbook.demo import demo_rows

PERIOD = demo_rows()[0]["Periode"]  # the demo bills are last month's


def _export(path: Path) -> Path:
    """A billing export in its own layout: other headers, other order, a title row."""
    rows = demo_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(["Laporan tunggakan (fiktif)"])
    ws.append(["ID Pelanggan", "Nama", "Tagihan", "No HP", "Status", "Periode"])
    # row 1 of the demo, now paid and with a new amount; row 2 unchanged; one new customer
    ws.append([rows[0]["Nomor Indibiz"], rows[0]["Nama Pelanggan"], 400000,
               rows[0]["No WhatsApp"], "LUNAS", PERIOD])
    ws.append([rows[1]["Nomor Indibiz"], rows[1]["Nama Pelanggan"], "Rp 1.250.000",
               rows[1]["No WhatsApp"], "BELUM BAYAR", PERIOD])
    ws.append(["0141234599999", "=Toko Baru Sekali", "Rp 725.000", "0812-7000-1999",
               "BELUM BAYAR", PERIOD])
    for r in range(3, 6):
        ws.cell(r, 1).number_format = "@"
    ws.cell(5, 2).data_type = "s"  # customer text that looks like a formula, kept as text
    wb.save(path)
    return path


def _sent_addin(xl: MemoryExcel, addin_xlsm: Path, tmp_path: Path) -> Path:
    """The add-in workbook after Kirim Semua: statuses that the import must keep."""
    xl.open(addin_xlsm)
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    return xl.save(tmp_path / "sent.xlsm")


def test_merge_updates_appends_and_notes_absent_rows() -> None:
    target = locate([["Nama", "Nomor Indibiz", "Tagihan", "No HP", "Periode", "Status Kirim",
                      "Catatan"],
                     ["A", "001", 100, "0812", PERIOD, Status.QUEUED, None],
                     ["B", "002", 200, "0813", PERIOD, None, f"{ABSENT_PREFIX} kemarin"]],
                    "Tagihan")
    export = locate([["Nomor Indibiz", "Nama", "Jumlah", "No WA", "Status Bayar", "Periode"],
                     ["002", "B", "Rp 250.000", "0813", "BELUM BAYAR", PERIOD],
                     ["003", "C", 300, "0814", "BELUM BAYAR", PERIOD]], "Export")
    result = merge(target, export, today=dt.date(2026, 11, 28))
    plan = result.plan
    assert (result.updated, result.added, result.absent) == (1, 1, 1)
    assert plan.row_numbers == [2, 3, 4]
    assert plan.column("Tagihan").values == [KEEP, 250000, 300]
    assert plan.column("Status Bayar").new and plan.column("Status Bayar").col == 8
    assert plan.column("Status Bayar").values == [KEEP, "BELUM BAYAR", "BELUM BAYAR"]
    note = plan.column(C.NOTE).values
    assert note[0].startswith(ABSENT_PREFIX) and "28-11-2026" in note[0]
    assert note[1] == "" and note[2] is KEEP  # back in the list: our own note goes
    assert all(c.header != C.STATUS for c in plan.columns)  # send status untouched


def test_cli_and_ribbon_import_write_the_same_cells(xl: MemoryExcel, addin_xlsm: Path,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _sent_addin(xl, addin_xlsm, tmp_path)
    export = _export(tmp_path / "export.xlsx")
    cli = tmp_path / "cli.xlsm"
    shutil.copy(sent, cli)
    assert main(["import", str(export), str(cli)]) == 0

    monkeypatch.setattr(excel_actions, "_ask_import_file", lambda: str(export))
    xl.open(sent)
    tx.on_ribbon("tl_import")
    assert "2 baris diperbarui, 1 baris baru" in xl.alerts[-1]["prompt"]
    out = xl.save(tmp_path / "excel.xlsm")
    today = cells(out, "Tagihan")
    assert today == cells(cli, "Tagihan")

    cols = columns(out, "Tagihan", 1)
    assert cols["Jumlah Tagihan"][2] == 400000.0 and cols["Status Bayar"][2] == "LUNAS"
    assert cols[C.STATUS][2] == Status.QUEUED  # send status kept
    assert cols["Nomor Indibiz"][14] == "0141234599999"  # appended, leading zero kept
    assert cols["Nama Pelanggan"][14] == "=Toko Baru Sekali"
    assert cols["Jumlah Tagihan"][14] == 725000.0 and cols["No"][14] == 13.0
    assert cols[C.NOTE][4].startswith(ABSENT_PREFIX)
    assert xl.table_ref("Tagihan", "TabelTagihan") == (1, 1, 14, 17)  # the Table grew


def test_import_into_a_new_workbook_creates_tagihan(tmp_path: Path) -> None:
    export = _export(tmp_path / "export.xlsx")
    target = tmp_path / "baru.xlsx"
    assert main(["import", str(export), str(target)]) == 0
    cols = columns(target, "Tagihan", 1)
    assert list(cols) == list(C.CONTRACT_HEADERS)
    assert cols["Nomor Indibiz"] == {2: "141234500001", 3: "141234500002", 4: "0141234599999"}
    assert main(["check", str(target)]) == 0


def test_import_never_writes_over_a_total_row(demo_xlsx: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    before = demo_xlsx.read_bytes()
    assert main(["import", str(_export(tmp_path / "export.xlsx")), str(demo_xlsx)]) == 2
    assert "TOTAL" in capsys.readouterr().err
    assert demo_xlsx.read_bytes() == before


def test_a_cancelled_dialog_changes_nothing(xl: MemoryExcel, addin_xlsm: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_actions, "_ask_import_file", lambda: None)
    xl.open(addin_xlsm)
    before = xl.cells("Tagihan")
    tx.on_ribbon("tl_import")
    assert xl.cells("Tagihan") == before and xl.alerts == []
    assert xl.status_texts[-1] == "TagihLite: Impor dibatalkan."


def test_cli_import_keeps_new_rows_inside_the_excel_table(addin_xlsm: Path,
                                                          tmp_path: Path) -> None:
    assert main(["import", str(_export(tmp_path / "export.xlsx")), str(addin_xlsm)]) == 0
    table = openpyxl.load_workbook(addin_xlsm)["Tagihan"].tables["TabelTagihan"]
    assert table.ref == "A1:Q14"
