"""Assemble the add-in workbook ``tagihlite.xlsm`` from the sources the repo keeps.

Sources: the sheet contract (``tagihlite.core.columns``), the default message template, the ribbon
(``ribbon.xml``), our VBA (``vba/TagihLite.bas``) and xlwings' standalone VBA from the pinned
xlwings package. The result is byte-identical on every rebuild (fixed zip metadata and
document dates, stable part and string order), so the committed copy can be checked for
staleness by rebuilding it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from tagihlite.addin import ooxml
from tagihlite.addin.ooxml import CellFormat, Font, SharedStrings, Sheet
from tagihlite.addin.vbaproject import VbaModule, build_vba_project
from tagihlite.addin.xlwings_modules import standalone_modules
from tagihlite.core import columns, vocab

ADDIN_DIR: Final = Path(__file__).resolve().parent
RIBBON_PATH: Final = ADDIN_DIR / "ribbon.xml"
VBA_DIR: Final = ADDIN_DIR / "vba"
TEMPLATE_PATH: Final = ADDIN_DIR.parent / "templates" / "default.j2"
CUSTOMUI_NS: Final = "http://schemas.microsoft.com/office/2009/07/customui"

WORKBOOK_FILE: Final = "tagihlite.xlsm"
TABLE_NAME: Final = "TabelTagihan"
SHEET_TAGIHAN, SHEET_TEMPLATE, SHEET_LAPORAN, SHEET_PETUNJUK = (
    "Tagihan", "Template", "Laporan", "Petunjuk")
# (sheet name, VBA codeName): the codeNames are also the names of the document modules.
SHEETS: Final = ((SHEET_TAGIHAN, "Sheet1"), (SHEET_TEMPLATE, "Sheet2"),
                 (SHEET_LAPORAN, "Sheet3"), (SHEET_PETUNJUK, "Sheet4"))
WORKBOOK_CODE_NAME: Final = "ThisWorkbook"
# Our VBA modules, by file in vba/ (module name = file stem).
OUR_VBA_FILES: Final = ("TagihLite.bas",)

TEMPLATE_TITLE: Final = "Template Pesan"
TEMPLATE_HINT: Final = ("Satu kolom per tingkat pengingat. Ubah teks pesan mulai baris 3: satu "
                        "sel = satu baris pesan, sel kosong = baris kosong. Kata di dalam {{ }} "
                        "diisi otomatis dari data pelanggan.")
TEMPLATE_FIRST_ROW: Final = 3
LOGIN_LABEL: Final = "Masuk sebagai:"  # Laporan!A2; the login name goes in B2
DOC_DATE: Final = "2025-01-01T00:00:00Z"

# What each ribbon button does, for the Petunjuk sheet (labels come from ribbon.xml).
BUTTON_HELP: Final[dict[str, str]] = {
    "tl_login": "Masuk dengan nama pengguna dan kata sandi Anda. Setiap pengiriman dicatat "
                "atas nama Anda.",
    "tl_logout": "Keluar setelah selesai, terutama di komputer yang dipakai bersama.",
    "tl_import": "Pilih berkas ekspor tagihan; barisnya masuk ke lembar Tagihan. Baris lama "
                 "tetap menyimpan status kirimnya, baris baru ditambahkan, baris yang hilang "
                 "diberi catatan.",
    "tl_import_payments": "Pilih daftar pembayaran; tagihan yang sudah dibayar ditandai LUNAS "
                          "dengan tanggal bayarnya dan tidak diingatkan lagi. Pembayaran "
                          "sebagian mengurangi jumlah tagihan.",
    "tl_mark": "Menandai baris yang belum bayar dan siap dikirim. Baris yang tidak bisa "
               "dikirim diberi alasan di kolom Catatan.",
    "tl_check": "Memeriksa nomor WhatsApp, jumlah tagihan, dan nomor Indibiz ganda tanpa "
                "mengirim apa pun.",
    "tl_columns": "Memilih sekali kolom mana yang berisi nama, nomor Indibiz, tagihan, nomor "
                  "WhatsApp (dan status, jatuh tempo, periode) bila judul kolomnya tidak "
                  "dikenali. Pilihan disimpan di sheet Pengaturan.",
    "tl_preview": "Mengisi kolom Pesan dengan teks yang akan dikirim. Baca dulu sebelum "
                  "mengirim.",
    "tl_approve_template": "Khusus supervisor: menyetujui teks di lembar Template. Template "
                           "yang diubah baru bisa dipakai mengirim setelah disetujui.",
    "tl_send_test": "Mengirim pesan baris pertama yang siap kirim, berawalan [UJI], hanya ke "
                    "nomor WhatsApp Anda sendiri. Tidak ada baris yang berubah.",
    "tl_send_selected": "Mengirim pengingat WhatsApp untuk baris yang sedang dipilih. Jumlah "
                        "pesan dan total tagihan ditanyakan dulu.",
    "tl_send_all": "Mengirim pengingat WhatsApp untuk semua baris yang siap kirim. Status "
                   "setiap baris ditulis begitu selesai.",
    "tl_report": "Mengisi lembar Laporan: siapa yang diingatkan, kapan, oleh siapa, yang gagal "
                 "dan sebabnya, serta sisa tagihan.",
    "tl_help": "Membuka lembar ini.",
    "tl_doctor": "Memeriksa instalasi di komputer ini (Python, xlwings.conf, Trusted Location, "
                 "makro, jurnal, saluran kirim) dan menyebut cara memperbaiki setiap masalah.",
}
PETUNJUK_INTRO: Final = ("Tab TagihLite di pita Excel. Urutan kerja biasa: Masuk, Impor Data, "
                         "Tandai Belum Bayar, Pratinjau Pesan, Kirim, Laporan.")
PETUNJUK_NOTES: Final = (
    "Jangan mengganti nama kolom di lembar Tagihan; kolom Status Kirim sampai Catatan diisi "
    "oleh TagihLite.",
    "Teks pesan diubah di lembar Template.",
    "Pengingat yang sudah terkirim tidak akan dikirim dua kali.",
    "Jika tombol TagihLite tidak bekerja, jalankan 'tagihlite doctor' di Command Prompt "
    "(%LOCALAPPDATA%\\TagihLite\\venv\\Scripts\\tagihlite.exe doctor) dan ikuti cara "
    "memperbaiki yang disebutkan.",
)

# Styles: index in cellXfs.
S_TITLE, S_HINT, S_BOLD, S_TEXT, S_RUPIAH, S_DATE, S_TODO, S_PROBLEM, S_DONE = range(1, 10)
_NUM_FMTS: Final = {164: '"Rp"#,##0', 165: "dd/mm/yyyy"}
_FONTS: Final = (Font(), Font(bold=True, size=14), Font(italic=True, color="595959"),
                 Font(bold=True))
_TEXT_FMT = 49  # built-in "@"

# Tagihan column roles, by canonical header.
_TEXT_HEADERS: Final = (columns.INPUT_COLUMNS["customer_id"][0], columns.INPUT_COLUMNS["phone"][0])
_AMOUNT_HEADER: Final = columns.INPUT_COLUMNS["amount"][0]
_DATE_HEADER: Final = columns.INPUT_COLUMNS["due_date"][0]
_COUNTER_HEADER: Final = columns.CONTRACT_HEADERS[0]
_WIDTHS: Final = {"No": 6, "Nama Pelanggan": 30, "Nomor Indibiz": 16, "Jumlah Tagihan": 16,
                  "No WhatsApp": 17, "Status Bayar": 14, "Jatuh Tempo": 13, "Periode": 11,
                  columns.STATUS: 14, columns.SENT_AT: 18, columns.SENT_BY: 15,
                  columns.CHANNEL: 13, columns.MESSAGE: 60, columns.NOTE: 45}


def ribbon_xml() -> bytes:
    return RIBBON_PATH.read_bytes()


def ribbon_buttons() -> list[tuple[str, str, str]]:
    """``(id, label, onAction)`` of every ribbon button, in ribbon order."""
    root = ET.fromstring(ribbon_xml())
    return [(b.get("id", ""), b.get("label", ""), b.get("onAction", ""))
            for b in root.iter(f"{{{CUSTOMUI_NS}}}button")]


def template_lines(text: str) -> list[str]:
    """One entry per template line; trailing blank lines dropped (the sheet ignores them)."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def our_vba_sources() -> dict[str, str]:
    """Module name -> source of our own VBA modules (LF line ends, as kept in the repo)."""
    return {Path(name).stem: (VBA_DIR / name).read_text(encoding="ascii").replace("\r\n", "\n")
            for name in OUR_VBA_FILES}


