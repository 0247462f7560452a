"""The Laporan sheet in a workbook file: tables plus native Excel charts (OOXML parts).

Works at the package level, beside the row writer: the ``Laporan`` worksheet part, one
drawing and its chart parts are added (or replace the previous Laporan), together with
their relationships and content types; every other part is copied byte for byte. An
existing Laporan sheet keeps its ``sheetPr`` (the add-in's VBA code name). The file is
replaced atomically: a crash leaves the old workbook.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from tagihlite.core.report_layout import SHEET, ChartSpec, Layout, laporan
from tagihlite.core.writeplan import column_letter
from tagihlite.errors import InputError
from tagihlite.workbook.package import rels_name, resolve

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_SHEET = NS_R + "/worksheet"
REL_DRAWING = NS_R + "/drawing"
REL_CHART = NS_R + "/chart"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
COLORS = ("C00000", "2F75B5", "70AD47", "FFC000")
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_report_sheet(path: Path, data: dict[str, Any], *, style: str = "puebi",
                       who: str = "") -> None:
    """Write (or rewrite) the Laporan sheet of the workbook file at ``path``."""
    write_layout(Path(path), laporan(data, style=style, who=who))


# -- package plumbing -------------------------------------------------------------------

def _read_rels(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, resolved target) of a part's relationships (external ones skipped)."""
    name = rels_name(part)
    if name not in zf.namelist():
        return []
    root = ET.fromstring(zf.read(name))
    return [(r.get("Id", ""), r.get("Type", ""), resolve(part, r.get("Target", "")))
            for r in root if r.get("TargetMode") != "External"]


def _rels_xml(rels: Sequence[tuple[str, str, str]]) -> bytes:
    body = "".join(f'<Relationship Id={quoteattr(i)} Type={quoteattr(t)} '
                   f'Target={quoteattr(target)}/>' for i, t, target in rels)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>').encode()


def _rel_target(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source))


def _next_name(names: set[str], folder: str, stem: str) -> str:
    n = 1
    while f"{folder}/{stem}{n}.xml" in names:
        n += 1
    return f"{folder}/{stem}{n}.xml"


def _fresh_rid(xml: str) -> str:
    used = set(re.findall(r'Id="(rId\d+)"', xml))
    n = 1
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


def write_layout(path: Path, layout: Layout) -> None:
    try:
        src = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        raise InputError(f"Buku kerja '{path.name}' tidak dapat dibuka untuk menulis sheet "
                         f"{SHEET} (bukan berkas .xlsx/.xlsm yang utuh).") from None
    with src:
        names = set(src.namelist())
        wb_part = _workbook_part(src)
        wb_xml = src.read(wb_part).decode("utf-8")
        wb_rels_name = rels_name(wb_part)
        wb_rels_xml = src.read(wb_rels_name).decode("utf-8")
        ct_xml = src.read("[Content_Types].xml").decode("utf-8")
        sheets = _sheets(wb_xml, src, wb_part)
        replaced: dict[str, bytes | None] = {}  # part -> new bytes (None = drop)
        existing = next((p for n, p in sheets if n.casefold() == SHEET.casefold()), None)
        sheet_pr = ""
        if existing is not None:
            sheet_part = existing
            old = src.read(existing).decode("utf-8")
            m = re.search(r"<(?:\w+:)?sheetPr\b[^>]*?(?:/>|>.*?</(?:\w+:)?sheetPr>)", old, re.S)
            sheet_pr = _plain_prefix(m.group(0)) if m else ""
            for _, kind, target in _read_rels(src, existing):
                if kind == REL_DRAWING:  # our previous charts
                    for part in (target, *[t for _, k, t in _read_rels(src, target)
                                           if k == REL_CHART]):
                        replaced[part] = None
                        replaced[rels_name(part)] = None
        else:
            sheet_part = _next_name(names, "xl/worksheets", "sheet")
            rid = _fresh_rid(wb_rels_xml)
            wb_rels_xml = wb_rels_xml.replace(
                "</Relationships>", f'<Relationship Id="{rid}" Type="{REL_SHEET}" '
                f'Target="{_rel_target(wb_part, sheet_part)}"/></Relationships>')
            wb_xml = _add_sheet(wb_xml, rid)
            replaced[wb_part] = wb_xml.encode("utf-8")
            replaced[wb_rels_name] = wb_rels_xml.encode("utf-8")
            ct_xml = _ct_override(ct_xml, sheet_part, CT_SHEET)
        taken = names - {p for p, v in replaced.items() if v is None}
        drawing = _next_name(taken, "xl/drawings", "drawing") if layout.charts else None
        charts = []
        for _ in layout.charts:
            chart = _next_name(taken | set(charts), "xl/charts", "chart")
            charts.append(chart)
        replaced[sheet_part] = _sheet_xml(layout, sheet_pr, bool(drawing)).encode("utf-8")
        replaced[rels_name(sheet_part)] = (_rels_xml([("rId1", REL_DRAWING,
                                                        _rel_target(sheet_part, drawing))])
                                            if drawing else None)
        for part, content in list(replaced.items()):
            if content is None and part.endswith(".xml"):
                ct_xml = _ct_drop(ct_xml, part)
        if drawing:
            replaced[drawing] = _drawing_xml(layout.charts).encode("utf-8")
            replaced[rels_name(drawing)] = _rels_xml(
                [(f"rId{i}", REL_CHART, _rel_target(drawing, c))
                 for i, c in enumerate(charts, 1)])
            ct_xml = _ct_override(ct_xml, drawing, CT_DRAWING)
            for spec, part in zip(layout.charts, charts, strict=True):
                replaced[part] = _chart_xml(spec, layout).encode("utf-8")
                ct_xml = _ct_override(ct_xml, part, CT_CHART)
        replaced["[Content_Types].xml"] = ct_xml.encode("utf-8")
        _replace_file(path, src, replaced)


