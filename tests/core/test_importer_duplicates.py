"""Import with a repeated Nomor Indibiz: rows pair up in order, a re-import changes nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tagihlite.cli import main
from tagihlite.core import columns as C
from tagihlite.core.importer import merge
from tagihlite.core.table import locate
from tagihlite.core.vocab import ABSENT_PREFIX, Status
from tagihlite.core.writeplan import KEEP
from tagihlite.workbook.demo import write_demo_xlsx
from tagihlite.workbook.file import read_table

PERIOD = "2026-11"
HEADERS = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp", "Status Bayar",
           "Periode"]


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGIHLITE_HOME", str(tmp_path / "home"))


def _book(path: Path, rows: list[tuple[str, str, int]], headers: list[str] = HEADERS) -> Path:
    """A workbook with one ``Tagihan`` table (no TOTAL row below it): (name, id, amount)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(headers)
    for name, cid, amount in rows:
        ws.append([name, cid, amount, "081270001234", "BELUM BAYAR", PERIOD])
        ws.cell(ws.max_row, 2).number_format = "@"
    wb.save(path)
    return path


def _values(path: Path) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path)
    try:
        return [tuple(r) for r in wb["Tagihan"].iter_rows(values_only=True)]
    finally:
        wb.close()


def _by_header(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_merge_pairs_repeated_keys_in_order() -> None:
    target = locate([["Nama", "Nomor Indibiz", "Tagihan", "No HP", "Periode", "Status Kirim",
                      "Catatan"],
                     ["A", "001", 100, "0812", PERIOD, Status.SUBMITTED, None],
                     ["B", "002", 200, "0813", PERIOD, Status.SUBMITTED, None],
                     ["B", "002", 210, "0813", PERIOD, None, f"{ABSENT_PREFIX} kemarin"],
                     ["D", "004", 400, "0815", PERIOD, None, None]], "Tagihan")
    export = locate([["Nomor Indibiz", "Nama", "Jumlah", "No WA", "Periode"],
                     ["001", "A", 110, "0812", PERIOD],
                     ["002", "B", 220, "0813", PERIOD],
                     ["001", "A", 120, "0812", PERIOD]], "Export")
    result = merge(target, export, today=dt.date(2026, 11, 28))
    assert (result.updated, result.added, result.absent) == (2, 1, 1)
    assert result.absent_rows == [5]  # only D: both B rows have their key in the export
    assert result.plan.row_numbers == [2, 3, 4, 5, 6]
    # first 001 -> row 2, first 002 -> row 3, second 001 is new; second 002 stays as it is
    assert result.plan.column("Tagihan").values == [110, 220, KEEP, KEEP, 120]
    note = result.plan.column(C.NOTE).values
    assert note[:2] == [KEEP, KEEP] and note[2] == ""  # our stale absent note on B goes
    assert note[3].startswith(ABSENT_PREFIX) and note[4] is KEEP


def test_reimporting_an_export_with_duplicates_changes_nothing(tmp_path: Path) -> None:
    export = _book(tmp_path / "export.xlsx", [("A", "001", 110), ("A", "001", 120),
                                              ("B", "002", 220), ("C", "003", 300)])
    target = _book(tmp_path / "tagihan.xlsx", [("A", "001", 100), ("B", "002", 200),
                                               ("B", "002", 210), ("D", "004", 400)])
    assert main(["import", str(export), str(target), "--no-backup"]) == 0
    first = _values(target)
    rows = _by_header(first)
    assert [(r["Nomor Indibiz"], r["Jumlah Tagihan"]) for r in rows] == [
        ("001", 110), ("002", 220), ("002", 210), ("004", 400), ("001", 120), ("003", 300)]
    absent = [r["Nomor Indibiz"] for r in rows
              if str(r[C.NOTE] or "").startswith(ABSENT_PREFIX)]
    assert absent == ["004"]  # the target's own second 002 is listed in the export
    for _ in range(2):
        assert main(["import", str(export), str(target), "--no-backup"]) == 0
        assert _values(target) == first


def test_reimporting_into_a_copy_keeps_the_targets_duplicates(tmp_path: Path) -> None:
    rows = [("A", "001", 100), ("A", "001", 100), ("B", "002", 200)]
    export = _book(tmp_path / "export.xlsx", rows)
    target = _book(tmp_path / "tagihan.xlsx", rows)
    for _ in range(3):
        assert main(["import", str(export), str(target), "--no-backup"]) == 0
    got = _by_header(_values(target))
    assert [(r["Nomor Indibiz"], r["Jumlah Tagihan"]) for r in got] == [
        (cid, amount) for _, cid, amount in rows]
    assert not any(str(r.get(C.NOTE) or "").startswith(ABSENT_PREFIX) for r in got)


def test_demo_workbook_imports_into_its_own_copy(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    demo = write_demo_xlsx(tmp_path / "tagihan-demo.xlsx")
    table = read_table(demo, None)
    ids = [r[table.fields["customer_id"]] for r in table.rows]
    assert len(set(ids)) < len(ids)  # the demo repeats a Nomor Indibiz on purpose
    copy = tmp_path / "salinan.xlsx"
    shutil.copy(demo, copy)
    before = _values(copy)
    assert main(["import", str(demo), str(copy), "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "0 baris baru ditambahkan" in out and "0 baris tidak ada" in out
    after = _values(copy)
    assert len(after) == len(before)  # nothing appended (the TOTAL row stays where it was)
    assert main(["import", str(demo), str(copy), "--no-backup"]) == 0
    assert _values(copy) == after


def test_export_rows_without_a_customer_number_are_skipped_not_appended_again() -> None:
    from tagihlite.core.importer import merge
    from tagihlite.core.table import locate

    header = ["Nama", "Nomor Indibiz", "Tagihan", "No HP", "Periode"]
    target = locate([header, ["A", "001", 100, "0812", "2026-11"]], "Tagihan")
    export = locate([header, ["A", "001", 150, "0812", "2026-11"],
                     ["Tanpa nomor", None, 90, "0813", "2026-11"]], "Ekspor")
    result = merge(target, export)
    assert (result.updated, result.added, result.skipped) == (1, 0, 1)
    assert "tanpa Nomor Indibiz" in result.summary()
