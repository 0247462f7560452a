"""Each ribbon click starts a fresh Python: the heavy channel libraries must load only when the
channel that needs them is opened."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pywhatkit", "pyautogui", "httpx", "requests", "Xlib")


def loaded_after(code: str) -> list[str]:
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    env_free = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert env_free.returncode == 0, env_free.stderr
    return json.loads(env_free.stdout.splitlines()[-1])


@pytest.mark.parametrize("code", [
    "import tagihlite",
    "import tagihlite.excel",
    "import tagihlite.cli; tagihlite.cli.build_parser()",
    "import tagihlite.channels, tagihlite.channels.link, tagihlite.channels.webhook",
    "import tagihlite.channels.whatsapp_web",
])
def test_no_channel_library_is_imported(code: str) -> None:
    assert loaded_after(code) == []


def test_the_probe_does_see_a_channel_library() -> None:
    """Guards the test above against passing vacuously."""
    assert loaded_after("import tagihlite.channels.cloud") == ["httpx"]
