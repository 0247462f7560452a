"""What every small TagihLite window shares (Tkinter): OK/Batal, keys, centring, focus.

tkinter is imported by the callers inside their functions; this module only receives their
widgets, so importing it costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def run_dialog(root: Any, frame: Any, *, row: int, ok_text: str,
               submit: Callable[..., str], cancel: Callable[..., str], focus: Any) -> None:
    """Add the OK/Batal buttons at ``row``, bind Enter/Escape/close, centre the window on
    the screen, focus ``focus`` and run the window until submit or cancel destroys it."""
    from tkinter import ttk

    buttons = ttk.Frame(frame)
    buttons.grid(row=row, column=0, columnspan=2, sticky="e", pady=(10, 0))
    ttk.Button(buttons, text=ok_text, command=submit).grid(row=0, column=0, padx=4)
    ttk.Button(buttons, text="Batal", command=cancel).grid(row=0, column=1)
    root.bind("<Return>", submit)
    root.bind("<KP_Enter>", submit)
    root.bind("<Escape>", cancel)
    root.protocol("WM_DELETE_WINDOW", cancel)

    root.update_idletasks()  # centre on the screen (a third from the top)
    x = (root.winfo_screenwidth() - root.winfo_reqwidth()) // 2
    y = (root.winfo_screenheight() - root.winfo_reqheight()) // 3
    root.geometry(f"+{x}+{y}")
    root.deiconify()
    root.lift()
    root.focus_force()
    focus.focus_set()
    if hasattr(focus, "select_range"):  # an entry: typing replaces the suggestion
        focus.select_range(0, "end")
    root.mainloop()
