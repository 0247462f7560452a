"""Fixtures every test needs."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_app_folders(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the real app folders or settings file: each test gets its own."""
    home = tmp_path_factory.mktemp("tagihlite-home")
    monkeypatch.setenv("TAGIHLITE_HOME", str(home))
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(home / "settings.toml"))
    return home
