"""Helpers for the file-shell tests: fixture copies, hashes, hand-made write plans."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tagihlite.core.table import SheetTable
from tagihlite.core.writeplan import ColumnWrite, Highlight, WritePlan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy2(FIXTURES / name, target)
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def zip_part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def sheet_xml(path: Path, index: int = 1) -> str:
    return zip_part(path, f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def plan_for(table: SheetTable, columns: dict[str, list[Any]], *,
             status: str = "Status Kirim", highlight: bool = True) -> WritePlan:
    """A plan writing ``columns`` (header -> values per data row), new ones right of the table."""
    plan = WritePlan(sheet=table.sheet, header_row=table.header_row,
                     row_numbers=list(table.row_numbers))
    next_col = table.last_col + 1
    for header, values in columns.items():
        if header in table.outputs:
            col, new = table.first_col + table.outputs[header], False
        else:
            col, new = next_col, True
            next_col += 1
        plan.columns.append(ColumnWrite(col=col, header=header, new=new, values=values))
    if highlight and table.row_numbers:
        plan.highlight = Highlight(first_row=table.header_row + 1,
                                   last_row=max(table.row_numbers),
                                   first_col=table.first_col, last_col=next_col - 1,
                                   status_col=plan.column(status).col)
    return plan


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui")
