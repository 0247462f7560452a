"""Atur Kolom on the memory engine: the mapping a clerk picks is stored in the workbook
(sheet Pengaturan) and wins over guessing, in Excel and on the command line."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite.cli import main
from tagihlite.core.colmap import MAPPING_SHEET
from tagihlite.core.vocab import Status
from tagihlite.excel import columns as excel_columns

HEADERS = ["No", "Nama", "INET", "Total", "HP 1", "HP 2"]


def _tied(path: Path) -> Path:
    """Two phone columns that look alike: TagihLite must not pick one by itself."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(["DAFTAR TUNGGAKAN (DATA FIKTIF)"])
    ws.append(HEADERS)
    for i in range(1, 6):
        ws.append([i, f"Toko Fiktif {i}", f"1412345{i:05d}", 150000 + i,
                   f"0812-7000-{i:04d}", f"0813-5500-{i:04d}"])
        ws.cell(ws.max_row, 3).number_format = "@"
    wb.save(path)
    return path


def run_cli(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


class Clerk:
    """The person at the Atur Kolom window: answers once, remembers what was shown."""

    def __init__(self, answer: dict[str, str] | None) -> None:
        self.answer = answer
        self.shown: list[dict[str, Any]] = []

    def __call__(self, **question: Any) -> dict[str, str] | None:
        self.shown.append(question)
        return self.answer


def _criticals(xl: MemoryExcel) -> list[str]:
    return [a["prompt"] for a in xl.alerts if a["mode"] == "critical"]


def test_a_tie_sends_the_clerk_to_atur_kolom_and_the_choice_wins(
        xl: MemoryExcel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xl.open(_tied(tmp_path / "tagihan.xlsx"))
    tx.on_ribbon("tl_check")
    (message,) = _criticals(xl)
    assert "'HP 1' dan 'HP 2' sama-sama cocok" in message
    assert "Atur Kolom" in message and "[columns]" not in message

    clerk = Clerk({"name": "Nama", "customer_id": "INET", "amount": "Total",
                   "phone": "HP 1", "paid_status": ""})
    monkeypatch.setattr(excel_columns, "_ask_columns", clerk)
    # The sheet names no period: the clerk answers the period question (its own tests:
    # tests/excel/test_excel_period.py).
    from tagihlite.excel import actions as excel_actions

    monkeypatch.setattr(excel_actions, "_ask_period", lambda **kw: "2026-11")
    tx.on_ribbon("tl_columns")
    assert len(_criticals(xl)) == 1  # only Periksa Data's
    (shown,) = clerk.shown
    assert shown["sheet"] == "Tagihan" and shown["headers"] == HEADERS
    assert shown["current"] == {"name": "Nama", "customer_id": "INET", "amount": "Total"}
    assert [f[0] for f in shown["fields"] if f[2]] == ["name", "customer_id", "amount",
                                                       "phone"]
    assert xl.value(MAPPING_SHEET, "C4") == "name"
    assert xl.value(MAPPING_SHEET, "D7") == "HP 1"

    xl.activate("Tagihan")
    tx.on_ribbon("tl_mark")
    assert len(_criticals(xl)) == 1
    assert xl.value("Tagihan", "G2") == "Status Kirim"
    assert xl.value("Tagihan", "G3") == Status.READY

    # the command line reads the same stored mapping from the saved file
    saved = xl.save(tmp_path / "saved.xlsx")
    code, out, err = run_cli("check", saved, "--json", "--period", "2026-11")
    assert code == 0, err
    cols = json.loads(out)["columns"]
    assert cols["phone"] == {"header": "HP 1", "column": "E", "how": "mapping"}
    assert json.loads(out)["rows"][0]["phone"] == "+6281270000001"


def test_choosing_again_replaces_and_cancel_changes_nothing(
        xl: MemoryExcel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xl.open(_tied(tmp_path / "tagihan.xlsx"))
    answer = {"name": "Nama", "customer_id": "INET", "amount": "Total", "phone": "HP 2"}
    monkeypatch.setattr(excel_columns, "_ask_columns", Clerk(answer))
    tx.on_ribbon("tl_columns")
    monkeypatch.setattr(excel_columns, "_ask_columns", Clerk({**answer, "phone": "HP 1"}))
    tx.on_ribbon("tl_columns")
    values = [xl.value(MAPPING_SHEET, f"D{r}") for r in range(4, 9)]
    assert values == ["Nama", "INET", "Total", "HP 1", None]  # one line per field

    clerk = Clerk(None)
    monkeypatch.setattr(excel_columns, "_ask_columns", clerk)
    tx.on_ribbon("tl_columns")
    assert clerk.shown[0]["current"]["phone"] == "HP 1"  # the stored choice shown
    assert xl.value(MAPPING_SHEET, "D7") == "HP 1"
    assert any("dibatalkan" in str(s) for s in xl.status_texts)


def test_a_required_field_left_out_is_refused(xl: MemoryExcel, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    xl.open(_tied(tmp_path / "tagihan.xlsx"))
    monkeypatch.setattr(excel_columns, "_ask_columns", Clerk({"name": "Nama"}))
    tx.on_ribbon("tl_columns")
    (message,) = _criticals(xl)
    assert "Nomor Indibiz, Jumlah Tagihan, No WhatsApp wajib dipilih" in message
    assert MAPPING_SHEET not in [s.name for s in xl.app.books[0].sheets]
