"""WhatsApp Web through the real pywhatkit 5.4 on a virtual display (Xvfb).

The "browser" is ``fake_browser.py`` (via ``BROWSER``): it records the URL pywhatkit opens and
shows a full-screen window that records pyautogui's click, Enter and Ctrl+W. The only stub is
pywhatkit's import-time internet probe (see ``wa_web_driver.py``). Each scenario runs in a
fresh Python because pywhatkit, pyautogui and webbrowser keep process-wide state.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import openpyxl
import pytest
from support.xvfb import xvfb_display

from tagihlite.channels.whatsapp_web import (
    NO_BROWSER,
    NO_DISPLAY,
    NO_INTERNET,
    NOTE_SUBMITTED,
    STOPPED_AFTER_ROW,
    STOPPED_IN_ROW,
)
from tagihlite.journal.sqlite import Journal

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "wa_web_driver.py"
FAST = {"wait_seconds": 4, "close_seconds": 0, "close_tab": True}  # 4 s: pywhatkit's floor
MESSAGE = "Yth. Bpk/Ibu \"Andi\" & rekan,\ntagihan #12 = Rp1.250.000 (100%) ✅ ?ok"

needs_xvfb = pytest.mark.skipif(shutil.which("Xvfb") is None,
                                reason="Xvfb not installed (Debian package xvfb)")
needs_xdotool = pytest.mark.skipif(shutil.which("xdotool") is None,
                                   reason="xdotool not installed (Debian package xdotool)")


def _tk_available() -> bool:
    try:
        import tkinter  # noqa: F401
    except ImportError:
        return False
    return True


needs_tk = pytest.mark.skipif(not _tk_available(), reason="tkinter missing (python3-tk)")


@pytest.fixture(scope="module")
def xdisplay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A private Xvfb server; yields the environment a desktop session would have."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb not installed (Debian package xvfb)")
    xauth = tmp_path_factory.mktemp("x11") / "Xauthority"
    xauth.touch()  # python-xlib insists on the file; an empty one means "no cookie"
    with xvfb_display("1280x800x24") as name:
        yield {"DISPLAY": name, "XAUTHORITY": str(xauth)}


@pytest.fixture
def desktop(xdisplay: dict[str, str]) -> dict[str, str]:
    """The display, with the clerk's mouse mid-screen (an earlier test may have left it in a
    fail-safe corner)."""
    if shutil.which("xdotool"):
        subprocess.run(["xdotool", "mousemove", "640", "400"], env={**os.environ, **xdisplay},
                       check=True)
    return xdisplay


@pytest.fixture
def browser(tmp_path: Path) -> tuple[str, Path]:
    record = tmp_path / "browser.jsonl"
    script = tmp_path / "fake-browser"
    script.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{HERE / 'fake_browser.py'}' \"$@\"\n")
    script.chmod(0o755)
    return str(script), record


class Events(list):  # type: ignore[type-arg]
    stderr = ""


def run(spec: dict[str, Any], env: dict[str, str], cwd: Path, timeout: float = 60) -> Events:
    spec_file = cwd / "spec.json"
    spec_file.write_text(json.dumps(spec))
    base = {k: v for k, v in os.environ.items()
            if k not in ("DISPLAY", "BROWSER", "XAUTHORITY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, str(DRIVER), str(spec_file)], cwd=cwd,
                          env={**base, **env}, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = Events(json.loads(line) for line in proc.stdout.splitlines()
                    if line.startswith("{"))
    events.stderr = proc.stderr
    return events


def browser_events(record: Path, expected: int = 0, *, wait: float = 3.0) -> list[dict[str, Any]]:
    """Events the fake browser wrote (its tab windows may need a moment to write 'close')."""
    deadline = time.monotonic() + wait
    while True:
        lines = record.read_text().splitlines() if record.exists() else []
        events = [json.loads(line) for line in lines]
        if sum(e["event"] == "close" for e in events) >= expected or time.monotonic() > deadline:
            return events
        time.sleep(0.05)


def no_pywhatkit_log_anywhere(*folders: Path) -> bool:
    return not any(list(f.rglob("PyWhatKit_DB.txt")) for f in folders)


@needs_tk
def test_real_pywhatkit_opens_the_exact_chat_presses_enter_and_closes_the_tab(
        desktop: dict[str, str], browser: tuple[str, Path], tmp_path: Path) -> None:
    script, record = browser
    reminders = [{"phone": "+6281234567801", "message": MESSAGE},
                 {"phone": "+6285270001003", "message": "Tagihan Rp560.000, terima kasih."}]
    events = run({"whatsapp_web": FAST, "reminders": reminders},
                 {**desktop, "BROWSER": script, "FAKE_BROWSER_RECORD": str(record)}, tmp_path)
    assert events[0] == {"event": "opened", "failsafe": True}  # pywhatkit had turned it off
    outcomes = [e for e in events if e["event"] == "outcome"]
    assert [(o["state"], o["note"]) for o in outcomes] == [("submitted", NOTE_SUBMITTED)] * 2
    assert events[-1] == {"event": "done", "failsafe": True}

    seen = browser_events(record, expected=2)
    opened = [e["url"] for e in seen if e["event"] == "open"]
    assert opened == [f"https://web.whatsapp.com/send?phone={r['phone']}&text="
                      f"{quote(r['message'])}" for r in reminders]
    for url, r in zip(opened, reminders, strict=True):
        query = url.split("?", 1)[1]
        phone, text = query.split("&text=")
        assert phone == f"phone={r['phone']}"
        assert unquote(text) == r["message"]
        assert "&" not in text and " " not in text and "\n" not in text
        # pywhatkit clicked into the tab, pressed Enter once, then closed it with Ctrl+W.
        assert [(e["event"], e.get("keysym")) for e in seen if e["url"] == url][1:] == [
            ("click", None), ("key", "Return"), ("close", None)]
    assert no_pywhatkit_log_anywhere(tmp_path, Path.cwd())


@needs_tk
@needs_xdotool
def test_mouse_in_a_corner_after_a_row_stops_before_the_next(
        desktop: dict[str, str], browser: tuple[str, Path], tmp_path: Path) -> None:
    script, record = browser
    reminders = [{"phone": "+6281234567801", "message": "satu"},
                 {"phone": "+6281234567802", "message": "dua"}]
    events = run({"whatsapp_web": FAST, "reminders": reminders, "corner_after": 0},
                 {**desktop, "BROWSER": script, "FAKE_BROWSER_RECORD": str(record)}, tmp_path)
    kinds = [(e["event"], e.get("index")) for e in events]
    # The loop learns of the stop before it commits row 1 (which stays SIAP KIRIM).
    assert kinds == [("opened", None), ("outcome", 0), ("stop_requested", 1), ("stop", 1),
                     ("done", None)]
    assert events[3]["message"] == STOPPED_AFTER_ROW
    opened = [e["url"] for e in browser_events(record, expected=1) if e["event"] == "open"]
    assert len(opened) == 1 and "phone=+6281234567801" in opened[0]


@needs_tk
@needs_xdotool
def test_mouse_in_a_corner_during_a_row_stops_before_enter(
        desktop: dict[str, str], browser: tuple[str, Path], tmp_path: Path) -> None:
    script, record = browser
    events = run({"whatsapp_web": FAST, "corner_during": 0,
                  "reminders": [{"phone": "+6281234567801", "message": "satu"},
                                {"phone": "+6281234567802", "message": "dua"}]},
                 {**desktop, "BROWSER": script, "FAKE_BROWSER_RECORD": str(record)}, tmp_path)
    assert [(e["event"], e.get("index")) for e in events] == [
        ("opened", None), ("stop", 0), ("done", None)]
    assert events[1]["message"] == STOPPED_IN_ROW
    seen = browser_events(record, wait=0.5)
    assert [e["event"] for e in seen] == ["open"]  # the tab opened; no click, no Enter


def test_no_display_stops_before_pywhatkit_is_imported(tmp_path: Path) -> None:
    for display in ({}, {"DISPLAY": ":919", "XAUTHORITY": str(tmp_path / "none")}):
        events = run({"reminders": []}, display, tmp_path)
        assert events == [{"event": "open_stop", "message": NO_DISPLAY, "pywhatkit": False}]


def test_no_browser_stops_at_open(desktop: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()  # PATH without any browser, BROWSER unset
    events = run({"reminders": []}, {**desktop, "PATH": str(empty)}, tmp_path)
    assert events == [{"event": "open_stop", "message": NO_BROWSER, "pywhatkit": False}]


def test_offline_stops_at_open_with_one_clear_message(desktop: dict[str, str],
                                                      browser: tuple[str, Path],
                                                      tmp_path: Path) -> None:
    script, record = browser
    events = run({"online": False, "reminders": [{"phone": "+6281234567801", "message": "x"}]},
                 {**desktop, "BROWSER": script, "FAKE_BROWSER_RECORD": str(record)}, tmp_path)
    assert [e["event"] for e in events] == ["open_stop"]
    assert events[0]["message"] == NO_INTERNET
    assert not record.exists()


def test_scrub_removes_a_log_that_pywhatkit_would_leave(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Second line of defence, should a pywhatkit version bypass the silenced log function."""
    from tagihlite.channels.whatsapp_web import PYWHATKIT_LOG, scrub_pywhatkit_log

    monkeypatch.chdir(tmp_path)
    with scrub_pywhatkit_log():
        (tmp_path / PYWHATKIT_LOG).write_text("Phone Number: +6281234567801\nMessage: x\n")
    assert not (tmp_path / PYWHATKIT_LOG).exists()
    (tmp_path / PYWHATKIT_LOG).write_text("older content\n")  # not ours: keep it, cut ours off
    with scrub_pywhatkit_log(), (tmp_path / PYWHATKIT_LOG).open("a") as fh:
        fh.write("Phone Number: +6281234567801\n")
    assert (tmp_path / PYWHATKIT_LOG).read_text() == "older content\n"


