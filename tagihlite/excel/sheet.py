"""Reading a live sheet once and writing a WritePlan back in a few blocks (xlwings).

Round trips are what make a ribbon click slow over COM, so this module reads a sheet with
one used-range read and writes contiguous runs of columns as single 2-D blocks; the number
of Excel calls does not depend on the number of rows. A block also covers cells it has no
new value for (KEEP cells, rows between data rows); those are rewritten as they are, and
formulas among them as formulas, learnt with one ``Range.formula`` read per block.

Reads go through xlwings' conversion layer (``.options(ndim=2).value``). Writes assign
``raw_value`` with values prepared here: xlwings' ``.value`` setter resizes the target twice
and compares sheets/books/apps on the way (about 45 Excel calls per write over COM), which
would dominate a click.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tagihlite.core.formats import WIB
from tagihlite.core.writeplan import KEEP, ColumnWrite, WritePlan, column_letter, is_formula_like

if TYPE_CHECKING:
    import xlwings as xw

    from tagihlite.core.table import SheetTable, TableRef

# Same characters openpyxl refuses (the file shell strips them too): the sheets must match.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
# Text Excel would turn into a number, date, formula or error when typed/assigned.
_COERCED = re.compile(r"^\s*[+-]?(\d[\d.,\s]*|\.\d+)([eE][+-]?\d+)?%?\s*$"  # numbers
                      r"|^\s*\d{1,4}[-/.]\d{1,2}|^\s*\d{1,2}:\d{2}"  # dates, times
                      r"|^\s*(true|false|benar|salah)\s*$", re.IGNORECASE)  # booleans


@dataclass
class LiveSheet:
    """One sheet's used range as read in one go, and where it sits."""

    sheet: xw.Sheet
    name: str
    grid: list[list[Any]]
    origin: tuple[int, int]  # (row, column) of grid[0][0]
    tables: list[TableRef] = field(default_factory=list)
    # Cells known to hold a formula (read with read_formulas, or written by us): a block
    # write that passes over them writes the formula back, never its last value.
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    # The column mapping a person stored (Atur Kolom / settings [columns]): field -> header.
    mapping: dict[str, str] = field(default_factory=dict)

    def value(self, row: int, col: int) -> Any:
        r, c = row - self.origin[0], col - self.origin[1]
        if 0 <= r < len(self.grid) and 0 <= c < len(self.grid[r]):
            return self.grid[r][c]
        return None

    def remember(self, row: int, col: int, value: Any, *, formula: bool = False) -> None:
        """Keep the in-memory grid true after a write (later gap fills read from it)."""
        if formula and isinstance(value, str) and value.startswith("="):
            self.formulas[(row, col)] = value
        else:
            self.formulas.pop((row, col), None)
        r, c = row - self.origin[0], col - self.origin[1]
        if r < 0 or c < 0:
            return
        while len(self.grid) <= r:
            self.grid.append([])
        line = self.grid[r]
        if len(line) <= c:
            line.extend([None] * (c + 1 - len(line)))
        line[c] = value

    def table(self) -> SheetTable:
        """Locate the customer table exactly as the command line does on a file."""
        from tagihlite.workbook.file import table_in
        from tagihlite.workbook.read import SheetGrid

        return table_in(SheetGrid(self.name, self.grid, self.origin, list(self.tables)),
                        file=None, mapping=self.mapping, excel=True)  # type: ignore[arg-type]

    def has_table(self) -> bool:
        from tagihlite.core.table import has_table

        return has_table(self.grid, self.mapping) or any(
            has_table([row[t.left - self.origin[1]:t.right - self.origin[1] + 1]
                       for row in self.grid[t.top - self.origin[0]:t.top - self.origin[0] + 1]],
                      self.mapping)
            for t in self.tables)


def read_sheet(sheet: xw.Sheet, *, with_tables: bool = True) -> LiveSheet:
    """The used range in one read (+ its position, + the Excel Tables' rectangles)."""
    used = sheet.used_range
    grid = used.options(ndim=2).value or [[]]
    origin = (used.row, used.column)
    live = LiveSheet(sheet=sheet, name=sheet.name, grid=[list(r) for r in grid], origin=origin)
    if with_tables:
        live.tables = read_tables(sheet)
    return live


def read_tables(sheet: xw.Sheet) -> list[TableRef]:
    from tagihlite.core.table import TableRef

    refs = []
    for t in sheet.tables:
        top, left, bottom, right = parse_address(t.range.address)
        refs.append(TableRef(top, left, bottom, right, t.name))
    return refs


