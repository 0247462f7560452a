"""The sheet contract: which headers mean which field, and the columns TagihLite owns.

Headers are matched after :func:`header_key` folds case, spaces and punctuation, so
``No. HP``, ``NO HP`` and ``no_hp`` are the same column.
"""

from __future__ import annotations

import re
from typing import Final

# field -> canonical header (what we write in new sheets) + aliases (matched after folding).
INPUT_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("Nama Pelanggan", "Nama", "Customer Name", "Nama Customer", "Pelanggan",
             "Nama PIC"),
    "customer_id": ("Nomor Indibiz", "No Indibiz", "No Internet", "Nomor Internet",
                    "ID Pelanggan", "Indibiz", "No Layanan", "Nomor Layanan", "SND"),
    "amount": ("Jumlah Tagihan", "Tagihan", "Nominal", "Total Tagihan", "Jumlah",
               "Nominal Tagihan", "Amount"),
    "phone": ("No WhatsApp", "No HP", "Telepon", "Nomor WA", "No WA", "Nomor HP",
              "Nomor WhatsApp", "WhatsApp", "No Telp", "No Telepon", "HP", "Phone"),
    "paid_status": ("Status Bayar", "Status Pembayaran", "Status", "Keterangan Bayar"),
    "due_date": ("Jatuh Tempo", "Tanggal Jatuh Tempo", "Tgl Jatuh Tempo", "Due Date"),
    "period": ("Periode", "Bulan Tagihan", "Periode Tagihan", "Bulan"),
    # Payment lists (``tagihlite payments import``); "Tanggal Bayar" is also the column the
    # import writes into the arrears sheet.
    "paid_date": ("Tanggal Bayar", "Tgl Bayar", "Tanggal Pembayaran", "Tgl Pembayaran",
                  "Tanggal Lunas", "Tgl Lunas", "Paid Date", "Payment Date"),
    "paid_amount": ("Jumlah Bayar", "Jumlah Pembayaran", "Nominal Bayar", "Nominal Pembayaran",
                    "Dibayar", "Total Bayar", "Paid Amount", "Payment Amount"),
}
REQUIRED_FIELDS: Final = ("name", "customer_id", "amount", "phone")

# Output columns TagihLite owns: created right of the table when missing, never moved.
STATUS = "Status Kirim"
SENT_AT = "Waktu Kirim"
SENT_BY = "Dikirim Oleh"
CHANNEL = "Saluran"
MESSAGE = "Pesan"
NOTE = "Catatan"
LEVEL = "Tingkat"  # the highest reminder level sent
NEXT_REMINDER = "Pengingat Berikutnya"  # date the next reminder is due (empty: none)
DAYS_OVERDUE = "Hari Terlambat"  # days past the due date (0 before it)
LEVEL_COLUMNS: Final = (LEVEL, NEXT_REMINDER, DAYS_OVERDUE)
OUTPUT_COLUMNS: Final = (STATUS, SENT_AT, SENT_BY, CHANNEL, MESSAGE, NOTE, *LEVEL_COLUMNS)
LINK = "Tautan WA"  # only the link channel writes it

TAGIHAN_SHEET = "Tagihan"  # the add-in workbook's customer sheet (and import's default)

# Header text for a fresh `Tagihan` sheet (add-in workbook, demo, import target).
CONTRACT_HEADERS: Final = ("No", "Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan",
                           "No WhatsApp", "Status Bayar", "Jatuh Tempo", "Periode",
                           *OUTPUT_COLUMNS)

_FOLD = re.compile(r"[^0-9a-z]+")


def header_key(text: object) -> str:
    """Fold a header for matching: lower case, letters and digits only."""
    if text is None:
        return ""
    return _FOLD.sub("", str(text).lower())


ALIAS_TO_FIELD: Final[dict[str, str]] = {
    header_key(alias): fld for fld, aliases in INPUT_COLUMNS.items() for alias in aliases
}
OUTPUT_KEYS: Final[dict[str, str]] = {header_key(h): h for h in (*OUTPUT_COLUMNS, LINK)}
# A bare "No" / "No." / "Nomor" column is a row counter, never the customer number.
COUNTER_KEYS: Final = frozenset({"no", "nomor", "nourut", "urut", "number"})
