"""The "Masuk" window for real: Tk under Xvfb, driven by keystrokes from xdotool.

The window runs in its own process (``python -m tagihlite.auth.login_window``, the same entry
the Excel button can use), so Tk's main loop never blocks the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_support import STAFF_PW

from tagihlite.auth.audit import AuditLog
from tagihlite.auth.identity import current_operator
from tagihlite.settings import Settings

TITLE = "^Masuk TagihLite$"


@pytest.fixture(scope="module")
def display(gui_display: str) -> str:
    return gui_display


class Window:
    """One login process plus the keystrokes a clerk would type."""

    def __init__(self, display: str, home: Path) -> None:
        self.env = {"DISPLAY": display, "TAGIHLITE_HOME": str(home), "LOGNAME": "clerk-pc1",
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
        self.proc = subprocess.Popen([sys.executable, "-m", "tagihlite.auth.login_window"],
                                     env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.window = ""

    def xdo(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True,
                              text=True, timeout=20)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def wait_window(self) -> str:
        """Wait for a (new) login window and return its id."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", TITLE],
                                   env=self.env, capture_output=True, text=True, timeout=20)
            ids = found.stdout.split()
            fresh = [i for i in ids if i != self.window]
            if fresh:
                self.window = fresh[-1]
                time.sleep(0.2)  # let Tk take the focus it asked for
                return self.window
            assert self.proc.poll() is None, self.proc.communicate()
            time.sleep(0.05)
        raise AssertionError("login window did not appear")

    def type(self, text: str) -> None:
        self.xdo("type", "--delay", "15", text)

    def key(self, name: str) -> None:
        self.xdo("key", name)

    def finish(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err


@pytest.fixture
def window(display: str, team: Settings, home: Path) -> Iterator[Window]:
    win = Window(display, home)
    try:
        yield win
    finally:
        if win.proc.poll() is None:
            win.proc.kill()
            win.proc.wait()


def login_events(settings: Settings) -> list[tuple[str, str]]:
    return [(e[2], e[3]) for e in AuditLog(settings.journal_file).entries()
            if e[2].startswith("login")]


def test_right_password_logs_in(window: Window, team: Settings) -> None:
    window.wait_window()
    window.type("Budi")
    window.key("Tab")
    window.type(STAFF_PW)
    window.key("Return")
    code, out, err = window.finish()
    assert (code, out.strip()) == (0, "Masuk sebagai Budi (staff)."), err
    assert current_operator(team).name == "Budi"
    assert login_events(team)[-1] == ("login", "Budi")
    assert STAFF_PW not in out + err


def test_wrong_password_shows_the_window_again(window: Window, team: Settings) -> None:
    window.wait_window()
    window.type("Budi")
    window.key("Tab")
    window.type("bukan-sandinya")
    window.key("Return")
    window.wait_window()  # a new window, with the reason in red
    assert window.proc.poll() is None
    window.type("Budi")
    window.key("Tab")
    window.type(STAFF_PW)
    window.key("KP_Enter")
    code, out, _ = window.finish()
    assert code == 0 and "Budi" in out
    assert login_events(team)[-2:] == [("login_failed", "Budi"), ("login", "Budi")]


def test_escape_cancels(window: Window, team: Settings) -> None:
    window.wait_window()
    window.type("Budi")
    window.key("Tab")
    window.type(STAFF_PW)
    window.key("Escape")
    code, out, _ = window.finish()
    assert (code, out.strip()) == (1, "Login dibatalkan.")
    assert current_operator(team).logged_in is False
    assert login_events(team) == [("login", "Siti")]  # only the fixture's own login


def test_enter_with_empty_fields_keeps_the_window(window: Window, team: Settings) -> None:
    window.wait_window()
    window.key("Return")
    time.sleep(0.5)
    assert window.proc.poll() is None  # nothing submitted
    window.key("Escape")
    assert window.finish()[0] == 1
    assert login_events(team) == [("login", "Siti")]


def test_one_known_user_is_prefilled_and_focus_is_on_the_password(display: str,
                                                                  home: Path) -> None:
    script = ("import json; from tagihlite.auth.login_window import ask_login; "
              "print(json.dumps(ask_login(users=['Budi'], message='Sesi berakhir')))")
    win = Window(display, home)
    win.proc.kill()
    win.proc.wait()
    win.proc = subprocess.Popen([sys.executable, "-c", script], env=win.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        win.wait_window()
        win.type("rahasia-xyz")
        win.key("Return")
        code, out, err = win.finish()
    finally:
        if win.proc.poll() is None:
            win.proc.kill()
    assert code == 0, err
    assert out.strip() == '["Budi", "rahasia-xyz"]'
