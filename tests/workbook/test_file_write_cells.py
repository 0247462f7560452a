"""The part-level writer gives the cells openpyxl's own ``cell.value = ...`` path gives.

apply_plan patches the sheet XML directly (tagihlite.workbook.sheetpatch). These tests
write the same plan a second way, the plain openpyxl way the file shell used before, and
compare every cell as openpyxl reads it back: value, type, number format and style.
"""

from __future__ import annotations

from copy import copy
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from file_shell_helpers import fixture_copy
from openpyxl.cell.rich_text import CellRichText
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray

from tagihlite.core.writeplan import DATETIME_FORMAT, KEEP, ColumnWrite, WritePlan, is_formula_like
from tagihlite.errors import InputError
from tagihlite.workbook import write as W
from tagihlite.workbook.package import Output


class Tagged(str):
    """A str subclass: takes openpyxl's own (slow) path."""


VALUES = [
    "teks biasa", "=1+1", "+6281200000001", "-minus", "@SUM(A1)", "=", "#N/A", "#REF!",
    "a\x01b\x1fc\x0bd", "panjang " * 5000, "", 12, 3.5, True, False, 0,
    datetime(2026, 11, 28, 9, 30), datetime(2026, 11, 28, 2, 30, tzinfo=timezone.utc),
    date(2026, 11, 1), time(8, 15), timedelta(hours=3), Decimal("1.25"), None, KEEP,
    Tagged("=Tagged formula"), Tagged("biasa"),
]  # (bytes and rich text are not values a plan carries: the core writes str, numbers, dates)


def _values(n: int, shift: int) -> list:
    return [VALUES[(i + shift) % len(VALUES)] for i in range(n)]


def _varied_fixture(tmp_path: Path) -> Path:
    """ugly.xlsx with different styles down the last column (new columns copy it) and
    number formats in the existing columns we write into."""
    path = fixture_copy(tmp_path, "ugly.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Tagihan"]
    for row in range(5, 26):
        kind = row % 4
        if kind == 0:
            ws.cell(row, 10).fill = PatternFill("solid", start_color="FFEEDD")
        elif kind == 1:
            ws.cell(row, 10).font = Font(bold=True, color="990000")
            ws.cell(row, 10).number_format = "0.00%"
        elif kind == 2 and ws._cells.get((row, 10)) is not None:
            ws.cell(row, 10)._style = copy(openpyxl.Workbook().active["A1"]._style)
        ws.cell(row, 9).number_format = ["General", "dd/mm/yyyy", "#,##0", "@"][kind]
    wb.save(path)
    return path


def _plan(rows: list[int]) -> WritePlan:
    n = len(rows)
    cols = [
        ColumnWrite(col=9, header="Sales", new=False, values=_values(n, 0)),
        ColumnWrite(col=10, header="Keterangan", new=False, values=_values(n, 3),
                    number_format="0.00"),
        ColumnWrite(col=11, header="Status Kirim", new=True, values=_values(n, 7)),
        ColumnWrite(col=12, header="Waktu Kirim", new=True, values=_values(n, 11),
                    number_format=DATETIME_FORMAT),
        ColumnWrite(col=13, header="Tautan WA", new=True, values=_values(n, 17),
                    formulas=True),
        ColumnWrite(col=14, header="Pesan", new=True, values=_values(n, 23)),
    ]
    return WritePlan(sheet="Tagihan", header_row=4, row_numbers=rows, columns=cols)


def _reference_header(ws, plan: WritePlan, column: ColumnWrite, style_col: int) -> None:
    cell = ws.cell(plan.header_row, column.col)
    cell.value = column.header
    src = ws._cells.get((plan.header_row, style_col))
    if src is not None and src.has_style:
        cell._style = copy(src._style)


