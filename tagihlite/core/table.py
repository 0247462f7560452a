"""Finding the customer table in a sheet's grid of raw cell values.

Both shells hand over the same thing: a rectangular grid (list of rows of Python values)
and where its top-left cell sits in the sheet. This module finds the header row (anywhere in
the first 30 rows; title rows, merged cells and blanks above it are normal), maps headers to
fields by :mod:`tagihlite.core.columns`, and keeps the data rows with their Excel row numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tagihlite.core.columns import OUTPUT_KEYS, header_key
from tagihlite.core.gcpause import paused_gc
from tagihlite.core.headers import has_header_row, match_headers, miss_message
from tagihlite.core.keyparts import sheet_name_period, title_period
from tagihlite.errors import InputError, where

HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class TableRef:
    """A rectangle in Excel coordinates (1-based, inclusive), e.g. an Excel Table."""

    top: int
    left: int
    bottom: int
    right: int
    name: str = ""


@dataclass
class SheetTable:
    file: str | None
    sheet: str
    header_row: int  # Excel row number of the header
    first_col: int  # Excel column number of the table's first column
    headers: list[str]  # header texts, first_col .. last header column
    rows: list[list[Any]]  # data rows, each exactly len(headers) wide
    row_numbers: list[int]  # Excel row number of each data row
    fields: dict[str, int]  # input field -> 0-based column index into headers
    outputs: dict[str, int] = field(default_factory=dict)  # owned header -> column index
    table_name: str = ""  # Excel Table (ListObject) name when the data is one
    # field -> how its column was found: alias | tokens | content | mapping
    how: dict[str, str] = field(default_factory=dict)
    # Non-blank cells right of the table (Excel column -> (row, column) of the first one).
    occupied: dict[int, tuple[int, int]] = field(default_factory=dict)
    # The billing period the title lines above the header state ("Periode: November 2026").
    title_period: str | None = None

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.headers) - 1

    def column_name(self, fld: str) -> str:
        """The clerk's own header text for a field (for messages)."""
        return self.headers[self.fields[fld]]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or (type(value) is str and not value.strip())


_TOTAL_WORDS = ("total", "grandtotal", "subtotal", "jumlah", "jumlahtotal")


def _is_total_row(cells: Sequence[Any], fields: dict[str, int]) -> bool:
    """A summary row ("TOTAL", "Jumlah") under the customers: no phone, a label for a name."""
    label = header_key(cells[fields["name"]]) or header_key(cells[fields["customer_id"]])
    return label in _TOTAL_WORDS and _blank(cells[fields["phone"]])


def has_table(grid: Sequence[Sequence[Any]], mapping: Mapping[str, str] | None = None,
              *, use_content: bool = False) -> bool:
    """Cheap test used to pick the sheet: do headers alone (``use_content``: or with a
    sample of the values under them) name every required field?"""
    if use_content:
        return match_headers(grid, mapping=mapping).complete
    return has_header_row(grid, mapping=mapping)


def locate(
    grid: Sequence[Sequence[Any]],
    sheet: str,
    *,
    file: str | None = None,
    origin: tuple[int, int] = (1, 1),
    table: TableRef | None = None,
    mapping: Mapping[str, str] | None = None,
    excel: bool = False,
) -> SheetTable:
    """Find the header row and the data rows below it.

    ``origin`` is the Excel (row, column) of ``grid[0][0]``. ``table`` limits the search to an
    Excel Table's rectangle, whose first row is its header. ``mapping`` (field -> header
    text, stored by a person) wins over guessing. ``excel``: a miss says which ribbon
    button fixes it instead of which settings line.
    """
    top, left = origin
    full_grid, full_top, full_left = grid, top, left
    if table is not None:
        r0, c0 = table.top - top, table.left - left
        grid = [list(r[c0:table.right - left + 1]) for r in grid[r0:table.bottom - top + 1]]
        top, left = table.top, table.left
    result = match_headers(grid, mapping=mapping)
    if not result.complete:
        raise InputError(miss_message(result, where(file, sheet), excel=excel, first_row=top))
    hdr_idx = result.row
    found = result.indexes()
    header_cells = list(grid[hdr_idx])
    nonblank = [i for i, c in enumerate(header_cells) if _text(c)]
    c_first = min(nonblank + list(found.values()))
    c_last = max(nonblank + list(found.values()))
    if len(header_cells) <= c_last:
        header_cells += [None] * (c_last + 1 - len(header_cells))
    headers = [_text(c) for c in header_cells[c_first:c_last + 1]]
    fields = {f: i - c_first for f, i in found.items()}
    outputs = {}
    for i, h in enumerate(headers):
        owned = OUTPUT_KEYS.get(header_key(h))
        if owned and owned not in outputs:
            outputs[owned] = i

    with paused_gc():
        rows, numbers = _data_rows(grid[hdr_idx + 1:], top + hdr_idx + 1, c_first, c_last,
                                   fields)
    header_row, last_col = top + hdr_idx, left + c_last
    last_row = numbers[-1] if numbers else header_row
    return SheetTable(
        file=file, sheet=sheet, header_row=header_row, first_col=left + c_first,
        headers=headers, rows=rows, row_numbers=numbers, fields=fields, outputs=outputs,
        table_name=table.name if table else "",
        how={f: m.how for f, m in result.fields.items()},
        occupied=_occupied_right(full_grid, (full_top, full_left), header_row, last_row,
                                 last_col),
        title_period=title_period([c for row in full_grid[:max(header_row - full_top, 0)]
                                   for c in row]) or sheet_name_period(sheet),
    )


def _occupied_right(grid: Sequence[Sequence[Any]], origin: tuple[int, int], first_row: int,
                    last_row: int, last_col: int) -> dict[int, tuple[int, int]]:
    """Columns right of the table that hold something between its header and its last
    row: Excel column -> (row, column) of the first such cell. TagihLite must not create
    its own columns there (that would overwrite the clerk's data)."""
    top, left = origin
    found: dict[int, tuple[int, int]] = {}
    start = last_col - left + 1  # grid index of the first column right of the table
    rows = grid[max(first_row - top, 0):max(last_row - top + 1, 0)]
    if not rows or max(map(len, rows)) <= start:  # the usual case: nothing right of it
        return found
    for r in range(max(first_row - top, 0), min(last_row - top + 1, len(grid))):
        row = grid[r]
        for c in range(start, len(row)):
            if not _blank(row[c]) and left + c not in found:
                found[left + c] = (top + r, left + c)
    return found


def _data_rows(grid: Sequence[Sequence[Any]], first_row: int, c_first: int, c_last: int,
               fields: dict[str, int]) -> tuple[list[list[Any]], list[int]]:
    """Customer rows (table-wide, padded) and their Excel row numbers."""
    width = c_last - c_first + 1
    input_idx = sorted(fields.values())
    phone_idx = fields["phone"]
    rows: list[list[Any]] = []
    numbers: list[int] = []
    for number, raw in enumerate(grid, start=first_row):
        if c_first == 0 and len(raw) == width:  # the usual table: the reader's row as is
            cells = raw
        else:
            cells = list(raw[c_first:c_last + 1])
            if len(cells) < width:
                cells += [None] * (width - len(cells))
        # Blank rows and TOTAL rows have no phone: only those need the slower tests.
        if _blank(cells[phone_idx]) and (all(_blank(cells[i]) for i in input_idx)
                                         or _is_total_row(cells, fields)):
            continue
        rows.append(cells)
        numbers.append(number)
    return rows, numbers
