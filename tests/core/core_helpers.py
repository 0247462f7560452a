"""Helpers for the core tests: real workbooks written by openpyxl, the CLI run in-process."""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HEADER = ["No", "Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp",
          "Status Bayar", "Jatuh Tempo", "Periode"]


def customer(i: int, **over: Any) -> list[Any]:
    """One fictional unpaid, eligible customer row in HEADER order."""
    row = {
        "No": i, "Nama Pelanggan": f"Toko Fiktif {i}", "Nomor Indibiz": f"1412345{i:05d}",
        "Jumlah Tagihan": 100_000 + i * 1000, "No WhatsApp": f"0812-7000-{i:04d}",
        "Status Bayar": "BELUM BAYAR", "Jatuh Tempo": None, "Periode": "2026-11",
    }
    row.update(over)
    return [row[h] for h in HEADER]


def write_book(path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER,
               header_row: int = 1, sheet: str = "Tagihan",
               template_lines: Sequence[str] | None = None,
               text_columns: Sequence[str] = ("Nomor Indibiz", "No WhatsApp")) -> Path:
    """An .xlsx with the table's header at ``header_row`` (rows above get a title)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if header_row > 1:
        ws.cell(1, 1, "DAFTAR TUNGGAKAN (DATA FIKTIF)")
    for c, h in enumerate(header, 1):
        ws.cell(header_row, c, h)
    text_idx = {i for i, h in enumerate(header, 1) if h in text_columns}
    for r, row in enumerate(rows, header_row + 1):
        for c, v in enumerate(row, 1):
            cell = ws.cell(r, c)
            cell.value = v
            if isinstance(v, str):
                cell.data_type = "s"  # "=1+1" as a name is text, as a clerk would type '=1+1
            if c in text_idx:
                cell.number_format = "@"
    if template_lines is not None:
        tpl = wb.create_sheet("Template")
        tpl["A1"] = "Template pesan"
        for i, line in enumerate(template_lines, 3):
            tpl.cell(i, 1, line)
    wb.save(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_cli(*args: str | Path) -> tuple[int, str, str]:
    """``tagihlite ARGS`` in this process; returns (exit code, stdout, stderr)."""
    from tagihlite.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def read_sheet(path: Path, sheet: str | None = None, header_row: int = 1
               ) -> tuple[dict[str, int], Any]:
    """(header text -> column number, worksheet) of a workbook on disk."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    cols = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)
            if ws.cell(header_row, c).value is not None}
    return cols, ws


def column_values(path: Path, header: str, rows: Sequence[int], *, header_row: int = 1,
                  sheet: str | None = None) -> list[Any]:
    cols, ws = read_sheet(path, sheet, header_row)
    return [ws.cell(r, cols[header]).value for r in rows]
