"""Finding the table and judging each row, on real workbook files (issue 2, "Reading")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from core_helpers import HEADER, customer, run_cli, write_book

from tagihlite.core.ledger import build
from tagihlite.errors import InputError
from tagihlite.workbook.file import read_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# The ugly fixture (tests/fixtures/make_fixtures.py): header on row 4, a blank row between
# the 10th and 11th customer, a TOTAL row at the end. No -> expected verdict.
UGLY = {
    1: ("141234567891", "+6281200000001", 750000, False, None),
    2: ("0141234567892", "+6281200000002", 750000, False, None),
    3: ("141234567893", "+6281200000003", 2500000, False, None),
    4: ("141234567894", "+6281200000004", 1150000, False, None),
    5: ("141234567895", "+6281200000005", 1250000, True, "paid"),
    6: ("141234567896", "+6281200000006", 500000, False, None),
    7: ("141234567897", None, 900000, False, "phone_not_mobile"),
    8: ("141234567898", None, 650000, False, "phone_missing"),
    9: ("141234567899", "+6281200000009", 0, False, "amount_zero"),
    10: ("141234567810", "+6281200000010", None, False, "amount_invalid"),
    11: ("141234567811", "+6281200000011", None, False, "amount_invalid"),
    12: ("141234567812", "+6281200000012", 425000, False, None),
    17: ("141234567891", "+6281200000001", 750000, False, "duplicate"),
    18: ("141234567818", None, 275000, False, "phone_invalid"),
    19: ("141234567819", "+6281200000019", 800000, True, "paid"),
    20: ("141234567820", "+6281200000020", 350000, True, "paid"),
}


def _excel_row(no: int) -> int:
    return 4 + no + (1 if no > 10 else 0)


@pytest.mark.parametrize("fixture", ["ugly.xlsx", "lo_ugly.xlsx"])
def test_ugly_workbook_verdicts(tmp_path, fixture):
    """openpyxl's and LibreOffice's renderings of the same ugly list give the same verdicts."""
    path = shutil.copy(FIXTURES / fixture, tmp_path / fixture)
    t = read_table(path)
    assert (t.sheet, t.header_row) == ("Tagihan", 4)
    led = build(t)
    by_row = {r.row: r for r in led.rows()}
    assert sorted(by_row) == [_excel_row(n) for n in range(1, 21)]  # no blank, no TOTAL row
    for no, (cid, phone, amount, paid, code_) in UGLY.items():
        r = by_row[_excel_row(no)]
        assert (r.customer_id, r.phone, r.amount, r.paid) == (cid, phone, amount, paid), no
        assert r.eligible is (code_ is None), no
        assert r.reason_code == code_, no
        if code_ is not None:
            assert r.reason and isinstance(r.reason, str), no
    assert str(_excel_row(1)) in by_row[_excel_row(17)].reason  # names the first row
    assert by_row[_excel_row(6)].phone_note  # the second number is noted


def test_check_json_on_ugly_workbook(tmp_path):
    path = shutil.copy(FIXTURES / "ugly.xlsx", tmp_path / "ugly.xlsx")
    code, out, err = run_cli("check", path, "--json")
    assert code == 0, err
    by_row = {r["row"]: r for r in json.loads(out)["rows"]}
    for no, (cid, phone, amount, paid, code_) in UGLY.items():
        r = by_row[_excel_row(no)]
        assert (r["customer_id"], r["phone"], r["amount"], r["paid"], r["eligible"],
                r["reason_code"]) == (cid, phone, amount, paid, code_ is None, code_)


def test_header_found_below_title_and_blank_rows(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [customer(1), customer(2)], header_row=12)
    t = read_table(path)
    assert (t.header_row, t.row_numbers) == (12, [13, 14])


def test_header_below_row_30_is_not_searched(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [customer(1)], header_row=31)
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "30" in str(exc.value)


def test_header_aliases_are_case_space_and_punctuation_insensitive(tmp_path):
    header = ["no.", "NAMA  PELANGGAN", "id_pelanggan", "Total Tagihan (Rp)", "No. HP",
              "status pembayaran"]
    rows = [[1, "Toko A", "141234500001", "Rp 250.000", "0812-7000-0001", "belum lunas"]]
    path = write_book(tmp_path / "b.xlsx", rows, header=header)
    try:
        t = read_table(path)
    except InputError:  # "Total Tagihan (Rp)" is not an alias: use the plain one
        header[3] = "TOTAL TAGIHAN"
        t = read_table(write_book(tmp_path / "c.xlsx", rows, header=header))
    led = build(t, fallback_period="2026-11")
    r = led.row(0)
    assert (r.customer_id, r.amount, r.phone, r.eligible) == (
        "141234500001", 250000, "+6281270000001", True)


def test_bare_no_column_is_a_counter_not_the_customer_number(tmp_path):
    header = ["NO", "Nama", "Nomor Indibiz", "Tagihan", "No WA"]
    rows = [[7, "Toko A", "141234500001", 250000, "081270000001"]]
    t = read_table(write_book(tmp_path / "b.xlsx", rows, header=header))
    assert build(t, fallback_period="2026-11").row(0).customer_id == "141234500001"


def test_missing_columns_are_named(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [["Toko A", 250000]], header=["Nama", "Tagihan"])
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "Nomor Indibiz" in str(exc.value) and "No WhatsApp" in str(exc.value)


def test_duplicate_customer_first_row_wins(tmp_path):
    rows = [customer(1), customer(2), customer(3, **{"Nomor Indibiz": "141234500001"})]
    t = read_table(write_book(tmp_path / "b.xlsx", rows))
    led = build(t)
    assert list(led["eligible"]) == [True, True, False]
    assert led.row(2).reason_code == "duplicate"
    assert "baris 2" in led.row(2).reason


def test_duplicate_of_a_paid_row_is_still_a_duplicate(tmp_path):
    rows = [customer(1, **{"Status Bayar": "LUNAS"}),
            customer(2, **{"Nomor Indibiz": "141234500001"})]
    led = build(read_table(write_book(tmp_path / "b.xlsx", rows)))
    assert list(led["reason_code"]) == ["paid", "duplicate"]


def test_total_and_blank_rows_are_skipped(tmp_path):
    rows = [customer(1), [None] * len(HEADER), customer(2),
            [None, "TOTAL", None, "=SUM(D2:D4)", None, None, None, None]]
    t = read_table(write_book(tmp_path / "b.xlsx", rows))
    assert t.row_numbers == [2, 4]


def test_excel_table_is_used(tmp_path):
    path = shutil.copy(FIXTURES / "table.xlsx", tmp_path / "table.xlsx")
    t = read_table(path)
    assert (t.sheet, t.header_row, t.first_col, t.table_name) == (
        "Data Tunggakan", 3, 2, "TblTunggakan")
    assert t.row_numbers == [4, 5, 6, 7, 8]
    assert build(t).row(0).customer_id == "0141234560001"


def test_sheet_is_picked_when_only_one_has_a_table(tmp_path):
    import openpyxl

    path = write_book(tmp_path / "b.xlsx", [customer(1)], sheet="Data")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Catatan", 0)["A1"] = "catatan bebas"
    wb.save(path)
    assert read_table(path).sheet == "Data"


def test_two_tables_need_sheet_option(tmp_path):
    path = shutil.copy(FIXTURES / "two_tables.xlsx", tmp_path / "two.xlsx")
    code, out, err = run_cli("check", path, "--json")
    assert code == 2 and out == ""
    assert "--sheet" in err and "Traceback" not in err
    code, out, err = run_cli("check", path, "--json", "--sheet", "Des 2026")
    assert code == 0, err
    assert json.loads(out)["sheet"] == "Des 2026"


def test_extra_columns_are_kept_untouched(tmp_path):
    header = [*HEADER, "Sales", "Keterangan"]
    rows = [[*customer(1), "Andi", "janji bayar"], [*customer(2), "Budi", None]]
    path = write_book(tmp_path / "b.xlsx", rows, header=header)
    code, _, err = run_cli("send", path, "--yes")
    assert code == 0, err
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]][:10] == header
    assert [ws.cell(2, 9).value, ws.cell(2, 10).value, ws.cell(3, 9).value] == [
        "Andi", "janji bayar", "Budi"]
    assert ws.cell(1, 11).value == "Status Kirim"  # new columns start right of the table


@pytest.mark.parametrize(("over", "code"), [
    ({"Status Bayar": "LUNAS"}, "paid"),
    ({"No WhatsApp": None}, "phone_missing"),
    ({"No WhatsApp": "0812"}, "phone_invalid"),
    ({"No WhatsApp": "0761-31234"}, "phone_not_mobile"),
    ({"Jumlah Tagihan": 0}, "amount_zero"),
    ({"Jumlah Tagihan": "belum tahu"}, "amount_invalid"),
])
def test_every_reason_code_has_indonesian_text(tmp_path, over, code):
    led = build(read_table(write_book(tmp_path / "b.xlsx", [customer(1, **over)])))
    r = led.row(0)
    assert (r.eligible, r.reason_code) == (False, code)
    assert len(r.reason) > 10 and r.reason.endswith(".")


def test_period_from_column_else_due_date_else_setting_never_this_month(tmp_path):
    import datetime as dt

    from tagihlite.core.ledger import PeriodMissing

    rows = [customer(1, Periode="Desember 2026"),
            customer(2, Periode=None, **{"Jatuh Tempo": dt.datetime(2027, 1, 5)}),
            customer(3, Periode=None)]
    with pytest.raises(PeriodMissing, match="baris 4"):  # issue 9: no silent today
        build(read_table(write_book(tmp_path / "b.xlsx", rows)))
    led = build(read_table(tmp_path / "b.xlsx"), fallback_period="2026-10")
    assert list(led["period"]) == ["2026-12", "2027-01", "2026-10"]
    assert led.row(0).key == "141234500001|2026-12|1"
    assert list(build(read_table(tmp_path / "b.xlsx"), period="2026-10", level=2)["key"]) == [
        f"1412345{i:05d}|2026-10|2" for i in (1, 2, 3)]


def test_legacy_xls_and_csv_are_read_but_never_written(tmp_path):
    from core_helpers import sha256

    xls = shutil.copy(FIXTURES / "lo_ugly.xls", tmp_path / "lo_ugly.xls")
    code, out, err = run_cli("check", xls, "--period", "2026-11")
    assert code == 0, err
    assert "Toko Sinar Jaya" in out
    csv = shutil.copy(FIXTURES / "comma_utf8.csv", tmp_path / "daftar.csv")
    assert run_cli("check", csv, "--period", "2026-11")[0] == 0
    for path in (xls, csv):
        before = sha256(path)
        code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob",
                               "--period", "2026-11")
        assert code == 2 and ".xlsx" in err and "Traceback" not in err
        assert sha256(path) == before
    assert not (tmp_path / "ob").exists()
