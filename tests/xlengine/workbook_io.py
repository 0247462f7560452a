"""Load the memory engine's workbook state from a real .xlsx/.xlsm file, and save it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cells import CellError, Formula, from_file, to_file


@dataclass
class TableData:
    name: str
    top: int
    left: int
    bottom: int
    right: int


@dataclass
class SheetData:
    name: str
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    formulas: dict[tuple[int, int], Formula] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    tables: list[TableData] = field(default_factory=list)
    visible: bool = True
    charts: list[ChartData] = field(default_factory=list)  # in memory only (not saved)

    def used_bounds(self) -> tuple[int, int, int, int] | None:
        keys = [k for k, v in self.values.items() if v is not None]
        keys += [k for k, f in self.formats.items() if f != "General"]
        if not keys:
            return None
        rows = [k[0] for k in keys]
        cols = [k[1] for k in keys]
        return min(rows), min(cols), max(rows), max(cols)


@dataclass
class ChartData:
    """A chart as Excel's chart API sees it: type, source range, title, place."""

    name: str
    chart_type: str = "column_clustered"
    source: str = ""  # A1 address of the source data (may be multi-area)
    plot_by: str | None = None
    title: str | None = None
    left: float = 0.0
    top: float = 0.0
    width: float = 355.0
    height: float = 211.0
    anchor: str = ""  # A1 address of the anchor cell, when placed with anchor=


@dataclass
class BookData:
    path: Path
    sheets: list[SheetData]
    active: int = 0  # index into sheets
    selection: tuple[str, str] | None = None  # (sheet name, address, may be multi-area)

    def sheet(self, name: str) -> SheetData:
        for s in self.sheets:
            if s.name.lower() == name.lower():
                return s
        raise KeyError(name)


def _ref_bounds(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    left, top, right, bottom = range_boundaries(ref)
    return top, left, bottom, right


def load(path: Path) -> BookData:
    import openpyxl

    keep_vba = path.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(path, keep_vba=keep_vba)  # formulas as text
    cached = openpyxl.load_workbook(path, data_only=True)  # values Excel last calculated
    sheets: list[SheetData] = []
    for ws in wb.worksheets:
        data = SheetData(name=ws.title, visible=ws.sheet_state == "visible")
        cws = cached[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                key = (cell.row, cell.column)
                if cell.number_format and cell.number_format != "General":
                    data.formats[key] = cell.number_format
                if cell.value is None:
                    continue
                if cell.data_type == "f":
                    data.formulas[key] = Formula(str(cell.value))
                    ccell = cws.cell(cell.row, cell.column)
                    data.values[key] = from_file(ccell.value, ccell.data_type)
                else:
                    data.values[key] = from_file(cell.value, cell.data_type)
        for tname, ref in ws.tables.items():
            data.tables.append(TableData(tname, *_ref_bounds(ref)))
        sheets.append(data)
    book = BookData(path=path, sheets=sheets, active=wb.index(wb.active) if wb.active else 0)
    wb.close()
    cached.close()
    return book


def save(book: BookData, path: Path) -> None:
    """Write the held state into a copy of the source file (VBA and ribbon kept for .xlsm)."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    keep_vba = book.path.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(book.path, keep_vba=keep_vba)
    for ws in list(wb.worksheets):
        if ws.title not in {s.name for s in book.sheets}:
            wb.remove(ws)
    for data in book.sheets:
        ws = wb[data.name] if data.name in wb.sheetnames else wb.create_sheet(data.name)
        merged = {(r, c) for rng in ws.merged_cells.ranges
                  for r in range(rng.min_row, rng.max_row + 1)
                  for c in range(rng.min_col, rng.max_col + 1)
                  if (r, c) != (rng.min_row, rng.min_col)}
        for row in ws.iter_rows():
            for cell in row:
                if (cell.row, cell.column) not in merged:
                    cell.value = None
        for (r, c), value in data.values.items():
            formula = data.formulas.get((r, c))
            cell = ws.cell(r, c)
            if formula is not None:
                cell.value = str(formula)
            elif isinstance(value, str) and not isinstance(value, CellError):
                cell.value = value
                cell.data_type = "s"  # keep "=..." customer text as text
            else:
                cell.value = to_file(value)
        for (r, c), fmt in data.formats.items():
            ws.cell(r, c).number_format = fmt
        for t in data.tables:
            ref = f"{get_column_letter(t.left)}{t.top}:{get_column_letter(t.right)}{t.bottom}"
            if t.name in ws.tables:
                ws.tables[t.name].ref = ref
                if ws.tables[t.name].autoFilter is not None:
                    ws.tables[t.name].autoFilter.ref = ref
            else:
                table = Table(displayName=t.name, ref=ref)
                table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
                ws.add_table(table)
            # openpyxl writes table column names from its own list: keep them in step
            ws.tables[t.name]._initialise_columns()
            for i, col in enumerate(ws.tables[t.name].tableColumns):
                header = data.values.get((t.top, t.left + i))
                col.name = str(header) if header is not None else f"Column{i + 1}"
    wb.active = book.active
    wb.save(path)
    wb.close()
