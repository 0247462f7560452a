"""Command group: the Excel add-in workbook (``build-workbook``, ``setup-excel``)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    build = subparsers.add_parser(
        "build-workbook", help="buat ulang tagihlite.xlsm dari sumber di repo",
        description="Membuat buku kerja add-in tagihlite.xlsm (pita TagihLite, modul VBA, "
                    "lembar Tagihan/Template/Laporan/Petunjuk). Hasilnya sama persis setiap kali.")
    build.add_argument("--output", type=Path, default=Path("tagihlite.xlsm"), metavar="PATH",
                       help="berkas tujuan (bawaan: tagihlite.xlsm di folder ini)")
    build.set_defaults(handler=_build_workbook)

    setup = subparsers.add_parser(
        "setup-excel", help="siapkan tagihlite.xlsm dan xlwings.conf di sebuah folder",
        description="Menaruh tagihlite.xlsm di DIR (buku kerja yang sudah ada tidak ditimpa) dan "
                    "menulis xlwings.conf di sebelahnya dengan Python yang sedang dipakai.")
    setup.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                       help="folder tujuan (bawaan: folder ini)")
    setup.set_defaults(handler=_setup_excel)


def _build_workbook(args: argparse.Namespace) -> int:
    from tagihlite.addin.build import build_workbook

    path = build_workbook(args.output)
    print(f"Buku kerja ditulis: {path}")
    return 0


def _setup_excel(args: argparse.Namespace) -> int:
    from tagihlite.addin.setup_excel import setup_excel

    result = setup_excel(args.dir)
    state = "baru dibuat" if result.workbook_created else "sudah ada, tidak ditimpa"
    print(f"Buku kerja: {result.workbook} ({state})")
    print(f"xlwings.conf: {result.conf} (Python: {result.interpreter})")
    if result.applescript:
        print(f"RunPython untuk Excel Mac dipasang: {result.applescript}")
    print("Buka tagihlite.xlsm, aktifkan makro (Enable Content), lalu pakai tab TagihLite.")
    return 0
