"""The small window behind the ribbon's "Atur Kolom" button (Tkinter).

One drop-down per field listing the sheet's own headers (pre-filled with TagihLite's guess);
the clerk picks or types a header, Simpan stores it. tkinter is imported inside the function:
nothing else needs a display. ``python -m tagihlite.excel.columns_window QUESTION`` reads
the question as JSON (argument or stdin) and prints the answer as JSON (exit 0 saved, 1
cancelled): that is how the tests drive it under Xvfb.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from tagihlite.core.columns import header_key
from tagihlite.errors import TagihError

TITLE = "Atur Kolom TagihLite"
NONE = "(tidak ada)"
ERROR_COLOUR = "#B00020"


def ask_columns(sheet: str, headers: Sequence[str],
                fields: Sequence[tuple[str, str, bool]],
                current: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """Show the window and wait: field -> chosen header ("" for none), or ``None`` when the
    clerk cancels (Batal, Esc, close). ``fields`` = (field, label, required)."""
    import tkinter as tk
    from tkinter import ttk

    from tagihlite.dialogs import run_dialog

    current = dict(current or {})
    try:
        root = tk.Tk()
    except tk.TclError:
        raise TagihError("Jendela Atur Kolom tidak dapat dibuka (tidak ada layar). Isi bagian "
                         "[columns] di berkas pengaturan (lihat 'tagihlite config path').") \
            from None
    by_key = {header_key(h): h for h in headers}
    result: list[dict[str, str]] = []
    try:
        root.title(TITLE)
        root.resizable(False, False)
        root.attributes("-topmost", True)  # above Excel, which called us
        frame = ttk.Frame(root, padding=14)
        frame.grid(sticky="nsew")
        ttk.Label(frame, text=f"Kolom mana di sheet '{sheet}' yang berisi ...",
                  ).grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, 8))
        boxes: dict[str, tuple[tk.StringVar, ttk.Combobox, str, bool]] = {}
        for i, (fld, label, required) in enumerate(fields, start=1):
            ttk.Label(frame, text=label + (" *" if required else "")).grid(
                row=i, column=0, sticky="w", pady=2, padx=(0, 8))
            var = tk.StringVar(root, value=current.get(fld) or NONE)
            box = ttk.Combobox(frame, textvariable=var, values=[NONE, *headers], width=34)
            box.grid(row=i, column=1, pady=2)
            # keyboard users overwrite the whole entry, as in any form
            box.bind("<FocusIn>", lambda e: e.widget.selection_range(0, "end"))
            boxes[fld] = (var, box, label, required)
        n = len(fields) + 1
        ttk.Label(frame, text="* wajib diisi").grid(row=n, column=0, sticky="w", pady=(6, 0))
        note = ttk.Label(frame, text="", foreground=ERROR_COLOUR, wraplength=360)
        note.grid(row=n + 1, column=0, columnspan=2, sticky="w", pady=(6, 0))

        def submit(_event: object = None) -> str:
            answer: dict[str, str] = {}
            for fld, (var, box, label, required) in boxes.items():
                text = var.get().strip()
                if not text or text == NONE:
                    if required:
                        note.configure(text=f"Pilih kolom untuk {label}.")
                        box.focus_set()
                        return "break"
                    answer[fld] = ""
                    continue
                header = by_key.get(header_key(text))
                if header is None:
                    note.configure(text=f"'{text}' bukan judul kolom di sheet '{sheet}'.")
                    box.focus_set()
                    return "break"
                answer[fld] = header
            result.append(answer)
            root.destroy()
            return "break"

        def cancel(_event: object = None) -> str:
            root.destroy()
            return "break"

        run_dialog(root, frame, row=n + 2, ok_text="Simpan", submit=submit, cancel=cancel,
                   focus=next(iter(boxes.values()))[1])
    finally:
        with contextlib.suppress(tk.TclError):  # already destroyed by submit/cancel
            root.destroy()
    return result[0] if result else None


def main() -> int:
    raw = sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read()
    question: dict[str, Any] = json.loads(raw or "{}")
    try:
        answer = ask_columns(question.get("sheet", "Tagihan"), question.get("headers", []),
                             [tuple(f) for f in question.get("fields", [])],
                             question.get("current"))
    except TagihError as exc:
        print(f"tagihlite: {exc}", file=sys.stderr)
        return exc.exit_code
    if answer is None:
        print("Atur Kolom dibatalkan.", file=sys.stderr)
        return 1
    print(json.dumps(answer, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised in a subprocess by the tests
    raise SystemExit(main())
