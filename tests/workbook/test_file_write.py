"""apply_plan: results land in the right cells and everything else in the workbook survives."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from file_shell_helpers import fixture_copy, plan_for, sha256, sheet_xml

from tagihlite.core.vocab import HIGHLIGHT_FILLS, Status
from tagihlite.core.writeplan import DATETIME_FORMAT, KEEP
from tagihlite.errors import InputError
from tagihlite.workbook.file import apply_plan, backup_path, check_writable, read_table
from tagihlite.workbook.write import is_tagihlite_rule


def _ugly_plan(path: Path, **kw):
    table = read_table(path)
    n = len(table.rows)
    statuses = [Status.READY if i % 3 == 0 else Status.SKIPPED if i % 3 == 1 else Status.PAID
                for i in range(n)]
    names = [r[table.fields["name"]] for r in table.rows]
    return table, plan_for(table, {"Status Kirim": statuses,
                                   "Catatan": [f"catatan {i}" for i in range(n)],
                                   "Pesan": [f"Yth. {nm}" for nm in names]}, **kw)


def _cf_rules(ws) -> list[tuple[str, object]]:
    return [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]


def test_values_and_new_headers_written(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    table, plan = _ugly_plan(path)
    apply_plan(path, plan)
    ws = openpyxl.load_workbook(path)["Tagihan"]
    assert [ws.cell(4, c).value for c in (11, 12, 13)] == ["Status Kirim", "Catatan", "Pesan"]
    for i, row in enumerate(table.row_numbers):
        assert ws.cell(row, 11).value == plan.columns[0].values[i]
        assert ws.cell(row, 12).value == f"catatan {i}"
    # the header copies the style of the table's last header cell: looks native
    assert ws.cell(4, 11).fill.fgColor.rgb == ws.cell(4, 10).fill.fgColor.rgb
    assert ws.cell(4, 11).font.bold
    # and the result reads back as the same table, our columns now recognised as owned
    again = read_table(path)
    assert again.row_numbers == table.row_numbers
    assert set(again.outputs) == {"Status Kirim", "Catatan", "Pesan"}


def test_everything_else_survives(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    _, plan = _ugly_plan(path)
    before = openpyxl.load_workbook(path)
    apply_plan(path, plan)
    after = openpyxl.load_workbook(path)
    assert after.sheetnames == before.sheetnames == ["Tagihan", "Template", "Rekap"]
    b, a = before["Tagihan"], after["Tagihan"]
    # every original cell value, including the TOTAL formula and the other sheets
    for ws_name in before.sheetnames:
        for row in before[ws_name].iter_rows():
            for cell in row:
                assert after[ws_name][cell.coordinate].value == cell.value, cell.coordinate
    assert a["D26"].value.startswith("=SUM(")
    assert after["Rekap"]["B1"].value == "=Tagihan!D26"
    # styles, number formats, widths, merged cells, freeze panes, validation, names
    assert a["A1"].font.bold and a["A1"].font.sz == 14
    assert a["D5"].number_format == "#,##0" and a["G5"].number_format == "dd/mm/yyyy"
    for letter in "ABCDEFGHIJ":
        assert a.column_dimensions[letter].width == b.column_dimensions[letter].width
    assert {str(r) for r in a.merged_cells.ranges} == {"A1:J1", "A2:D2"}
    assert a.freeze_panes == "A5"
    (dv,) = a.data_validations.dataValidation
    assert dv.formula1 == '"LUNAS,BELUM BAYAR,SUDAH BAYAR"' and str(dv.sqref) == "F5:F25"
    assert "DaftarTagihan" in after.defined_names
    assert after.defined_names["DaftarTagihan"].attr_text == "Tagihan!$A$4:$J$25"
    assert a["J4"].comment is not None and "jangan dihapus" in a["J4"].comment.text
    assert after["Rekap"].sheet_properties.tabColor.rgb.endswith("FF0000")
    # the clerk's own conditional format is still there, beside our three rules
    rules = _cf_rules(a)
    assert any(r.type == "cellIs" and r.formula == ["1000000"] for _, r in rules)


def test_formula_like_customer_text_is_written_as_text(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    table = read_table(path)
    evil = ["=HYPERLINK(\"http://contoh.invalid\",\"klik\")", "+6281200000001", "-1+2",
            "@SUM(1)", "=1+1"]
    values = (evil * 5)[:len(table.rows)]
    plan = plan_for(table, {"Status Kirim": [Status.READY] * len(values), "Pesan": values})
    apply_plan(path, plan)
    xml = sheet_xml(path)
    col = plan.column("Pesan").col
    letter = openpyxl.utils.get_column_letter(col)
    for row in table.row_numbers:
        cell = re.search(rf'<c r="{letter}{row}"[^>]*>(.*?)</c>', xml)
        assert cell is not None and "<f>" not in cell.group(0)
    ws = openpyxl.load_workbook(path)["Tagihan"]
    for i, row in enumerate(table.row_numbers):
        assert ws.cell(row, col).value == values[i]
        assert ws.cell(row, col).data_type == "s"
    # the customer names that look like formulas stayed text, too
    assert ws["B18"].value == "=Toko Formula" and ws["B18"].data_type == "s"


def test_formula_columns_write_formulas(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    table = read_table(path)
    links = ['=HYPERLINK("https://wa.me/6281200000001","Buka WA")'] * len(table.rows)
    plan = plan_for(table, {"Status Kirim": [Status.READY] * len(links), "Tautan WA": links})
    plan.column("Tautan WA").formulas = True
    apply_plan(path, plan)
    xml = sheet_xml(path)
    letter = openpyxl.utils.get_column_letter(plan.column("Tautan WA").col)
    assert re.search(rf'<c r="{letter}5"[^>]*><f>HYPERLINK', xml)


def test_keep_leaves_cells_alone_and_formats_apply(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    table = read_table(path)
    n = len(table.rows)
    when = datetime(2026, 11, 28, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    plan = plan_for(table, {"Status Kirim": [Status.READY] * n,
                            "Waktu Kirim": [when] + [None] * (n - 1)})
    plan.column("Waktu Kirim").number_format = DATETIME_FORMAT
    apply_plan(path, plan)
    # second run: KEEP everywhere except one Keterangan (an existing, non-owned column)
    plan2 = plan_for(read_table(path), {"Status Kirim": [KEEP] * n,
                                        "Waktu Kirim": [KEEP] * n})
    apply_plan(path, plan2)
    ws = openpyxl.load_workbook(path)["Tagihan"]
    assert ws["L5"].value == datetime(2026, 11, 28, 9, 30)  # WIB wall time, no tzinfo
    assert ws["L5"].number_format == DATETIME_FORMAT
    assert ws["K5"].value == Status.READY
    assert ws["L6"].value is None


def test_utc_times_become_wib(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    table = read_table(path)
    n = len(table.rows)
    utc = datetime(2026, 11, 28, 2, 30, tzinfo=timezone.utc)
    apply_plan(path, plan_for(table, {"Status Kirim": [Status.READY] * n,
                                      "Waktu Kirim": [utc] * n}))
    assert openpyxl.load_workbook(path)["Tagihan"]["L5"].value == datetime(2026, 11, 28, 9, 30)


def test_highlight_rules_idempotent_and_user_rules_kept(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    _, plan = _ugly_plan(path)
    apply_plan(path, plan)
    apply_plan(path, plan)
    ws = openpyxl.load_workbook(path)["Tagihan"]
    rules = _cf_rules(ws)
    ours = [(ref, r) for ref, r in rules if is_tagihlite_rule(r)]
    assert len(ours) == 3
    assert {ref for ref, _ in ours} == {"A5:M25"}
    formulas = sorted(r.formula[0] for _, r in ours)
    assert '$K5="SIAP KIRIM"' in formulas
    assert 'OR($K5="DILEWATI",$K5="GAGAL",$K5="PERLU CEK")' in formulas
    fills = {r.dxf.fill.fgColor.rgb[-6:] for _, r in ours}
    assert fills == set(HIGHLIGHT_FILLS.values())
    assert len(rules) == 4  # + the clerk's own "amount > 1.000.000" rule


def test_highlight_moves_when_table_grows(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    _, plan = _ugly_plan(path)
    apply_plan(path, plan)
    plan.highlight = type(plan.highlight)(first_row=5, last_row=30, first_col=1, last_col=13,
                                          status_col=11)
    apply_plan(path, plan)
    ours = [ref for ref, r in _cf_rules(openpyxl.load_workbook(path)["Tagihan"])
            if is_tagihlite_rule(r)]
    assert ours == ["A5:M30"] * 3


def test_recognises_rules_written_by_the_vba_macro() -> None:
    from openpyxl.formatting.rule import FormulaRule

    assert is_tagihlite_rule(FormulaRule(formula=['=$P7 = "SIAP KIRIM"']))
    assert is_tagihlite_rule(FormulaRule(
        formula=['OR($P7="MENUNGGU", $P7="DIKIRIM", $P7="TERKIRIM", $P7="DIBACA")']))
    assert not is_tagihlite_rule(FormulaRule(formula=['$P7="LUNAS"']))
    assert not is_tagihlite_rule(FormulaRule(formula=['AND($P7="SIAP KIRIM",$D7>0)']))


def test_excel_table_is_extended(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "table.xlsx")
    table = read_table(path)
    n = len(table.rows)
    plan = plan_for(table, {"Status Kirim": [Status.READY] * n, "Catatan": ["x"] * n})
    apply_plan(path, plan)
    ws = openpyxl.load_workbook(path)["Data Tunggakan"]
    tbl = ws.tables["TblTunggakan"]
    assert tbl.ref == "B3:J8"
    assert tbl.autoFilter.ref == "B3:J8"
    assert [c.name for c in tbl.tableColumns][-2:] == ["Status Kirim", "Catatan"]
    assert len({c.id for c in tbl.tableColumns}) == 9
    assert ws.tables["TblTarget"].ref == "R3:S4"  # the other table is left alone
    again = read_table(path)
    assert again.table_name == "TblTunggakan" and again.outputs["Catatan"] == 8


def test_excel_table_grows_with_appended_rows(tmp_path: Path) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    from tagihlite.core.writeplan import ColumnWrite, WritePlan

    path = fixture_copy(tmp_path, "table.xlsx")
    wb = openpyxl.load_workbook(path)
    dv = DataValidation(type="list", formula1='"LUNAS,BELUM BAYAR"')
    wb.active.add_data_validation(dv)
    dv.add("G4:G8")
    wb.save(path)
    table = read_table(path)
    name_col = table.first_col + table.fields["name"]
    plan = WritePlan(sheet=table.sheet, header_row=table.header_row,
                     row_numbers=[*table.row_numbers, 9, 10],
                     columns=[ColumnWrite(col=name_col, header="Nama", new=False,
                                          values=[KEEP] * 5 + ["Toko Baru A", "Toko Baru B"])])
    apply_plan(path, plan)
    ws = openpyxl.load_workbook(path)["Data Tunggakan"]
    assert ws.tables["TblTunggakan"].ref == "B3:H10"
    assert ws.tables["TblTunggakan"].autoFilter.ref == "B3:H10"
    assert ws.tables["TblTarget"].ref == "R3:S4"
    assert [str(d.sqref) for d in ws.data_validations.dataValidation] == ["G4:G10"]
    assert read_table(path).row_numbers == [4, 5, 6, 7, 8, 9, 10]


def test_refuses_to_write_over_data_right_of_the_table(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "table.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["J6"] = "catatan pribadi"
    wb.save(path)
    table = read_table(path)
    n = len(table.rows)
    plan = plan_for(table, {"Status Kirim": [Status.READY] * n, "Catatan": ["x"] * n})
    before = sha256(path)
    with pytest.raises(InputError) as err:
        apply_plan(path, plan)
    assert "J6" in str(err.value) and "catatan pribadi" not in str(err.value)
    assert sha256(path) == before


def test_backup_made_once(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    original = path.read_bytes()
    _, plan = _ugly_plan(path)
    made = apply_plan(path, plan)
    assert made == backup_path(path) == tmp_path / "ugly (cadangan TagihLite).xlsx"
    assert made.read_bytes() == original
    assert apply_plan(path, plan) is None
    assert made.read_bytes() == original  # never overwritten by later writes
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ugly (cadangan TagihLite).xlsx", "ugly.xlsx"]


def test_no_backup_when_not_asked(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    _, plan = _ugly_plan(path)
    assert apply_plan(path, plan, backup=False) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ugly.xlsx"]


@pytest.mark.parametrize("lock", ["~$ugly.xlsx", ".~lock.ugly.xlsx#"])
def test_refuses_when_open_in_excel(tmp_path: Path, lock: str) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    (tmp_path / lock).write_bytes(b"\x00" * 165)
    before = sha256(path)
    _, plan = _ugly_plan(path)
    with pytest.raises(InputError) as err:
        apply_plan(path, plan)
    assert "ugly.xlsx" in str(err.value) and "tutup" in str(err.value)
    assert sha256(path) == before
    with pytest.raises(InputError):
        check_writable(path)


def test_failure_mid_save_leaves_original(tmp_path: Path, monkeypatch) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    before = sha256(path)
    _, plan = _ugly_plan(path)

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(InputError) as err:
        apply_plan(path, plan, backup=False)
    assert "tidak diubah" in str(err.value)
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ugly.xlsx"]


@pytest.mark.parametrize("damage", ["truncate", "garble_header"])
def test_a_written_file_that_does_not_read_back_never_replaces_the_original(
        tmp_path: Path, monkeypatch, damage: str) -> None:
    from tagihlite.workbook import write

    path = fixture_copy(tmp_path, "ugly.xlsx")
    before = sha256(path)
    _, plan = _ugly_plan(path)
    real = write.patch_package

    def damaged(source, plan, target, extra=None):
        real(source, plan, target, extra)
        data = bytearray(target.read_bytes())
        if damage == "truncate":
            data = data[:len(data) // 2]
        else:  # the first part's local header no longer names it
            data[30] = data[30] ^ 0x20
        target.write_bytes(bytes(data))

    monkeypatch.setattr(write, "patch_package", damaged)
    with pytest.raises(InputError) as err:
        apply_plan(path, plan, backup=False)
    assert "tidak diubah" in str(err.value)
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ugly.xlsx"]


def test_crash_while_patching_leaves_no_temp(tmp_path: Path, monkeypatch) -> None:
    from tagihlite.workbook.sheetpatch import SheetPatcher

    path = fixture_copy(tmp_path, "ugly.xlsx")
    before = sha256(path)
    _, plan = _ugly_plan(path)

    def boom(self, src, out):
        out.write(b"<worksheet")
        raise RuntimeError("simulated crash inside the sheet writer")

    monkeypatch.setattr(SheetPatcher, "stream", boom)
    with pytest.raises(RuntimeError):
        apply_plan(path, plan)
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ugly.xlsx"]


def test_file_mode_is_kept(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    path.chmod(0o640)
    _, plan = _ugly_plan(path)
    apply_plan(path, plan, backup=False)
    assert path.stat().st_mode & 0o777 == 0o640


def test_result_is_a_valid_package(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    _, plan = _ugly_plan(path)
    apply_plan(path, plan)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert "xl/worksheets/sheet1.xml" in zf.namelist()
    # calamine (the fast reader) reads our output too
    assert read_table(path).header_row == 4


def test_unknown_sheet_in_plan(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    _, plan = _ugly_plan(path)
    plan.sheet = "Hilang"
    before = sha256(path)
    with pytest.raises(InputError, match="'Hilang'"):
        apply_plan(path, plan)
    assert sha256(path) == before


def test_rich_text_inside_a_cell_survives(tmp_path: Path) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    path = fixture_copy(tmp_path, "ugly.xlsx")
    wb = openpyxl.load_workbook(path, rich_text=True)
    wb["Tagihan"]["J6"] = CellRichText(["janji bayar ", TextBlock(InlineFont(b=True), "Senin")])
    wb.save(path)
    _, plan = _ugly_plan(path)
    apply_plan(path, plan)
    cell = openpyxl.load_workbook(path, rich_text=True)["Tagihan"]["J6"].value
    assert isinstance(cell, CellRichText)
    assert str(cell) == "janji bayar Senin"
    assert any(isinstance(b, TextBlock) and b.font.b for b in cell)


@pytest.mark.parametrize("name", ["lo_ugly.xlsx", "lo_table.xlsx"])
def test_libreoffice_written_input(tmp_path: Path, name: str) -> None:
    path = fixture_copy(tmp_path, name)
    table = read_table(path)
    n = len(table.rows)
    plan = plan_for(table, {"Status Kirim": [Status.READY] * n, "Pesan": ["=x"] * n})
    before = openpyxl.load_workbook(path)
    apply_plan(path, plan)
    after = openpyxl.load_workbook(path)
    ws_b, ws_a = before[table.sheet], after[table.sheet]
    for row in ws_b.iter_rows():
        for cell in row:
            if cell.value is not None:  # LibreOffice also writes styled empty cells
                assert ws_a[cell.coordinate].value == cell.value
    status_col = plan.column("Status Kirim").col
    assert [ws_a.cell(r, status_col).value for r in table.row_numbers] == [Status.READY] * n
    assert ws_a.cell(table.row_numbers[0], status_col + 1).data_type == "s"
    again = read_table(path)
    assert again.row_numbers == table.row_numbers and "Pesan" in again.outputs
    if table.table_name:
        assert again.table_name == table.table_name
        assert again.last_col == status_col + 1  # the Excel Table grew
