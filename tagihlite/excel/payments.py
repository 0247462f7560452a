"""Impor Pembayaran in Excel: the same import as ``tagihlite payments import``, written
into the live sheet with the usual few block writes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tagihlite.excel.click import Click
    from tagihlite.excel.sheet import LiveSheet


def import_payments_into_book(click: Click, path: str | Path, live: LiveSheet) -> None:
    """``live``: the customer sheet (the caller picks it, as for every action)."""
    from tagihlite.auth.identity import current_operator
    from tagihlite.excel.sheet import apply_plan
    from tagihlite.followup.payments import import_payments, payment_lines

    path = Path(path)
    click.status("Membaca daftar pembayaran ...")
    lines, sheet = payment_lines(path, None)
    settings = click.settings
    result = import_payments(lines, path.name, sheet, live.table(), settings,
                             operator=current_operator(settings).name or "")
    if result.plan.columns:
        apply_plan(click.book, live, result.plan, highlight=False)
    click.status(f"Impor pembayaran selesai: {result.counts['paid']} lunas.")
    click.alert(f"Impor pembayaran dari '{path.name}' selesai.\n{result.summary()}\n\nKlik "
                "Tandai Belum Bayar untuk memperbarui status baris.")