@needs_tk
def test_cli_send_via_whatsapp_web_marks_the_row_dikirim(
        desktop: dict[str, str], browser: tuple[str, Path], tmp_path: Path) -> None:
    script, record = browser
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "settings.toml").write_text(
        "[whatsapp_web]\nwait_seconds = 4\nclose_seconds = 0\nclose_tab = true\n")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp",
               "Status Bayar", "Periode"])
    ws.append(["Toko Maju", "141234500001", 385000, "0812-7000-1001", "BELUM BAYAR", "2026-11"])
    path = tmp_path / "tagihan.xlsx"
    wb.save(path)
    events = run({"mode": "cli", "argv": ["send", str(path), "--via", "whatsapp-web", "--yes",
                                          "--operator", "Ani"]},
                 {**desktop, "BROWSER": script, "FAKE_BROWSER_RECORD": str(record),
                  "TAGIHLITE_HOME": str(home), "TAGIHLITE_CONFIG": str(home / "settings.toml")},
                 tmp_path)
    assert events == [{"event": "exit", "code": 0}], events.stderr
    with Journal(home / "journal.sqlite") as journal:
        (entry,) = journal.entries().values()
    assert entry.state == "submitted"
    opened = [e["url"] for e in browser_events(record, expected=1) if e["event"] == "open"]
    assert opened == [f"https://web.whatsapp.com/send?phone=+6281270001001&text="
                      f"{quote(entry.message or '')}"]
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    assert row[header.index("Status Kirim")] == "DIKIRIM"
    assert row[header.index("Saluran")] == "WhatsApp Web"
    assert no_pywhatkit_log_anywhere(tmp_path)
