"""Merging a fresh arrears export into the clerk's ``Tagihan`` table (pure, shell-free).

A row is the same customer bill when its Nomor Indibiz and billing period match (period:
the row's Periode, else its due date's month, else none); when a key repeats, the n-th
export row with it is the n-th target row with it. Then:

* rows already in the target keep everything TagihLite wrote (send status, time, ...) and
  take the export's fresh amount and paid status;
* rows only in the export are appended below the table, mapped to the contract columns;
* rows only in the target stay, with a ``Catatan`` that they were not in the export
  (probably paid since); a target row whose key the export has, but fewer times, stays
  as it is.

Importing the same export twice changes nothing the second time.

The result is a :class:`~tagihlite.core.writeplan.WritePlan`, so the file shell and the Excel
shell write exactly the same cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tagihlite.core import columns as C
from tagihlite.core import parse
from tagihlite.core.columns import COUNTER_KEYS, INPUT_COLUMNS, header_key
from tagihlite.core.table import SheetTable
from tagihlite.core.vocab import ABSENT_PREFIX
from tagihlite.core.writeplan import KEEP, ColumnWrite, WritePlan
from tagihlite.errors import InputError, where

# Input fields in the order of the sheet contract (CONTRACT_HEADERS).
IMPORT_FIELDS = ("name", "customer_id", "amount", "phone", "paid_status", "due_date", "period")
UPDATED_FIELDS = ("amount", "paid_status")  # what a fresh export may change on a known row
COUNTER_HEADER = C.CONTRACT_HEADERS[0]  # "No"


@dataclass
class ImportResult:
    plan: WritePlan
    updated: int = 0
    added: int = 0
    absent: int = 0
    first_new_row: int | None = None  # Excel row of the first appended row
    last_row: int = 0  # last data row after the import
    absent_rows: list[int] = field(default_factory=list)
    skipped: int = 0  # export rows without a Nomor Indibiz: not imported

    def summary(self) -> str:
        text = (f"{self.updated} baris diperbarui, {self.added} baris baru ditambahkan, "
                f"{self.absent} baris tidak ada di daftar baru (diberi Catatan).")
        if self.skipped:
            text += (f" {self.skipped} baris ekspor tanpa Nomor Indibiz tidak diimpor; "
                     "lengkapi di berkas ekspor bila perlu.")
        return text


def absent_note(today: dt.date) -> str:
    return (f"{ABSENT_PREFIX} {today:%d-%m-%Y}: kemungkinan sudah lunas. Periksa sebelum "
            "mengirim.")


def _period(table: SheetTable, cells: list[Any]) -> str:
    f = table.fields
    if "period" in f:
        found = parse.period(cells[f["period"]])
        if found:
            return found
    if "due_date" in f:
        due = parse.date_value(cells[f["due_date"]])
        if due:
            return f"{due:%Y-%m}"
    return ""


def _key(table: SheetTable, cells: list[Any]) -> tuple[str, str] | None:
    cid = parse.customer_id(cells[table.fields["customer_id"]])
    return (cid, _period(table, cells)) if cid else None


def _fresh_value(fld: str, value: Any) -> Any:
    """The export's cell as it should land in Tagihan (text stays text, amounts whole)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if fld == "customer_id":
        return parse.customer_id(value)
    if fld == "amount":
        amount = parse.amount(value)
        return amount.value if amount.value is not None else value
    if fld == "phone":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value) if isinstance(value, int) else value
    if fld == "due_date":
        if isinstance(value, dt.datetime):
            return value
        due = parse.date_value(value)
        return dt.datetime(due.year, due.month, due.day) if due else value
    if fld == "period":
        return parse.period(value) or value
    return value


