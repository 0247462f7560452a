"""What to write back into the sheet: a shell-independent plan both shells apply.

The core decides every value; the file shell (openpyxl) and the Excel shell (xlwings) only
put them in place. Columns are written whole, so the Excel shell needs a constant number
of round trips whatever the row count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final


class _Keep:
    """Sentinel: leave the cell as it is (e.g. the Pesan column on a plain check)."""

    _instance: _Keep | None = None

    def __new__(cls) -> _Keep:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()

DATETIME_FORMAT: Final = "dd-mm-yyyy hh:mm"  # Excel number format for Waktu Kirim (WIB)
DATE_FORMAT: Final = "dd-mm-yyyy"  # Pengingat Berikutnya


@dataclass
class ColumnWrite:
    col: int  # Excel column number (1-based)
    header: str
    new: bool  # the header cell must be written (column created right of the table)
    values: list[Any]  # one per data row, aligned with WritePlan.row_numbers; KEEP = untouched
    formulas: bool = False  # strings starting with "=" are formulas TagihLite built itself
    number_format: str | None = None


@dataclass(frozen=True)
class Highlight:
    """Conditional-formatting rectangle: rows of the table, coloured by the status cell."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int
    status_col: int


@dataclass
class WritePlan:
    sheet: str
    header_row: int
    row_numbers: list[int]
    columns: list[ColumnWrite] = field(default_factory=list)
    highlight: Highlight | None = None

    def column(self, header: str) -> ColumnWrite:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)


def column_letter(col: int) -> str:
    """1 -> A, 27 -> AA (no openpyxl import: the core stays shell-free)."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_formula_like(value: Any) -> bool:
    """Customer text Excel would treat as a formula (or DDE) if written as-is."""
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@")
