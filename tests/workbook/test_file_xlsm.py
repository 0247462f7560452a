"""Macro workbooks: the VBA project and the ribbon (customUI) survive apply_plan."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
from file_shell_helpers import FIXTURES, fixture_copy, plan_for, zip_part

from tagihlite.core.vocab import Status
from tagihlite.workbook.file import apply_plan, read_table
from tagihlite.workbook.package import read_rels

UI_2006 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
UI_2007 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RIBBON_PARTS = ["customUI/customUI.xml", "customUI/customUI14.xml",
                "customUI/_rels/customUI14.xml.rels", "customUI/images/tagihIcon.png"]


def _write(tmp_path: Path) -> Path:
    path = fixture_copy(tmp_path, "macro_ribbon.xlsm")
    table = read_table(path)
    n = len(table.rows)
    apply_plan(path, plan_for(table, {"Status Kirim": [Status.READY] * n,
                                      "Catatan": ["-Catatan"] * n}))
    return path


def _root_rels(path: Path) -> list[ET.Element]:
    return list(ET.fromstring(zip_part(path, "_rels/.rels")).iter(REL))


def test_vba_project_byte_identical(tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert zip_part(path, "xl/vbaProject.bin") == zip_part(FIXTURES / "macro_ribbon.xlsm",
                                                           "xl/vbaProject.bin")
    wb_rels = zip_part(path, "xl/_rels/workbook.xml.rels").decode()
    assert "relationships/vbaProject" in wb_rels
    types = zip_part(path, "[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert 'PartName="/xl/vbaProject.bin"' in types or 'Extension="bin"' in types


def test_ribbon_parts_and_relationships_intact(tmp_path: Path) -> None:
    path = _write(tmp_path)
    for part in RIBBON_PARTS:
        assert zip_part(path, part) == zip_part(FIXTURES / "macro_ribbon.xlsm", part), part
    rels = _root_rels(path)
    by_type = {r.get("Type"): r.get("Target") for r in rels}
    assert by_type[UI_2006] == "customUI/customUI.xml"
    assert by_type[UI_2007] == "customUI/customUI14.xml"
    # package relationships are copied byte for byte (the fixture's own clashing rId1
    # included: TagihLite no longer rewrites parts it does not own)
    assert zip_part(path, "_rels/.rels") == zip_part(FIXTURES / "macro_ribbon.xlsm",
                                                      "_rels/.rels")
    office = next(r for r in rels if r.get("Type").endswith("/officeDocument"))
    assert office.get("Target").lstrip("/") == "xl/workbook.xml"
    types = ET.fromstring(zip_part(path, "[Content_Types].xml"))
    defaults = {d.get("Extension").lower() for d in types.iter(f"{CT}Default")}
    assert "png" in defaults  # the ribbon icon has a content type


def test_code_names_and_custom_properties_survive(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert wb.code_name == "ThisWorkbook"
    assert wb["Tagihan"].sheet_properties.codeName == "Sheet1"
    assert [p.name for p in wb.custom_doc_props.props] == ["TagihLiteVersi"]
    assert wb["Tagihan"]["J2"].value == "-Catatan" and wb["Tagihan"]["J2"].data_type == "s"
    wb.vba_archive.close()  # openpyxl never closes it; the garbage collector may complain


def test_twice_still_one_of_each(tmp_path: Path) -> None:
    path = _write(tmp_path)
    table = read_table(path)
    apply_plan(path, plan_for(table, {"Status Kirim": [Status.SKIPPED] * len(table.rows)}))
    types = [r.get("Type") for r in _root_rels(path)]
    assert types.count(UI_2006) == 1 and types.count(UI_2007) == 1
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert len(names) == len(set(names))
    for part in RIBBON_PARTS:
        assert part in names


def test_ribbon_restored_into_plain_xlsx(tmp_path: Path) -> None:
    """openpyxl drops customUI from an .xlsx entirely (no keep_vba): we put it back."""
    src = FIXTURES / "macro_ribbon.xlsm"
    path = tmp_path / "pita.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            if info.filename == "xl/vbaProject.bin":
                continue
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.sheet.macroEnabled.main+xml",
                                    b"openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
                data = data.replace(b'<Override PartName="/xl/vbaProject.bin" ContentType='
                                    b'"application/vnd.ms-office.vbaProject"/>', b"")
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.split(b'<Relationship Id="rIdVba"')[0] + b"</Relationships>"
            zout.writestr(info, data)
    table = read_table(path)
    apply_plan(path, plan_for(table, {"Status Kirim": [Status.READY] * len(table.rows)}))
    for part in RIBBON_PARTS:
        assert zip_part(path, part) == zip_part(src, part)
    types = {r.get("Type") for r in _root_rels(path)}
    assert {UI_2006, UI_2007} <= types
    assert openpyxl.load_workbook(path)["Tagihan"]["I1"].value == "Status Kirim"


def test_read_rels_resolves_root(tmp_path: Path) -> None:
    with zipfile.ZipFile(FIXTURES / "macro_ribbon.xlsm") as zf:
        types = {r.type for r in read_rels(zf, "")}
    assert {UI_2006, UI_2007} <= types


THUMB = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
CUSTOM_XML_PROPS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    "customXmlProps")


def _add_parts(src: Path, dst: Path) -> None:
    """A SharePoint-style workbook: a thumbnail and a customXml item openpyxl never writes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdThumb" Type="{THUMB}" '
                    'Target="docProps/thumbnail.jpeg"/></Relationships>').encode())
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdCx" Type="{CUSTOM_XML}" '
                    'Target="../customXml/item1.xml"/></Relationships>').encode())
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    b'<Default Extension="jpeg" ContentType="image/jpeg"/>'
                    b'<Override PartName="/customXml/itemProps1.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.customXmlProperties+xml"/>'
                    b"</Types>"))
            zout.writestr(info, data)
        zout.writestr("docProps/thumbnail.jpeg", b"\xff\xd8\xff\xe0fiktif\xff\xd9")
        zout.writestr("customXml/item1.xml", "<b:Sources xmlns:b='urn:x-fiktif'/>")
        zout.writestr("customXml/_rels/item1.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{CUSTOM_XML_PROPS}" Target="itemProps1.xml"/></Relationships>'))
        zout.writestr("customXml/itemProps1.xml", (
            '<ds:datastoreItem ds:itemID="{00000000-0000-0000-0000-000000000001}" '
            'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>'))


def test_thumbnail_and_custom_xml_restored(tmp_path: Path) -> None:
    original = tmp_path / "asli.xlsx"
    _add_parts(FIXTURES / "ugly.xlsx", original)
    path = tmp_path / "sharepoint.xlsx"
    path.write_bytes(original.read_bytes())
    table = read_table(path)
    apply_plan(path, plan_for(table, {"Status Kirim": [Status.READY] * len(table.rows)}))
    for part in ("docProps/thumbnail.jpeg", "customXml/item1.xml",
                 "customXml/_rels/item1.xml.rels", "customXml/itemProps1.xml"):
        assert zip_part(path, part) == zip_part(original, part)
    with zipfile.ZipFile(path) as zf:
        assert {r.type for r in read_rels(zf, "")} >= {THUMB}
        assert CUSTOM_XML in {r.type for r in read_rels(zf, "xl/workbook.xml")}
    types = zip_part(path, "[Content_Types].xml").decode()
    assert 'Extension="jpeg"' in types and "/customXml/itemProps1.xml" in types
    assert openpyxl.load_workbook(path)["Tagihan"]["K5"].value == Status.READY


def test_the_addin_workbook_survives(tmp_path: Path) -> None:
    """The product's own tagihlite.xlsm (ribbon + xlwings VBA) through a write-back."""
    source = Path(__file__).resolve().parents[2] / "tagihlite.xlsm"
    path = tmp_path / "tagihlite.xlsm"
    path.write_bytes(source.read_bytes())
    table = read_table(path)
    status = table.first_col + table.outputs["Status Kirim"]
    from tagihlite.core.writeplan import ColumnWrite, WritePlan

    rows = [table.header_row + 1, table.header_row + 2]
    apply_plan(path, WritePlan(sheet=table.sheet, header_row=table.header_row,
                               row_numbers=rows,
                               columns=[ColumnWrite(col=status, header="Status Kirim",
                                                    new=False, values=[Status.READY, "=2"])]))
    with zipfile.ZipFile(source) as zs:
        names = zs.namelist()
        kept = [n for n in names if n.startswith("customUI") or n == "xl/vbaProject.bin"
                or n.startswith("xl/_rels/vbaProject")]
        assert "xl/vbaProject.bin" in kept and any(n.startswith("customUI/") for n in kept)
        for part in kept:
            assert zip_part(path, part) == zs.read(part), part
        src_ui = {(r.type, r.target.lstrip("/")) for r in read_rels(zs, "")
                  if r.type in (UI_2006, UI_2007)}
    with zipfile.ZipFile(path) as zn:
        new_ui = {(r.type, r.target.lstrip("/")) for r in read_rels(zn, "")
                  if r.type in (UI_2006, UI_2007)}
    assert new_ui == src_ui and new_ui
    before = openpyxl.load_workbook(source, keep_vba=True)
    after = openpyxl.load_workbook(path, keep_vba=True)
    assert after.sheetnames == before.sheetnames
    assert after.code_name == before.code_name
    for ws in before.worksheets:
        assert after[ws.title].sheet_properties.codeName == ws.sheet_properties.codeName
        if ws.title != table.sheet:
            for row in ws.iter_rows():
                for cell in row:
                    assert after[ws.title][cell.coordinate].value == cell.value
    ws = after[table.sheet]
    assert ws.cell(rows[0], status).value == Status.READY
    assert ws.cell(rows[1], status).value == "=2" and ws.cell(rows[1], status).data_type == "s"
    assert set(after.defined_names) == set(before.defined_names)
