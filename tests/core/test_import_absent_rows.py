"""Rows missing from a fresh export are held back until the clerk clears their Catatan."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tagihlite.cli import main
from tagihlite.core import columns as C
from tagihlite.core.vocab import ABSENT_PREFIX, Status
from tagihlite.workbook.demo import demo_rows


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().out


HEADERS = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp",
           "Status Bayar", "Periode"]


def _book(path: Path, rows: list[dict], title: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    for _ in range(3):
        ws.append([title])  # title rows: the table starts on row 4, data on row 5
    ws.append(HEADERS)
    for row in rows:
        ws.append([row[h] for h in HEADERS])
        ws.cell(ws.max_row, 2).number_format = "@"
    wb.save(path)
    return path


def _unpaid_customers() -> list[dict]:
    return [r for r in demo_rows() if r["Status Bayar"] != "LUNAS"
            and r["No WhatsApp"].startswith("08")][:4]


def _row5(capsys: pytest.CaptureFixture[str], book: Path) -> dict:
    code, out = _run(capsys, "check", book, "--json")
    assert code == 0
    return next(r for r in json.loads(out)["rows"] if r["row"] == 5)


def test_absent_row_is_not_sent_after_mark_until_the_note_is_cleared(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    customers = _unpaid_customers()
    book = _book(tmp_path / "tagihan.xlsx", customers, "Daftar tunggakan (fiktif)")
    source = _book(tmp_path / "ekspor.xlsx", customers[1:])
    code, _ = _run(capsys, "import", source, book, "--into", "Tagihan")
    assert code == 0

    row = _row5(capsys, book)  # the first customer, missing from the export
    assert (row["eligible"], row["reason_code"]) == (False, "absent_from_import")
    assert row["reason"].startswith(ABSENT_PREFIX)

    assert _run(capsys, "mark", book)[0] == 0  # mark must not wipe the import's note
    ws = openpyxl.load_workbook(book)["Tagihan"]
    headers = {c.value: c.column for c in ws[4]}
    assert ws.cell(5, headers[C.NOTE]).value.startswith(ABSENT_PREFIX)
    assert ws.cell(5, headers[C.STATUS]).value == Status.SKIPPED

    code, _ = _run(capsys, "send", book, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0
    sent = [json.loads(line)["row"] for line in
            (tmp_path / "ob" / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert 5 not in sent and sent

    wb = openpyxl.load_workbook(book)  # the clerk confirms the bill is still open
    wb["Tagihan"].cell(5, headers[C.NOTE]).value = None
    wb.save(book)
    assert _row5(capsys, book)["eligible"] is True
