"""Writing a :class:`~tagihlite.writeplan.WritePlan` into a workbook file, safely.

openpyxl edits the cells; then :mod:`tagihlite.xlsx_parts` puts back what openpyxl drops
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
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
from copy import copy
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .columns import header_key
from .errors import InputError, where
from .vocab import HIGHLIGHT_FILLS, Status
from .workbook_read import parse_ref
from .workbook_sniff import CSV, WRITABLE_SUFFIXES, XLSX, detect_format, unusable
from .writeplan import KEEP, ColumnWrite, Highlight, WritePlan, column_letter, is_formula_like
from .xlsx_parts import restore_parts

WIB = timezone(timedelta(hours=7))
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
    data = _render(path, plan, macro)
    return _replace_atomically(path, data, backup=backup)


def _render(path: Path, plan: WritePlan, macro: bool) -> bytes:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, keep_vba=macro, keep_links=True,
                                    rich_text=_has_rich_text(path))
    except Exception:  # openpyxl raises many types on odd packages; the file is the problem
        raise unusable(path, "tidak dapat dibuka untuk ditulis",
                       "Buka di Excel lalu simpan ulang sebagai .xlsx, kemudian coba lagi.",
                       ) from None
    if plan.sheet not in wb.sheetnames:
        raise InputError(f"Sheet '{plan.sheet}' tidak ada di {where(path.name)}. Sheet yang "
                         f"ada: {', '.join(repr(n) for n in wb.sheetnames)}.")
    ws = wb[plan.sheet]
    new_cols = sorted(c.col for c in plan.columns if c.new)
    _refuse_overwrite(path, ws, plan)
    style_col = new_cols[0] - 1 if new_cols else None
    for column in plan.columns:
        _write_column(ws, plan, column, style_col)
    _extend_tables(ws, plan, new_cols)
    if plan.highlight is not None:
        set_highlight(ws, plan.highlight)
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(path) as original:
        repaired, _restored = restore_parts(original, buf.getvalue())
    return repaired


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

def _cell_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(WIB).replace(tzinfo=None)  # Waktu Kirim is WIB wall time
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


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


class _Styles:
    """Style of a new column's cell = the style of the table's last column in that row,
    with our number format. Computed once per distinct source style: setting
    ``number_format`` cell by cell costs a registry lookup each time."""

    def __init__(self, ws, style_col: int | None) -> None:
        self.ws, self.style_col = ws, style_col
        self.cache: dict[tuple, Any] = {}

    def apply(self, cell, row: int, number_format: str | None) -> None:
        src = _existing(self.ws, row, self.style_col) if self.style_col else None
        src_key = tuple(src._style) if src is not None and src.has_style else None
        key = (src_key, number_format)
        style = self.cache.get(key)
        if style is None:
            if src_key is not None:
                cell._style = copy(src._style)
            cell.number_format = number_format or "General"
            self.cache[key] = copy(cell._style)
        else:
            cell._style = copy(style)


def _write_column(ws, plan: WritePlan, column: ColumnWrite, style_col: int | None) -> None:
    if column.new:
        cell = ws.cell(plan.header_row, column.col)
        cell.value = column.header
        src = _existing(ws, plan.header_row, style_col) if style_col else None
        if src is not None and src.has_style:
            cell._style = copy(src._style)  # looks like the clerk's own header row
        letter = column_letter(column.col)
        if letter not in ws.column_dimensions or not ws.column_dimensions[letter].width:
            ws.column_dimensions[letter].width = WIDE_HEADERS.get(column.header,
                                                                  max(14, len(column.header) + 4))
    styles = _Styles(ws, style_col if column.new else None)
    col = column.col
    for row, value in zip(plan.row_numbers, column.values, strict=True):
        if value is KEEP:
            continue
        if value is None:
            existing = _existing(ws, row, col)
            if existing is not None:
                existing.value = None
            continue  # nothing to write into a cell that does not exist
        cell = ws.cell(row, col)
        if column.new:
            styles.apply(cell, row, column.number_format)
        elif column.number_format:
            cell.number_format = column.number_format
        value = _cell_value(value)
        cell.value = value
        if isinstance(value, str) and is_formula_like(value) and not column.formulas:
            cell.data_type = "s"  # customer text, never a formula (CSV/formula injection)


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

def _replace_atomically(path: Path, data: bytes, *, backup: bool) -> Path | None:
    fd, tmp_name = tempfile.mkstemp(prefix=".~tagihlite-", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    made: Path | None = None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
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
