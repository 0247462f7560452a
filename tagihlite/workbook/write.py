"""Writing a :class:`~tagihlite.core.writeplan.WritePlan` into a workbook file, safely.

openpyxl edits the cells; then :mod:`tagihlite.workbook.parts` puts back what openpyxl drops
(ribbon, VBA relationships ...); the result goes to a temp file in the same folder, is
fsynced and checked, and replaces the original atomically. The clerk's file is either the
old one, byte for byte, or the new one, never half of each. The first write leaves a backup
copy beside the file that later writes never touch.

Survives (tested in tests/file): cell values and formulas, styles and number formats,
column widths, merged cells, freeze panes, data validation, the clerk's own conditional
formats, defined names, comments, other sheets, Excel Tables, rich text in cells, custom
document properties, code names, the VBA project (byte-identical) and the ribbon, thumbnail
and customXml parts. Known openpyxl losses (the first-write backup keeps the original):
shapes and text boxes, slicers, sparklines and other ``x14`` extensions, threaded comments
(the legacy note stays), printer-settings binaries.

Speed (issue 2 goal: at most 1.3x a bare openpyxl load + save; about 0.9x at 100,000
rows): cells are built directly with shared style arrays (:class:`_ColumnWriter`), the
cyclic garbage collector is paused while openpyxl works, and the package is saved straight
into the temp file. Memory is dominated by openpyxl's own cell objects.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable
from copy import copy
from datetime import datetime
from pathlib import Path
from typing import Any

from tagihlite.core.columns import header_key
from tagihlite.core.formats import WIB
from tagihlite.core.gcpause import paused_gc
from tagihlite.core.vocab import HIGHLIGHT_FILLS, Status
from tagihlite.core.writeplan import (
    KEEP,
    ColumnWrite,
    Highlight,
    WritePlan,
    column_letter,
    is_formula_like,
)
from tagihlite.errors import InputError, where
from tagihlite.workbook.parts import restore_parts_in_file
from tagihlite.workbook.read import parse_ref
from tagihlite.workbook.sniff import CSV, WRITABLE_SUFFIXES, XLSX, detect_format, unusable

BACKUP_TAG = " (cadangan TagihLite)"
WIDE_HEADERS = {"Pesan": 50, "Catatan": 40}


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}{BACKUP_TAG}{path.suffix}")


def lock_files(path: Path) -> list[Path]:
    """Owner/lock files that mean the workbook is open in Excel or LibreOffice right now."""
    # Excel: "~$" + the full name (Word shortens long names; Excel does not, and guessing
    # would refuse files that merely share a tail). LibreOffice: ".~lock.NAME#".
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    return [p for p in candidates if p.exists()]


def check_writable(path: Path) -> None:
    """Raise InputError unless TagihLite can safely write results into ``path`` now."""
    path = Path(path)
    kind = detect_format(path)
    if kind != XLSX or path.suffix.lower() not in WRITABLE_SUFFIXES:
        what = "berkas CSV" if kind == CSV else f"berformat {path.suffix or kind}"
        raise InputError(
            f"{_subject(path)} {what}: TagihLite hanya bisa membaca berkas ini, tidak bisa "
            "menulis hasilnya ke dalamnya. Buka di Excel, simpan sebagai Buku Kerja Excel "
            "(.xlsx), lalu jalankan lagi dengan berkas .xlsx itu.")
    if lock_files(path):
        raise InputError(
            f"{_subject(path)} sedang dibuka di Excel (atau LibreOffice). Simpan dan tutup "
            "berkas itu dulu, lalu jalankan lagi.")
    # The owner write bit too: root may write anyway, but the clerk marked it read-only.
    if not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR:
        raise InputError(f"{_subject(path)} hanya-baca (read-only). Hapus atribut hanya-baca "
                         "atau salin berkas ke folder Anda sendiri.")
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"Folder {str(path.parent)!r} tidak bisa ditulisi, jadi "
                         f"{where(path.name)} tidak bisa disimpan dengan aman. Salin berkas ke "
                         "folder Anda sendiri.")


def _subject(path: Path) -> str:
    text = where(path.name)
    return text[:1].upper() + text[1:]


def apply_plan(path: Path, plan: WritePlan, *, backup: bool = True) -> Path | None:
    """Write ``plan`` into the workbook at ``path``; return the backup path if made now."""
    path = Path(path)
    check_writable(path)
    macro = path.suffix.lower() == ".xlsm"
    with paused_gc():  # openpyxl: millions of objects, no cycles (see gcpause)
        wb = _edited(path, plan, macro)
        try:
            return _replace_atomically(path, lambda tmp: _save_repaired(wb, path, tmp),
                                       backup=backup)
        finally:
            _close(wb)


def _close(wb) -> None:
    """openpyxl (keep_vba) keeps the macro parts in an in-memory zip it never closes; left
    to the garbage collector, that zip may be finalised after its buffer and complain."""
    archive = getattr(wb, "vba_archive", None)
    if archive is not None:
        archive.close()


def _edited(path: Path, plan: WritePlan, macro: bool):
    """The workbook at ``path`` (openpyxl) with ``plan`` applied, not yet saved."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, keep_vba=macro, keep_links=True,
                                    rich_text=_has_rich_text(path))
    except Exception:  # openpyxl raises many types on odd packages; the file is the problem
        raise unusable(path, "tidak dapat dibuka untuk ditulis",
                       "Buka di Excel lalu simpan ulang sebagai .xlsx, kemudian coba lagi.",
                       ) from None
    try:
        if plan.sheet not in wb.sheetnames:
            raise InputError(f"Sheet '{plan.sheet}' tidak ada di {where(path.name)}. Sheet "
                             f"yang ada: {', '.join(repr(n) for n in wb.sheetnames)}.")
        _apply(wb, path, plan)
    except BaseException:
        _close(wb)
        raise
    return wb


