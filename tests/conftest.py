"""Fixtures every test needs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_app_folders(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the real app folders or settings file: each test gets its own."""
    home = tmp_path_factory.mktemp("tagihlite-home")
    monkeypatch.setenv("TAGIHLITE_HOME", str(home))
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(home / "settings.toml"))
    monkeypatch.delenv("TAGIHLITE_JOURNAL_URL", raising=False)  # SQLite unless a test says
    return home


@pytest.fixture(scope="module")
def gui_display() -> Iterator[str]:
    """A private Xvfb display (":N") for tests that drive real windows with xdotool."""
    from support.xvfb import missing_gui_tools, xvfb_display

    reason = missing_gui_tools("xdotool")
    if reason:
        pytest.skip(reason)
    with xvfb_display() as name:
        yield name
