"""How far an .xlsx/.xlsm worksheet reaches, found before anything builds a dense grid.

python-calamine turns a sheet into a dense rectangle from its first to its last occupied
cell (32 bytes a cell) before Python sees one value: a 2 KB file with cells A1 and
XFD1048576 asks for 550 GB and the process aborts (Rust's allocation failure is no exception
anyone can catch). The ``<dimension>`` element cannot be trusted (a hostile or sloppy writer
omits it or lies), so each worksheet part is scanned itself: decompressed in chunks and
searched with byte patterns, looking closely only at cells right of column Z (a sheet of
columns A..Z always fits) and, for a wide sheet, at the rows far down. A sheet whose
rectangle could pass :data:`MAX_CELLS` is not read.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from tagihlite.workbook.xmlbits import col_number

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL_ATTR = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

MAX_ROWS, MAX_COLS = 1_048_576, 16_384
# 1 GiB of calamine cells. Any sheet within columns A..Z (26 x 1,048,576 = 27.3 M) fits, so
# only cells in columns AA and beyond need a closer look.
MAX_CELLS = 1 << 25
NARROW = MAX_CELLS // MAX_ROWS  # 32 columns: fits whatever the number of rows

# Inflated bytes scanned at a time: 256 KB blocks are reused by the allocator; 4 MB ones
# came fresh from the OS each time (page faults: a third of the scan on 30,000 rows).
CHUNK = 1 << 18


@dataclass(frozen=True)
class Extent:
    """An upper bound of the rectangle calamine would allocate (from A1)."""

    last_row: int
    last_col: int

    @property
    def cells(self) -> int:
        return self.last_row * self.last_col

    @property
    def too_big(self) -> bool:
        return self.cells > MAX_CELLS


def column_number(letters: bytes | str) -> int:
    """Column letters as calamine reads them: lower case counts too."""
    return col_number((letters if isinstance(letters, bytes) else letters.encode()).upper())


# --- which part holds which sheet ---------------------------------------------------------

def part_rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """rId -> (type, absolute part name) of a part's relationships (``""``: the package)."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = ET.fromstring(zf.read(rels_name))
    except KeyError:
        return {}
    out = {}
    for rel in root.iter(f"{NS_PKG_REL}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), full)
    return out


def workbook_part(zf: zipfile.ZipFile) -> str:
    return next((p for t, p in part_rels(zf, "").values() if t.endswith("/officeDocument")),
                "xl/workbook.xml")


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """sheet name -> its worksheet part, in workbook order."""
    wb_part = workbook_part(zf)
    rels = part_rels(zf, wb_part)
    out = {}
    for sh in ET.fromstring(zf.read(wb_part)).iter(f"{NS_MAIN}sheet"):
        rel = rels.get(sh.get(NS_REL_ATTR, ""))
        if rel is not None and rel[0].endswith("/worksheet"):
            out[sh.get("name", "")] = rel[1]
    return out


# --- the scan -------------------------------------------------------------------------------

def _chunks(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes in chunks that never split a tag (each ends before its last '<').
    A run of blocks without any '<' is joined once, when its tag ends (linear however
    long a hostile run is)."""
    pending: list[bytes] = []
    with zf.open(part) as fh:
        # No CRC-32 over the inflated bytes (~4% of a whole `check`): calamine reads these
        # same bytes next, and the extent found is the extent of what it will read.
        # (zipfile skips the CRC when no reference value is set.)
        fh._expected_crc = None  # type: ignore[attr-defined]
        while block := fh.read(CHUNK):
            cut = block.rfind(b"<")
            if cut < 0:
                pending.append(block)
                continue
            pending.append(block[:cut])
            data = b"".join(pending)
            if data:
                yield data
            pending = [block[cut:]]
    tail = b"".join(pending)
    if tail:
        yield tail


_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")


def _prefix(zf: zipfile.ZipFile, part: str) -> bytes | None:
    """The namespace prefix of the sheet's elements (b"" for none); None if not found."""
    with zf.open(part) as fh:
        m = _ROOT.search(fh.read(1 << 16))
    if m is None:
        return None
    return (m.group(1) + b":") if m.group(1) else b""


def sheet_extent(zf: zipfile.ZipFile, part: str) -> Extent:
    """An upper bound of the rectangle calamine builds for this worksheet part."""
    prefix = _prefix(zf, part)
    if prefix is None:
        return _exact_extent(zf, part)
    p = re.escape(prefix)
    # One pass over three kinds of cell, each rare in a normal sheet: one whose first
    # attribute is not r (no reference, or an unusual writer: all groups empty); one right
    # of column Z (groups 1 and 2: its letters and row); one in column A..Z at row
    # 1,000,000 or below (group 3: its row). Self-closed cells hold no value and are
    # skipped. calamine accepts lower-case letters, four-letter columns and rows past
    # 1,048,576: so do these patterns.
    cells = re.compile(rb"<" + p + rb'c(?:>|/>|\s(?!r=")| r="(?:([A-Za-z]{2,})([0-9]+)|'
                       rb'[A-Za-z]([0-9]{7,}))"[^>]*(?<!/)>)')
    last_col = tall = 0
    for chunk in _chunks(zf, part):
        found = set(cells.findall(chunk))
        if (b"", b"", b"") in found:
            return _exact_extent(zf, part)
        for letters, row, digits in found:
            if letters:
                last_col = max(last_col, column_number(letters))
            tall = max(tall, int(row or digits))
    if last_col <= NARROW:
        return Extent(max(MAX_ROWS, tall), max(last_col, 26))  # fits unless rows go past the sheet
    # Wide: only rows past what this width allows matter. Look at cells with that many digits.
    allowed = MAX_CELLS // last_col
    far = re.compile(rb"<" + p + rb'c r="[A-Za-z]+([0-9]{%d,})"[^>]*(?<!/)>'
                     % len(str(allowed)))
    last_row = allowed  # nothing further down: within bounds
    for chunk in _chunks(zf, part):
        for digits in far.findall(chunk):
            last_row = max(last_row, int(digits))
    return Extent(last_row, last_col)


def _exact_extent(zf: zipfile.ZipFile, part: str) -> Extent:
    """Walk every cell as calamine does (a cell without ``r`` follows the previous one)."""
    last_row = last_col = 0
    row = 0
    col = 0
    with zf.open(part) as fh:
        for event, node in ET.iterparse(fh, events=("start", "end")):
            tag = node.tag.rpartition("}")[2]
            if event == "start":
                if tag == "row":
                    ref = node.get("r")
                    row = int(ref) if ref and ref.isdigit() else row + 1
                    col = 0
                continue
            if tag == "c":
                ref = node.get("r")
                m = re.fullmatch(r"([A-Za-z]+)([0-9]+)", ref or "")
                if m:
                    col, row_here = column_number(m.group(1)), int(m.group(2))
                else:
                    col, row_here = col + 1, row
                if len(node):  # a value, inline string or formula: calamine may keep it
                    last_row, last_col = max(last_row, row_here), max(last_col, col)
                node.clear()
            elif tag == "row":
                node.clear()
    return Extent(last_row, last_col)


def oversized_sheets(path: object) -> dict[str, Extent]:
    """sheet name -> extent, for each worksheet too big to read densely. A part that cannot
    be scanned is skipped (calamine then says what is wrong with it); the others still are."""
    out = {}
    try:
        with zipfile.ZipFile(path) as zf:  # type: ignore[arg-type]
            for name, part in sheet_parts(zf).items():
                try:
                    extent = sheet_extent(zf, part)
                except _DAMAGED:
                    continue
                if extent.too_big:
                    out[name] = extent
    except _DAMAGED:
        return out
    return out


_DAMAGED = (KeyError, ET.ParseError, zipfile.BadZipFile, zlib.error, NotImplementedError,
            ValueError, OSError, EOFError)


# --- .ods ---------------------------------------------------------------------------------------

# Tags of content.xml that move the position: sheets, rows (number-rows-repeated) and cells
# (number-columns-repeated). The lookahead keeps "table" from matching "table-row".
_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]+)"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]+)"')


