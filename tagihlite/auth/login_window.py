"""The small login window behind the ribbon's "Masuk" button (Tkinter).

tkinter is imported inside the functions: the core and the command line never need a
display. ``python -m tagihlite.auth.login_window`` runs the whole login in its own process (exit
0 logged in, 1 cancelled), which keeps Tk's main loop out of the Excel/xlwings process.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from tagihlite.auth.identity import Operator
from tagihlite.errors import TagihError
from tagihlite.settings import Settings

ERROR_COLOUR = "#B00020"


def ask_login(title: str = "Masuk TagihLite", users: Sequence[str] = (),
              message: str = "") -> tuple[str, str] | None:
    """Show the window and wait: ``(name, password)``, or ``None`` on Esc / Batal / close.

    ``users`` fills a drop-down (one name: pre-filled, focus on the password); ``message``
    is shown in red above the buttons, e.g. why the last attempt failed.
    """
    import tkinter as tk
    from tkinter import ttk

    from tagihlite.dialogs import run_dialog

    try:
        root = tk.Tk()
    except tk.TclError:
        raise TagihError("Jendela login tidak dapat dibuka (tidak ada layar). Gunakan "
                         "'tagihlite login NAMA' di command prompt.") from None
    result: list[tuple[str, str]] = []
    try:
        root.title(title)
        root.resizable(False, False)
        root.attributes("-topmost", True)  # above Excel, which called us
        frame = ttk.Frame(root, padding=14)
        frame.grid(sticky="nsew")

        name_var = tk.StringVar(root, value=users[0] if len(users) == 1 else "")
        password_var = tk.StringVar(root)
        ttk.Label(frame, text="Nama pengguna").grid(row=0, column=0, sticky="w", pady=3)
        name_field: Any
        if users:
            name_field = ttk.Combobox(frame, textvariable=name_var, values=list(users),
                                      width=28)
        else:
            name_field = ttk.Entry(frame, textvariable=name_var, width=30)
        name_field.grid(row=0, column=1, pady=3)
        ttk.Label(frame, text="Kata sandi").grid(row=1, column=0, sticky="w", pady=3)
        password_field = ttk.Entry(frame, textvariable=password_var, show="•", width=30)
        password_field.grid(row=1, column=1, pady=3)
        note = ttk.Label(frame, text=message, foreground=ERROR_COLOUR, wraplength=300)
        note.grid(row=2, column=0, columnspan=2, sticky="w", pady=(6, 0))

        def submit(_event: object = None) -> str:
            name, password = name_var.get().strip(), password_var.get()
            if not name or not password:
                note.configure(text="Isi nama pengguna dan kata sandi.")
                (password_field if name else name_field).focus_set()
                return "break"
            result.append((name, password))
            root.destroy()
            return "break"

        def cancel(_event: object = None) -> str:
            root.destroy()
            return "break"

        run_dialog(root, frame, row=3, ok_text="Masuk", submit=submit, cancel=cancel,
                   focus=password_field if name_var.get() else name_field)
    finally:
        with contextlib.suppress(tk.TclError):  # already destroyed by submit/cancel
            root.destroy()
    return result[0] if result else None


def login_interactive(settings: Settings, *, attempts: int = 5,
                      clock: Callable[[], float] = time.time,
                      ask: Callable[..., tuple[str, str] | None] = ask_login
                      ) -> Operator | None:
    """The "Masuk" button: window, check, window again with the reason, until a session
    exists or the user cancels. ``None`` when cancelled."""
    from tagihlite.auth.login import LoginFailed, login

    message = ""
    for _ in range(attempts):
        answer = ask(message=message)
        if answer is None:
            return None
        name, password = answer
        try:
            return login(settings, name, password, clock=clock)
        except LoginFailed as exc:
            message = str(exc)
    return None


def main() -> int:
    from tagihlite.settings import load

    try:
        operator = login_interactive(load())
    except TagihError as exc:
        print(f"tagihlite: {exc}", file=sys.stderr)
        return exc.exit_code
    if operator is None:
        print("Login dibatalkan.")
        return 1
    print(f"Masuk sebagai {operator.name} ({operator.role}).")
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised in a subprocess by the tests
    raise SystemExit(main())
