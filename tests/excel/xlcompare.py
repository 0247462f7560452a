"""Reading result workbooks back for comparison (openpyxl), shared by the Excel tests."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl


def norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return value or None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def cells(path: Path, sheet: str) -> dict[tuple[int, int], Any]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {(c.row, c.column): norm(c.value) for row in ws.iter_rows() for c in row
            if norm(c.value) is not None}


def columns(path: Path, sheet: str, header_row: int) -> dict[str, dict[int, Any]]:
    """header text -> {row: value} for every column with a header."""
    grid = cells(path, sheet)
    out: dict[str, dict[int, Any]] = {}
    for (r, c), v in grid.items():
        if r == header_row and isinstance(v, str):
            out[v] = {row: val for (row, col), val in grid.items()
                      if col == c and row > header_row}
    return out


_TERM = re.compile(r'(\$[A-Z]+\$?\d+)\s*=\s*"([^"]+)"')


def highlight_rules(path: Path, sheet: str) -> list[tuple[str, str, frozenset[str], str]]:
    """The file's TagihLite conditional formats as (range, status cell, statuses, fill)."""
    ws = openpyxl.load_workbook(path)[sheet]
    out = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            terms = _TERM.findall(" ".join(rule.formula or []))
            if not terms:
                continue
            fill = rule.dxf.fill.fgColor.rgb if rule.dxf and rule.dxf.fill else ""
            out.append((str(cf.sqref), terms[0][0], frozenset(s for _, s in terms),
                        str(fill)[-6:]))
    return out
