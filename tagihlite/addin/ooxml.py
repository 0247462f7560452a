"""Small, deterministic SpreadsheetML writer: just what the add-in workbook needs.

Written by hand instead of through openpyxl because the package must be byte-identical on
every rebuild (openpyxl stamps the current time and drops the ribbon part) and must carry
parts openpyxl does not know (customUI, a vbaProject of our own making).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from tagihlite.core.writeplan import column_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Relationship types.
REL_OFFICE_DOCUMENT = f"{REL_NS}/officeDocument"
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_APP = f"{REL_NS}/extended-properties"
REL_UI = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_WORKSHEET = f"{REL_NS}/worksheet"
REL_THEME = f"{REL_NS}/theme"
REL_STYLES = f"{REL_NS}/styles"
REL_SHARED_STRINGS = f"{REL_NS}/sharedStrings"
REL_TABLE = f"{REL_NS}/table"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

# Content types.
_OOXML = "application/vnd.openxmlformats-officedocument"
CT_WORKBOOK_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_WORKSHEET = f"{_OOXML}.spreadsheetml.worksheet+xml"
CT_TABLE = f"{_OOXML}.spreadsheetml.table+xml"
CT_STYLES = f"{_OOXML}.spreadsheetml.styles+xml"
CT_SHARED_STRINGS = f"{_OOXML}.spreadsheetml.sharedStrings+xml"
CT_THEME = f"{_OOXML}.theme+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = f"{_OOXML}.extended-properties+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"

# Every zip entry carries this time so a rebuild is byte-identical.
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30)



def cell_ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def xml_text(value: str) -> str:
    """Escape text for an element body; drop characters XML 1.0 cannot carry."""
    cleaned = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)
    return escape(cleaned)


class SharedStrings:
    """The workbook's string table, in order of first use (so output order is stable)."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self._refs = 0  # cells that point into the table: the sst "count"

    def index(self, text: str) -> int:
        """The string's index, for one more cell that uses it."""
        self._refs += 1
        if text not in self._index:
            self._index[text] = len(self._index)
        return self._index[text]

    def xml(self) -> str:
        items = []
        for text in self._index:
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
            items.append(f"<si><t{space}>{xml_text(text)}</t></si>")
        # count = references from cells, uniqueCount = entries (ECMA-376 Part 1, 18.4.9)
        return (f'{XML_DECL}<sst xmlns="{MAIN_NS}" count="{self._refs}" '
                f'uniqueCount="{len(self._index)}">'
                + "".join(items) + "</sst>")


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, float, Decimal, date, datetime or None (style only)
    style: int = 0


@dataclass
class Sheet:
    """One worksheet: cells by (row, col), column widths/styles and optional extras."""

    name: str
    code_name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    column_styles: dict[int, int] = field(default_factory=dict)
    freeze_rows: int = 0
    table_ref: str | None = None  # when set, the sheet links table part rId1
    text_number_ranges: tuple[str, ...] = ()  # ranges where digits-as-text is intended

    def put(self, row: int, col: int, value: object, style: int = 0) -> None:
        self.cells[(row, col)] = Cell(value, style)


def _cell_xml(ref: str, cell: Cell, strings: SharedStrings) -> str:
    style = f' s="{cell.style}"' if cell.style else ""
    value = cell.value
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, bool):  # bool is an int: keep it readable text instead
        value = "YA" if value else "TIDAK"
    elif isinstance(value, numbers.Integral):
        value = int(value)  # also numpy / pandas integers
    elif isinstance(value, numbers.Real) and not isinstance(value, Decimal):
        value = float(value)  # also numpy floats, whose repr is not a plain number
    if isinstance(value, float) and not math.isfinite(value):  # NaN from pandas: an empty cell
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, str):
        return f'<c r="{ref}"{style} t="s"><v>{strings.index(value)}</v></c>'
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)  # Excel has no time zones: keep the wall time
        delta = value - dt.datetime.combine(EXCEL_EPOCH, dt.time())
        serial = delta.days + delta.seconds / 86400
        return f'<c r="{ref}"{style}><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{style}><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, (int, Decimal)):
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    if isinstance(value, float):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    raise TypeError(f"cannot write a {type(value).__name__} into a cell")


