"""``tagihlite payments import PAYMENTS WORKBOOK``: payments that stop reminders."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("payments", help="pembayaran: impor daftar pembayaran")
    sub = p.add_subparsers(dest="payments_action", metavar="AKSI")
    sub.required = True
    q = sub.add_parser(
        "import", help="tandai tagihan yang sudah dibayar (LUNAS) dari daftar pembayaran",
        description="Baca daftar pembayaran (Nomor Indibiz, Periode, Tanggal Bayar, Jumlah "
                    "Bayar) dan tandai tagihan di BUKU_KERJA: lunas -> Status Bayar LUNAS dan "
                    "Tanggal Bayar; dibayar sebagian -> Jumlah Tagihan menjadi sisanya. "
                    "Setiap pembayaran dicatat di jurnal sekali saja (impor ulang aman).")
    q.add_argument("payments", metavar="PEMBAYARAN", type=Path,
                   help="daftar pembayaran (.xlsx, .xlsm, .xls, .csv)")
    q.add_argument("workbook", metavar="BUKU_KERJA", type=Path, help="buku kerja tagihan")
    q.add_argument("--sheet", help="sheet tagihan di BUKU_KERJA (bawaan: yang berisi tabel)")
    q.add_argument("--from-sheet", help="sheet di PEMBAYARAN (bawaan: yang berisi daftar)")
    q.add_argument("--no-backup", action="store_true", help="jangan buat salinan cadangan")
    q.set_defaults(handler=run_payments_import)


def run_payments_import(args: argparse.Namespace) -> int:
    from tagihlite.auth.identity import current_operator
    from tagihlite.errors import InputError
    from tagihlite.followup.payments import import_payments, payment_lines
    from tagihlite.settings import load
    from tagihlite.workbook.file import apply_plan, check_writable, read_table

    settings = load()
    if not args.payments.exists():
        raise InputError(f"Berkas pembayaran '{args.payments}' tidak ada.")
    check_writable(args.workbook)  # before the journal learns anything
    lines, sheet = payment_lines(args.payments, args.from_sheet)
    table = read_table(args.workbook, args.sheet)
    operator = current_operator(settings)
    result = import_payments(lines, args.payments.name, sheet, table, settings,
                             operator=operator.name or "")
    if result.plan.columns:
        apply_plan(args.workbook, result.plan, backup=not args.no_backup)
    print(f"Impor pembayaran ke '{args.workbook.name}': {result.summary()}")
    return 0