def _apply(wb, path: Path, plan: WritePlan) -> None:
    ws = wb[plan.sheet]
    new_cols = sorted(c.col for c in plan.columns if c.new)
    _refuse_overwrite(path, ws, plan)
    style_col = new_cols[0] - 1 if new_cols else None
    for column in plan.columns:
        _write_column(ws, plan, column, style_col)
    _extend_tables(ws, plan, new_cols)
    if plan.highlight is not None:
        set_highlight(ws, plan.highlight)


def _save_repaired(wb, original_path: Path, target: Path) -> None:
    """Save straight into ``target`` (no copy of the package in memory), then put back
    the parts openpyxl dropped."""
    wb.save(target)
    with zipfile.ZipFile(original_path) as original:
        restore_parts_in_file(original, target)


def _has_rich_text(path: Path) -> bool:
    """Any formatted runs inside a cell? Only then pay for openpyxl's rich-text mode
    (about 30% slower loads), which keeps them instead of flattening them to plain text.
    Excel keeps rich text in the shared strings part, openpyxl inline in the sheets."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not (name.endswith("sharedStrings.xml") or name.startswith("xl/worksheets/")):
                continue
            tail = b""
            with zf.open(name) as fh:
                while chunk := fh.read(1 << 20):
                    if b"<rPr" in tail + chunk or b"<r>" in tail + chunk:
                        return True
                    tail = chunk[-8:]
    return False


# --- cells ------------------------------------------------------------------------------

def _existing(ws, row: int, col: int):
    """The cell if it exists. ``ws.cell()`` would create it, and every created empty cell
    is written back out (slower saves, a larger file)."""
    return ws._cells.get((row, col))


def _refuse_overwrite(path: Path, ws, plan: WritePlan) -> None:
    """A column we create must be empty: never write over the clerk's own data beside it."""
    for column in plan.columns:
        head = _existing(ws, plan.header_row, column.col)
        header = head.value if head is not None else None
        if not column.new or header_key(header) == header_key(column.header):
            continue  # an existing column, or ours from an earlier run
        for row in (plan.header_row, *plan.row_numbers):
            cell = _existing(ws, row, column.col)
            if cell is not None and cell.value is not None and str(cell.value).strip():
                coord = f"{column_letter(column.col)}{row}"
                raise InputError(
                    f"TagihLite perlu kolom kosong di kanan tabel untuk '{column.header}', "
                    f"tetapi sel {coord} di {where(path.name, plan.sheet)} sudah berisi data. "
                    "Pindahkan data itu, atau tambahkan sendiri judul kolom "
                    f"'{column.header}' di kanan tabel, lalu jalankan lagi.")


