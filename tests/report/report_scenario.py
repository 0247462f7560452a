"""A small history for the dashboard tests: reminders sent on simulated days, payments
imported after them (all through the command line)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.core_helpers import run_cli, write_book

from tagihlite import clock

HEADER = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp", "Status Bayar",
          "Jatuh Tempo", "Periode"]


def scenario(tmp_path: Path) -> Path:
    rows = [[f"Toko {i}", f"20{i:02d}", 100_000 * i, f"0812-7000-{i:04d}", "BELUM BAYAR",
             dt.date(2026, 11, 20), None] for i in range(1, 9)]
    book = write_book(tmp_path / "tagihan.xlsx", rows, header=HEADER)
    ob = tmp_path / "ob"
    try:
        for day in ("2026-11-21", "2026-12-01"):  # level 1, then level 2
            code, _, err = run_cli("--today", day, "send", book, "--yes", "--outbox", ob)
            assert code == 0, err
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["Nomor Indibiz", "Periode", "Tanggal Bayar", "Jumlah Bayar"])
        for i, day in ((1, 22), (2, 23), (3, 25), (4, 3), (5, 4)):
            month = 11 if day > 20 else 12
            ws.append([f"20{i:02d}", "2026-11", dt.date(2026, month, day), 100_000 * i])
        wb.save(tmp_path / "bayar.xlsx")
        code, _, err = run_cli("--today", "2026-12-05", "payments", "import",
                               tmp_path / "bayar.xlsx", book)
        assert code == 0, err
    finally:
        clock.pin(None)
    return book
