"""Handwritten minimal .xlsx packages for hostile-input tests and benchmarks.

openpyxl cannot write what hostile testers hand us (a sparse cell at XFD1048576 in a 2 KB
file, rows out of order, no ``<dimension>``, a formula with no cached value), and it is far
too slow for a million rows. This writer streams SpreadsheetML straight into the zip.

A cell is ``(row, col, value)``, 1-based. ``value`` is a str (inline string), an int/float
(number), or :class:`Formula` (a formula, optionally with a cached value). A sheet given as
a str is written as the raw content of ``<sheetData>`` (cells without ``r``, odd attributes).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils.cell import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_CT = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
           "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml"}

Cell = tuple[int, int, Any]


@dataclass(frozen=True)
class Formula:
    text: str
    cached: Any = None  # None: no <v>, as a generator that never calculated writes it


def _cell_xml(row: int, col: int, value: Any) -> str:
    ref = f"{get_column_letter(col)}{row}"
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{escape(str(value.cached))}</v>"
        kind = ' t="str"' if isinstance(value.cached, str) else ""
        return f'<c r="{ref}"{kind}><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, str):
        text = f'<t xml:space="preserve">{escape(value)}</t>'
        return f'<c r="{ref}" t="inlineStr"><is>{text}</is></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def _rows_xml(cells: Iterable[Cell], sort_rows: bool) -> Iterator[str]:
    items = sorted(cells) if sort_rows else cells
    for row, group in groupby(items, key=lambda c: c[0]):
        yield f'<row r="{row}">' + "".join(_cell_xml(*c) for c in group) + "</row>"


def write_xlsx(path: Path, sheets: dict[str, Iterable[Cell] | str], *,
               dimension: str | None = "auto", sort_rows: bool = True, kind: str = "xlsx") -> Path:
    """Write ``sheets`` (name -> cells). ``dimension``: "auto" (from the cells), a ref such as
    "A1:B2" (possibly a lie), or None (no element). ``sort_rows=False`` keeps the given order
    (rows out of order). Cells are streamed: a million rows need no list in memory when
    ``sort_rows`` is False and ``dimension`` is not "auto"."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_CT}"/>'
            for i in range(1, len(names) + 1))
        zf.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_CT[kind]}"/>'
            f"{overrides}</Types>"))
        zf.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        sheet_list = "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                             for i, n in enumerate(names, 1))
        zf.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" '
            f'xmlns:r="{REL}"><sheets>{sheet_list}</sheets></workbook>'))
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG_REL}">{rels}</Relationships>'))
        for i, name in enumerate(names, 1):
            cells = sheets[name]
            dim = dimension
            if isinstance(cells, str):
                with zf.open(f"xl/worksheets/sheet{i}.xml", "w") as fh:
                    head = f'<dimension ref="{dim}"/>' if dim and dim != "auto" else ""
                    fh.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                              f'<worksheet xmlns="{MAIN}">{head}<sheetData>{cells}'
                              "</sheetData></worksheet>").encode())
                continue
            if dim == "auto":
                cells = list(cells)
                dim = _extent(cells)
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                head = f'<dimension ref="{dim}"/>' if dim else ""
                fh.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          f'<worksheet xmlns="{MAIN}">{head}<sheetData>').encode())
                buf: list[str] = []
                for row_xml in _rows_xml(cells, sort_rows):
                    buf.append(row_xml)
                    if len(buf) >= 2000:
                        fh.write("".join(buf).encode())
                        buf.clear()
                fh.write(("".join(buf) + "</sheetData></worksheet>").encode())
    return path


def _extent(cells: list[Cell]) -> str | None:
    if not cells:
        return None
    rows = [c[0] for c in cells]
    cols = [c[1] for c in cells]
    return (f"{get_column_letter(min(cols))}{min(rows)}:"
            f"{get_column_letter(max(cols))}{max(rows)}")


HEADER = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No HP", "Status Bayar",
          "Periode"]


def customer_cells(rows: int, *, first_row: int = 1) -> Iterator[Cell]:
    """A header and ``rows`` fictional customers (the first 3 unpaid, the rest paid-up mix)."""
    for col, text in enumerate(HEADER, 1):
        yield first_row, col, text
    for i in range(1, rows + 1):
        r = first_row + i
        yield r, 1, f"Toko Fiktif {i}"
        yield r, 2, str(141200000000 + i)
        yield r, 3, 150000 + (i % 97) * 1000
        yield r, 4, f"0812{i:08d}"
        yield r, 5, "BELUM BAYAR" if i % 3 else "LUNAS"
        yield r, 6, "2026-11"


ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods_cell(value: Any = None, repeat: int = 1) -> str:
    """One ``table:table-cell`` (empty when value is None), optionally repeated."""
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{rep}/>"
    if isinstance(value, str):
        return (f'<table:table-cell{rep} office:value-type="string"><text:p>{escape(value)}'
                "</text:p></table:table-cell>")
    return (f'<table:table-cell{rep} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>")


def ods_row(cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{cells}</table:table-row>"


def write_ods(path: Path, sheets: dict[str, str]) -> Path:
    """A minimal OpenDocument spreadsheet: sheet name -> its rows' XML (see ods_row)."""
    tables = "".join(f'<table:table table:name="{escape(n)}">{rows}</table:table>'
                     for n, rows in sheets.items())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
            'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path='
            '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>'))
        zf.writestr("content.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODS_NS} '
            f'office:version="1.2"><office:body><office:spreadsheet>{tables}'
            "</office:spreadsheet></office:body></office:document-content>"))
    return path
