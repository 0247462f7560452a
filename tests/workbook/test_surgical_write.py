"""Issue 10: the write-back changes only TagihLite's cells; real readers agree.

A workbook with everything a clerk's file may carry goes through a real ``send``; every
part but the ones TagihLite owns is byte-identical afterwards, and so is every element of
the target sheet other than its cells in TagihLite's columns. LibreOffice, calamine and
an OOXML validator nobody here wrote (openxml-audit) read the result.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from file_shell_helpers import SOFFICE, fixture_copy, needs_soffice, plan_for
from rich_book import IGNORED, ROWS, X14, lo_formula_book, rich_book

from tagihlite.cli import main
from tagihlite.core.vocab import Status
from tagihlite.workbook.file import apply_plan, read_table

OWNED_PARTS = {"xl/worksheets/sheet1.xml", "xl/worksheets/_rels/sheet1.xml.rels",
               "xl/styles.xml", "xl/sharedStrings.xml", "[Content_Types].xml",
               "xl/_rels/workbook.xml.rels",  # only when a sharedStrings part is created
               "xl/tables/table1.xml"}  # the customer's Table grows by our columns
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _send(capsys: pytest.CaptureFixture[str], book: Path, *extra: str) -> tuple[int, str]:
    code = main(["send", str(book), "--yes", "--outbox", str(book.parent / "ob"), *extra])
    out, err = capsys.readouterr()
    return code, out + err


def _cells(sheet: bytes) -> dict[str, bytes]:
    return {m.group(1).decode() + m.group(2).decode(): m.group(0)
            for m in _CELL.finditer(sheet)}


def _top_level(sheet: bytes) -> dict[str, bytes]:
    """The sheet's elements other than the ones TagihLite edits."""
    out = {}
    for name in ("sheetPr", "sheetViews", "sheetFormatPr", "mergeCells", "dataValidations",
                 "pageMargins", "ignoredErrors", "legacyDrawing", "tableParts", "extLst"):
        m = re.search(rb"<" + name.encode() + rb"\b.*?(?:</" + name.encode() + rb">|/>)",
                      sheet, re.S)
        out[name] = m.group(0) if m else b""
    return out


def test_send_changes_only_tagihlite_cells_and_parts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = rich_book(tmp_path / "rich.xlsx")
    before = _parts(book)
    code, text = _send(capsys, book)
    assert code == 0, text
    after = _parts(book)
    assert set(after) >= set(before)
    for name, data in before.items():
        if name not in OWNED_PARTS and not name.startswith("docProps/"):
            assert after[name] == data, name  # chart, drawing, notes, customXml, Rekap ...
    assert after["customXml/item1.xml"] == before["customXml/item1.xml"]
    old, new = before["xl/worksheets/sheet1.xml"], after["xl/worksheets/sheet1.xml"]
    assert _top_level(new) == _top_level(old)
    assert IGNORED in new and X14 in new  # ignoredErrors and the x14 data bar stay
    old_cells, new_cells = _cells(old), _cells(new)
    for ref, xml in old_cells.items():
        assert new_cells[ref] == xml, ref  # every clerk cell byte-identical (cols A-F)
    ours = {ref for ref in new_cells if ref not in old_cells}
    from tagihlite.core.columns import OUTPUT_COLUMNS

    # Columns G onwards: exactly TagihLite's own (Status Kirim ... Hari Terlambat).
    owned = {chr(ord("G") + i) for i in range(len(OUTPUT_COLUMNS))}
    assert {re.match(r"[A-Z]+", r).group(0) for r in ours} == owned
    # the clerk's rule stays beside ours; the Table grew by our columns
    assert b'operator="greaterThan"' in new and new.count(b'type="expression"') == 3
    table = after["xl/tables/table1.xml"].decode()
    assert f'ref="A1:{max(owned)}{ROWS + 1}"' in table and 'name="Status Kirim"' in table
    again = read_table(book)
    assert again.table_name == "TblTagihan" and again.outputs["Status Kirim"] == 6
    # the next run reads every row back as sent
    code, text = _send(capsys, book)
    assert "Akan dikirim: 0 pengingat" in text


