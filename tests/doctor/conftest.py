"""Fixtures for the doctor tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[object]:
    """keyrings.alt's file backend raised to priority 1: it plays the OS keyring here
    (tagihlite.auth.secrets refuses lower priorities on purpose)."""
    keyring = pytest.importorskip("keyring")
    file_mod = pytest.importorskip("keyrings.alt.file",
                                   reason="keyrings.alt (test dependency) not installed")

    class StandInKeyring(file_mod.PlaintextKeyring):
        priority = 1

    backend = StandInKeyring()
    backend.file_path = str(tmp_path / "os-keyring" / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
