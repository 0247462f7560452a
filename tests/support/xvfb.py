"""A private virtual display (Xvfb) for the tests that open real windows."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
from collections.abc import Iterator


def missing_gui_tools(*tools: str) -> str | None:
    """Why GUI tests cannot run here (a skip reason), or None when Xvfb, the given tools
    and tkinter are all present."""
    packages = {"Xvfb": "xvfb", "xdotool": "xdotool"}
    for tool in ("Xvfb", *tools):
        if shutil.which(tool) is None:
            return f"{tool} not installed (Debian package '{packages.get(tool, tool)}')"
    try:
        import tkinter  # noqa: F401
    except ImportError:
        return "tkinter not available in this Python (Debian package 'python3-tk')"
    return None


@contextlib.contextmanager
def xvfb_display(size: str = "1024x768x24", timeout: float = 15) -> Iterator[str]:
    """Start Xvfb on a display number it picks itself (-displayfd); yield ":N"."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size,
                               "-nolisten", "tcp"], pass_fds=(write_fd,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], timeout)
        number = os.read(read_fd, 32).decode().strip() if ready else ""
        if not number:
            raise RuntimeError("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        os.close(read_fd)
        server.terminate()
        server.wait(timeout=10)
