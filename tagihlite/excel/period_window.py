"""Asking the clerk for the billing period when the sheet does not say it (Tkinter).

The command line refuses instead (exit 2); in Excel a person is there to answer. The window
matches the login window: one field, pre-filled with the current month, OK / Batal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tagihlite.errors import InputError, TagihError

if TYPE_CHECKING:
    from tagihlite.core.table import SheetTable
    from tagihlite.settings import Settings
    from tagihlite.workflow import Analysis

ERROR_COLOUR = "#B00020"


def ask_period(default: str, message: str = "", note: str = "") -> str | None:
    """Show the window and wait: the text typed, or ``None`` on Esc / Batal / close."""
    import tkinter as tk
    from tkinter import ttk

    from tagihlite.dialogs import run_dialog

    try:
        root = tk.Tk()
    except tk.TclError:
        raise TagihError("Jendela periode tidak dapat dibuka (tidak ada layar). Tulis "
                         "'Periode: Desember 2026' di atas tabel, lalu coba lagi.") from None
    result: list[str] = []
    try:
        root.title("Periode tagihan")
        root.resizable(False, False)
        root.attributes("-topmost", True)
        frame = ttk.Frame(root, padding=14)
        frame.grid(sticky="nsew")
        ttk.Label(frame, text=message, wraplength=340).grid(row=0, column=0, columnspan=2,
                                                             sticky="w", pady=(0, 8))
        value = tk.StringVar(root, value=default)
        ttk.Label(frame, text="Periode").grid(row=1, column=0, sticky="w")
        field = ttk.Entry(frame, textvariable=value, width=24)
        field.grid(row=1, column=1, sticky="w")
        ttk.Label(frame, text=note, foreground=ERROR_COLOUR, wraplength=340).grid(
            row=2, column=0, columnspan=2, sticky="w", pady=(6, 0))

        def submit(_event: object = None) -> str:
            result.append(value.get())
            root.destroy()
            return "break"

        def cancel(_event: object = None) -> str:
            root.destroy()
            return "break"

        run_dialog(root, frame, row=3, ok_text="OK", submit=submit, cancel=cancel,
                   focus=field)
    finally:
        with contextlib.suppress(tk.TclError):
            root.destroy()
    return result[0] if result else None


def analyse_asking(table: SheetTable, settings: Settings, *, default: str,
                   ask: Callable[..., str | None], **kwargs: Any) -> Analysis:
    """:func:`~tagihlite.workflow.analyse`, asking for the period (``default`` pre-filled)
    when neither the data, the title lines nor the setting name one."""
    from tagihlite.core.keyparts import canonical_period
    from tagihlite.core.ledger import PeriodMissing
    from tagihlite.workflow import analyse

    try:
        return analyse(table, settings, **kwargs)
    except PeriodMissing as exc:
        message = (f"Periode tagihan tidak tertulis di sheet '{table.sheet}' (baris "
                   f"{exc.row} dst.). Pengingat untuk periode berapa?")
    note = ""
    for _ in range(5):
        answer = ask(default=default, message=message, note=note)
        if answer is None:
            break
        try:
            period = canonical_period(answer, what="periode")
        except InputError as bad:
            note = str(bad)
            continue
        return analyse(table, settings, fallback_period=period, **kwargs)
    raise TagihError("Dibatalkan: periode tagihan tidak diisi. Tulis mis. 'Periode: "
                     "Desember 2026' di atas tabel agar TagihLite tidak bertanya lagi.")
