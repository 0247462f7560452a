"""Impor Data's file dialog for real: Tk under Xvfb, a clerk's keystrokes from xdotool."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TITLE = "^Pilih berkas ekspor tagihan$"
ASK = "from tagihlite.excel_actions import _ask_import_file as ask; print(repr(ask()))"


def _missing() -> str | None:
    for tool, package in (("Xvfb", "xvfb"), ("xdotool", "xdotool")):
        if shutil.which(tool) is None:
            return f"{tool} not installed (Debian package '{package}')"
    try:
        import tkinter  # noqa: F401
    except ImportError:
        return "tkinter not available in this Python"
    return None


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                               "1024x768x24", "-nolisten", "tcp"], pass_fds=(write_fd,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 15)
        number = os.read(read_fd, 32).decode().strip() if ready else ""
        if not number:
            pytest.fail("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        os.close(read_fd)
        server.terminate()
        server.wait(timeout=10)


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
