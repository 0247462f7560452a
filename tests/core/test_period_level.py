"""Issue 9: one spelling per bill (--period), only configured levels, and no silent
"this month" when the data names no period."""

from __future__ import annotations

import json

import pytest
from core_helpers import HEADER, customer, run_cli, write_book


def _keys(path, *extra):
    code, out, err = run_cli("check", path, "--json", *extra)
    assert code == 0, err
    return {r["row"]: r for r in json.loads(out)["rows"]}


@pytest.mark.parametrize("spelling", ["2026-12", "2026/12", "12/2026", "Desember 2026",
                                      "Des 2026", "202612", " desember  2026 "])
def test_every_accepted_period_spelling_is_one_key(tmp_path, spelling):
    path = write_book(tmp_path / "b.xlsx", [customer(1)])
    ob = tmp_path / "ob"
    assert run_cli("send", path, "--yes", "--outbox", ob, "--period", spelling,
                   "--level", "1")[0] == 0
    lines = (ob / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["key"] for x in lines] == ["141234500001|2026-12|1"]


def test_a_second_spelling_of_the_same_period_does_not_resend(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [customer(1)])
    ob = tmp_path / "ob"
    for spelling in ("2026/12", "Desember 2026", "12/2026"):
        assert run_cli("send", path, "--yes", "--outbox", ob, "--period", spelling,
                       "--level", "1")[0] == 0
    assert len((ob / "outbox.jsonl").read_text(encoding="utf-8").splitlines()) == 1


@pytest.mark.parametrize(("option", "value"), [
    ("--period", "abc"), ("--period", "2026-13"), ("--period", "13/2026"),
    ("--period", "1926-12"), ("--level", "7"), ("--level", "-5"), ("--level", "dua")])
def test_bad_period_or_level_is_refused_with_a_sentence(tmp_path, option, value):
    from core_helpers import sha256

    path = write_book(tmp_path / "b.xlsx", [customer(1)])
    before = sha256(path)
    for command in ("check", "send"):
        code, _, err = run_cli(command, path, "--yes" if command == "send" else "--json",
                                 option, value)
        assert code == 2
        assert f"'{value}'" in err and err.strip().endswith(".") and "Traceback" not in err
    assert sha256(path) == before


def test_reminder_level_setting_uses_the_configured_levels(tmp_path, monkeypatch):
    import os

    (tmp_path / "s.toml").write_text("reminder_level = 7\n", encoding="utf-8")
    monkeypatch.setitem(os.environ, "TAGIHLITE_CONFIG", str(tmp_path / "s.toml"))
    code, _, err = run_cli("check", write_book(tmp_path / "b.xlsx", [customer(1)]))
    assert code == 2 and "reminder_level" in err


NO_PERIOD = [h for h in HEADER if h not in ("Periode", "Jatuh Tempo")]


def _no_period_rows(n=2):
    return [customer(i)[:len(NO_PERIOD)] for i in range(1, n + 1)]


@pytest.mark.parametrize("title", ["Periode: November 2026", "BULAN TAGIHAN NOVEMBER 2026",
                                   "Daftar tunggakan Dumai - periode 11/2026",
                                   "Tagihan bulan Nov 2026"])
def test_period_from_the_title_lines(tmp_path, title):
    import openpyxl

    path = write_book(tmp_path / "b.xlsx", _no_period_rows(), header=NO_PERIOD, header_row=4)
    wb = openpyxl.load_workbook(path)
    wb.active["A2"] = title
    wb.save(path)
    rows = _keys(path)
    assert {r["row"]: r["eligible"] for r in rows.values()} == {5: True, 6: True}
    ob = tmp_path / "ob"
    assert run_cli("send", path, "--yes", "--outbox", ob)[0] == 0
    keys = [json.loads(x)["key"] for x in (ob / "outbox.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert keys == ["141234500001|2026-11|1", "141234500002|2026-11|1"]


def test_no_period_anywhere_is_refused_not_this_month(tmp_path):
    from core_helpers import sha256

    path = write_book(tmp_path / "b.xlsx", _no_period_rows(), header=NO_PERIOD)
    before = sha256(path)
    for command in ("check", "mark", "preview", "send", "report"):
        code, _, err = run_cli(command, path, *(["--yes"] if command == "send" else []))
        assert code == 2, (command, err)
        assert "Periode tagihan tidak diketahui" in err and "baris 2" in err
        assert "--period" in err and "Traceback" not in err
    assert sha256(path) == before
    assert _keys(path, "--period", "2026-10")[2]["eligible"]


def test_period_setting_covers_rows_without_one(tmp_path, monkeypatch):
    import os

    (tmp_path / "s.toml").write_text('period = "2026-10"\n', encoding="utf-8")
    monkeypatch.setitem(os.environ, "TAGIHLITE_CONFIG", str(tmp_path / "s.toml"))
    path = write_book(tmp_path / "b.xlsx", _no_period_rows(1), header=NO_PERIOD)
    ob = tmp_path / "ob"
    assert run_cli("send", path, "--yes", "--outbox", ob)[0] == 0
    assert "|2026-10|1" in (ob / "outbox.jsonl").read_text(encoding="utf-8")
    (tmp_path / "s.toml").write_text('period = "Oktober"\n', encoding="utf-8")
    code, _, err = run_cli("check", path)
    assert code == 2 and "period" in err