class _ColumnWriter:
    """Puts one plan column into its cells, about ten times faster than ``cell.value = ...``
    on a fresh ``ws.cell()`` per value (100,000 rows x 6 columns is the normal case).

    Why it is fast, and why it is still openpyxl's own behaviour:

    * a cell's style is a small array; every distinct (base style, number format) is built
      once and the same array object is shared by the cells that use it. Shared arrays are
      never changed in place afterwards: any change makes (or reuses) another cached array.
    * for non-text values openpyxl's type inference (data type, and a date format for dates
      in a non-date cell) depends only on the value's type and the cell's style, so it runs
      once per (style, type) on a scratch cell and the answer is reused.
    * plain ``str`` values get openpyxl's checks inline (clean, truncate, formula/error
      type). Anything unusual (rich text, bytes, str subclasses) takes openpyxl's own path.

    New columns look like the table's last column in the same row, with our number format;
    existing columns keep each cell's style and only get our number format, if any.
    """

    def __init__(self, ws, column: ColumnWrite, style_col: int | None) -> None:
        from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
        from openpyxl.styles.cell_style import StyleArray

        self.ws, self.col, self.formulas = ws, column.col, column.formulas
        self.new = column.new
        self.style_col = style_col if column.new else None
        # openpyxl resets a new column's format to General unless we ask for another
        self.number_format = column.number_format or ("General" if column.new else None)
        self._Cell, self._StyleArray = Cell, StyleArray
        self._clean, self._errors = ILLEGAL_CHARACTERS_RE.sub, frozenset(ERROR_CODES)
        self._formatted: dict[tuple, Any] = {}  # (base style, number format) -> style
        self._bound: dict[tuple, tuple[Any, str]] = {}  # (style, type) -> (style, data type)
        self._plain = StyleArray()

    def put(self, row: int, value: Any) -> None:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(WIB).replace(tzinfo=None)  # Waktu Kirim is WIB wall time
        cell = _existing(self.ws, row, self.col)
        if cell is None:
            cell = self._Cell(self.ws, row=row, column=self.col)
            self.ws._cells[(row, self.col)] = cell
        style = self._style_for(cell, row)
        kind = type(value)
        if kind is str:
            cell._style = style
            cell._value, cell.data_type = self._text(value)
        elif isinstance(value, (str, bytes)) or _is_rich_text(value):
            self._put_slowly(cell, style, value)
        else:
            cell._style, cell.data_type = self._bind(style, kind, value)
            cell._value = value

    def _style_for(self, cell, row: int):
        """The style the cell gets before its value is bound."""
        if self.new:
            src = _existing(self.ws, row, self.style_col) if self.style_col else None
            base = tuple(src._style) if src is not None and src.has_style else None
        elif self.number_format is None:  # an existing column without a format of ours:
            return cell._style if cell._style is not None else self._plain  # untouched
        else:
            base = tuple(cell._style) if cell.has_style else None
        key = (base, self.number_format)
        style = self._formatted.get(key)
        if style is None:
            scratch = self._Cell(self.ws, style_array=self._StyleArray(base) if base else None)
            scratch.number_format = self.number_format
            style = self._formatted[key] = scratch._style
        return style

    def _text(self, value: str) -> tuple[str, str]:
        """openpyxl's rules for a str (cleaned, at most 32,767 characters; "=..." a formula,
        "#N/A" and friends an error), except that customer text is never a formula."""
        text = self._clean("", value)[:32767]
        if len(text) > 1 and text[0] == "=" and self.formulas:
            return text, "f"
        return text, "e" if text in self._errors else "s"

    def _bind(self, style, kind: type, value: Any) -> tuple[Any, str]:
        key = (tuple(style), kind)
        found = self._bound.get(key)
        if found is None:
            scratch = self._Cell(self.ws, style_array=style)
            scratch.value = value  # openpyxl decides: data type, maybe a date format
            found = self._bound[key] = (scratch._style, scratch.data_type)  # our own array
        return found

    def _put_slowly(self, cell, style, value: Any) -> None:
        cell._style = copy(style)  # openpyxl may change it in place: never a shared one
        if isinstance(value, str):
            value = self._clean("", value)
        cell.value = value
        if is_formula_like(value) and not self.formulas:
            cell.data_type = "s"  # customer text, never a formula (CSV/formula injection)


