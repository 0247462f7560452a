"""Impor Data in Excel: an export workbook's rows merged into the live ``Tagihan`` sheet.

The export is read by the command line's reader (:func:`tagihlite.workbook.file.read_table`),
merged by :mod:`tagihlite.core.importer`, and written with the same few block writes as every
other action.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagihlite.core.columns import TAGIHAN_SHEET as TAGIHAN

if TYPE_CHECKING:
    from tagihlite.excel.click import Click


def import_into_book(click: Click, path: str | Path) -> None:
    from tagihlite.core.importer import first_occupied_below, merge
    from tagihlite.excel.sheet import apply_plan, grow_table, read_sheet, sheet_named
    from tagihlite.workbook.file import read_table, target_table

    click.status("Membaca berkas impor ...")
    incoming = read_table(Path(path))
    book = click.book
    sheet = sheet_named(book, TAGIHAN)
    if sheet is None:
        sheet = book.sheets.add(TAGIHAN, before=book.sheets[0])
    live = read_sheet(sheet)
    existing = target_table(live.grid, live.origin, live.tables, sheet=live.name)
    result = merge(existing, incoming, sheet=live.name,
                   occupied_below=first_occupied_below(live.grid, live.origin, existing))
    apply_plan(book, live, result.plan, highlight=False)
    if existing is not None:
        grow_table(live, result.plan, result.last_row)
    sheet.activate()
    click.status(f"Impor selesai: {result.summary()}")
    click.alert(f"Impor dari '{Path(path).name}' selesai.\n{result.summary()}\n\nKlik Tandai "
                "Belum Bayar untuk memeriksa baris-baris baru.")
