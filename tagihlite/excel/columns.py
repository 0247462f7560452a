"""Atur Kolom: a person tells TagihLite once which of the sheet's headers is which field.

The mapping lives in the workbook's ``Pengaturan`` sheet (layout in
:mod:`tagihlite.core.colmap`), so it travels with the file to the next PC and the
command line reads it too. Every action reads it with :func:`book_mapping`; a stored
mapping wins over guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tagihlite.core.colmap import MAPPING_SHEET, mapping_grid, read_mapping
from tagihlite.core.columns import INPUT_COLUMNS, REQUIRED_FIELDS, TAGIHAN_SHEET
from tagihlite.errors import InputError, TagihError

if TYPE_CHECKING:
    import xlwings as xw

    from tagihlite.excel.click import Click

# Sheets TagihLite writes itself: never the customer table.
OWN_SHEETS = frozenset(s.casefold() for s in (MAPPING_SHEET, "Template", "Laporan",
                                               "Petunjuk"))

AskColumns = Callable[..., "dict[str, str] | None"]


def _sheet_named(book: xw.Book, name: str) -> xw.Sheet | None:
    from tagihlite.excel.sheet import sheet_named

    return sheet_named(book, name)


def book_mapping(book: xw.Book, sheet: str, settings_columns: dict[str, str] | None = None
                 ) -> dict[str, str]:
    """field -> header text for ``sheet``: the workbook's Pengaturan sheet, then settings
    ``[columns]`` for fields the workbook does not name."""
    merged = dict(settings_columns or {})
    stored = _sheet_named(book, MAPPING_SHEET)
    if stored is not None:
        grid = stored.used_range.options(ndim=2).value or []
        merged.update(read_mapping(grid, sheet))
    return merged


def store_mapping(book: xw.Book, sheet: str, mapping: dict[str, str]) -> None:
    """Write ``mapping`` for ``sheet`` into Pengaturan (created at the end if missing)."""
    from tagihlite.excel.sheet import excel_value, write_block

    target = _sheet_named(book, MAPPING_SHEET)
    if target is None:
        target = book.sheets.add(MAPPING_SHEET, after=book.sheets[-1])
        grid: list[list[Any]] = []
    else:
        grid = target.used_range.options(ndim=2).value or []
    rows = mapping_grid(grid, sheet, mapping)
    if target is not None and grid:
        target.used_range.clear_contents()
    write_block(target, 1, 1, [[excel_value(v) for v in r] for r in rows])


def _ask_columns(**kwargs: Any) -> dict[str, str] | None:
    """The Atur Kolom window (Tk). Tests replace this: a person is the boundary."""
    from tagihlite.excel.columns_window import ask_columns

    return ask_columns(**kwargs)


def _customer_sheet(click: Click) -> xw.Sheet:
    active = click.book.sheets.active
    if active.name.casefold() not in OWN_SHEETS:
        return active
    tagihan = _sheet_named(click.book, TAGIHAN_SHEET)
    if tagihan is None:
        raise InputError("Buka dulu sheet berisi tabel pelanggan, lalu klik Atur Kolom lagi.")
    return tagihan


def set_columns(click: Click, ask: AskColumns | None = None) -> None:
    """Atur Kolom: list the sheet's headers per field; store what the clerk picks."""
    from tagihlite.core.headers import match_headers
    from tagihlite.excel.sheet import read_sheet

    sheet = _customer_sheet(click)
    live = read_sheet(sheet, with_tables=False)
    current = book_mapping(click.book, live.name, click.settings.columns)
    found = match_headers(live.grid, mapping=current)
    row = found.row if found.row >= 0 else _first_text_row(live.grid)
    if row is None:
        raise InputError(f"Sheet '{live.name}' belum berisi baris judul kolom. Tulis judul "
                         "kolom di satu baris (mis. Nama, Nomor Indibiz, Tagihan, No HP), lalu "
                         "klik Atur Kolom lagi.")
    headers = [str(c).strip() for c in live.grid[row] if c is not None and str(c).strip()]
    guess = {f: m.header for f, m in found.fields.items() if m.header}
    fields = [(f, labels[0], f in REQUIRED_FIELDS) for f, labels in INPUT_COLUMNS.items()]
    answer = (ask or _ask_columns)(sheet=live.name, headers=headers, fields=fields,
                                   current=guess)
    if answer is None:
        click.status("Atur Kolom dibatalkan; tidak ada yang diubah.")
        return
    chosen = {f: h for f, h in answer.items() if f in INPUT_COLUMNS and h}
    missing = [INPUT_COLUMNS[f][0] for f in REQUIRED_FIELDS if f not in chosen]
    if missing:
        raise TagihError(f"Kolom {', '.join(missing)} wajib dipilih. Tidak ada yang disimpan; "
                         "klik Atur Kolom lagi.")
    store_mapping(click.book, live.name, chosen)
    live.sheet.activate()
    click.status(f"Kolom sheet '{live.name}' disimpan di sheet {MAPPING_SHEET}.")
    lines = [f"Kolom sheet '{live.name}' disimpan (sheet {MAPPING_SHEET}):"]
    lines += [f"- {INPUT_COLUMNS[f][0]}: {chosen[f]}" for f in INPUT_COLUMNS if f in chosen]
    click.alert("\n".join(lines))


def _first_text_row(grid: list[list[Any]]) -> int | None:
    for i, row in enumerate(grid[:30]):
        if sum(isinstance(c, str) and bool(c.strip()) for c in row) >= 2:
            return i
    return None
