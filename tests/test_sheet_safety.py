"""What the sheet itself says is respected: sent statuses, data right of the table,
held-back rows, bills of different periods."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tagihlite.cli import main
from tagihlite.core import columns as C
from tagihlite.core.vocab import ABSENT_PREFIX, JournalState, Status
from tagihlite.journal.sqlite import Journal
from tagihlite.settings import Settings

HEADERS = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp", "Periode"]


def _book(path: Path, rows: list[list], extra_headers: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append([*HEADERS, *extra_headers])
    for row in rows:
        ws.append(row)
        ws.cell(ws.max_row, 2).number_format = "@"
    wb.save(path)
    return path


def _customer(i: int, period: str = "2026-11") -> list:
    return [f"Toko Fiktif {i}", f"14123450000{i}", 100_000 * i, f"0812-7000-100{i}", period]


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _rows(capsys: pytest.CaptureFixture[str], book: Path) -> dict[int, dict]:
    code, out, _ = _run(capsys, "check", book, "--json")
    assert code == 0
    return {r["row"]: r for r in json.loads(out)["rows"]}


def test_a_row_the_sheet_says_was_sent_is_not_sent_from_another_journal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sent_at = "28-11-2026 09:15"
    book = _book(tmp_path / "t.xlsx",
                 [[*_customer(1), Status.SUBMITTED, sent_at, "Sari", "WhatsApp Web"],
                  [*_customer(2), Status.NEEDS_CHECK, None, None, None],
                  [*_customer(3), Status.FAILED, None, None, None],
                  [*_customer(4), None, None, None, None]],
                 extra_headers=(C.STATUS, C.SENT_AT, C.SENT_BY, C.CHANNEL))
    rows = _rows(capsys, book)  # this computer's journal is empty
    assert [rows[r]["reason_code"] for r in (2, 3)] == ["already_sent", "already_sent"]
    assert "Status Kirim" in rows[2]["reason"]
    assert rows[4]["eligible"] and rows[5]["eligible"]  # GAGAL may be retried; blank is new

    code, _, _ = _run(capsys, "send", book, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0
    sent = [json.loads(line)["row"] for line in
            (tmp_path / "ob" / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(sent) == [4, 5]
    ws = openpyxl.load_workbook(book)["Tagihan"]
    assert [ws.cell(2, c).value for c in (6, 7, 8, 9)] == [Status.SUBMITTED, sent_at, "Sari",
                                                           "WhatsApp Web"]  # untouched
    assert ws.cell(3, 6).value == Status.NEEDS_CHECK


def test_new_columns_never_land_on_data_right_of_the_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path / "t.xlsx", [_customer(1), _customer(2)])
    wb = openpyxl.load_workbook(book)
    wb["Tagihan"]["F3"] = "catatan pribadi"  # no header: not part of the table
    wb.save(book)
    before = book.read_bytes()
    code, _, err = _run(capsys, "mark", book)
    assert code == 2
    assert "F3" in err and "Status Kirim" in err and "Traceback" not in err
    assert book.read_bytes() == before


def test_held_back_row_stays_held_even_after_a_failed_attempt(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = f"{ABSENT_PREFIX} 28-11-2026: kemungkinan sudah lunas. Periksa sebelum mengirim."
    book = _book(tmp_path / "t.xlsx", [[*_customer(1), note]], extra_headers=(C.NOTE,))
    with Journal(Settings().journal_file) as journal:
        journal.acquire_run_lock()
        assert journal.begin("141234500001|2026-11|1", channel="outbox", operator="uji",
                             message="m", phone="+6281270001001", amount=100_000)
        journal.finish("141234500001|2026-11|1", JournalState.FAILED, note="ditolak")
        journal.release_run_lock()
    assert _run(capsys, "mark", book)[0] == 0
    assert openpyxl.load_workbook(book)["Tagihan"]["F2"].value == note
    assert _rows(capsys, book)[2]["reason_code"] == "absent_from_import"


def test_two_periods_of_one_customer_are_two_bills_but_a_repeat_is_a_duplicate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path / "t.xlsx", [_customer(1, "2026-10"), _customer(1, "2026-11"),
                                       _customer(1, "2026-11")])
    rows = _rows(capsys, book)
    assert [rows[r]["reason_code"] for r in (2, 3, 4)] == [None, None, "duplicate"]
    code, out, _ = _run(capsys, "report", book, "--json")
    assert code == 0 and json.loads(out)["outstanding"] == 200_000  # the repeat is one bill


def test_sheet_opened_in_excel_during_a_send_still_reports_what_was_sent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tagihlite.channels.outbox import OutboxChannel

    book = _book(tmp_path / "t.xlsx", [_customer(1), _customer(2)])
    close = OutboxChannel.close

    seen = []

    def clerk_opens_the_file_meanwhile(self: OutboxChannel) -> None:
        (tmp_path / "~$t.xlsx").write_text("owner")  # what Excel leaves while it has it open
        seen.append(book.read_bytes())  # (rows were claimed in the file before sending)
        close(self)

    monkeypatch.setattr(OutboxChannel, "close", clerk_opens_the_file_meanwhile)
    code, out, err = _run(capsys, "send", book, "--yes", "--outbox", tmp_path / "ob")
    assert code == 1
    assert "Selesai: 2 diproses" in out  # the clerk still learns what went out
    assert "tagihlite mark" in err and "Traceback" not in err
    assert book.read_bytes() == seen[0]  # not written while Excel had it open
    (tmp_path / "~$t.xlsx").unlink()  # Excel closed: mark writes the journal's truth
    assert _run(capsys, "mark", book)[0] == 0
    assert openpyxl.load_workbook(book)["Tagihan"]["F2"].value == Status.QUEUED
