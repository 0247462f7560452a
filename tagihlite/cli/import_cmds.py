"""``tagihlite import SOURCE TARGET``: merge a fresh arrears export into a Tagihan workbook.

The same merge as the ribbon's "Impor Data" (:mod:`tagihlite.core.importer`), written into the
target file atomically (with a backup) by the file shell.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tagihlite.core.columns import TAGIHAN_SHEET as TAGIHAN


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import", help="gabungkan daftar tunggakan baru ke sheet Tagihan",
        description="Baca daftar tunggakan hasil ekspor (SUMBER) dan gabungkan ke sheet "
                    "Tagihan di buku kerja TUJUAN: baris yang sudah ada (Nomor Indibiz dan "
                    "periode sama) mendapat jumlah dan status bayar terbaru dengan status "
                    "kirim tetap; baris baru ditambahkan di bawah; baris yang tidak ada lagi "
                    "di daftar baru diberi Catatan. TUJUAN dibuat bila belum ada.")
    p.add_argument("source", metavar="SUMBER", help="berkas ekspor (.xlsx, .xlsm, .xls, .csv)")
    p.add_argument("target", metavar="TUJUAN", help="buku kerja tujuan (.xlsx atau .xlsm)")
    p.add_argument("--sheet", metavar="S", help="sheet di SUMBER (bawaan: yang berisi tabel)")
    p.add_argument("--into", metavar="T", help=f"sheet di TUJUAN (bawaan: '{TAGIHAN}')")
    p.add_argument("--no-backup", action="store_true", help="jangan buat salinan cadangan")
    p.set_defaults(handler=run_import)


def _new_workbook(path: Path, sheet: str) -> None:
    import openpyxl

    from tagihlite.errors import InputError

    if path.suffix.lower() != ".xlsx":
        raise InputError(f"Berkas tujuan '{path.name}' belum ada: TagihLite hanya dapat membuat "
                         "berkas .xlsx baru.")
    wb = openpyxl.Workbook()
    wb.active.title = sheet
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def run_import(args: argparse.Namespace) -> int:
    from tagihlite.core.importer import first_occupied_below, merge
    from tagihlite.errors import InputError
    from tagihlite.workbook.file import (
        apply_plan,
        check_writable,
        read_table,
        read_workbook,
        target_table,
    )

    source, target = Path(args.source), Path(args.target)
    if not source.exists():
        raise InputError(f"Berkas sumber '{source}' tidak ada.")
    incoming = read_table(source, args.sheet)
    wanted = args.into or TAGIHAN
    if not target.exists():  # a fresh workbook: one empty sheet, headers come with the rows
        _new_workbook(target, wanted)
        result = merge(None, incoming, sheet=wanted)
    else:
        check_writable(target)
        sheets = read_workbook(target)
        chosen = next((s for s in sheets if s.name.casefold() == wanted.casefold()), None)
        if chosen is None:
            names = ", ".join(f"'{s.name}'" for s in sheets)
            raise InputError(f"Sheet '{wanted}' tidak ada di berkas '{target.name}'. Sheet "
                             f"yang ada: {names}. Pilih dengan --into.")
        if chosen.problem:  # too big to read: never write headers over it
            raise InputError(chosen.problem)
        existing = target_table(chosen.grid, chosen.origin, chosen.tables, sheet=chosen.name,
                                file=target.name)
        result = merge(existing, incoming, sheet=chosen.name,
                       occupied_below=first_occupied_below(chosen.grid, chosen.origin,
                                                           existing))
    apply_plan(target, result.plan, backup=not args.no_backup)
    print(f"Impor ke '{target.name}' sheet '{result.plan.sheet}': {result.summary()}")
    return 0