def worksheet_xml(sheet: Sheet, strings: SharedStrings, *, selected: bool) -> str:
    rows: dict[int, list[tuple[int, Cell]]] = {}
    for (row, col), cell in sheet.cells.items():
        rows.setdefault(row, []).append((col, cell))
    max_row = max(rows, default=1)
    max_col = max((col for row in rows.values() for col, _ in row), default=1)
    parts = [XML_DECL, f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
             f'<sheetPr codeName="{sheet.code_name}"/>',
             f'<dimension ref="A1:{cell_ref(max_row, max_col)}"/>']
    tab = ' tabSelected="1"' if selected else ""
    if sheet.freeze_rows:
        top = sheet.freeze_rows + 1
        parts.append(f'<sheetViews><sheetView{tab} workbookViewId="0">'
                     f'<pane ySplit="{sheet.freeze_rows}" topLeftCell="A{top}" '
                     'activePane="bottomLeft" state="frozen"/>'
                     f'<selection pane="bottomLeft" activeCell="A{top}" sqref="A{top}"/>'
                     "</sheetView></sheetViews>")
    else:
        parts.append(f'<sheetViews><sheetView{tab} workbookViewId="0"/></sheetViews>')
    parts.append('<sheetFormatPr defaultRowHeight="15"/>')
    columns = sorted(set(sheet.widths) | set(sheet.column_styles))
    if columns:
        parts.append("<cols>")
        for col in columns:
            width = sheet.widths.get(col, 9.140625)
            style = sheet.column_styles.get(col)
            style_attr = f' style="{style}"' if style else ""
            parts.append(f'<col min="{col}" max="{col}" width="{width}"{style_attr} '
                         'customWidth="1"/>')
        parts.append("</cols>")
    parts.append("<sheetData>")
    for row in sorted(rows):
        cells = "".join(_cell_xml(cell_ref(row, col), cell, strings)
                        for col, cell in sorted(rows[row], key=lambda item: item[0]))
        parts.append(f'<row r="{row}">{cells}</row>')
    parts.append("</sheetData>")
    parts.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                 'footer="0.3"/>')
    if sheet.text_number_ranges:
        parts.append(f'<ignoredErrors><ignoredError sqref="{" ".join(sheet.text_number_ranges)}"'
                     ' numberStoredAsText="1"/></ignoredErrors>')
    if sheet.table_ref:
        parts.append('<tableParts count="1"><tablePart r:id="rId1"/></tableParts>')
    parts.append("</worksheet>")
    return "".join(parts)


def table_xml(table_id: int, name: str, ref: str, headers: Sequence[str]) -> str:
    columns = "".join(f'<tableColumn id="{i}" name={quoteattr(h)}/>'
                      for i, h in enumerate(headers, start=1))
    return (f'{XML_DECL}<table xmlns="{MAIN_NS}" id="{table_id}" name="{name}" '
            f'displayName="{name}" ref="{ref}" totalsRowShown="0">'
            f'<autoFilter ref="{ref}"/>'
            f'<tableColumns count="{len(headers)}">{columns}</tableColumns>'
            '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
            'showRowStripes="1" showColumnStripes="0"/></table>')


def relationships_xml(rels: Iterable[tuple[str, str, str]]) -> str:
    """``(id, type, target)`` triples -> a .rels part."""
    body = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
                   for rid, kind, target in rels)
    return f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">{body}</Relationships>'


def content_types_xml(overrides: Mapping[str, str]) -> str:
    body = "".join(f'<Override PartName="/{part}" ContentType="{kind}"/>'
                   for part, kind in overrides.items())
    return (f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Default Extension="rels" ContentType="{CT_RELS}"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{body}</Types>')


@dataclass(frozen=True)
class Font:
    bold: bool = False
    italic: bool = False
    size: int = 11
    color: str | None = None  # RGB hex


@dataclass(frozen=True)
class CellFormat:
    num_fmt: int = 0
    font: int = 0
    fill: int = 0
    wrap: bool = False


def styles_xml(num_fmts: Mapping[int, str], fonts: Sequence[Font], fills: Sequence[str],
               formats: Sequence[CellFormat]) -> str:
    """``fills`` are solid RGB colours after the two fills Excel reserves (none, gray125)."""
    nf = "".join(f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>'
                 for i, code in num_fmts.items())
    font_xml = []
    for font in fonts:
        color = f'<color rgb="FF{font.color}"/>' if font.color else '<color theme="1"/>'
        font_xml.append("<font>" + ("<b/>" if font.bold else "") + ("<i/>" if font.italic else "")
                        + f'<sz val="{font.size}"/>{color}<name val="Calibri"/><family val="2"/>'
                        '<scheme val="minor"/></font>')
    fill_xml = ['<fill><patternFill patternType="none"/></fill>',
                '<fill><patternFill patternType="gray125"/></fill>']
    fill_xml += [f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                 '<bgColor indexed="64"/></patternFill></fill>' for rgb in fills]
    xf_xml = []
    for f in formats:
        attrs = (f'numFmtId="{f.num_fmt}" fontId="{f.font}" fillId="{f.fill}" borderId="0" '
                 'xfId="0"')
        attrs += ' applyNumberFormat="1"' if f.num_fmt else ""
        attrs += ' applyFont="1"' if f.font else ""
        attrs += ' applyFill="1"' if f.fill else ""
        if f.wrap:
            xf_xml.append(f'<xf {attrs} applyAlignment="1"><alignment vertical="top" '
                          'wrapText="1"/></xf>')
        else:
            xf_xml.append(f"<xf {attrs}/>")
    return (f'{XML_DECL}<styleSheet xmlns="{MAIN_NS}">'
            f'<numFmts count="{len(num_fmts)}">{nf}</numFmts>'
            f'<fonts count="{len(font_xml)}">{"".join(font_xml)}</fonts>'
            f'<fills count="{len(fill_xml)}">{"".join(fill_xml)}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '</cellStyleXfs>'
            f'<cellXfs count="{len(xf_xml)}">{"".join(xf_xml)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')


def write_zip(path_or_file, parts: Sequence[tuple[str, bytes]]) -> None:
    """Write the package with fixed metadata. Entries are stored, not deflated: deflate output
    differs between zlib builds (zlib-ng, Windows), stored bytes are the same everywhere."""
    with zipfile.ZipFile(path_or_file, "w") as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0  # ZipInfo defaults to the host OS: pin it
            info.external_attr = 0
            archive.writestr(info, data)
