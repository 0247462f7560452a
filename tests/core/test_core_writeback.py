"""Write-back through the real file path: ``tagihlite send`` on an openpyxl-written workbook."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
from core_helpers import HEADER, column_values, customer, read_sheet, run_cli, write_book

from tagihlite.core.columns import OUTPUT_COLUMNS
from tagihlite.core.vocab import HIGHLIGHT_FILLS, Status
from tagihlite.workbook.file import backup_path

WIB = dt.timezone(dt.timedelta(hours=7))


def _rows():
    return [customer(1), customer(2, **{"Status Bayar": "LUNAS"}),
            customer(3, **{"No WhatsApp": "-"}), customer(4)]


def test_columns_created_right_of_the_table_with_values(tmp_path):
    path = write_book(tmp_path / "b.xlsx", _rows())
    start = dt.datetime.now(WIB).replace(tzinfo=None, microsecond=0) - dt.timedelta(seconds=2)
    code, _, err = run_cli("send", path, "--yes", "--operator", "Budi Santoso",
                           "--outbox", tmp_path / "ob")
    assert code == 0, err
    end = dt.datetime.now(WIB).replace(tzinfo=None) + dt.timedelta(seconds=2)
    cols, ws = read_sheet(path)
    assert [ws.cell(1, c).value for c in range(1, ws.max_column + 1)] == [
        *HEADER, *OUTPUT_COLUMNS]
    get = {h: [ws.cell(r, cols[h]).value for r in range(2, 6)] for h in OUTPUT_COLUMNS}
    assert get["Status Kirim"] == [Status.QUEUED, Status.PAID, Status.SKIPPED, Status.QUEUED]
    assert get["Dikirim Oleh"] == ["Budi Santoso", None, None, "Budi Santoso"]
    assert get["Saluran"] == ["Outbox", None, None, "Outbox"]
    for when in (get["Waktu Kirim"][0], get["Waktu Kirim"][3]):
        assert isinstance(when, dt.datetime) and start <= when <= end  # WIB wall time
    assert ws.cell(2, cols["Waktu Kirim"]).number_format == "dd-mm-yyyy hh:mm"
    assert "Toko Fiktif 1" in get["Pesan"][0] and "Rp101.000" in get["Pesan"][0]
    assert get["Pesan"][1:3] == [None, None]
    assert "kosong" in get["Catatan"][2]  # phone_missing explained in Indonesian
    # the input cells are as they were
    assert [ws.cell(2, c).value for c in range(1, 9)] == customer(1)


def test_existing_output_columns_are_reused_not_duplicated(tmp_path):
    header = [*HEADER[:6], "Catatan", "Status Kirim", *HEADER[6:], "Sales"]
    rows = [[*r[:6], "lama", None, *r[6:], "Andi"] for r in _rows()]
    path = write_book(tmp_path / "b.xlsx", rows, header=header)
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    _, ws = read_sheet(path)
    headers = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    assert headers[:len(header)] == header
    assert headers.count("Status Kirim") == 1 and headers.count("Catatan") == 1
    assert headers[len(header):] == ["Waktu Kirim", "Dikirim Oleh", "Saluran", "Pesan",
                                     "Tingkat", "Pengingat Berikutnya", "Hari Terlambat"]
    assert [ws.cell(r, 8).value for r in range(2, 6)] == [
        Status.QUEUED, Status.PAID, Status.SKIPPED, Status.QUEUED]
    assert ws.cell(2, 11).value == "Andi"
    # a second run writes into the same places
    run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    _, ws = read_sheet(path)
    assert [ws.cell(1, c).value for c in range(1, ws.max_column + 1)] == headers


def _tagihlite_rules(path):
    ws = openpyxl.load_workbook(path).worksheets[0]
    out = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            out.append((str(cf.sqref), rule.formula[0], rule.dxf.fill.fgColor.rgb[-6:]))
    return out


def test_highlight_rules_two_legible_colours_and_idempotent(tmp_path):
    path = write_book(tmp_path / "b.xlsx", _rows())
    assert run_cli("mark", path)[0] == 0
    rules = _tagihlite_rules(path)
    status_col = "I"  # first new column right of HEADER (A..H)
    ready = [r for r in rules if r[1] == f'${status_col}2="{Status.READY}"']
    problem = [r for r in rules if Status.SKIPPED in r[1]]
    assert len(ready) == 1 and len(problem) == 1
    assert ready[0][0] == problem[0][0] == "A2:Q5"  # the whole table, rows 2..5
    assert ready[0][2] != problem[0][2]
    assert {ready[0][2], problem[0][2]} <= {v.upper() for v in HIGHLIGHT_FILLS.values()}
    assert f"${status_col}2=\"{Status.NEEDS_CHECK}\"" in problem[0][1]
    run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    run_cli("mark", path)
    assert sorted(_tagihlite_rules(path)) == sorted(rules)  # replaced, not piled up


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode()


def test_formula_like_customer_text_is_written_as_text(tmp_path):
    names = ["=1+1", "@SUM(A1)", "+6281234567", "-", "-Toko Minus"]
    rows = [customer(i + 1, **{"Nama Pelanggan": n}) for i, n in enumerate(names)]
    tpl = tmp_path / "pesan.j2"
    tpl.write_text("{{ name }}", encoding="utf-8")  # the message starts with the name
    path = write_book(tmp_path / "b.xlsx", rows)
    code, _, err = run_cli("send", path, "--yes", "--template", tpl, "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert "<f>" not in _sheet_xml(path)  # not one formula anywhere in the sheet
    assert column_values(path, "Pesan", range(2, 7)) == names
    assert column_values(path, "Nama Pelanggan", range(2, 7)) == names
    cols, ws = read_sheet(path)
    assert all(ws.cell(r, cols["Pesan"]).data_type == "s" for r in range(2, 7))


def test_template_code_in_a_name_is_written_literally(tmp_path):
    rows = [customer(1, **{"Nama Pelanggan": "Toko {{ 7*7 }} Jaya"})]
    path = write_book(tmp_path / "b.xlsx", rows)
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    pesan = column_values(path, "Pesan", [2])[0]
    assert "Toko {{ 7*7 }} Jaya" in pesan and "49" not in pesan


def test_first_write_keeps_a_backup_that_later_writes_do_not_touch(tmp_path):
    path = write_book(tmp_path / "b.xlsx", _rows())
    original = path.read_bytes()
    run_cli("mark", path)
    backup = backup_path(path)
    assert backup.read_bytes() == original
    run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert backup.read_bytes() == original
    assert not [p for p in tmp_path.iterdir() if re.match(r"\.~tagihlite-", p.name)]


def test_other_sheets_and_widths_survive_a_send(tmp_path):
    path = write_book(tmp_path / "b.xlsx", _rows(), template_lines=["Halo {{ name }}"])
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0].column_dimensions["B"].width = 33
    wb.create_sheet("Rekap")["A1"] = "=COUNTA(Tagihan!B:B)"
    wb.save(path)
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Tagihan", "Template", "Rekap"]
    assert wb["Rekap"]["A1"].value == "=COUNTA(Tagihan!B:B)"
    assert wb["Template"]["A3"].value == "Halo {{ name }}"
    assert wb["Tagihan"].column_dimensions["B"].width == 33
    assert column_values(path, "Pesan", [2]) == ["Halo Toko Fiktif 1"]


def test_second_number_in_a_cell_is_noted_in_catatan(tmp_path):
    rows = [customer(1, **{"No WhatsApp": "0761-31234 / 0812-7000-0001"})]
    path = write_book(tmp_path / "b.xlsx", rows)
    assert run_cli("mark", path)[0] == 0
    assert column_values(path, "Status Kirim", [2]) == [Status.READY]
    note = column_values(path, "Catatan", [2])[0]
    assert "+6281270000001" in note and "+6276131234" in note