def _is_rich_text(value: Any) -> bool:
    from openpyxl.cell.rich_text import CellRichText

    return isinstance(value, CellRichText)


def _write_column(ws, plan: WritePlan, column: ColumnWrite, style_col: int | None) -> None:
    if column.new:
        _write_header(ws, plan, column, style_col)
    writer = _ColumnWriter(ws, column, style_col)
    col = column.col
    for row, value in zip(plan.row_numbers, column.values, strict=True):
        if value is KEEP:
            continue
        if value is None:
            existing = _existing(ws, row, col)
            if existing is not None:
                existing.value = None
            continue  # nothing to write into a cell that does not exist
        writer.put(row, value)


def _write_header(ws, plan: WritePlan, column: ColumnWrite, style_col: int | None) -> None:
    cell = ws.cell(plan.header_row, column.col)
    cell.value = column.header
    src = _existing(ws, plan.header_row, style_col) if style_col else None
    if src is not None and src.has_style:
        cell._style = copy(src._style)  # looks like the clerk's own header row
    letter = column_letter(column.col)
    if letter not in ws.column_dimensions or not ws.column_dimensions[letter].width:
        ws.column_dimensions[letter].width = WIDE_HEADERS.get(column.header,
                                                              max(14, len(column.header) + 4))


# --- Excel Tables -------------------------------------------------------------------------

def _extend_tables(ws, plan: WritePlan, new_cols: list[int]) -> None:
    """Keep the customer's Excel Table around what we wrote, as Excel itself would: new
    columns right of it and rows appended right under it join the table (ref, autoFilter,
    tableColumns; data validation of its columns follows the new rows)."""
    from openpyxl.worksheet.table import TableColumn

    header_row = plan.header_row
    for table in ws.tables.values():
        top, left, bottom, right = parse_ref(table.ref)
        touches = (bool(new_cols) and right + 1 == new_cols[0]) or any(
            left <= c.col <= right for c in plan.columns)
        if top != header_row or not touches:
            continue  # not the customer table: its header row and columns are the plan's
        end = right
        if new_cols and right + 1 == new_cols[0]:
            while end + 1 in new_cols:  # only a contiguous run of new columns joins
                end += 1
        totals = table.totalsRowCount or 0
        last = bottom
        rows = set(plan.row_numbers)
        if not totals:
            while last + 1 in rows:  # rows appended directly under the table
                last += 1
        if (end, last) == (right, bottom):
            continue
        if _overlaps_other_table(ws, table, top, left, last, end):
            continue
        names = {str(c.name).casefold() for c in table.tableColumns}
        next_id = max((c.id for c in table.tableColumns), default=0) + 1
        for col in range(right + 1, end + 1):
            header = str(ws.cell(header_row, col).value or f"Kolom{col}")
            while header.casefold() in names:
                header += " 2"
            ws.cell(header_row, col).value = header
            names.add(header.casefold())
            table.tableColumns.append(TableColumn(id=next_id, name=header))
            next_id += 1
        table.ref = f"{column_letter(left)}{top}:{column_letter(end)}{last}"
        if table.autoFilter is not None:
            table.autoFilter.ref = (f"{column_letter(left)}{top}:{column_letter(end)}"
                                    f"{last - totals}")
        if last > bottom:
            _extend_validations(ws, left, right, bottom, last)


def _extend_validations(ws, left: int, right: int, old_bottom: int, new_bottom: int) -> None:
    """Data validation ranges inside the table's columns that ended at its old last row."""
    from openpyxl.worksheet.cell_range import CellRange

    for dv in ws.data_validations.dataValidation:
        grown = []
        for rng in dv.sqref.ranges:
            if rng.max_row == old_bottom and rng.min_col >= left and rng.max_col <= right:
                rng = CellRange(min_col=rng.min_col, min_row=rng.min_row,
                                max_col=rng.max_col, max_row=new_bottom)
            grown.append(rng.coord)
        dv.sqref = " ".join(grown)


def _overlaps_other_table(ws, table, top: int, left: int, bottom: int, right: int) -> bool:
    for other in ws.tables.values():
        if other is table:
            continue
        o_top, o_left, o_bottom, o_right = parse_ref(other.ref)
        if not (o_right < left or o_left > right or o_bottom < top or o_top > bottom):
            return True
    return False


