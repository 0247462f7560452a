"""A reader that goes away early (``| head``) is not an error for the clerk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl


def _big_book(path: Path, rows: int = 3000) -> Path:
    """Enough rows that the JSON outgrows the pipe's buffer (64 KiB on Linux)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp"])
    for i in range(rows):
        ws.append([f"Toko Fiktif {i}", f"14123{i:07d}", 100_000 + i, f"0812-7000-{i:04d}"])
    wb.save(path)
    return path


def test_check_json_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    book = _big_book(tmp_path / "besar.xlsx")
    proc = subprocess.Popen([sys.executable, "-m", "tagihlite", "check", str(book), "--json",
                             "--period", "2026-11"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # like `head -c 10`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "kesalahan tak terduga" not in err and "Traceback" not in err
