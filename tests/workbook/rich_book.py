"""Workbooks with everything a clerk's file may carry, built by the tests themselves.

``rich_book``: chart, notes, validation, the clerk's conditional format, a defined name,
a hidden sheet, an Excel Table, frozen panes, ``ignoredErrors``, an ``x14`` extension and
a customXml part (the last three injected into openpyxl's output, which cannot write
them). ``lo_formula_book``: amounts as formulas, saved by LibreOffice (cached values).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

HEADERS = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp", "Periode",
           "Keterangan"]
ROWS = 12
IGNORED = (b'<ignoredErrors><ignoredError sqref="B2:B13 D2:D13" numberStoredAsText="1"/>'
           b"</ignoredErrors>")
X14 = (b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
       b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
       b'<x14:conditionalFormattings><x14:conditionalFormatting '
       b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:cfRule '
       b'type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar '
       b'minLength="0" maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/>'
       b"</x14:dataBar></x14:cfRule><xm:sqref>C2:C13</xm:sqref></x14:conditionalFormatting>"
       b"</x14:conditionalFormattings></ext></extLst>")
CUSTOM_XML = (b'<?xml version="1.0" encoding="UTF-8"?>'
              b'<tagihlite-test xmlns="urn:x-test">1</tagihlite-test>')


def customer(i: int) -> list:
    return [f"Toko Fiktif {i}", f"14123450{i:04d}", 100_000 + 5_000 * i,
            f"0812700{i:05d}", "2026-11", "janji bayar" if i % 4 == 0 else None]


def rich_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(HEADERS)
    for i in range(1, ROWS + 1):
        ws.append(customer(i))
        for col in (2, 4):
            ws.cell(ws.max_row, col).number_format = "@"
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", start_color="DDEBF7")
    ws.freeze_panes = "A2"
    table = Table(displayName="TblTagihan", ref=f"A1:F{ROWS + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws["F3"].comment = Comment("janji bayar minggu depan", "Sari")
    dv = DataValidation(type="list", formula1='"2026-11,2026-12"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"E2:E{ROWS + 1}")
    ws.conditional_formatting.add(f"C2:C{ROWS + 1}", CellIsRule(
        operator="greaterThan", formula=["150000"], fill=PatternFill("solid",
                                                                    start_color="FFC7CE")))
    wb.defined_names["DaftarTagihan"] = DefinedName("DaftarTagihan",
                                                    attr_text=f"Tagihan!$A$1:$F${ROWS + 1}")
    rekap = wb.create_sheet("Rekap")
    rekap["A1"], rekap["B1"] = "Total", f"=SUM(Tagihan!C2:C{ROWS + 1})"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=ROWS + 1), titles_from_data=True)
    rekap.add_chart(chart, "D2")
    hidden = wb.create_sheet("Rahasia")
    hidden["A1"] = "data lama"
    hidden.sheet_state = "hidden"
    wb.save(path)
    _inject(path)
    return path


def _inject(path: Path) -> None:
    """ignoredErrors + an x14 data bar in the target sheet, and a customXml item."""
    tmp = path.with_suffix(".inject")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b"<tableParts")
                data = data[:at] + IGNORED + data[at:]
                close = data.rindex(b"</worksheet>")
                data = data[:close] + X14 + data[close:]
            elif info.filename == "xl/_rels/workbook.xml.rels":
                close = data.rindex(b"</Relationships>")
                data = (data[:close] + b'<Relationship Id="rIdCx1" Type="http://schemas.'
                        b'openxmlformats.org/officeDocument/2006/relationships/customXml" '
                        b'Target="../customXml/item1.xml"/>' + data[close:])
            elif info.filename == "[Content_Types].xml":
                close = data.rindex(b"</Types>")
                data = data[:close] + b'<Default Extension="xml" ContentType="application/xml"/>' \
                    + data[close:] if b'Extension="xml"' not in data else data
            dst.writestr(info, data)
        dst.writestr("customXml/item1.xml", CUSTOM_XML)
    shutil.move(tmp, path)


def lo_formula_book(folder: Path, soffice: str) -> Path:
    """Jumlah Tagihan = pokok + denda as formulas; LibreOffice saves the cached values."""
    src = folder / "src.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(["Nama Pelanggan", "Nomor Indibiz", "Pokok", "Denda", "Jumlah Tagihan",
               "No WhatsApp", "Periode"])
    for i in range(1, ROWS + 1):
        r = i + 1
        ws.append([f"Toko Fiktif {i}", f"14123450{i:04d}", 100_000 * i, 5_000,
                   f"=C{r}+D{r}", f"0812700{i:05d}", "2026-11"])
        ws.cell(r, 2).number_format = "@"
        ws.cell(r, 6).number_format = "@"
    wb.save(src)
    out = folder / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'profile'}",
                    "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                    "--outdir", str(out), str(src)], check=True, capture_output=True,
                   timeout=240)
    target = folder / "lo_formula.xlsx"
    shutil.move(out / "src.xlsx", target)
    src.unlink()
    return target
