"""Impor Data's file dialog for real: Tk under Xvfb, a clerk's keystrokes from xdotool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TITLE = "^Pilih berkas ekspor tagihan$"
ASK = "from tagihlite.excel.actions import _ask_import_file as ask; print(repr(ask()))"


@pytest.fixture(scope="module")
def display(gui_display: str) -> str:
    return gui_display


def _dialog(display: str, tmp_path: Path, *keys: str, text: str = "") -> str:
    env = {**os.environ, "DISPLAY": display}
    proc = subprocess.Popen([sys.executable, "-c", ASK], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        window = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                                 TITLE], env=env, capture_output=True, text=True,
                                timeout=20, check=True).stdout.split()[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True,
                       timeout=20)
        if text:
            subprocess.run(["xdotool", "type", "--delay", "5", text], env=env, check=True,
                           timeout=20)
        for key in keys:
            subprocess.run(["xdotool", "key", key], env=env, check=True, timeout=20)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    return out.strip()


def test_the_clerk_picks_an_export_file(display: str, tmp_path: Path) -> None:
    export = tmp_path / "ekspor-november.xlsx"
    export.write_bytes(b"PK")  # the dialog only needs the file to exist
    assert _dialog(display, tmp_path, "Return", text=str(export)) == repr(str(export))


def test_escape_cancels(display: str, tmp_path: Path) -> None:
    assert _dialog(display, tmp_path, "Escape") == "None"
