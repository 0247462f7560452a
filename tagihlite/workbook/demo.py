"""A fictional demo arrears list, as a billing export would look (ugly parts included).

All names and numbers are made up. Used by ``tagihlite demo`` and by the README's
first command.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tagihlite import clock
from tagihlite.core.columns import CONTRACT_HEADERS

# One fictional customer per line, keyed by the contract headers.
DEMO_CUSTOMERS: list[dict[str, Any]] = [
    {"Nama Pelanggan": "Toko Sembako Maju Jaya", "Nomor Indibiz": "141234500001",
     "Jumlah Tagihan": 385000, "No WhatsApp": "0812-7000-1001", "Status Bayar": "BELUM BAYAR"},
    {"Nama Pelanggan": "CV Sinar Dumai Abadi", "Nomor Indibiz": "141234500002",
     "Jumlah Tagihan": "Rp 1.250.000", "No WhatsApp": "+62 813-7000-1002",
     "Status Bayar": "BELUM LUNAS"},
    {"Nama Pelanggan": "Apotek Sehat Selalu", "Nomor Indibiz": "141234500003",
     "Jumlah Tagihan": 560000, "No WhatsApp": "6285270001003", "Status Bayar": ""},
    {"Nama Pelanggan": "Bengkel Las Sumber Rezeki", "Nomor Indibiz": "141234500004",
     "Jumlah Tagihan": 415000, "No WhatsApp": "0761-31234", "Status Bayar": "BELUM BAYAR"},
    {"Nama Pelanggan": "Rumah Makan Selera Melayu", "Nomor Indibiz": "141234500005",
     "Jumlah Tagihan": 990000, "No WhatsApp": "0812-7000-1005", "Status Bayar": "LUNAS"},
    {"Nama Pelanggan": "Laundry Kilat Bersih", "Nomor Indibiz": "141234500006",
     "Jumlah Tagihan": 0, "No WhatsApp": "0821-7000-1006", "Status Bayar": "BELUM BAYAR"},
    {"Nama Pelanggan": "Percetakan Karya Mandiri", "Nomor Indibiz": "141234500007",
     "Jumlah Tagihan": "2.500.000", "No WhatsApp": "82170001007",
     "Status Bayar": "BELUM BAYAR"},
    {"Nama Pelanggan": "Toko Bangunan Sejahtera", "Nomor Indibiz": "141234500002",
     "Jumlah Tagihan": 1250000, "No WhatsApp": "0813-7000-1002", "Status Bayar": "BELUM BAYAR"},
    {"Nama Pelanggan": "Klinik Gigi Senyum", "Nomor Indibiz": "141234500009",
     "Jumlah Tagihan": "1,150,000", "No WhatsApp": "-", "Status Bayar": "BELUM BAYAR"},
    {"Nama Pelanggan": "Kafe Kopi Pelabuhan", "Nomor Indibiz": "141234500010",
     "Jumlah Tagihan": 675000, "No WhatsApp": "0852-7000-1010 / 0765-41234",
     "Status Bayar": "UNPAID"},
    {"Nama Pelanggan": "Salon Cantik Ayu", "Nomor Indibiz": "141234500011",
     "Jumlah Tagihan": 320000, "No WhatsApp": "0811-7000-1011", "Status Bayar": "SUDAH BAYAR"},
    {"Nama Pelanggan": "Minimarket Berkah Bersama", "Nomor Indibiz": "141234500012",
     "Jumlah Tagihan": 1875000, "No WhatsApp": "0813-7000-1012", "Status Bayar": "BELUM BAYAR"},
]


def demo_rows(today: dt.date | None = None) -> list[dict[str, Any]]:
    today = today or clock.today()
    # Arrears: last month's bill (due the 20th), so some reminder level is due today.
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    due = last_month.replace(day=20)
    period = f"{last_month:%Y-%m}"
    return [{**c, "No": i, "Jatuh Tempo": due, "Periode": period}
            for i, c in enumerate(DEMO_CUSTOMERS, 1)]


def write_demo_xlsx(path: Path, today: dt.date | None = None) -> Path:
    """An export-style workbook: title rows, a merged title, the table from row 4, a TOTAL."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    rows = demo_rows(today)
    headers = [h for h in CONTRACT_HEADERS if h in rows[0]]
    wb = Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws["A1"] = "DAFTAR TUNGGAKAN PELANGGAN INDIBIZ (DATA FIKTIF UNTUK DEMO)"
    ws["A1"].font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A2"] = "Witel Dumai"
    header_fill = PatternFill("solid", fgColor="C00000")
    for c, h in enumerate(headers, 1):
        cell = ws.cell(row=4, column=c, value=h)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for r, row in enumerate(rows, 5):
        for c, h in enumerate(headers, 1):
            cell = ws.cell(row=r, column=c, value=row[h])
            if h in ("Nomor Indibiz", "No WhatsApp"):
                cell.number_format = "@"
            elif h == "Jumlah Tagihan" and isinstance(row[h], int):
                cell.number_format = '"Rp"#,##0'
            elif h == "Jatuh Tempo":
                cell.number_format = "dd/mm/yyyy"
    total_row = 5 + len(rows)
    ws.cell(row=total_row, column=2, value="TOTAL").font = Font(bold=True)
    amount_col = headers.index("Jumlah Tagihan") + 1
    letter = ws.cell(row=4, column=amount_col).column_letter
    ws.cell(row=total_row, column=amount_col, value=f"=SUM({letter}5:{letter}{total_row - 1})")
    for c, width in zip("ABCDEFGH", (5, 30, 16, 16, 26, 14, 13, 10), strict=True):
        ws.column_dimensions[c].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