MAX_ROWS = 1_048_576  # Excel's grid: an entire-column reference spans every row
MAX_COLUMNS = 16_384


def parse_address(address: str) -> tuple[int, int, int, int]:
    """``$A$1:$C$9`` (first area) -> (top, left, bottom, right).

    Whole rows (``$5:$7``, clicked row headers) span every column; whole columns
    (``$A:$C``) span every row.
    """
    first = address.split(",")[0].replace("$", "")
    if "!" in first:
        first = first.split("!")[-1]
    parts = [_ref(p) for p in first.split(":")]
    (r1, c1), (r2, c2) = parts[0], parts[-1]
    if (r1 is None) != (r2 is None) or (c1 is None) != (c2 is None):
        raise ValueError(address)  # "A:5" mixes a column with a row
    top, bottom = (min(r1, r2), max(r1, r2)) if r1 and r2 else (1, MAX_ROWS)
    left, right = (min(c1, c2), max(c1, c2)) if c1 and c2 else (1, MAX_COLUMNS)
    return top, left, bottom, right


def parse_areas(address: str) -> list[tuple[int, int, int, int]]:
    return [parse_address(a) for a in address.split(",") if a.strip()]


def _ref(text: str) -> tuple[int | None, int | None]:
    """``B5`` -> (5, 2); a whole row ``5`` or column ``B`` leaves the other axis None."""
    m = re.fullmatch(r"([A-Za-z]{1,3})?(\d+)?", text.strip())
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(text)
    col = None
    if m.group(1):
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - 64
    return (int(m.group(2)) if m.group(2) else None), col


# --- values ------------------------------------------------------------------------------

def excel_value(value: Any, *, formula: bool = False) -> Any:
    """A Python value as it must be assigned over COM so that Excel keeps it as it is."""
    if value is None or value is KEEP:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(WIB).replace(tzinfo=None)  # Waktu Kirim: WIB wall time
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars from pandas
        return excel_value(value.item(), formula=formula)
    text = _ILLEGAL.sub("", str(value))
    if formula and text.startswith("="):
        return text
    if is_formula_like(text) or text.startswith("'") or _COERCED.match(text):
        return "'" + text  # text stays text: no formula, no number, leading zeros kept
    return text


def write_block(sheet: xw.Sheet, top: int, left: int, rows: Sequence[Sequence[Any]]) -> None:
    """One Excel call for a rectangle (plus one to address it)."""
    if not rows or not rows[0]:
        return
    bottom, right = top + len(rows) - 1, left + len(rows[0]) - 1
    sheet.range((top, left), (bottom, right)).raw_value = [list(r) for r in rows]


def column_runs(cols: Iterable[int]) -> list[list[int]]:
    """[3, 4, 5, 9, 10] -> [[3, 4, 5], [9, 10]]."""
    runs: list[list[int]] = []
    for c in sorted(set(cols)):
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def read_formulas(live: LiveSheet, top: int, left: int, bottom: int, right: int) -> None:
    """Learn which cells of a rectangle hold formulas: one read (plus one to address it).

    ``Range.formula`` gives a formula cell's formula and any other cell's constant, so text
    that merely starts with "=" (customer text kept with an apostrophe) reads the same as
    a formula there; its value tells them apart: for text the value is that same text, for
    a formula it is the result.
    """
    texts = live.sheet.range((top, left), (bottom, right)).formula
    if not isinstance(texts, (list, tuple)):
        texts = [[texts]]
    elif texts and not isinstance(texts[0], (list, tuple)):
        texts = [texts]  # defensive: a flat row
    for i, line in enumerate(texts):
        for j, text in enumerate(line):
            key = (top + i, left + j)
            if key in live.formulas:  # written by us in this click: we know better
                continue
            if isinstance(text, str) and text.startswith("=") \
                    and live.value(*key) != text:
                live.formulas[key] = text


def _existing(live: LiveSheet, row: int, col: int) -> Any:
    """What a cell we pass over must be rewritten with so that it stays as it is."""
    formula = live.formulas.get((row, col))
    if formula is not None:
        return formula  # a string starting with "=" assigned over COM is a formula again
    return excel_value(live.value(row, col))


