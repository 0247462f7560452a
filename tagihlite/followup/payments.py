"""Impor Pembayaran: a payment list in, bills settled in the journal and the workbook.

Shared by the command line (``tagihlite payments import``) and the ribbon. Order matters:
the payments are journaled first (idempotent), then the sheet values are computed from
*every* payment the journal holds, so a re-import, or a write that failed half-way and is
retried, gives the same sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tagihlite import clock
from tagihlite.core.formats import rupiah
from tagihlite.core.payments import (
    Matched,
    match,
    plan_payments,
    read_payment_lines,
    settlements,
)
from tagihlite.core.table import SheetTable
from tagihlite.core.writeplan import WritePlan
from tagihlite.journal.payments import Payment, open_payments


@dataclass
class PaymentImport:
    plan: WritePlan
    read: int
    new: int
    counts: dict[str, int]
    matched: Matched
    style: str = "puebi"

    def summary(self) -> str:
        known = self.read - self.new - len(self.matched.unmatched)
        text = (f"{self.read} pembayaran dibaca ({self.new} baru, {known} sudah tercatat "
                f"sebelumnya); {self.counts['paid']} tagihan lunas, "
                f"{self.counts['partial']} dibayar sebagian (jumlah tagihan diperbarui ke "
                "sisanya).")
        if self.matched.unmatched:
            rows = ", ".join(str(p.row) for p in self.matched.unmatched[:10])
            total = sum(p.amount or 0 for p in self.matched.unmatched)
            text += (f" {len(self.matched.unmatched)} pembayaran tidak cocok dengan tagihan "
                     f"mana pun (baris {rows}; {rupiah(total, self.style)}): periksa Nomor "
                     "Indibiz dan Periode-nya.")
        return text


def payment_lines(path: Path, sheet: str | None) -> tuple[list[Any], str]:
    """Read the payment list (any sheet holding one, or ``sheet``)."""
    from tagihlite.errors import InputError
    from tagihlite.workbook.file import read_workbook

    sheets = read_workbook(path)
    chosen = [s for s in sheets if sheet is None or s.name.casefold() == sheet.casefold()]
    if not chosen:
        raise InputError(f"Sheet '{sheet}' tidak ada di berkas '{path.name}'.")
    errors = []
    for s in chosen:
        try:
            return read_payment_lines(s.grid, sheet=s.name, file=path.name,
                                      origin=s.origin), s.name
        except InputError as exc:
            errors.append(exc)
    raise errors[0]


def import_payments(lines: list[Any], source: str, source_sheet: str, table: SheetTable,
                    settings: Any, *, operator: str = "") -> PaymentImport:
    """Journal the payment ``lines`` and plan the arrears sheet's new values."""
    from collections import Counter

    from tagihlite.core.ledger import build

    ledger = build(table, region=settings.region, level=None, levels=None)
    matched = match(lines, ledger)
    seen: Counter[tuple[Any, ...]] = Counter()
    payments = []
    for line, period in matched.lines:
        amount = line.amount if line.amount is not None else matched.bills.get(
            (line.customer_id, period), 0)
        ident = (line.customer_id, period, line.paid_on, amount)
        payments.append(Payment(line.customer_id, period, line.paid_on, amount,
                                seq=seen[ident], source=source, sheet=source_sheet,
                                source_row=line.row))
        seen[ident] += 1
    book = open_payments(settings)
    assert book is not None  # settings always name a database
    new = book.record(payments, matched.bills, at=clock.now(), operator=operator)
    settled = settlements(book.payments(), book.bills())
    plan, counts = plan_payments(table, ledger, settled, rupiah_style=settings.rupiah_style)
    return PaymentImport(plan, len(lines), new, counts, matched, settings.rupiah_style)