def _reference_write(ws, plan: WritePlan) -> None:
    """The straightforward openpyxl way: ws.cell(), a style copy, cell.value = ..."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wib = timezone(timedelta(hours=7))
    style_col = min(c.col for c in plan.columns if c.new) - 1
    for column in plan.columns:
        if column.new:
            _reference_header(ws, plan, column, style_col)
        for row, value in zip(plan.row_numbers, column.values, strict=True):
            if value is KEEP:
                continue
            if value is None:
                if (row, column.col) in ws._cells:
                    ws.cell(row, column.col).value = None
                continue
            cell = ws.cell(row, column.col)
            if column.new:
                src = ws._cells.get((row, style_col))
                if src is not None and src.has_style:
                    cell._style = copy(src._style)
                cell.number_format = column.number_format or "General"
            elif column.number_format:
                cell.number_format = column.number_format
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(wib).replace(tzinfo=None)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.value = value
            if is_formula_like(value) and not column.formulas:
                cell.data_type = "s"


def _cells(path: Path) -> dict:
    ws = openpyxl.load_workbook(path, rich_text=True)["Tagihan"]
    out = {}
    for (row, col), c in ws._cells.items():
        out[(row, col)] = (c.value if not isinstance(c.value, CellRichText) else repr(c.value),
                           c.data_type if c.value is not None else None,  # "" is empty
                           c.number_format, repr(c.font), repr(c.fill),
                           repr(c.border), repr(c.alignment), repr(c.protection))
    return out


@pytest.mark.parametrize("extra_rows", [[], [30, 31]], ids=["table", "appended"])
def test_same_cells_as_plain_openpyxl(tmp_path: Path, extra_rows: list[int]) -> None:
    path = _varied_fixture(tmp_path)
    rows = [*range(5, 15), *range(16, 26), *extra_rows]
    plan = _plan(rows)

    wb = openpyxl.load_workbook(path)
    _reference_write(wb["Tagihan"], plan)
    reference = tmp_path / "reference.xlsx"
    wb.save(reference)

    W.apply_plan(path, plan, backup=False)
    got, want = _cells(path), _cells(reference)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == want[key], key
    # the cases that matter most, spelled out
    ws = openpyxl.load_workbook(path)["Tagihan"]
    seen = set()
    for column in plan.columns:
        for row, value in zip(rows, column.values, strict=True):
            if isinstance(value, str) and value[:1] in "=+-@" and len(value) > 1:
                want = "f" if column.formulas and value[0] == "=" else "s"
                assert ws.cell(row, column.col).data_type == want, (row, column.col)
                seen.add(want)
            if value in ("#N/A", "#REF!"):
                assert ws.cell(row, column.col).data_type == "e"
                seen.add("e")
    assert seen == {"f", "s", "e"}
    assert any(ws.cell(r, 12).number_format == DATETIME_FORMAT for r in rows)


def _look(cell) -> tuple[int, ...]:
    """Everything about a cell's style but its number format."""
    style = cell._style or StyleArray()  # a cell openpyxl made just now has none yet
    return (style.fontId, style.fillId, style.borderId, style.alignmentId,
            style.protectionId)


def test_new_cells_take_the_style_of_their_row(tmp_path: Path) -> None:
    """New cells look like the table's last cell in the same row, with our format."""
    path = _varied_fixture(tmp_path)
    rows = list(range(5, 15))
    plan = WritePlan(sheet="Tagihan", header_row=4, row_numbers=rows, columns=[
        ColumnWrite(col=11, header="Status Kirim", new=True, values=["x"] * len(rows))])
    W.apply_plan(path, plan, backup=False)
    ws = openpyxl.load_workbook(path)["Tagihan"]
    for r in rows:
        ours, theirs = _look(ws.cell(r, 11)), _look(ws.cell(r, 10))
        assert ours == theirs, r
        assert ws.cell(r, 11).number_format == "General"  # ours, not the neighbour's
    assert {ws.cell(r, 10).number_format for r in rows} == {"General", "0.00%"}


def test_disk_full_while_saving_is_a_clear_message(tmp_path: Path, monkeypatch) -> None:
    path = _varied_fixture(tmp_path)
    before = path.read_bytes()

    def full(self, pkg, target):
        target.writestr("partial.xml", b"x" * 1000)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Output, "write", full)
    with pytest.raises(InputError, match="tidak diubah"):
        W.apply_plan(path, _plan(list(range(5, 10))))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ugly.xlsx"]
