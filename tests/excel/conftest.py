"""Excel shell tests: every ribbon action on the in-memory xlwings engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from xlengine import MemoryExcel


@pytest.fixture
def xl() -> Iterator[MemoryExcel]:
    with MemoryExcel() as session:
        yield session


@pytest.fixture
def demo_xlsx(tmp_path: Path) -> Path:
    """An export-style workbook (title rows, table from row 4, a TOTAL row): openpyxl."""
    from tagihlite.workbook.demo import write_demo_xlsx

    return write_demo_xlsx(tmp_path / "tagihan-demo.xlsx")


@pytest.fixture
def addin_xlsm(tmp_path: Path) -> Path:
    """The real add-in workbook (Tagihan as an Excel Table, Template, Laporan, Petunjuk)."""
    from tagihlite.addin.build import build_workbook
    from tagihlite.workbook.demo import demo_rows

    return build_workbook(tmp_path / "tagihlite.xlsm", customers=demo_rows())