def _repeat(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    m = pattern.search(attrs)
    return int(m.group(1)) if m else 1


def ods_extents(path: object) -> dict[str, Extent]:
    """sheet name -> the rectangle up to its last cell with a value (repeats counted).

    calamine has a cell limit of its own for .ods (100 million cells = 3.2 GB), too high
    for a clerk's PC; this walk applies :data:`MAX_CELLS` instead. A cell holds a value when
    it has ``office:value-type`` or content (a single, non-empty cell element).
    """
    out: dict[str, Extent] = {}
    with zipfile.ZipFile(path) as zf:  # type: ignore[arg-type]
        name, depth = "", 0
        row = col = last_row = last_col = 0
        row_repeat, row_has_value = 1, False
        for chunk in _chunks(zf, "content.xml"):
            for closing, tag, attrs, empty in _ODS_TAG.findall(chunk):
                if tag == b"table":
                    if closing:
                        depth -= 1
                        if depth == 0:
                            out[name] = Extent(last_row, last_col)
                    elif not empty:
                        depth += 1
                        if depth == 1:
                            m = _ODS_NAME.search(attrs)
                            name = m.group(1).decode("utf-8", "replace") if m else ""
                            row = col = last_row = last_col = 0
                elif depth != 1:
                    continue  # a table inside a cell: not part of the grid
                elif tag == b"table-row":
                    if closing or empty:
                        repeat = _repeat(_ROWS_REPEATED, attrs) if empty else row_repeat
                        if row_has_value:
                            last_row = max(last_row, row + repeat)
                        row += repeat
                        row_has_value = False
                    else:
                        row_repeat, row_has_value, col = _repeat(_ROWS_REPEATED, attrs), False, 0
                elif not closing:
                    repeat = _repeat(_COLS_REPEATED, attrs)
                    if b"office:value-type" in attrs or (not empty and repeat == 1):
                        last_col = max(last_col, col + repeat)
                        row_has_value = True
                    col += repeat
    return out


def oversized_ods_sheets(path: object) -> dict[str, Extent]:
    """Like :func:`oversized_sheets`, for an OpenDocument spreadsheet."""
    try:
        extents = ods_extents(path)
    except _DAMAGED:
        return {}
    return {name: ext for name, ext in extents.items() if ext.too_big}


# --- .xls (BIFF) ----------------------------------------------------------------------------

_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _MULRK = 0x0809, 0x000A, 0x0085, 0x002F, 0x00BD
# Records holding one cell with a value: row (u16) and column (u16) lead the payload.
# BIFF8 allows 256 columns, but the field is 16 bits and calamine believes it: a crafted
# cell at column 65,535 and row 65,535 asks for 137 GB.
_CELL_RECORDS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E})


