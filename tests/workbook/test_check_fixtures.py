"""End to end: ``tagihlite check FIXTURE --json`` on the ugly fixtures, per-row verdicts.

These run the lead's parsing rules on real openpyxl- and LibreOffice-written files, so they
double as tests of those rules (customer numbers, amounts, paid statuses, phones, duplicates).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from file_shell_helpers import FIXTURES, fixture_copy, sha256

from tagihlite.cli import main


def _reject_constant(name: str) -> None:
    raise ValueError(f"not valid JSON: {name}")


def check_json(capsys, path: Path, *extra: str) -> dict:
    code = main(["check", str(path), "--json", *extra])
    out = capsys.readouterr().out
    assert code == 0
    # strict JSON for other tooling: NaN/Infinity are not JSON
    return json.loads(out, parse_constant=_reject_constant)


# Excel row -> expected reason code (None = eligible) for the ugly list.
UGLY_VERDICTS = {
    5: None, 6: None, 7: None, 8: None, 9: "paid", 10: None, 11: "phone_not_mobile",
    12: "phone_missing", 13: "amount_zero", 14: "amount_invalid", 16: "amount_invalid",
    17: None, 18: None, 19: None, 20: None, 21: None, 22: "duplicate", 23: "phone_invalid",
    24: "paid", 25: "paid",
}


@pytest.mark.parametrize("name", ["ugly.xlsx", "lo_ugly.xlsx", "lo_ugly.xls", "lo_ugly.ods"])
def test_ugly_list_verdicts(capsys, name: str) -> None:
    data = check_json(capsys, FIXTURES / name)
    assert data["sheet"] == "Tagihan" and data["header_row"] == 4
    rows = {r["row"]: r for r in data["rows"]}
    assert {n: r["reason_code"] for n, r in rows.items()} == UGLY_VERDICTS
    for r in rows.values():
        assert r["eligible"] is (r["reason_code"] is None)
        assert (r["reason"] is None) is r["eligible"]
    # customer numbers: Excel's float back to digits; text keeps its leading zero
    assert rows[5]["customer_id"] == "141234567891"
    assert rows[6]["customer_id"] == "0141234567892"
    # amounts from numbers and every text style
    assert [rows[n]["amount"] for n in (5, 6, 7, 8, 9)] == [750000, 750000, 2500000, 1150000,
                                                            1250000]
    assert rows[13]["amount"] == 0 and rows[14]["amount"] is None
    # phones: 62..., +62 812-..., lost leading 0 (number and text), first of two
    assert rows[6]["phone"] == "+6281200000002"
    assert rows[7]["phone"] == "+6281200000003"
    assert rows[8]["phone"] == "+6281200000004"
    assert rows[9]["phone"] == "+6281200000005"
    assert rows[10]["phone"] == "+6281200000006"
    assert rows[11]["phone"] is None and rows[12]["phone"] is None
    # paid statuses: LUNAS / PAID / SUDAH BAYAR paid; BELUM ..., UNPAID and blank unpaid
    assert [n for n, r in rows.items() if r["paid"]] == [9, 24, 25]
    # customer data is data
    assert rows[17]["name"] == "Toko {{ 7*7 }} Jaya"
    assert rows[18]["name"] == "=Toko Formula"
    assert data["summary"]["eligible"] == 10


@pytest.mark.parametrize("name", ["table.xlsx", "lo_table.xlsx"])
def test_excel_table_verdicts(capsys, name: str) -> None:
    data = check_json(capsys, FIXTURES / name)
    assert data["sheet"] == "Data Tunggakan" and data["header_row"] == 3
    verdicts = {r["row"]: r["reason_code"] for r in data["rows"]}
    assert verdicts == {4: None, 5: "paid", 6: None, 7: "phone_missing", 8: None}
    assert data["rows"][0]["customer_id"] == "0141234560001"


@pytest.mark.parametrize("name", ["semicolon_cp1252.csv", "comma_utf8.csv"])
def test_csv_verdicts(capsys, name: str) -> None:
    data = check_json(capsys, FIXTURES / name, "--period", "2026-11")
    rows = data["rows"]
    assert [r["reason_code"] for r in rows] == [None, "paid"]
    assert rows[0]["name"] == "Café Kenari Fiktif"
    assert rows[0]["amount"] == 1250000 and rows[1]["amount"] == 750000
    assert rows[0]["customer_id"] == "0141234561001"


def test_sheet_option(capsys) -> None:
    data = check_json(capsys, FIXTURES / "two_tables.xlsx", "--sheet", "Des 2026")
    assert data["sheet"] == "Des 2026" and len(data["rows"]) == 1


@pytest.mark.parametrize("name", ["truncated.xlsx", "corrupt.xlsx", "empty.xlsx",
                                  "html_export.xls", "password.xlsx", "not_a_workbook.xls",
                                  "two_tables.xlsx", "no_table.xlsx"])
def test_unusable_input_exit_2_one_sentence(tmp_path: Path, capsys, name: str) -> None:
    path = fixture_copy(tmp_path, name)
    before = sha256(path)
    assert main(["check", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert name in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert sha256(path) == before
