"""Command group: installing on a clerk's PC (``doctor``, ``bundle windows``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    doctor = subparsers.add_parser(
        "doctor", help="periksa instalasi TagihLite di komputer ini",
        description="Memeriksa Python, paket, buku kerja, xlwings.conf, keamanan makro Excel, "
                    "penyimpanan rahasia, jurnal, saluran kirim dan berkas pengaturan. Setiap "
                    "butir OK atau diberi satu kalimat cara memperbaikinya. Keluar 0 bila "
                    "semua OK, 1 bila ada yang perlu diperbaiki.")
    doctor.add_argument("--json", action="store_true",
                        help='cetak {"checks": [{"id", "ok", "detail", "fix"}], "ok"}')
    doctor.add_argument("--workbook", type=Path, metavar="PATH",
                        help="buku kerja yang diperiksa (bawaan: Documents/TagihLite/"
                             "tagihlite.xlsm)")
    doctor.set_defaults(handler=_doctor)

    bundle = subparsers.add_parser(
        "bundle", help="buat paket instalasi offline",
        description="Membuat paket instalasi untuk komputer tanpa internet.")
    kinds = bundle.add_subparsers(dest="kind", metavar="JENIS")
    kinds.required = True
    windows = kinds.add_parser(
        "windows", help="paket untuk Windows 64-bit (Python 3.11 dan 3.12)",
        description="Menulis DIR/wheels (semua paket untuk Windows x64, CPython 3.11 dan "
                    "3.12), DIR/tagihlite.xlsm, DIR/install.cmd, DIR/install.ps1 dan "
                    "DIR/uninstall.ps1. Butuh internet (PyPI) di komputer pembuat paket.")
    windows.add_argument("dir", type=Path, metavar="DIR", help="folder tujuan (baru atau kosong)")
    windows.add_argument("--wheel", type=Path, metavar="WHL",
                         help="wheel tagihlite yang dipakai (bawaan: dibuat dari folder sumber)")
    windows.set_defaults(handler=_bundle_windows)


def _doctor(args: argparse.Namespace) -> int:
    from tagihlite.doctor.checks import run_checks
    from tagihlite.doctor.report import all_ok, as_json, as_text

    results = run_checks(args.workbook)
    if args.json:
        print(json.dumps(as_json(results), ensure_ascii=False, indent=2))
    else:
        print(as_text(results))
    return 0 if all_ok(results) else 1


def _bundle_windows(args: argparse.Namespace) -> int:
    from tagihlite.bundle.windows import build_kit

    kit = build_kit(args.dir, own_wheel=args.wheel, progress=print)
    print(f"Paket instalasi Windows siap: {kit.root} ({len(kit.wheels)} wheel). Salin folder "
          "ini ke komputer petugas lalu klik dua kali install.cmd.")
    return 0
