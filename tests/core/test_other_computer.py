"""Issue 9, "another computer, another period": the sheet's sent-status blocks a row
whenever this journal has no entry for that row's own key. Levels are forced (--level 1):
the dates here are not what the test is about."""

from __future__ import annotations

import json
import shutil

from core_helpers import customer, read_sheet, run_cli, write_book


def _statuses(path):
    cols, ws = read_sheet(path)
    return [ws.cell(r, cols["Status Kirim"]).value for r in (2, 3)]


def test_second_computer_that_sent_another_period_does_not_resend(tmp_path, monkeypatch):
    a_book = write_book(tmp_path / "w.xlsx", [customer(1, Periode="2026-12"),
                                               customer(2, Periode="2026-12")])
    monkeypatch.setenv("TAGIHLITE_HOME", str(tmp_path / "pc-a"))
    assert run_cli("send", a_book, "--yes", "--level", "1")[0] == 0
    assert _statuses(a_book) == ["MENUNGGU", "MENUNGGU"]
    _earlier(a_book)  # A sent an hour before B's run (tests run within one second)

    # Computer B: its own app folder; it first sends November for the same customers...
    monkeypatch.setenv("TAGIHLITE_HOME", str(tmp_path / "pc-b"))
    nov = write_book(tmp_path / "nov.xlsx", [customer(1, Periode="2026-11"),
                                              customer(2, Periode="2026-11")])
    assert run_cli("send", nov, "--yes", "--level", "1")[0] == 0
    # ... then opens A's December workbook: the sheet says MENUNGGU, B's journal has no
    # December entry, so nothing goes out again.
    copy = shutil.copy(a_book, tmp_path / "w-b.xlsx")
    code, out, _ = run_cli("check", copy, "--json", "--level", "1")
    rows = json.loads(out)["rows"]
    assert [r["reason_code"] for r in rows] == ["already_sent", "already_sent"]
    code, out, err = run_cli("send", copy, "--yes", "--level", "1")
    assert code == 0, err
    assert not (tmp_path / "pc-b" / "outbox" / "outbox.jsonl").read_text(
        encoding="utf-8").count("|2026-12|")
    assert _statuses(copy) == ["MENUNGGU", "MENUNGGU"]  # the sheet's word is kept


def test_this_journals_earlier_period_or_level_is_its_own_projection(tmp_path):
    """The same PC sends December over a sheet that shows its own November status."""
    book = write_book(tmp_path / "w.xlsx", [customer(1, Periode=None)])
    assert run_cli("send", book, "--yes", "--level", "1", "--period", "2026-11")[0] == 0
    _, out, _ = run_cli("check", book, "--json", "--level", "1", "--period", "2026-12")
    assert json.loads(out)["rows"][0]["eligible"]
    _earlier(book)  # a Waktu Kirim this journal never wrote: someone else's send
    _, out, _ = run_cli("check", book, "--json", "--level", "1", "--period", "2026-12")
    assert json.loads(out)["rows"][0]["reason_code"] == "already_sent"


def _earlier(path):
    import datetime as dt

    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = [c.value for c in ws[1]].index("Waktu Kirim") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, col).value -= dt.timedelta(hours=1)
    wb.save(path)


def test_own_projection_still_lets_the_journal_decide(tmp_path):
    book = write_book(tmp_path / "w.xlsx", [customer(1)])
    assert run_cli("send", book, "--yes", "--level", "1")[0] == 0
    _, out, _ = run_cli("check", book, "--json", "--level", "1")
    row = json.loads(out)["rows"][0]
    assert row["reason_code"] == "already_sent" and "Status Kirim" not in row["reason"]