def _boundsheet_name(payload: bytes, biff8: bool) -> str:
    cch = payload[6]
    if not biff8:
        return payload[7:7 + cch].decode("cp1252", "replace")
    if payload[7] & 1:
        return payload[8:8 + 2 * cch].decode("utf-16-le", "replace")
    return payload[8:8 + cch].decode("latin-1")


def xls_extents(path: object) -> dict[str, Extent]:
    """sheet name -> the rectangle up to its last cell record with a value."""
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        stream = "Workbook" if ole.exists("Workbook") else "Book"
        data = ole.openstream(stream).read()
    names: dict[int, str] = {}  # BOF offset -> sheet name
    out: dict[str, Extent] = {}
    pos, end, biff8 = 0, len(data) - 4, True
    current: str | None = None
    last_row = last_col = 0
    while pos <= end:
        rec, size = int.from_bytes(data[pos:pos + 2], "little"), \
            int.from_bytes(data[pos + 2:pos + 4], "little")
        payload = data[pos + 4:pos + 4 + size]
        if rec in _CELL_RECORDS and current is not None and size >= 4:
            last_row = max(last_row, int.from_bytes(payload[0:2], "little") + 1)
            last_col = max(last_col, int.from_bytes(payload[2:4], "little") + 1)
        elif rec == _MULRK and current is not None and size >= 6:
            last_row = max(last_row, int.from_bytes(payload[0:2], "little") + 1)
            last_col = max(last_col, int.from_bytes(payload[-2:], "little") + 1)
        elif rec == _BOF:
            if pos == 0:
                biff8 = size >= 2 and int.from_bytes(payload[0:2], "little") >= 0x0600
            current, last_row, last_col = names.get(pos), 0, 0
        elif rec == _EOF and current is not None:
            out[current] = Extent(last_row, last_col)
            current = None
        elif rec == _BOUNDSHEET and size >= 7:
            names[int.from_bytes(payload[0:4], "little")] = _boundsheet_name(payload, biff8)
        elif rec == _FILEPASS:
            return {}  # encrypted from here on: calamine says it needs a password
        pos += 4 + size
    return out


def oversized_xls_sheets(path: object) -> dict[str, Extent]:
    """Like :func:`oversized_sheets`, for a BIFF (.xls) workbook."""
    try:
        extents = xls_extents(path)
    except (OSError, ValueError, IndexError):
        return {}
    return {name: ext for name, ext in extents.items() if ext.too_big}
