"""The file shell: a clerk's arrears workbook on disk in, TagihLite's results back into it.

Public API used by the command line::

    read_workbook(path) -> [SheetGrid]          every sheet as a raw grid (+ Excel Tables)
    pick_sheet(sheets, name, file=...)          the sheet holding the customer table
    read_table(path, sheet=None) -> SheetTable  the above + :func:`tagihlite.core.table.locate`
    check_writable(path)                        refuse early (Excel has it open, .xls, ...)
    apply_plan(path, plan, backup=True)         write a WritePlan atomically, keep a backup

Reading uses python-calamine (:mod:`tagihlite.workbook.read`); writing patches the package
part by part, changing only TagihLite's cells (:mod:`tagihlite.workbook.write`,
:mod:`tagihlite.workbook.sheetpatch`); while a send runs, :mod:`tagihlite.workbook.lock` and
:mod:`tagihlite.workbook.progress` keep other TagihLite processes out and the file true.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tagihlite.core.colmap import MAPPING_SHEET, read_mapping
from tagihlite.core.table import SheetTable, has_table, locate
from tagihlite.errors import InputError, where
from tagihlite.workbook.read import SheetGrid, read_workbook
from tagihlite.workbook.write import apply_plan, backup_path, check_writable

__all__ = [
    "SheetGrid",
    "apply_plan",
    "backup_path",
    "check_writable",
    "pick_sheet",
    "read_table",
    "read_workbook",
    "table_in",
]


def _sheet_has_table(sheet: SheetGrid, mapping: Mapping[str, str] | None = None) -> bool:
    return has_table(sheet.grid, mapping) or any(
        _table_grid_has_header(sheet, t, mapping) for t in sheet.tables)


def _table_grid_has_header(sheet: SheetGrid, ref, mapping: Mapping[str, str] | None = None
                           ) -> bool:
    r0, c0 = ref.top - sheet.origin[0], ref.left - sheet.origin[1]
    if r0 < 0 or c0 < 0 or r0 >= len(sheet.grid):
        return False
    return has_table([sheet.grid[r0][c0:ref.right - sheet.origin[1] + 1]], mapping)


def stored_mapping(sheets: list[SheetGrid], sheet: str,
                   settings_mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """The mapping a person stored: the workbook's Pengaturan sheet for ``sheet`` first,
    then settings ``[columns]`` for the fields the workbook does not name."""
    merged = dict(settings_mapping or {})
    for s in sheets:
        if s.name.strip().casefold() == MAPPING_SHEET.casefold():
            merged.update(read_mapping(s.grid, sheet))
    return merged


def _names(sheets: list[SheetGrid]) -> str:
    return ", ".join(f"'{s.name}'" for s in sheets)


def pick_sheet(sheets: list[SheetGrid], name: str | None, *, file: str,
               mapping: Mapping[str, str] | None = None) -> SheetGrid:
    """The sheet named ``name``, or the only sheet with a recognisable customer table
    (``mapping``: settings ``[columns]``; the workbook's own mapping is added per sheet).

    A sheet left unread (too big, see ``SheetGrid.problem``) is refused with its sentence
    when it is named, or when no readable sheet holds the table.
    """
    if name is not None:
        for sheet in sheets:
            if sheet.name == name:
                return _readable(sheet)
        folded = [s for s in sheets if s.name.strip().casefold() == name.strip().casefold()]
        if len(folded) == 1:
            return _readable(folded[0])
        raise InputError(f"Sheet '{name}' tidak ada di {where(file)}. Sheet yang ada: "
                         f"{_names(sheets)}.")
    with_table = [s for s in sheets if s.name.strip().casefold() != MAPPING_SHEET.casefold()
                  and _sheet_has_table(s, stored_mapping(sheets, s.name, mapping))]
    if len(with_table) == 1:
        return with_table[0]
    if len(with_table) > 1:
        raise InputError(f"Ada beberapa sheet berisi tabel tagihan di {where(file)}: "
                         f"{_names(with_table)}. Pilih salah satu dengan --sheet, "
                         f"mis. --sheet \"{with_table[0].name}\".")
    # Headers that say nothing (Kolom1..Kolom6): the one sheet whose values show the table.
    by_content = [s for s in sheets if s.name.strip().casefold() != MAPPING_SHEET.casefold()
                  and has_table(s.grid, stored_mapping(sheets, s.name, mapping),
                                use_content=True)]
    if len(by_content) == 1:
        return by_content[0]
    unread = [s for s in sheets if s.problem]
    if unread:
        raise InputError(unread[0].problem or "")
    nonempty = [s for s in sheets if s.grid]
    if len(nonempty) == 1:
        return nonempty[0]  # locate() then says which columns are missing
    raise InputError(f"Tabel tagihan tidak ditemukan di {where(file)} (sheet: "
                     f"{_names(sheets)}). Pastikan ada baris judul dengan kolom Nama "
                     "Pelanggan, Nomor Indibiz, Jumlah Tagihan dan No WhatsApp, atau pilih "
                     "sheet dengan --sheet (tagihlite lalu menjelaskan kolom yang kurang).")


def _readable(sheet: SheetGrid) -> SheetGrid:
    if sheet.problem:
        raise InputError(sheet.problem)
    return sheet


def read_table(path: Path, sheet: str | None = None,
               mapping: Mapping[str, str] | None = None) -> SheetTable:
    """Read the workbook and locate the customer table (an Excel Table when there is one)."""
    path = Path(path)
    sheets = read_workbook(path)
    chosen = pick_sheet(sheets, sheet, file=path.name, mapping=mapping)
    return table_in(chosen, file=path.name,
                    mapping=stored_mapping(sheets, chosen.name, mapping))


def table_in(chosen: SheetGrid, *, file: str, mapping: Mapping[str, str] | None = None,
             excel: bool = False) -> SheetTable:
    """Locate the customer table in one sheet (its Excel Table when there is one)."""
    table_ref = next((t for t in chosen.tables
                      if _table_grid_has_header(chosen, t, mapping)), None)
    return locate(chosen.grid, chosen.name, file=file, origin=chosen.origin, table=table_ref,
                  mapping=mapping, excel=excel)


def target_table(grid: list[list[Any]], origin: tuple[int, int], tables: list[Any], *,
                 sheet: str, file: str | None = None) -> SheetTable | None:
    """The target sheet's customer table; ``None`` for an empty sheet (headers get written).

    A sheet with content but no recognisable header row is refused: writing headers over
    someone's data would be worse than asking.
    """
    from tagihlite.core.table import has_table

    chosen = SheetGrid(sheet, grid, origin, list(tables))
    blank = all(v is None or (isinstance(v, str) and not v.strip()) for row in grid for v in row)
    if blank:
        return None
    if not has_table(grid) and not tables:
        raise InputError(f"Sheet tujuan di {where(file, sheet)} berisi data tetapi tidak ada "
                         "baris judul tabel tagihan (Nama Pelanggan, Nomor Indibiz, Jumlah "
                         "Tagihan, No WhatsApp). Pilih sheet lain atau kosongkan sheet itu.")
    return table_in(chosen, file=file)  # type: ignore[arg-type]
