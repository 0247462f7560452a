"""Reading fixture workbooks (openpyxl- and LibreOffice-written) into grids and tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from file_shell_helpers import FIXTURES, fixture_copy

from tagihlite.errors import InputError
from tagihlite.workbook.file import pick_sheet, read_table, read_workbook
from tagihlite.workbook.read import SheetGrid

UGLY_FILES = ["ugly.xlsx", "lo_ugly.xlsx", "lo_ugly.xls", "lo_ugly.ods"]


def _cell(sheet: SheetGrid, row: int, col: int):
    r, c = row - sheet.origin[0], col - sheet.origin[1]
    if 0 <= r < len(sheet.grid) and 0 <= c < len(sheet.grid[r]):
        return sheet.grid[r][c]
    return None


@pytest.mark.parametrize("name", UGLY_FILES)
def test_ugly_list_found_below_title_rows(name: str) -> None:
    table = read_table(FIXTURES / name)
    assert table.sheet == "Tagihan"
    assert table.header_row == 4
    assert table.first_col == 1
    assert table.headers[:3] == ["NO", "Nama Pelanggan", "Nomor Indibiz"]
    assert table.headers[-2:] == ["Sales", "Keterangan"]  # extra columns kept
    # 20 customers; the blank row (15) and the TOTAL row are not customers
    assert len(table.rows) == 20
    assert 15 not in table.row_numbers
    assert table.row_numbers[0] == 5 and table.row_numbers[-1] == 25
    assert table.file == name


@pytest.mark.parametrize("name", UGLY_FILES)
def test_raw_values_keep_their_types(name: str) -> None:
    table = read_table(FIXTURES / name)
    first, second = table.rows[0], table.rows[1]
    cid = table.fields["customer_id"]
    assert first[cid] == pytest.approx(141234567891.0)  # Excel's float, digits for the core
    assert second[cid] == "0141234567892"  # text keeps its leading zero
    assert first[table.fields["amount"]] == 750000
    assert second[table.fields["amount"]] == "Rp 750.000"
    assert first[table.fields["due_date"]] == date(2026, 11, 20)
    assert second[table.fields["due_date"]] == "20/11/2026"
    phone = table.fields["phone"]
    assert table.rows[3][phone] == 81200000004  # the number that lost its leading 0
    assert table.rows[3][table.fields["paid_status"]] is None  # blank stays None, not ""
    names = [r[table.fields["name"]] for r in table.rows]
    assert "=Toko Formula" in names and "Toko {{ 7*7 }} Jaya" in names


def test_no_counter_column_is_not_the_customer_number() -> None:
    table = read_table(FIXTURES / "ugly.xlsx")
    assert table.fields["customer_id"] == 2
    assert 0 not in table.fields.values()


def test_workbook_lists_every_sheet_with_origin() -> None:
    sheets = read_workbook(FIXTURES / "ugly.xlsx")
    assert [s.name for s in sheets] == ["Tagihan", "Template", "Rekap"]
    tagihan = sheets[0]
    assert tagihan.origin == (1, 1)
    assert _cell(tagihan, 1, 1).startswith("DAFTAR TUNGGAKAN")
    assert _cell(tagihan, 3, 1) is None  # the blank row above the header
    assert sheets[1].grid[0][0].startswith("Yth.")


@pytest.mark.parametrize("name", ["table.xlsx", "lo_table.xlsx"])
def test_excel_table_is_used(name: str) -> None:
    sheets = read_workbook(FIXTURES / name)
    (sheet,) = sheets
    names = {t.name for t in sheet.tables}
    assert names == {"TblTunggakan", "TblTarget"}
    ref = next(t for t in sheet.tables if t.name == "TblTunggakan")
    assert (ref.top, ref.left, ref.bottom, ref.right) == (3, 2, 8, 8)
    # the grid starts where the data starts (B1), not at A1
    assert sheet.origin == (1, 2)
    table = read_table(FIXTURES / name)
    assert table.table_name == "TblTunggakan"
    assert table.header_row == 3 and table.first_col == 2
    assert table.headers == ["No", "Nama", "No Internet", "Tagihan", "No WA", "Status",
                             "Jatuh Tempo"]
    assert table.row_numbers == [4, 5, 6, 7, 8]
    assert table.rows[0][2] == "0141234560001"


def test_table_totals_row_is_not_data(tmp_path: Path) -> None:
    import openpyxl

    path = fixture_copy(tmp_path, "table.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    tbl = ws.tables["TblTunggakan"]
    ws["B9"], ws["E9"] = "Total", "=SUBTOTAL(109,[Tagihan])"
    tbl.ref, tbl.totalsRowCount = "B3:H9", 1
    wb.save(path)
    ref = next(t for t in read_workbook(path)[0].tables if t.name == "TblTunggakan")
    assert (ref.top, ref.bottom) == (3, 8)


def test_two_sheets_with_tables_need_sheet_option() -> None:
    path = FIXTURES / "two_tables.xlsx"
    with pytest.raises(InputError) as err:
        read_table(path)
    text = str(err.value)
    assert "two_tables.xlsx" in text and "--sheet" in text
    assert "'Nov 2026'" in text and "'Des 2026'" in text and "Template" not in text
    assert read_table(path, "Des 2026").sheet == "Des 2026"
    assert read_table(path, "des 2026").sheet == "Des 2026"  # case-insensitive fallback


def test_unknown_sheet_lists_the_sheets() -> None:
    with pytest.raises(InputError) as err:
        read_table(FIXTURES / "ugly.xlsx", "Desember")
    text = str(err.value)
    assert "'Desember'" in text and "ugly.xlsx" in text and "'Tagihan'" in text


def test_no_table_anywhere() -> None:
    with pytest.raises(InputError) as err:
        read_table(FIXTURES / "no_table.xlsx")
    assert "no_table.xlsx" in str(err.value) and "Nama Pelanggan" in str(err.value)


def test_single_sheet_without_header_gets_core_message(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "satu.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Nama Pelanggan", "Alamat"])
    wb.save(path)
    with pytest.raises(InputError) as err:
        read_table(path)
    assert "Nomor Indibiz" in str(err.value)  # locate() names the missing columns


def test_pick_sheet_auto_picks_the_only_table() -> None:
    sheets = read_workbook(FIXTURES / "ugly.xlsx")
    assert pick_sheet(sheets, None, file="ugly.xlsx").name == "Tagihan"


@pytest.mark.parametrize("name,sep_text", [("semicolon_cp1252.csv", "Rp1.250.000,00"),
                                           ("comma_utf8.csv", "1,250,000")])
def test_csv_sniffed_and_decoded(name: str, sep_text: str) -> None:
    table = read_table(FIXTURES / name)
    assert table.header_row == 1
    assert table.rows[0][table.fields["name"]] == "Café Kenari Fiktif"
    assert table.rows[0][table.fields["customer_id"]] == "0141234561001"
    assert table.rows[0][table.fields["amount"]] == sep_text
    assert len(table.rows) == 2


def test_csv_detection_ignores_commas_inside_quoted_amounts(tmp_path: Path) -> None:
    path = tmp_path / "titik_koma.csv"
    path.write_text('Nama;Nomor Indibiz;Tagihan;No HP\n'
                    '"A, B dan C";141234560001;"1,250,000";081200000001\n', encoding="utf-8")
    table = read_table(path)
    assert table.rows[0] == ["A, B dan C", "141234560001", "1,250,000", "081200000001"]


def test_xlsx_with_wrong_extension_is_read_by_content(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.xls"
    path.write_bytes((FIXTURES / "ugly.xlsx").read_bytes())
    assert read_table(path).header_row == 4