def merge(existing: SheetTable | None, incoming: SheetTable, *, sheet: str = "Tagihan",
          today: dt.date | None = None, occupied_below: int | None = None) -> ImportResult:
    """Plan the import of ``incoming`` into ``existing`` (``None``: an empty sheet).

    ``occupied_below``: the first row under the target's data that holds anything (a total
    row, notes); rows are never appended over it. New rows start right under the last
    data row (filling an Excel Table's empty rows first).
    """
    from tagihlite import clock

    today = today or clock.today()
    if existing is None:
        header_row, first_col, headers = 1, 1, []
        fields: dict[str, int] = {}
        outputs: dict[str, int] = {}
        rows: list[list[Any]] = []
        numbers: list[int] = []
        sheet_name = sheet
    else:
        header_row, first_col = existing.header_row, existing.first_col
        headers, fields, outputs = existing.headers, existing.fields, existing.outputs
        rows, numbers, sheet_name = existing.rows, existing.row_numbers, existing.sheet

    # Where each contract column lives in the target (existing, or new right of it).
    next_col = first_col + len(headers)
    col_of: dict[str, tuple[int, bool, str]] = {}  # field/header -> (col, new, header)
    counter = next((i for i, h in enumerate(headers) if header_key(h) in COUNTER_KEYS), None)
    if existing is None:
        col_of[COUNTER_HEADER] = (next_col, True, COUNTER_HEADER)
        next_col += 1
    elif counter is not None:
        col_of[COUNTER_HEADER] = (first_col + counter, False, headers[counter])
    for fld in IMPORT_FIELDS:
        if fld in fields:
            col_of[fld] = (first_col + fields[fld], False, headers[fields[fld]])
        elif fld in incoming.fields or existing is None:
            col_of[fld] = (next_col, True, INPUT_COLUMNS[fld][0])
            next_col += 1
    if existing is None:
        for header in C.OUTPUT_COLUMNS:
            col_of[header] = (next_col, True, header)
            next_col += 1
    elif C.NOTE in outputs:
        col_of[C.NOTE] = (first_col + outputs[C.NOTE], False, headers[outputs[C.NOTE]])
    else:
        col_of[C.NOTE] = (next_col, True, C.NOTE)

    # Match the export's rows to the target's. A key may repeat (the same customer billed
    # twice in a period): the n-th export row with a key pairs with the n-th target row with
    # it, so importing the same export again pairs every row and changes nothing more.
    known: dict[tuple[str, str], list[int]] = {}
    if existing is not None:
        for i, cells in enumerate(rows):
            k = _key(existing, cells)
            if k:
                known.setdefault(k, []).append(i)
    taken: dict[tuple[str, str], int] = {}  # key -> how many of its target rows are paired
    updates: dict[int, dict[str, Any]] = {}
    appended: list[dict[str, Any]] = []
    skipped = 0
    for cells in incoming.rows:
        k = _key(incoming, cells)
        values = {fld: _fresh_value(fld, cells[incoming.fields[fld]])
                  for fld in IMPORT_FIELDS if fld in incoming.fields}
        if k is None:  # no Nomor Indibiz: cannot be matched, nor ever reminded
            skipped += 1
            continue
        n = taken.get(k, 0)
        taken[k] = n + 1
        if n < len(known.get(k, ())):
            updates[known[k][n]] = values
        else:
            appended.append(values)
    # A target row is absent only when no export row has its key; a surplus duplicate of a
    # key the export does list is left as it is (not updated, not marked absent).
    present = {i for k in taken for i in known.get(k, ())}

    last_data = max(numbers) if numbers else header_row
    start = last_data + 1
    if appended and occupied_below is not None and occupied_below < start + len(appended):
        raise InputError(
            f"Baris baru tidak dapat ditambahkan di bawah tabel di {where(sheet=sheet_name)}: "
            f"baris {occupied_below} sudah berisi data lain (mis. baris TOTAL). Pindahkan isi "
            "di bawah tabel itu, lalu impor lagi.")
    new_numbers = list(range(start, start + len(appended)))
    result = ImportResult(plan=WritePlan(sheet=sheet_name, header_row=header_row,
                                         row_numbers=[*numbers, *new_numbers]))
    result.first_new_row = new_numbers[0] if new_numbers else None
    result.skipped = skipped
    result.last_row = max([last_data, *new_numbers])

    note_idx = outputs.get(C.NOTE)
    for key, (col, new, header) in col_of.items():
        values: list[Any] = []
        for i, cells in enumerate(rows):  # rows already in the target
            if key == C.NOTE:
                old = cells[note_idx] if note_idx is not None else None
                if i in present:
                    ours = isinstance(old, str) and old.startswith(ABSENT_PREFIX)
                    values.append("" if ours else KEEP)
                else:
                    values.append(absent_note(today))
            elif key in UPDATED_FIELDS and i in updates and key in updates[i]:
                values.append(updates[i][key])
            else:
                values.append(KEEP)
        for n, fresh in enumerate(appended):  # new rows
            if key == COUNTER_HEADER:
                values.append(len(rows) + n + 1)
            elif key in IMPORT_FIELDS:
                values.append(fresh.get(key))
            else:
                values.append(KEEP)
        if new or any(v is not KEEP for v in values):
            result.plan.columns.append(ColumnWrite(col=col, header=header, new=new,
                                                   values=values))
    result.plan.columns.sort(key=lambda c: c.col)
    result.updated = len(updates)
    result.added = len(appended)
    result.absent_rows = [numbers[i] for i in range(len(rows)) if i not in present]
    result.absent = len(result.absent_rows)
    return result


def first_occupied_below(grid: list[list[Any]], origin: tuple[int, int],
                         table: SheetTable | None) -> int | None:
    """The first row under the table's data holding anything in the table's columns."""
    if table is None:
        return None
    last = max(table.row_numbers) if table.row_numbers else table.header_row
    c0, c1 = table.first_col - origin[1], table.last_col - origin[1]
    for i in range(max(0, last + 1 - origin[0]), len(grid)):
        if any(v is not None and not (isinstance(v, str) and not v.strip())
               for v in grid[i][max(0, c0):c1 + 1]):
            return origin[0] + i
    return None