def vba_modules() -> list[VbaModule]:
    """Every module of the workbook's VBA project: documents, xlwings', ours."""
    modules = [VbaModule(WORKBOOK_CODE_NAME, "document", "")]
    modules += [VbaModule(code_name, "document", "") for _, code_name in SHEETS]
    modules += [VbaModule(m.name, m.kind, m.source, m.exposed, m.description)
                for m in standalone_modules()]
    modules += [VbaModule(name, "standard", source) for name, source in our_vba_sources().items()]
    return modules


def _text_value(value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _amount_value(value: object) -> object:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value  # numbers stay numbers; other text stays as typed for the core to judge


def _tagihan_sheet(customers: Sequence[Mapping[str, object]]) -> Sheet:
    headers = columns.CONTRACT_HEADERS
    unknown = sorted({key for row in customers for key in row} - set(headers))
    if unknown:
        raise ValueError(f"unknown Tagihan column(s): {', '.join(unknown)}")
    sheet = Sheet(SHEET_TAGIHAN, SHEETS[0][1], freeze_rows=1)
    col_of = {header: i for i, header in enumerate(headers, start=1)}
    styles = {col_of[h]: S_TEXT for h in _TEXT_HEADERS}
    styles[col_of[_AMOUNT_HEADER]] = S_RUPIAH
    styles[col_of[_DATE_HEADER]] = S_DATE
    sheet.column_styles = styles
    sheet.widths = {col_of[h]: float(_WIDTHS.get(h, 12)) for h in headers}
    for header, col in col_of.items():
        sheet.put(1, col, header)
    last_row = 1 + max(1, len(customers))
    if not customers:  # a table needs one data row: leave it blank but formatted
        for col, style in styles.items():
            sheet.put(2, col, None, style)
    for offset, customer in enumerate(customers):
        row = 2 + offset
        for header, col in col_of.items():
            value = customer.get(header)
            if isinstance(value, float) and math.isnan(value):  # pandas' empty cell
                value = None
            if header == _COUNTER_HEADER and value is None:
                value = offset + 1
            elif header in _TEXT_HEADERS:
                value = _text_value(value)
            elif header == _AMOUNT_HEADER:
                value = _amount_value(value)
            style = S_DATE if isinstance(value, dt.date) else styles.get(col, 0)
            if value is not None or style:
                sheet.put(row, col, value, style)
    last = ooxml.cell_ref(last_row, len(headers))
    sheet.table_ref = f"A1:{last}"
    sheet.text_number_ranges = tuple(
        f"{ooxml.column_letter(col_of[h])}2:{ooxml.column_letter(col_of[h])}1048576"
        for h in _TEXT_HEADERS)
    return sheet


def _template_sheet(texts: dict[str, str]) -> Sheet:
    """One column per reminder level: row 2 names the level ("Tingkat N - Nama"), the
    message runs from row 3 down (tagihlite.core.level_templates reads it back)."""
    sheet = Sheet(SHEET_TEMPLATE, SHEETS[1][1],
                  widths={c: 80.0 for c in range(1, len(texts) + 1)})
    sheet.put(1, 1, TEMPLATE_TITLE, S_TITLE)
    sheet.put(1, 2, TEMPLATE_HINT, S_HINT)
    for col, (header, text) in enumerate(texts.items(), 1):
        sheet.put(2, col, header, S_HINT)
        for offset, line in enumerate(template_lines(text)):
            if line:
                sheet.put(TEMPLATE_FIRST_ROW + offset, col, line)
    return sheet


def level_template_texts() -> dict[str, str]:
    """Header -> packaged text, for the default levels."""
    from tagihlite.core.levels import DEFAULT_LEVELS

    return {f"Tingkat {lv.number} - {lv.name}":
            (ADDIN_DIR.parent / "templates" / f"level{lv.number}.j2").read_text("utf-8")
            for lv in DEFAULT_LEVELS}


def _laporan_sheet() -> Sheet:
    sheet = Sheet(SHEET_LAPORAN, SHEETS[2][1], widths={1: 22.0, 2: 30.0})
    sheet.put(1, 1, "Laporan Pengiriman", S_TITLE)
    sheet.put(2, 1, LOGIN_LABEL, S_BOLD)
    return sheet


def _petunjuk_sheet() -> Sheet:
    sheet = Sheet(SHEET_PETUNJUK, SHEETS[3][1], widths={1: 38.0, 2: 100.0})
    sheet.put(1, 1, "Petunjuk TagihLite", S_TITLE)
    sheet.put(2, 1, PETUNJUK_INTRO, S_HINT)
    sheet.put(4, 1, "Tombol", S_BOLD)
    sheet.put(4, 2, "Fungsi", S_BOLD)
    row = 5
    for control_id, label, _ in ribbon_buttons():
        sheet.put(row, 1, label)
        sheet.put(row, 2, BUTTON_HELP[control_id])
        row += 1
    row += 1
    sheet.put(row, 1, "Warna baris", S_BOLD)
    legend = ((S_TODO, vocab.Status.TODO, "belum bayar, siap dikirim"),
              (S_PROBLEM, vocab.Status.PROBLEM, "tidak bisa dikirim atau gagal: baca Catatan"),
              (S_DONE, vocab.Status.DONE, "sudah diserahkan ke WhatsApp atau ke petugas"))
    for style, statuses, meaning in legend:
        row += 1
        sheet.put(row, 1, ", ".join(statuses), style)
        sheet.put(row, 2, meaning)
    row += 1
    for note in PETUNJUK_NOTES:
        row += 1
        sheet.put(row, 1, note)
    return sheet


def _styles() -> str:
    fills = tuple(vocab.HIGHLIGHT_FILLS[group] for group in ("todo", "problem", "done"))
    formats = (CellFormat(),  # 0 default
               CellFormat(font=1),  # S_TITLE
               CellFormat(font=2),  # S_HINT
               CellFormat(font=3),  # S_BOLD
               CellFormat(num_fmt=_TEXT_FMT),  # S_TEXT
               CellFormat(num_fmt=164),  # S_RUPIAH
               CellFormat(num_fmt=165),  # S_DATE
               CellFormat(fill=2),  # S_TODO
               CellFormat(fill=3),  # S_PROBLEM
               CellFormat(fill=4))  # S_DONE
    return ooxml.styles_xml(_NUM_FMTS, _FONTS, fills, formats)


def _workbook_xml() -> str:
    sheets = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, (name, _) in enumerate(SHEETS, start=1))
    return (f'{ooxml.XML_DECL}<workbook xmlns="{ooxml.MAIN_NS}" xmlns:r="{ooxml.REL_NS}">'
            f'<workbookPr codeName="{WORKBOOK_CODE_NAME}" defaultThemeVersion="124226"/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>")


def _core_xml() -> str:
    return (f'{ooxml.XML_DECL}<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:title>TagihLite</dc:title><dc:creator>TagihLite</dc:creator>"
            "<cp:lastModifiedBy>TagihLite</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{DOC_DATE}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{DOC_DATE}</dcterms:modified>'
            "</cp:coreProperties>")


def _app_xml() -> str:
    return (f'{ooxml.XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/'
            'officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>"
            "<ScaleCrop>false</ScaleCrop></Properties>")


def build_workbook_bytes(customers: Sequence[Mapping[str, object]] | None = None) -> bytes:
    """The complete ``.xlsm`` package as bytes (same input -> same bytes)."""
    from openpyxl.writer.theme import theme_xml  # Office's default theme, as openpyxl ships it

    sheets = [_tagihan_sheet(list(customers or ())),
              _template_sheet(level_template_texts()),
              _laporan_sheet(), _petunjuk_sheet()]
    strings = SharedStrings()
    sheet_parts = [(f"xl/worksheets/sheet{i}.xml",
                    ooxml.worksheet_xml(sheet, strings, selected=i == 1))
                   for i, sheet in enumerate(sheets, start=1)]
    tagihan = sheets[0]
    assert tagihan.table_ref is not None
    n = len(SHEETS)
    workbook_rels = [(f"rId{i}", ooxml.REL_WORKSHEET, f"worksheets/sheet{i}.xml")
                     for i in range(1, n + 1)]
    workbook_rels += [(f"rId{n + 1}", ooxml.REL_THEME, "theme/theme1.xml"),
                      (f"rId{n + 2}", ooxml.REL_STYLES, "styles.xml"),
                      (f"rId{n + 3}", ooxml.REL_SHARED_STRINGS, "sharedStrings.xml"),
                      (f"rId{n + 4}", ooxml.REL_VBA, "vbaProject.bin")]
    overrides = {"xl/workbook.xml": ooxml.CT_WORKBOOK_MACRO}
    overrides.update({name: ooxml.CT_WORKSHEET for name, _ in sheet_parts})
    overrides.update({"xl/tables/table1.xml": ooxml.CT_TABLE,
                      "xl/theme/theme1.xml": ooxml.CT_THEME,
                      "xl/styles.xml": ooxml.CT_STYLES,
                      "xl/sharedStrings.xml": ooxml.CT_SHARED_STRINGS,
                      "xl/vbaProject.bin": ooxml.CT_VBA,
                      "docProps/core.xml": ooxml.CT_CORE,
                      "docProps/app.xml": ooxml.CT_APP})
    package_rels = [("rId1", ooxml.REL_OFFICE_DOCUMENT, "xl/workbook.xml"),
                    ("rId2", ooxml.REL_CORE, "docProps/core.xml"),
                    ("rId3", ooxml.REL_APP, "docProps/app.xml"),
                    ("rId4", ooxml.REL_UI, "customUI/customUI14.xml")]
    text_parts = [
        ("[Content_Types].xml", ooxml.content_types_xml(overrides)),
        ("_rels/.rels", ooxml.relationships_xml(package_rels)),
        ("docProps/app.xml", _app_xml()),
        ("docProps/core.xml", _core_xml()),
        ("xl/workbook.xml", _workbook_xml()),
        ("xl/_rels/workbook.xml.rels", ooxml.relationships_xml(workbook_rels)),
        *sheet_parts,
        ("xl/worksheets/_rels/sheet1.xml.rels",
         ooxml.relationships_xml([("rId1", ooxml.REL_TABLE, "../tables/table1.xml")])),
        ("xl/tables/table1.xml",
         ooxml.table_xml(1, TABLE_NAME, tagihan.table_ref, columns.CONTRACT_HEADERS)),
        ("xl/theme/theme1.xml", theme_xml),
        ("xl/styles.xml", _styles()),
        ("xl/sharedStrings.xml", strings.xml()),  # after the sheets: they fill it
    ]
    parts = [(name, text.encode("utf-8")) for name, text in text_parts]
    parts.insert(4, ("customUI/customUI14.xml", ribbon_xml()))
    parts.append(("xl/vbaProject.bin", build_vba_project(vba_modules())))
    buffer = io.BytesIO()
    ooxml.write_zip(buffer, parts)
    return buffer.getvalue()


def build_workbook(output: Path, customers: Sequence[Mapping[str, object]] | None = None) -> Path:
    """Write the add-in workbook to ``output`` (atomically) and return its path.

    ``customers``: rows for the ``Tagihan`` table, keyed by ``CONTRACT_HEADERS`` names
    (``"Nama Pelanggan"``, ``"Nomor Indibiz"``, ...); missing keys stay blank, ``No`` is
    numbered when absent. Nomor Indibiz and No WhatsApp are written as text.
    """
    output = Path(output)
    data = build_workbook_bytes(customers)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")  # same folder: atomic replace
    try:
        tmp.write_bytes(data)
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return output