@needs_soffice
def test_formula_amounts_keep_their_cached_values(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = lo_formula_book(tmp_path, SOFFICE)
    formulas_before = re.findall(rb'<c r="E\d+"[^>]*><f[^>]*>[^<]*</f><v>[^<]+</v></c>',
                                 _parts(book)["xl/worksheets/sheet1.xml"])
    assert len(formulas_before) == ROWS
    code, text = _send(capsys, book, "--rows", "2,3")
    assert code == 0, text
    sheet = _parts(book)["xl/worksheets/sheet1.xml"]
    for cell in formulas_before:
        assert cell in sheet  # formula and cached value, byte for byte
    assert main(["check", str(book), "--json"]) == 0
    rows = json.loads(capsys.readouterr()[0])["rows"]
    assert all(r["reason_code"] != "amount_invalid" for r in rows)
    assert {r["row"]: r["amount"] for r in rows}[7] == 605_000
    sent = [r["row"] for r in rows if r["reason_code"] == "already_sent"]
    assert sent == [2, 3]


def _lo_csv(book: Path, tmp_path: Path) -> list[list[str]]:
    out = tmp_path / "csv"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile2'}",
                    "--headless", "--norestore", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out),
                    str(book)], check=True, capture_output=True, timeout=240)
    with (out / f"{book.stem}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@needs_soffice
def test_libreoffice_and_calamine_read_the_same_values(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from python_calamine import CalamineWorkbook

    book = lo_formula_book(tmp_path, SOFFICE)
    code, text = _send(capsys, book, "--rows", "2-5")
    assert code == 0, text
    lo = _lo_csv(book, tmp_path)
    cal = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Tagihan").to_python()

    def norm(v: object) -> str:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return "" if v is None else str(v)

    assert lo[0][7:9] == ["Status Kirim", "Waktu Kirim"]
    for r, row in enumerate(cal):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):  # Waktu Kirim ...: LibreOffice formats dates its way
                continue
            assert lo[r][c] == norm(value), (r, c)  # formulas recalculated to the cache
    assert [lo[r][7] for r in range(1, 5)] == [Status.QUEUED] * 4


def _audit(path: Path) -> set[tuple[str, str, str, str]]:
    exe = Path(sys.executable).with_name("openxml-audit")
    proc = subprocess.run([str(exe), "-o", "json", "-m", "0", str(path)],
                          capture_output=True, text=True, timeout=240)
    found = json.loads(proc.stdout)[0]["errors"]
    return {(f["severity"], f["part_uri"], re.sub(r"\d+", "N", f["description"]),
             f["path"]) for f in found}


@pytest.mark.parametrize("name", ["ugly.xlsx", "table.xlsx", "macro_ribbon.xlsm",
                                  "lo_ugly.xlsx", "lo_table.xlsx", "rich"])
def test_validator_finds_nothing_new(tmp_path: Path, name: str) -> None:
    path = rich_book(tmp_path / "rich.xlsx") if name == "rich" else fixture_copy(tmp_path, name)
    before = _audit(path)
    table = read_table(path)
    n = len(table.rows)
    apply_plan(path, plan_for(table, {"Status Kirim": [Status.READY] * n,
                                      "Catatan": ["=catatan & <teks>"] * n,
                                      "Pesan": [" Yth. Bapak/Ibu\nbaris dua "] * n}))
    after = _audit(path)
    new = {f for f in after - before if "inline-string" not in f[2]}
    assert not new


def test_a_whole_new_sheet_can_join_the_same_write(tmp_path: Path) -> None:
    """The small API a report sheet (issue 14) can use: add_sheet inside apply_plan."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    from tagihlite.workbook.package import add_sheet

    path = rich_book(tmp_path / "rich.xlsx")
    before, audit_before = _parts(path), _audit(path)
    table = read_table(path)
    sheet = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Laporan</t></is></c>'
             b'<c r="B1"><v>42</v></c></row></sheetData></worksheet>')
    apply_plan(path, plan_for(table, {"Status Kirim": [Status.READY] * len(table.rows)}),
               extra=lambda pkg, out: add_sheet(pkg, out, "Laporan", sheet))
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Tagihan", "Rekap", "Rahasia", "Laporan"]
    assert book.get_sheet_by_name("Laporan").to_python() == [["Laporan", 42.0]]
    with pytest.warns(UserWarning):  # openpyxl drops the x14 data bar when reading
        assert openpyxl.load_workbook(path)["Laporan"]["B1"].value == 42
    after = _parts(path)
    assert after["xl/worksheets/sheet2.xml"] == before["xl/worksheets/sheet2.xml"]
    assert "xl/worksheets/sheet4.xml" in after
    assert {f for f in _audit(path) - audit_before if "inline-string" not in f[2]} == set()
