"""The add-in workbook: deterministic, current, and readable by real spreadsheet software."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import tagihlite
from tagihlite.addin import build, xlwings_modules
from tagihlite.addin.build import build_workbook, build_workbook_bytes
from tagihlite.core import columns

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = Path(tagihlite.__file__).parent / "templates" / "default.j2"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types"}
XL_SCHEME = "http://schemas.microsoft.com/office"

DEMO = [
    {"Nama Pelanggan": "CV Contoh Satu (fiktif)", "Nomor Indibiz": "0131234567",
     "Jumlah Tagihan": 1250000, "No WhatsApp": "081234567890", "Status Bayar": "BELUM BAYAR",
     "Jatuh Tempo": dt.date(2025, 2, 20), "Periode": "2025-01"},
    {"Nama Pelanggan": "Toko Contoh Dua (fiktif)", "Nomor Indibiz": 131234568,
     "Jumlah Tagihan": "350000", "No WhatsApp": "6281298765432", "Status Bayar": "LUNAS"},
]


@pytest.fixture(scope="module")
def empty_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("book") / "tagihlite.xlsm")


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("demo") / "demo.xlsm", DEMO)


def _xml(book: Path, part: str) -> ET.Element:
    with zipfile.ZipFile(book) as archive:
        return ET.fromstring(archive.read(part))


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    first = build_workbook(tmp_path / "a.xlsm", DEMO).read_bytes()
    second = build_workbook(tmp_path / "b.xlsm", DEMO).read_bytes()
    assert first == second
    assert build_workbook_bytes() == build_workbook_bytes()
    assert build_workbook_bytes() != first  # the rows really are in it


def test_committed_workbook_is_current() -> None:
    committed = REPO / "tagihlite.xlsm"
    assert committed.is_file(), "tagihlite.xlsm missing at the repo root"
    assert committed.read_bytes() == build_workbook_bytes(), (
        "tagihlite.xlsm is stale: run 'tagihlite build-workbook' at the repo root and commit it")


def test_zip_metadata_is_fixed(empty_book: Path) -> None:
    with zipfile.ZipFile(empty_book) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2025, 1, 1, 0, 0, 0)}
    assert {i.create_system for i in infos} == {0}
    core = _xml(empty_book, "docProps/core.xml")
    dates = [e.text for e in core if e.tag.endswith(("created", "modified"))]
    assert dates == [build.DOC_DATE, build.DOC_DATE]


def test_content_types_and_relationships(empty_book: Path) -> None:
    types = _xml(empty_book, "[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall("ct:Override", NS)}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    with zipfile.ZipFile(empty_book) as archive:
        names = set(archive.namelist())
    # every part is typed, every override names a real part
    defaults = {d.get("Extension") for d in types.findall("ct:Default", NS)}
    for name in names:
        assert f"/{name}" in overrides or name.rsplit(".", 1)[-1] in defaults, name
    assert {p.lstrip("/") for p in overrides} <= names

    package = {r.get("Type"): r.get("Target") for r in _xml(empty_book, "_rels/.rels")}
    assert package[f"{XL_SCHEME}/2007/relationships/ui/extensibility"] == "customUI/customUI14.xml"
    assert "customUI/customUI14.xml" in names
    book_rels = {r.get("Type"): r.get("Target")
                 for r in _xml(empty_book, "xl/_rels/workbook.xml.rels")}
    assert book_rels[f"{XL_SCHEME}/2006/relationships/vbaProject"] == "vbaProject.bin"
    # every relationship target exists
    for rels_part, base in (("_rels/.rels", ""), ("xl/_rels/workbook.xml.rels", "xl"),
                            ("xl/worksheets/_rels/sheet1.xml.rels", "xl/worksheets")):
        for rel in _xml(empty_book, rels_part):
            target = posixpath.normpath(posixpath.join(base, rel.get("Target")))
            assert target in names, (rels_part, target)

def test_codenames_match_document_modules(empty_book: Path) -> None:
    workbook = _xml(empty_book, "xl/workbook.xml")
    assert workbook.find("m:workbookPr", NS).get("codeName") == "ThisWorkbook"
    sheet_codes = [_xml(empty_book, f"xl/worksheets/sheet{i}.xml").find("m:sheetPr", NS)
                   .get("codeName") for i in range(1, 5)]
    documents = [m.name for m in build.vba_modules() if m.kind == "document"]
    assert documents == ["ThisWorkbook", *sheet_codes]
    assert len(set(sheet_codes)) == 4


def test_opens_with_openpyxl_keep_vba(empty_book: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(empty_book, keep_vba=True)
    assert wb.sheetnames == ["Tagihan", "Template", "Laporan", "Petunjuk"]
    ws = wb["Tagihan"]
    assert [c.value for c in ws[1]] == list(columns.CONTRACT_HEADERS)
    table = ws.tables["TabelTagihan"]
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(columns.CONTRACT_HEADERS))}2"
    assert [c.name for c in table.tableColumns] == list(columns.CONTRACT_HEADERS)
    assert all(c.value is None for c in ws[2])
    assert wb["Laporan"]["A2"].value == "Masuk sebagai:"
    assert wb["Laporan"]["B2"].value is None
    assert wb.vba_archive is not None


def test_opens_with_calamine(demo_book: Path) -> None:
    book = CalamineWorkbook.from_path(str(demo_book))
    assert book.sheet_names == ["Tagihan", "Template", "Laporan", "Petunjuk"]
    rows = book.get_sheet_by_name("Tagihan").to_python()
    assert rows[0] == list(columns.CONTRACT_HEADERS)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Nomor Indibiz"] == "0131234567"
    assert first["No WhatsApp"] == "081234567890"
    assert first["Jumlah Tagihan"] == 1250000
    assert first["No"] == 1


def test_customer_cells_are_typed(demo_book: Path) -> None:
    ws = openpyxl.load_workbook(demo_book, keep_vba=True)["Tagihan"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 2
    assert ws.tables["TabelTagihan"].ref.endswith("3")
    one, two = rows
    assert one["Nomor Indibiz"].value == "0131234567" and one["Nomor Indibiz"].data_type == "s"
    assert two["Nomor Indibiz"].value == "131234568"  # an int passed in is written as text
    assert one["No WhatsApp"].value == "081234567890"
    assert one["Nomor Indibiz"].number_format == "@"
    assert one["Jumlah Tagihan"].value == 1250000
    assert two["Jumlah Tagihan"].value == 350000  # digit text becomes a number
    assert "Rp" in one["Jumlah Tagihan"].number_format
    assert one["Jatuh Tempo"].value == dt.datetime(2025, 2, 20)
    assert one["Jatuh Tempo"].is_date
    assert [r["No"].value for r in rows] == [1, 2]
    assert two["Status Kirim"].value is None


def test_unknown_customer_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Nama Pelangan"):
        build_workbook(tmp_path / "x.xlsm", [{"Nama Pelangan": "typo"}])
    assert not (tmp_path / "x.xlsm").exists()


def test_template_sheet_holds_one_level_template_per_column(empty_book: Path) -> None:
    ws = openpyxl.load_workbook(empty_book, keep_vba=True)["Template"]
    assert ws["A1"].value and ws["B1"].value  # heading and hint (ignored by the core)
    assert ws.max_column == 4
    for col in range(1, 5):
        level = col - 1
        assert ws.cell(2, col).value.startswith(f"Tingkat {level} - ")
        expected = (TEMPLATE.parent / f"level{level}.j2").read_text("utf-8")
        expected = expected.rstrip("\n").split("\n")
        cells = [ws.cell(row=r, column=col).value for r in range(3, 3 + len(expected))]
        assert [c or "" for c in cells] == expected
        assert "" in expected  # the template has blank lines: they are blank cells


def test_petunjuk_explains_every_button_in_ribbon_order(empty_book: Path) -> None:
    rows = CalamineWorkbook.from_path(str(empty_book)).get_sheet_by_name("Petunjuk").to_python()
    labels = [label for _, label, _ in build.ribbon_buttons()]
    start = next(i for i, row in enumerate(rows) if row[0] == "Tombol") + 1
    assert [row[0] for row in rows[start:start + len(labels)]] == labels
    assert all(row[1] for row in rows[start:start + len(labels)])


def test_vba_modules_are_exactly_our_sources(empty_book: Path) -> None:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(empty_book))
    try:
        found = {stream.rsplit("/", 1)[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    expected = {m.name: m.source for m in build.vba_modules()}
    assert set(found) == set(expected)

    def body(code: str) -> str:  # olevba gives the stored text: header attributes + source
        lines = code.replace("\r\n", "\n").split("\n")
        while lines and lines[0].startswith("Attribute VB_"):
            lines.pop(0)
        return "\n".join(lines).rstrip("\n")

    for name, source in expected.items():
        assert body(found[name]) == source.rstrip("\n"), name
    ours = (build.VBA_DIR / "TagihLite.bas").read_text(encoding="ascii")
    assert body(found["TagihLite"]) == ours.rstrip("\n")


def test_dictionary_class_keeps_its_exposed_flag_and_description() -> None:
    """xlwings ships Dictionary.cls with VB_Exposed = True and a description: the committed
    workbook keeps both (VBE's class defaults would drop them)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(REPO / "tagihlite.xlsm"))
    try:
        found = {stream.rsplit("/", 1)[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    header = found["Dictionary"].replace("\r\n", "\n").split("\nOption Explicit", 1)[0]
    assert "Attribute VB_Exposed = True" in header
    assert 'Attribute VB_Description = "Drop-in replacement for Scripting.Dictionary' in header
    assert "Attribute VB_Exposed = False" in found["TagihLite"] or "VB_Exposed" not in \
        found["TagihLite"]  # a standard module has no class attributes


def test_shared_strings_count_is_the_number_of_references(tmp_path: Path) -> None:
    """sst count = cells that use the table, uniqueCount = its entries (ECMA-376 18.4.9)."""
    from tagihlite.workbook.demo import demo_rows

    repeated = build_workbook(tmp_path / "demo.xlsm", demo_rows())  # BELUM BAYAR many times
    for book in (repeated, REPO / "tagihlite.xlsm"):
        sst = _xml(book, "xl/sharedStrings.xml")
        with zipfile.ZipFile(book) as archive:
            refs = sum(
                len(ET.fromstring(archive.read(name)).findall(".//m:c[@t='s']", NS))
                for name in archive.namelist() if name.startswith("xl/worksheets/sheet"))
        assert int(sst.get("count")) == refs
        assert int(sst.get("uniqueCount")) == len(sst.findall("m:si", NS))
    assert int(sst.get("count")) >= int(sst.get("uniqueCount"))
    assert int(_xml(repeated, "xl/sharedStrings.xml").get("count")) > int(
        _xml(repeated, "xl/sharedStrings.xml").get("uniqueCount"))


def test_xlwings_modules_come_from_the_pinned_package() -> None:
    import xlwings

    assert xlwings.__version__ == xlwings_modules.XLWINGS_VERSION
    modules = {m.name: m for m in xlwings_modules.standalone_modules()}
    assert set(modules) == {"xlwings", "Dictionary"}
    raw = (xlwings_modules.package_dir() / "xlwings.bas").read_text().replace("\r\n", "\n")
    assert raw.endswith(modules["xlwings"].source)
    assert "Public Function RunPython(" in modules["xlwings"].source
    for module in modules.values():
        assert not module.source.startswith(("Attribute VB_", "VERSION"))
    assert "Attribute Item.VB_UserMemId = 0" in modules["Dictionary"].source  # member attrs kept


def test_strip_export_header() -> None:
    text = ('VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  \'True\r\nEND\r\n'
            'Attribute VB_Name = "X"\r\nAttribute VB_Exposed = True\r\nOption Explicit\r\n'
            "Attribute Foo.VB_UserMemId = 0\r\n")
    assert xlwings_modules.strip_export_header(text) == (
        "Option Explicit\nAttribute Foo.VB_UserMemId = 0\n")


def test_wrong_xlwings_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlwings_modules, "XLWINGS_VERSION", "0.0.1")
    with pytest.raises(RuntimeError, match=r"0\.0\.1"):
        xlwings_modules.standalone_modules()


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_the_workbook(demo_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [_soffice(), "--headless", "--norestore",
         f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), str(demo_book)],
        capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    converted = openpyxl.load_workbook(out / "demo.xlsx")
    assert converted.sheetnames == ["Tagihan", "Template", "Laporan", "Petunjuk"]
    ws = converted["Tagihan"]
    assert [c.value for c in ws[1]] == list(columns.CONTRACT_HEADERS)
    assert ws["C2"].value == "0131234567"
    assert "TabelTagihan" in ws.tables


UNO_PYTHON = Path("/usr/bin/python3")
LO_UNO = Path(__file__).with_name("lo_uno.py")


def _has_uno() -> bool:
    if _soffice() is None or not UNO_PYTHON.exists() or not LO_UNO.exists():
        return False
    probe = subprocess.run([str(UNO_PYTHON), "-c", "import uno"], capture_output=True,
                           check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _has_uno(), reason="LibreOffice with python3-uno not installed")
def test_libreoffice_imports_every_module_with_type_and_source(empty_book: Path,
                                                                tmp_path: Path) -> None:
    proc = subprocess.run([str(UNO_PYTHON), str(LO_UNO), str(empty_book), str(tmp_path / "p")],
                          capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    modules = report["libraries"]["VBAProject"]
    lo_type = {"standard": 1, "class": 2, "document": 4}
    expected = build.vba_modules()
    assert set(modules) == {m.name for m in expected}
    for module in expected:
        assert modules[module.name]["type"] == lo_type[module.kind], module.name
    ours = modules["TagihLite"]["source"]
    assert "Public Sub TagihLiteRibbon(control As IRibbonControl)" in ours
    assert "Public Sub TagihLiteApplyHighlight(" in ours
    assert report["codenames"] == {name: code for name, code in build.SHEETS}



def test_pandas_style_values_are_written_safely(tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    row = {"Nama Pelanggan": "PT Contoh (fiktif)", "Nomor Indibiz": np.int64(131234569),
           "Jumlah Tagihan": np.float64(99000.0), "No WhatsApp": float("nan"),
           "Jatuh Tempo": pd.Timestamp("2025-03-01 09:30", tz="Asia/Jakarta"),
           "Periode": float("nan")}
    book = build_workbook(tmp_path / "pd.xlsm", [row])
    ws = openpyxl.load_workbook(book, keep_vba=True)["Tagihan"]
    values = dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]], strict=True))
    assert values["Nomor Indibiz"] == "131234569"
    assert values["Jumlah Tagihan"] == 99000
    assert values["No WhatsApp"] is None and values["Periode"] is None
    assert values["Jatuh Tempo"] == dt.datetime(2025, 3, 1, 9, 30)


def test_core_reads_the_template_sheet_as_the_default_template(empty_book: Path) -> None:

    from tagihlite.core.level_templates import packaged_template, templates_from_sheet

    rows = CalamineWorkbook.from_path(str(empty_book)).get_sheet_by_name("Template").to_python()
    sources = templates_from_sheet(rows, (1, 1), "Template")
    assert sorted(sources) == [0, 1, 2, 3]  # one per level, none for "every level"
    for level, source in sources.items():
        assert source.text == packaged_template(level).text
