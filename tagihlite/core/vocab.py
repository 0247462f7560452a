"""The fixed vocabularies TagihLite writes: sheet statuses and ineligibility reasons.

Kept in one place because supervisors filter on these exact strings and other tooling
reads the reason codes from ``tagihlite check --json``.
"""

from __future__ import annotations

from typing import Final


class Status:
    """Values of the ``Status Kirim`` column (Indonesian, upper case)."""

    READY: Final = "SIAP KIRIM"  # unpaid, eligible, not sent yet
    PAID: Final = "LUNAS"  # paid: nothing to do
    SKIPPED: Final = "DILEWATI"  # cannot be sent; Catatan says why
    QUEUED: Final = "MENUNGGU"  # outbox / link made: a person must still press send
    SUBMITTED: Final = "DIKIRIM"  # handed to WhatsApp; delivery not (yet) confirmed
    DELIVERED: Final = "TERKIRIM"  # the channel confirmed delivery
    READ: Final = "DIBACA"  # the channel confirmed the customer read it
    FAILED: Final = "GAGAL"  # the channel refused; Catatan says why
    NEEDS_CHECK: Final = "PERLU CEK"  # crashed between intent and outcome: a human decides

    ALL: Final = (READY, PAID, SKIPPED, QUEUED, SUBMITTED, DELIVERED, READ, FAILED, NEEDS_CHECK)
    # Highlight groups (conditional formatting keyed on the status cell).
    TODO: Final = (READY,)
    PROBLEM: Final = (SKIPPED, FAILED, NEEDS_CHECK)
    DONE: Final = (QUEUED, SUBMITTED, DELIVERED, READ)


class JournalState:
    """What the journal knows about one reminder key (English, machine-facing)."""

    PENDING: Final = "pending"  # intent committed, channel not answered yet
    QUEUED: Final = "queued"  # written to the outbox / a link: a person sends it
    SUBMITTED: Final = "submitted"  # WhatsApp Web: typed and Enter pressed
    ACCEPTED: Final = "accepted"  # Cloud API returned a message id
    SENT: Final = "sent"  # webhook: left Meta's servers
    DELIVERED: Final = "delivered"  # webhook: on the customer's phone
    READ: Final = "read"  # webhook: opened
    FAILED: Final = "failed"  # refused; safe to try again later
    UNKNOWN: Final = "unknown"  # a crash left a pending intent: PERLU CEK
    CLEARED: Final = "cleared"  # a supervisor cleared PERLU CEK: may be sent again

    # States that mean "this reminder may have left": never send that key again.
    BLOCKING: Final = frozenset({PENDING, QUEUED, SUBMITTED, ACCEPTED, SENT, DELIVERED, READ,
                                 UNKNOWN})

    TO_STATUS: Final = {
        PENDING: Status.NEEDS_CHECK,
        UNKNOWN: Status.NEEDS_CHECK,
        QUEUED: Status.QUEUED,
        SUBMITTED: Status.SUBMITTED,
        ACCEPTED: Status.SUBMITTED,
        SENT: Status.SUBMITTED,
        DELIVERED: Status.DELIVERED,
        READ: Status.READ,
        FAILED: Status.FAILED,
    }
    # Order of delivery news from the Cloud API webhook: only ever move forward.
    PROGRESS: Final = (ACCEPTED, SENT, DELIVERED, READ)


# How a journal state reads in a clerk's summary line ("6 menunggu dikirim petugas").
STATE_LABELS: Final[dict[str, str]] = {
    JournalState.PENDING: "perlu cek",
    JournalState.UNKNOWN: "perlu cek",
    JournalState.QUEUED: "menunggu dikirim petugas",
    JournalState.SUBMITTED: "diteruskan ke WhatsApp",
    JournalState.ACCEPTED: "diterima WhatsApp",
    JournalState.SENT: "dikirim WhatsApp",
    JournalState.DELIVERED: "terkirim",
    JournalState.READ: "dibaca",
    JournalState.FAILED: "gagal",
    JournalState.CLEARED: "dibuka lagi",
}


