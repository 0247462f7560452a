"""Payments that stop reminders: read a payment list, settle the bills it pays.

A payment list is found like the arrears list (header anywhere in the first rows, same
header folding and aliases): Nomor Indibiz, optional Periode, Tanggal Bayar and an amount
(Jumlah Bayar, else Jumlah Tagihan; none = paid in full). Matching and the sheet values are
pure; the journal (what was paid before) is passed in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tagihlite.core import parse
from tagihlite.core.columns import ALIAS_TO_FIELD, COUNTER_KEYS, NOTE, header_key
from tagihlite.core.formats import rupiah, tanggal
from tagihlite.core.writeplan import DATE_FORMAT, KEEP, ColumnWrite, WritePlan, column_letter
from tagihlite.errors import InputError, where

if TYPE_CHECKING:
    from tagihlite.core.ledger_table import Ledger

PAID_TEXT = "LUNAS"
PAID_DATE_HEADER = "Tanggal Bayar"
PAID_STATUS_HEADER = "Status Bayar"
SEARCH_ROWS = 30


@dataclass(frozen=True)
class PaymentLine:
    """One row of a payment list, parsed."""

    customer_id: str
    period: str | None  # None: the list has no Periode (matched to the oldest unpaid bill)
    paid_on: dt.date
    amount: int | None  # None: paid in full
    row: int  # Excel row in the payment list


def _fields(cells: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = header_key(cell)
        fld = ALIAS_TO_FIELD.get(key) if key and key not in COUNTER_KEYS else None
        if fld and fld not in found:
            found[fld] = i
    return found


def read_payment_lines(grid: Sequence[Sequence[Any]], *, sheet: str, file: str,
                       origin: tuple[int, int] = (1, 1)) -> list[PaymentLine]:
    """Every payment row of one sheet; a cell that cannot be read stops with its place."""
    top, left = origin
    header = None
    for i, row in enumerate(grid[:SEARCH_ROWS]):
        found = _fields(row)
        if "customer_id" in found and ("paid_date" in found or "paid_amount" in found):
            header = (i, found)
            break
    if header is None:
        raise InputError(f"Daftar pembayaran tidak ditemukan di {where(file, sheet)}: perlu "
                         "baris judul dengan kolom Nomor Indibiz dan Tanggal Bayar (boleh juga "
                         "Periode, Jumlah Bayar).")
    hdr, f = header
    if "paid_date" not in f:
        raise InputError(f"Kolom Tanggal Bayar tidak ada di {where(file, sheet)} (baris judul "
                         f"{top + hdr}). Tambahkan kolom tanggal pembayaran.")
    amount_col = f.get("paid_amount", f.get("amount"))
    out = []
    for i, row in enumerate(grid[hdr + 1:], start=top + hdr + 1):
        def cell(idx: int | None, row: Sequence[Any] = row) -> Any:
            return row[idx] if idx is not None and idx < len(row) else None

        def place(fld_idx: int, row_no: int = i) -> str:
            return (f"{where(file, sheet)}, sel {column_letter(left + fld_idx)}{row_no}")

        raw_id = cell(f["customer_id"])
        cid = parse.customer_id(raw_id)
        if not cid:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            if header_key(raw_id) in ("total", "jumlah", "grandtotal", "subtotal") or (
                    header_key(cell(f.get("name", 0))) in ("total", "jumlah")):
                continue
            raise InputError(f"Nomor Indibiz kosong di {place(f['customer_id'])}. Isi nomor "
                             "pelanggan atau hapus baris itu.")
        raw_date = cell(f["paid_date"])
        if raw_date is None or (isinstance(raw_date, str) and not raw_date.strip()):
            continue  # listed but not paid (yet): not a payment
        paid_on = parse.date_value(raw_date)
        if paid_on is None:
            raise InputError(f"Tanggal bayar '{cell(f['paid_date']) or ''}' tidak terbaca di "
                             f"{place(f['paid_date'])}. Tulis sebagai tanggal, mis. "
                             "22-12-2026.")
        amount = None
        if amount_col is not None and cell(amount_col) not in (None, ""):
            parsed = parse.amount(cell(amount_col))
            if parsed.reason or parsed.value is None or parsed.value <= 0:
                raise InputError(f"Jumlah bayar '{cell(amount_col)}' tidak terbaca di "
                                 f"{place(amount_col)}. Tulis sebagai angka, mis. 1250000.")
            amount = int(parsed.value)
        period = None
        if "period" in f and cell(f["period"]) not in (None, ""):
            period = parse.period(cell(f["period"]))
            if period is None:
                raise InputError(f"Periode '{cell(f['period'])}' tidak terbaca di "
                                 f"{place(f['period'])}. Tulis sebagai YYYY-MM, mis. 2026-11.")
        out.append(PaymentLine(cid, period, paid_on, amount, i))
    return out


@dataclass
class Settlement:
    """The payments applied to one bill of the arrears sheet."""

    customer_id: str
    period: str
    bill: int  # what the bill first owed
    paid: int  # every payment so far
    settled_on: dt.date | None  # the day the payments reached the bill
    last_paid_on: dt.date

    @property
    def remaining(self) -> int:
        return max(self.bill - self.paid, 0)


@dataclass
class Matched:
    """Payment lines resolved to bills (customer, period); the rest could not be."""

    lines: list[tuple[PaymentLine, str]] = field(default_factory=list)  # line, period
    unmatched: list[PaymentLine] = field(default_factory=list)
    bills: dict[tuple[str, str], int] = field(default_factory=dict)  # current sheet amount


def match(lines: Iterable[PaymentLine], ledger: Ledger) -> Matched:
    """Resolve each payment to one bill of the arrears ledger (customer + period)."""
    rows: dict[str, list[tuple[str, int | None, bool]]] = defaultdict(list)
    for r in ledger.rows():
        if r.customer_id:
            rows[r.customer_id].append((r.period, r.amount, bool(r.paid)))
    out = Matched()
    for line in lines:
        bills = rows.get(line.customer_id, [])
        if line.period is not None:
            hit = [b for b in bills if b[0] == line.period]
        else:  # no period in the list: the oldest unpaid bill, else the newest
            unpaid = sorted(b for b in bills if not b[2])
            hit = unpaid[:1] or sorted(bills)[-1:]
        if not hit:
            out.unmatched.append(line)
            continue
        period, amount, _ = hit[0]
        out.lines.append((line, period))
        if amount is not None:
            out.bills.setdefault((line.customer_id, period), int(amount))
    return out


def settlements(payments: Iterable[Any], bills: Mapping[tuple[str, str], int]
                ) -> dict[tuple[str, str], Settlement]:
    """Per bill: total paid, and the day it was settled. ``payments`` have customer_id,
    period, paid_on and amount (the journal's records)."""
    out: dict[tuple[str, str], Settlement] = {}
    for p in sorted(payments, key=lambda p: p.paid_on):
        key = (p.customer_id, p.period)
        if key not in bills:
            continue
        s = out.setdefault(key, Settlement(*key, bills[key], 0, None, p.paid_on))
        s.paid += p.amount
        s.last_paid_on = p.paid_on
        if s.settled_on is None and s.paid >= s.bill:
            s.settled_on = p.paid_on
    return out


def plan_payments(table: Any, ledger: Ledger, settled: Mapping[tuple[str, str], Settlement],
                  *, rupiah_style: str = "puebi") -> tuple[WritePlan, dict[str, int]]:
    """Sheet values: paid bills get Status Bayar LUNAS and Tanggal Bayar; a partial payment
    lowers Jumlah Tagihan to what is still owed and says so in Catatan."""
    t = table
    plan = WritePlan(sheet=t.sheet, header_row=t.header_row, row_numbers=list(t.row_numbers))
    status, day, amount, note = [], [], [], []
    bills: dict[str, set[tuple[str, str]]] = {"paid": set(), "partial": set()}
    for r in ledger.rows():
        s = settled.get((r.customer_id, r.period))
        if s is None:
            status.append(KEEP), day.append(KEEP), amount.append(KEEP), note.append(KEEP)
            continue
        if s.settled_on is not None:
            bills["paid"].add((s.customer_id, s.period))
            status.append(PAID_TEXT), day.append(s.settled_on), amount.append(KEEP)
            note.append(f"Lunas {tanggal(s.settled_on)} (impor pembayaran).")
        else:
            bills["partial"].add((s.customer_id, s.period))
            status.append(KEEP), day.append(KEEP), amount.append(s.remaining)
            note.append(f"Dibayar sebagian {rupiah(s.paid, rupiah_style)} (terakhir "
                        f"{tanggal(s.last_paid_on)}) dari {rupiah(s.bill, rupiah_style)}; "
                        f"sisa {rupiah(s.remaining, rupiah_style)}.")
    next_col = t.last_col + 1

    def place(fld: str | None, header: str) -> tuple[int, bool]:
        nonlocal next_col
        if fld is not None and fld in t.fields:
            return t.first_col + t.fields[fld], False
        if fld is None and header in t.outputs:
            return t.first_col + t.outputs[header], False
        col, next_col = next_col, next_col + 1
        if col in t.occupied:
            row, _ = t.occupied[col]
            raise InputError(
                f"Kolom '{header}' perlu dibuat di kolom {column_letter(col)}, tetapi sel "
                f"{column_letter(col)}{row} ({where(t.file, t.sheet)}) sudah berisi data. "
                "Pindahkan data di kanan tabel itu, lalu coba lagi; buku kerja tidak diubah.")
        return col, True

    for fld, header, values, fmt in (
            ("paid_status", PAID_STATUS_HEADER, status, None),
            ("amount", t.headers[t.fields["amount"]], amount, None),
            ("paid_date", PAID_DATE_HEADER, day, DATE_FORMAT),
            (None, NOTE, note, None)):
        if fld != "amount" and all(v is KEEP for v in values) and (
                fld is None or fld not in t.fields):
            continue  # nothing to say: do not add an empty column
        col, new = place(fld, header)
        plan.columns.append(ColumnWrite(col=col, header=header, new=new, values=values,
                                        number_format=fmt))
    return plan, {k: len(v) for k, v in bills.items()}
