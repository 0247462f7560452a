"""A stand-in web browser for the WhatsApp Web tests (set as ``BROWSER``; webbrowser honours it).

``fake_browser.py URL`` appends ``{"event": "open", "url": URL}`` to the JSON-lines file named
by ``FAKE_BROWSER_RECORD`` and returns at once (webbrowser waits for it), leaving behind a
full-screen Tk window -- the "tab" -- that records what pyautogui does to it: the click, the
keys (Enter = "Return"), and Ctrl+W, which closes it like a browser tab.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def record(event: dict[str, object]) -> None:
    with open(os.environ["FAKE_BROWSER_RECORD"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps(event) + "\n")
        fh.flush()


def tab(url: str) -> None:
    import tkinter as tk

    root = tk.Tk()
    root.title("WhatsApp (fake)")
    w, h = root.winfo_screenwidth(), root.winfo_screenheight()
    root.geometry(f"{w}x{h}+0+0")
    tk.Label(root, text=url[:120]).pack()
    closed = False

    def close(_: object = None) -> None:
        nonlocal closed
        if not closed:
            closed = True
            record({"event": "close", "url": url})
            root.destroy()

    def key(event: tk.Event) -> None:  # type: ignore[type-arg]
        if not closed and event.keysym not in ("Control_L", "Control_R"):
            record({"event": "key", "keysym": event.keysym, "url": url})

    root.bind("<Button-1>", lambda e: record({"event": "click", "url": url}))
    root.bind("<Control-w>", close)
    root.bind("<Key>", key)
    root.after(100, root.focus_force)
    root.after(60_000, close)  # never outlive a broken test
    root.mainloop()


def main() -> None:
    if sys.argv[1:2] == ["--tab"]:
        tab(sys.argv[2])
        return
    url = sys.argv[1]
    record({"event": "open", "url": url})
    subprocess.Popen([sys.executable, __file__, "--tab", url], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
