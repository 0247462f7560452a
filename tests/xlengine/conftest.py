"""The memory engine's own tests: a fresh Excel session per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xlengine import MemoryExcel


@pytest.fixture
def xl() -> Iterator[MemoryExcel]:
    with MemoryExcel() as session:
        yield session
