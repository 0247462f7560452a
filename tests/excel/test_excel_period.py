"""Issue 9: a sheet without a period makes the ribbon ask for one (this month pre-filled),
never silently use today's month; the window itself is tested under Xvfb."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite import clock
from tagihlite.core.vocab import Status
from tagihlite.excel import actions as excel_actions
from tagihlite.journal.sqlite import Journal
from tagihlite.settings import load


def _pasted(xl: MemoryExcel, addin_xlsm: Path, title: str | None = None) -> None:
    book = xl.open(addin_xlsm)
    sheet = book.sheets.add("Tempel", after=book.sheets[-1])
    if title:
        sheet.range("A1").value = title
    sheet.range("C3").value = [["Nama", "No Internet", "Nominal", "No HP"],
                               ["Toko A", "'0123", 150000, "'081270001001"]]
    sheet.activate()


def test_send_asks_for_the_period_and_keys_with_the_answer(
        xl: MemoryExcel, addin_xlsm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pasted(xl, addin_xlsm)
    asked: list[dict] = []
    answers = iter(["abc", "Oktober 2026"])  # a typo is asked again, with the reason
    monkeypatch.setattr(excel_actions, "_ask_period",
                        lambda **kw: asked.append(kw) or next(answers))
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    assert [a["default"] for a in asked] == [f"{clock.today():%Y-%m}"] * 2
    assert asked[0]["note"] == "" and "'abc'" in asked[1]["note"]
    assert xl.value("Tempel", "G4") == Status.QUEUED
    with Journal(load().journal_file) as journal:
        assert list(journal.entries()) == ["0123|2026-10|1"]


def test_cancel_writes_nothing(xl: MemoryExcel, addin_xlsm: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    _pasted(xl, addin_xlsm)
    monkeypatch.setattr(excel_actions, "_ask_period", lambda **kw: None)
    tx.on_ribbon("tl_mark")
    assert xl.value("Tempel", "G3") is None
    assert "periode tagihan tidak diisi" in xl.alerts[-1]["prompt"]


def test_title_line_answers_so_nothing_is_asked(xl: MemoryExcel, addin_xlsm: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _pasted(xl, addin_xlsm, title="Periode: November 2026")

    def never(**kw: object) -> str:
        raise AssertionError("asked although the title says the period")

    monkeypatch.setattr(excel_actions, "_ask_period", never)
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    with Journal(load().journal_file) as journal:
        assert list(journal.entries()) == ["0123|2026-11|1"]


def test_the_period_window_for_real(gui_display: str, tmp_path: Path) -> None:
    script = ("import json; from tagihlite.excel.period_window import ask_period; "
              "print(json.dumps(ask_period(default='2026-12', message='Periode?')))")
    env = {"DISPLAY": gui_display, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name",
                                    "^Periode tagihan$"], env=env, capture_output=True,
                                   text=True, timeout=20).stdout.split()
            if found:
                break
            time.sleep(0.1)
        assert found, proc.communicate(timeout=5)
        time.sleep(0.3)
        subprocess.run(["xdotool", "windowactivate", "--sync", found[-1]], env=env,
                       capture_output=True, timeout=20)
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=20)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.strip() == '"2026-12"'  # Enter accepts the pre-filled current month


def test_ribbon_fails_closed_when_the_users_store_is_missing(
        xl: MemoryExcel, addin_xlsm: Path, tmp_path: Path) -> None:
    """Issue 9: logins once enabled for this journal; a private settings file points at a
    missing users store: the ribbon refuses with the sentence and writes nothing."""
    import os

    from tagihlite.auth.users import add_user

    add_user(load(), "Siti", "supervisor", "Supervisor#2026")
    Path(os.environ["TAGIHLITE_CONFIG"]).write_text(
        f'[auth]\nusers_path = "{tmp_path / "hilang.sqlite"}"\n', encoding="utf-8")
    xl.open(addin_xlsm)
    before = dict(xl.cells("Tagihan"))
    tx.on_ribbon("tl_mark")
    assert "Demi keamanan semua tindakan ditolak" in xl.alerts[-1]["prompt"]
    assert xl.cells("Tagihan") == before  # nothing written
