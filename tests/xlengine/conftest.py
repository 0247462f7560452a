"""The memory engine's own tests: a fresh Excel session per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: import xlengine

from xlengine import MemoryExcel


@pytest.fixture
def xl() -> Iterator[MemoryExcel]:
    with MemoryExcel() as session:
        yield session