def _workbook_part(zf: zipfile.ZipFile) -> str:
    for _, kind, target in _read_rels(zf, ""):
        if kind.endswith("/officeDocument"):
            return target
    return "xl/workbook.xml"


def _sheets(wb_xml: str, zf: zipfile.ZipFile, wb_part: str) -> list[tuple[str, str]]:
    root = ET.fromstring(wb_xml)
    rels = {i: t for i, _, t in _read_rels(zf, wb_part)}
    out = []
    for s in root.iter(f"{{{NS_MAIN}}}sheet"):
        rid = s.get(f"{{{NS_R}}}id", "")
        if rid in rels:
            out.append((s.get("name", ""), rels[rid]))
    return out


def _plain_prefix(xml: str) -> str:
    """A copied element written with a namespace prefix gets the default namespace."""
    return re.sub(r"<(/?)\w+:", r"<\1", xml)


def _add_sheet(wb_xml: str, rid: str) -> str:
    ids = [int(x) for x in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bsheetId="(\d+)"', wb_xml)]
    m = re.search(r"</(\w+:)?sheets>", wb_xml)
    if m is None:
        raise InputError("Buku kerja tidak memiliki daftar sheet yang dapat dibaca.")
    tag = f"{m.group(1) or ''}sheet"
    # The relationships prefix is declared on the element itself: some writers declare it
    # only on each <sheet>, not on the root.
    new = (f'<{tag} xmlns:r="{NS_R}" name="{SHEET}" sheetId="{max(ids, default=0) + 1}" '
           f'r:id="{rid}"/>')
    return wb_xml[:m.start()] + new + wb_xml[m.start():]


def _ct_override(ct_xml: str, part: str, content_type: str) -> str:
    ct_xml = _ct_drop(ct_xml, part)
    return ct_xml.replace("</Types>", f'<Override PartName="/{part}" '
                                      f'ContentType="{content_type}"/></Types>')


def _ct_drop(ct_xml: str, part: str) -> str:
    return re.sub(r'<Override\s+PartName="/' + re.escape(part) + r'"[^>]*/>', "", ct_xml)


def _replace_file(path: Path, src: zipfile.ZipFile, replaced: dict[str, bytes | None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tagihlite-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            written = set()
            for info in src.infolist():
                if info.filename in replaced:
                    content = replaced[info.filename]
                    if content is not None:
                        dst.writestr(info.filename, content)
                else:
                    dst.writestr(info, src.read(info))  # byte for byte
                written.add(info.filename)
            for part, content in replaced.items():
                if part not in written and content is not None:
                    dst.writestr(part, content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- XML of the parts ---------------------------------------------------------------------

def _text(value: Any) -> str:
    return escape(_BAD_XML.sub("", str(value)))


def _cell(ref: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "Ya" if value else "Tidak"
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'


def _sheet_xml(layout: Layout, sheet_pr: str, with_drawing: bool) -> str:
    rows = []
    for r, cells in enumerate(layout.rows, 1):
        inner = "".join(_cell(f"{column_letter(c)}{r}", v) for c, v in enumerate(cells, 1))
        if inner:
            rows.append(f'<row r="{r}">{inner}</row>')
    cols = ('<cols><col min="1" max="1" width="34" customWidth="1"/>'
            '<col min="2" max="10" width="15" customWidth="1"/></cols>')
    drawing = '<drawing r:id="rId1"/>' if with_drawing else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">{sheet_pr}'
            f'{cols}<sheetData>{"".join(rows)}</sheetData>{drawing}</worksheet>')


def _drawing_xml(charts: Sequence[ChartSpec]) -> str:
    anchors = []
    for i, spec in enumerate(charts, 1):
        c0, r0 = spec.anchor_col - 1, spec.anchor_row - 1
        anchors.append(
            f"<xdr:twoCellAnchor><xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{r0}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to>"
            f"<xdr:col>{c0 + spec.width_cols}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{r0 + spec.height_rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 1}" '
            f'name="Grafik {i}" descr={quoteattr(spec.title)}/><xdr:cNvGraphicFramePr/>'
            '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            '</xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/'
            'drawingml/2006/chart"><c:chart xmlns:c="http://schemas.openxmlformats.org/'
            f'drawingml/2006/chart" r:id="rId{i}"/></a:graphicData></a:graphic>'
            "</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
            'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
            f'main" xmlns:r="{NS_R}">{"".join(anchors)}</xdr:wsDr>')


def _ref(col: int, first: int, last: int | None = None) -> str:
    c = column_letter(col)
    ref = f"'{SHEET}'!${c}${first}"
    return ref if last is None else f"{ref}:${c}${last}"


def _str_cache(values: Sequence[Any]) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{_text(v)}</c:v></c:pt>' for i, v in enumerate(values))
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{pts}</c:strCache>'


def _num_cache(values: Sequence[Any]) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{v!r}</c:v></c:pt>' for i, v in enumerate(values)
                  if isinstance(v, (int, float)))
    return (f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>'
            f"{pts}</c:numCache>")


def _chart_xml(spec: ChartSpec, layout: Layout) -> str:
    def column(col: int) -> list[Any]:
        return [(layout.rows[r - 1] + [None] * col)[col - 1]
                for r in range(spec.first_row, spec.last_row + 1)]

    header_row = spec.first_row - 1
    cats = column(spec.category_col)
    sers = []
    smooth = '<c:smooth val="0"/>' if spec.kind == "line" else ""
    for i, s in enumerate(spec.series):
        color = COLORS[i % len(COLORS)]
        fill = (f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
                '</a:ln></c:spPr><c:marker><c:symbol val="circle"/><c:size val="5"/></c:marker>'
                if spec.kind == "line" else
                f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr>'
                '<c:invertIfNegative val="0"/>')
        sers.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>'
            f"{_ref(s.col, header_row)}</c:f>{_str_cache([s.name])}</c:strRef></c:tx>{fill}"
            f"<c:cat><c:strRef><c:f>{_ref(spec.category_col, spec.first_row, spec.last_row)}"
            f"</c:f>{_str_cache(cats)}</c:strRef></c:cat><c:val><c:numRef><c:f>"
            f"{_ref(s.col, spec.first_row, spec.last_row)}</c:f>{_num_cache(column(s.col))}"
            f"</c:numRef></c:val>{smooth}"
            "</c:ser>")
    if spec.kind == "line":
        plot = (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
                f'{"".join(sers)}<c:marker val="1"/><c:axId val="5001"/><c:axId val="5002"/>'
                "</c:lineChart>")
    else:
        plot = (f'<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
                f'<c:varyColors val="0"/>{"".join(sers)}<c:gapWidth val="80"/>'
                '<c:axId val="5001"/><c:axId val="5002"/></c:barChart>')
    axes = ('<c:catAx><c:axId val="5001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
            '<c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" '
            'sourceLinked="0"/><c:tickLblPos val="nextTo"/><c:crossAx val="5002"/>'
            '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
            '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
            '<c:valAx><c:axId val="5002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
            '<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/><c:numFmt '
            'formatCode="#,##0" sourceLinked="0"/><c:tickLblPos val="nextTo"/>'
            '<c:crossAx val="5001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/>'
            "</c:valAx>")
    title = (f"<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>{_text(spec.title)}</a:t>"
             '</a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            f'xmlns:r="{NS_R}"><c:roundedCorners val="0"/><c:chart>{title}'
            f'<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>{plot}{axes}</c:plotArea>'
            '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
            '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>')