# --- highlight (conditional formatting) -----------------------------------------------------

_GROUPS = {"todo": Status.TODO, "problem": Status.PROBLEM, "done": Status.DONE}
_OUTSIDE_QUOTES_SPACE = re.compile(r'\s+(?=(?:[^"]*"[^"]*")*[^"]*$)')
_TERM = re.compile(r'^\$[A-Z]{1,3}\$?\d+="([^"]*)"$')


def highlight_formula(group: str, status_cell: str) -> str:
    """``$K5="SIAP KIRIM"`` or ``OR($K5="DILEWATI",$K5="GAGAL",...)`` (no leading '=')."""
    terms = [f'{status_cell}="{s}"' for s in _GROUPS[group]]
    return terms[0] if len(terms) == 1 else f"OR({','.join(terms)})"


def is_tagihlite_rule(rule) -> bool:
    """Rules TagihLite (or its VBA macro) installed, recognised by their formula alone."""
    formulas = getattr(rule, "formula", None) or []
    if rule.type != "expression" or len(formulas) != 1:
        return False
    text = _OUTSIDE_QUOTES_SPACE.sub("", str(formulas[0])).lstrip("=")
    match = re.fullmatch(r"OR\((.*)\)", text, flags=re.IGNORECASE)
    values = set()
    for term in (match.group(1) if match else text).split(","):
        found = _TERM.match(term)
        if not found:
            return False
        values.add(found.group(1))
    return any(values == set(g) for g in _GROUPS.values())


def set_highlight(ws, area: Highlight) -> None:
    """Replace TagihLite's own highlight rules on ``ws``; the user's rules stay as they are."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    cf = ws.conditional_formatting
    for key in list(cf._cf_rules):
        kept = [r for r in cf._cf_rules[key] if not is_tagihlite_rule(r)]
        if kept:
            cf._cf_rules[key] = kept
        else:
            del cf._cf_rules[key]
    if area.last_row < area.first_row:
        return
    sqref = (f"{column_letter(area.first_col)}{area.first_row}:"
             f"{column_letter(area.last_col)}{area.last_row}")
    status_cell = f"${column_letter(area.status_col)}{area.first_row}"
    cf.max_priority = max([r.priority or 0 for rules in cf._cf_rules.values() for r in rules],
                          default=0)
    for group in ("todo", "problem", "done"):
        rgb = HIGHLIGHT_FILLS[group]
        fill = PatternFill(start_color=rgb, end_color=rgb, fill_type="solid")
        cf.add(sqref, FormulaRule(formula=[highlight_formula(group, status_cell)], fill=fill))


# --- atomic replace -------------------------------------------------------------------------

def _replace_atomically(path: Path, write: Callable[[Path], None], *, backup: bool
                        ) -> Path | None:
    """``write`` fills a temp file beside ``path``; once it is on disk and checked, it
    replaces ``path``. Any failure leaves ``path`` as it was and no temp file behind."""
    fd, tmp_name = tempfile.mkstemp(prefix=".~tagihlite-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    made: Path | None = None
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        with zipfile.ZipFile(tmp) as check:  # never replace a good file with a bad one
            if check.testzip() is not None:
                raise OSError("written package failed its CRC check")
        shutil.copymode(path, tmp)
        if backup:
            made = _make_backup(path)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        _remove(tmp)
        raise InputError(f"{_subject(path)} tidak dapat disimpan ({exc.strerror or exc}); "
                         "berkas asli tidak diubah. Pastikan berkas tidak sedang dibuka dan "
                         "disk tidak penuh, lalu coba lagi.") from None
    except BaseException:
        _remove(tmp)
        raise
    return made


def _make_backup(path: Path) -> Path | None:
    target = backup_path(path)
    if target.exists():
        return None  # the first backup is the clerk's original: never overwrite it
    fd, tmp_name = tempfile.mkstemp(prefix=".~tagihlite-", suffix=".bak", dir=path.parent)
    os.close(fd)
    try:
        shutil.copy2(path, tmp_name)
        os.replace(tmp_name, target)
    finally:
        _remove(Path(tmp_name))
    return target


def _remove(tmp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