def states_text(states: dict[str, int]) -> str:
    """``{"queued": 6, "failed": 1}`` -> ``"6 menunggu dikirim petugas, 1 gagal"``."""
    parts = [f"{n} {STATE_LABELS.get(state, state)}" for state, n in sorted(states.items())
             if n]
    return ", ".join(parts) or "-"


# Highlight fills (RGB hex) for the conditional-formatting rules keyed on the Status cell.
# The same values are used by the file shell (openpyxl) and the VBA macro of the add-in.
HIGHLIGHT_FILLS: Final[dict[str, str]] = {
    "todo": "FFF2CC",  # light yellow: unpaid, ready to send
    "problem": "F8CBAD",  # light orange-red: cannot be sent / failed / needs a check
    "done": "C6EFCE",  # light green: handed to a person or to WhatsApp
}


# Reason codes are a contract (``check --json``); texts are what the clerk reads in Catatan.
REASONS: Final[dict[str, str]] = {
    "paid": "Sudah lunas, tidak perlu diingatkan.",
    "phone_missing": "Nomor WhatsApp kosong. Isi nomor HP pelanggan.",
    "phone_invalid": "Nomor WhatsApp tidak valid. Periksa kembali nomor HP pelanggan.",
    "phone_not_mobile": "Nomor bukan nomor HP (telepon rumah/kantor). Isi nomor HP pelanggan.",
    "amount_zero": "Jumlah tagihan nol. Periksa nominal tagihan.",
    "amount_invalid": "Jumlah tagihan tidak terbaca. Tulis sebagai angka, mis. 1250000.",
    "name_missing": "Nama pelanggan kosong (atau rumus tanpa nilai). Isi nama pelanggan.",
    "paid_status_unknown": "Status bayar '{value}' tidak dikenal. Tulis LUNAS atau BELUM BAYAR.",
    "customer_id_missing": "Nomor Indibiz kosong. Isi nomor Indibiz pelanggan.",
    "duplicate": "Nomor Indibiz ganda: sudah ada di baris {first_row}, baris ini dilewati.",
    "already_sent": "Pengingat ini sudah dikirim sebelumnya ({when}).",
    "message_too_long": "Pesan untuk baris ini melebihi 4.096 karakter (batas WhatsApp), "
                        "mis. karena nama sangat panjang. Perbaiki datanya.",
    "opted_out": "Pelanggan minta tidak dihubungi lewat WhatsApp (daftar tolak).",
    # The text is the importer's own Catatan (it starts with ABSENT_PREFIX); kept as is.
    "absent_from_import": "{note}",
    "not_due": "Belum waktunya diingatkan; pengingat berikutnya {next}.",
}

# amount_invalid for an amount that is readable but no bill has (above ``max_amount``).
AMOUNT_CEILING_TEXT: Final = ("Jumlah tagihan {amount} di atas batas wajar {ceiling} "
                              "(pengaturan max_amount). Periksa nominal tagihan.")

# Impor Data marks rows missing from the fresh export with a Catatan starting with this.
# Such rows are held back (probably paid) until the clerk clears that Catatan.
ABSENT_PREFIX: Final = "Tidak ada di daftar impor"


# Short Indonesian names of the reason codes, for summaries (Laporan, `report`).
REASON_LABELS: Final[dict[str, str]] = {
    "paid": "sudah lunas",
    "phone_missing": "nomor WhatsApp kosong",
    "phone_invalid": "nomor WhatsApp tidak valid",
    "phone_not_mobile": "bukan nomor HP",
    "amount_zero": "tagihan nol",
    "amount_invalid": "tagihan tidak terbaca",
    "name_missing": "nama kosong",
    "paid_status_unknown": "status bayar tidak dikenal",
    "customer_id_missing": "nomor Indibiz kosong",
    "duplicate": "nomor Indibiz ganda",
    "already_sent": "sudah dikirim",
    "message_too_long": "pesan terlalu panjang",
    "opted_out": "minta tidak dihubungi",
    "absent_from_import": "tidak ada di daftar impor",
    "not_due": "belum waktunya",
}


def reason_text(code: str, **details: object) -> str:
    """Indonesian explanation for a reason code, with details filled in when given."""
    text = REASONS[code]
    try:
        return text.format(**details)
    except (KeyError, IndexError):
        return text.split(":")[0].split("(")[0].strip() + "."