def apply_plan(book: xw.Book, live: LiveSheet, plan: WritePlan, *,
               highlight: bool = True) -> None:
    """Write every column of ``plan`` with a constant number of Excel calls."""
    sheet = live.sheet
    by_col = {c.col: c for c in plan.columns}
    index = {r: i for i, r in enumerate(plan.row_numbers)}
    data_rows = plan.row_numbers
    for run in column_runs(by_col):
        new_header = any(by_col[c].new for c in run)
        top = plan.header_row if new_header or not data_rows else min(data_rows)
        bottom = max(data_rows) if data_rows else plan.header_row
        if _passes_over(plan, by_col, run, index, top, bottom):
            read_formulas(live, top, run[0], bottom, run[-1])
        block = []
        for row in range(top, bottom + 1):
            line = []
            for col in run:
                cw = by_col[col]
                if row == plan.header_row:
                    if cw.new:
                        line.append(excel_value(cw.header))
                        live.remember(row, col, cw.header)
                    else:
                        line.append(_existing(live, row, col))
                    continue
                i = index.get(row)
                value = cw.values[i] if i is not None else KEEP
                if value is KEEP:
                    line.append(_existing(live, row, col))
                else:
                    line.append(excel_value(value, formula=cw.formulas))
                    live.remember(row, col, value, formula=cw.formulas)
            block.append(line)
        write_block(sheet, top, run[0], block)
    if data_rows:
        for cw in plan.columns:
            if cw.number_format:
                sheet.range((min(data_rows), cw.col),
                            (max(data_rows), cw.col)).number_format = cw.number_format
    _extend_tables(sheet, live, plan)
    if highlight and plan.highlight is not None:
        apply_highlight(book, plan)


def _passes_over(plan: WritePlan, by_col: dict[int, ColumnWrite], run: list[int],
                 index: dict[int, int], top: int, bottom: int) -> bool:
    """Does the block rewrite any cell it has no new value for (header, gap row, KEEP)?"""
    if top == plan.header_row and not all(by_col[c].new for c in run):
        return True
    if bottom - top + 1 > len(index) + (top == plan.header_row):
        return True  # rows between the data rows (a TOTAL row, a blank line)
    return any(v is KEEP for c in run for v in by_col[c].values)


def _extend_tables(sheet: xw.Sheet, live: LiveSheet, plan: WritePlan,
                   bottom: int | None = None) -> None:
    """New columns right of an Excel Table join it (as the file shell does); with
    ``bottom``, rows appended under it join it too."""
    new_cols = sorted(c.col for c in plan.columns if c.new)
    for t in live.tables:
        if t.top != plan.header_row:
            continue
        end = t.right
        while end + 1 in new_cols:
            end += 1
        last = max(t.bottom, bottom or 0)
        if (end, last) == (t.right, t.bottom):
            continue
        sheet.tables[t.name].resize(sheet.range((t.top, t.left), (last, end)))
        i = live.tables.index(t)
        live.tables[i] = replace(t, bottom=last, right=end)


def grow_table(live: LiveSheet, plan: WritePlan, bottom: int) -> None:
    """Make rows appended under an Excel Table part of it."""
    _extend_tables(live.sheet, live, plan, bottom)


def apply_highlight(book: xw.Book, plan: WritePlan) -> None:
    """The add-in's VBA macro installs the conditional formats (xlwings has no API for it)."""
    h = plan.highlight
    if h is None or h.last_row < h.first_row:
        return
    address = (f"{column_letter(h.first_col)}{h.first_row}:"
               f"{column_letter(h.last_col)}{h.last_row}")
    book.macro("TagihLiteApplyHighlight")(plan.sheet, address, column_letter(h.status_col))


class RowWriter:
    """Writes one finished row's owned cells during a send (one small block per run)."""

    def __init__(self, live: LiveSheet, columns: Sequence[ColumnWrite],
                 rows: Sequence[int] = ()) -> None:
        self.live = live
        self.cols = {c.header: c for c in columns}
        self.runs = column_runs(c.col for c in columns)
        if rows:  # cells of a row left as they are must keep their formulas: read them once
            for run in self.runs:
                read_formulas(live, min(rows), run[0], max(rows), run[-1])
        self.formulas = {c.col for c in columns if c.formulas}
        self.formats = {c.col: c.number_format for c in columns if c.number_format}

    def write(self, row: int, values: dict[str, Any]) -> None:
        by_col = {self.cols[h].col: v for h, v in values.items() if h in self.cols}
        for run in self.runs:
            line = []
            for c in run:
                if c in by_col and by_col[c] is not KEEP:
                    line.append(excel_value(by_col[c], formula=c in self.formulas))
                    self.live.remember(row, c, by_col[c], formula=c in self.formulas)
                else:
                    line.append(_existing(self.live, row, c))
            write_block(self.live.sheet, row, run[0], [line])


def sheet_named(book: xw.Book, name: str) -> xw.Sheet | None:
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    return None
