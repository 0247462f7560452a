"""The Atur Kolom window for real: Tk under Xvfb, a clerk's keystrokes from xdotool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

TITLE = "^Atur Kolom TagihLite$"
QUESTION = {
    "sheet": "Tagihan",
    "headers": ["No", "Nama", "INET", "Total", "Kontak Pelanggan", "Kontak Sales"],
    "fields": [["name", "Nama Pelanggan", True], ["customer_id", "Nomor Indibiz", True],
               ["amount", "Jumlah Tagihan", True], ["phone", "No WhatsApp", True],
               ["paid_status", "Status Bayar", False]],
    "current": {"name": "Nama", "customer_id": "INET", "amount": "Total"},
}


@pytest.fixture(scope="module")
def display(gui_display: str) -> str:
    return gui_display


class Window:
    def __init__(self, display: str) -> None:
        self.env = {**os.environ, "DISPLAY": display}
        self.proc = subprocess.Popen([sys.executable, "-m", "tagihlite.excel.columns_window",
                                      json.dumps(QUESTION)], env=self.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        window = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                                 TITLE], env=self.env, capture_output=True, text=True,
                                timeout=20, check=True).stdout.split()[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=self.env, check=True,
                       timeout=20)
        time.sleep(0.3)  # let Tk take the focus it asked for

    def keys(self, *names: str) -> None:
        for name in names:
            subprocess.run(["xdotool", "key", name], env=self.env, check=True, timeout=20)
            time.sleep(0.05)

    def type(self, text: str) -> None:
        subprocess.run(["xdotool", "type", "--delay", "10", text], env=self.env, check=True,
                       timeout=20)

    def finish(self) -> tuple[int, str, str]:
        try:
            out, err = self.proc.communicate(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode, out, err


def _next_field(win: Window) -> None:
    win.keys("Tab")  # the drop-down's arrow is no stop of its own in ttk


def test_the_clerk_types_the_phone_header_and_saves(display: str) -> None:
    win = Window(display)
    for _ in range(3):  # name, customer_id, amount keep TagihLite's guess
        _next_field(win)
    win.type("kontak pelanggan")  # case does not matter; the sheet's text is stored
    win.keys("Return")
    code, out, err = win.finish()
    assert code == 0, err
    assert json.loads(out) == {"name": "Nama", "customer_id": "INET", "amount": "Total",
                               "phone": "Kontak Pelanggan", "paid_status": ""}


def test_a_header_that_is_not_in_the_sheet_is_refused_then_escape_cancels(
        display: str) -> None:
    win = Window(display)
    for _ in range(3):
        _next_field(win)
    win.type("No HP")
    win.keys("Return")  # refused: the window stays open and says why
    time.sleep(0.3)
    assert win.proc.poll() is None
    win.keys("Escape")
    code, out, err = win.finish()
    assert code == 1 and out == "" and "dibatalkan" in err


def test_a_required_field_left_empty_is_refused(display: str) -> None:
    win = Window(display)
    win.keys("Return")  # phone has no guess: the window asks for it
    time.sleep(0.3)
    assert win.proc.poll() is None
    win.type("Kontak Sales")  # the focus went to the empty field
    win.keys("Return")
    code, out, err = win.finish()
    assert code == 0, err
    assert json.loads(out)["phone"] == "Kontak Sales"
