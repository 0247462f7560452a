"""Issue 9, the file shell: two senders at once, kill -9 mid-send, write-back conflicts
found before the first message, a refused send leaves the file alone, leftover temp
files are cleaned up."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from tagihlite.cli import main
from tagihlite.core import columns as C
from tagihlite.core.ledger import SENT_STATUSES
from tagihlite.core.vocab import Status
from tagihlite.workbook.file import read_table
from tagihlite.workbook.lock import lock_path

HEADERS = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp", "Periode"]


def _book(path: Path, n: int = 3) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(HEADERS)
    for i in range(1, n + 1):
        ws.append([f"Toko Fiktif {i}", f"1412345{i:05d}", 100_000 + i, f"0812700{i:05d}",
                   "2026-11"])
        ws.cell(ws.max_row, 2).number_format = "@"
    wb.save(path)
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _outbox(folder: Path) -> list[int]:
    f = folder / "outbox.jsonl"
    if not f.exists():
        return []
    return [json.loads(x)["row"] for x in f.read_text(encoding="utf-8").splitlines() if x]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# -- two senders at once ----------------------------------------------------------------

def test_second_sender_from_another_computer_refuses_and_touches_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path / "t.xlsx")
    lock_path(book).write_text(json.dumps({"host": "PC-KASIR-2", "pid": 4242,
                                           "operator": "Sari", "sending": True,
                                           "since": "02-12-2026 09:00 WIB"}))
    before = book.read_bytes()
    code, _, err = _run(capsys, "send", book, "--yes", "--outbox", tmp_path / "ob")
    assert code == 2
    assert "PC-KASIR-2" in err and "Sari" in err and lock_path(book).name in err
    assert "Traceback" not in err
    assert book.read_bytes() == before and _outbox(tmp_path / "ob") == []
    code, _, err = _run(capsys, "mark", book)  # writes respect it too
    assert code == 2 and "PC-KASIR-2" in err and book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "ob") == [
        lock_path(book).name, "t.xlsx"]  # no backup, no temp file


def test_live_process_on_this_computer_holds_the_workbook(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path / "t.xlsx")
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_path(book).write_text(json.dumps({"host": socket.gethostname(), "pid": other.pid,
                                               "operator": "Budi", "sending": True}))
        before = book.read_bytes()
        code, _, err = _run(capsys, "send", book, "--yes", "--outbox", tmp_path / "ob")
        assert code == 2 and "Budi" in err and "sedang mengirim" in err
        assert book.read_bytes() == before
    finally:
        other.kill()
        other.wait()


def test_stale_lock_of_a_dead_process_is_taken_over(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path / "t.xlsx")
    lock_path(book).write_text(json.dumps({"host": socket.gethostname(), "pid": _dead_pid(),
                                           "operator": "Budi", "sending": True}))
    code, _, err = _run(capsys, "send", book, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert "Kunci lama" in err
    assert sorted(_outbox(tmp_path / "ob")) == [2, 3, 4]
    assert not lock_path(book).exists()  # released at the end


def test_two_real_senders_at_once_send_each_reminder_once(tmp_path: Path) -> None:
    """Two processes with their own app folders (two computers) on one workbook file."""
    book = _book(tmp_path / "t.xlsx", n=6)
    procs = []
    for name in ("a", "b"):
        home = tmp_path / f"home-{name}"
        home.mkdir()
        (home / "settings.toml").write_text("min_interval_seconds = 0.3\n")
        env = {**os.environ, "TAGIHLITE_HOME": str(home),
               "TAGIHLITE_CONFIG": str(home / "settings.toml")}
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "tagihlite", "send", str(book), "--yes", "--outbox",
             str(tmp_path / f"ob-{name}")], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True))
        time.sleep(0.2)
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    a, b = _outbox(tmp_path / "ob-a"), _outbox(tmp_path / "ob-b")
    assert sorted(a + b) == [2, 3, 4, 5, 6, 7]  # each once
    refused = [err for code, err in results if code == 2]
    # the usual race: the second refuses with a sentence; on a very slow machine the
    # second may start after the first finished, and then the sheet stops it instead
    assert (len(refused) == 1 and "sedang dipakai TagihLite lain" in refused[0]) or not (a and b)


# -- kill -9 mid-send ---------------------------------------------------------------------

def test_kill_9_mid_send_leaves_every_sent_row_marked(tmp_path: Path) -> None:
    book = _book(tmp_path / "t.xlsx", n=40)
    home = tmp_path / "home"
    home.mkdir()
    (home / "settings.toml").write_text("min_interval_seconds = 0.15\n")
    env = {**os.environ, "TAGIHLITE_HOME": str(home),
           "TAGIHLITE_CONFIG": str(home / "settings.toml")}
    proc = subprocess.Popen([sys.executable, "-m", "tagihlite", "send", str(book), "--yes",
                             "--outbox", str(tmp_path / "ob")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while len(_outbox(tmp_path / "ob")) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    sent = _outbox(tmp_path / "ob")
    assert 12 <= len(sent) < 40
    table = read_table(book)
    at = table.outputs[C.STATUS]
    status = {r: row[at] for r, row in zip(table.row_numbers, table.rows, strict=True)}
    for row in sent:
        assert status[row] in SENT_STATUSES, row  # PERLU CEK (claimed) or its outcome
    claimed_only = [r for r, s in status.items() if s == Status.NEEDS_CHECK and r not in sent]
    assert len(claimed_only) <= 40 - len(sent)
    # another computer (empty journal) sends none of them again
    other = tmp_path / "home2"
    other.mkdir()
    env2 = {**env, "TAGIHLITE_HOME": str(other),
            "TAGIHLITE_CONFIG": str(other / "settings.toml")}
    subprocess.run([sys.executable, "-m", "tagihlite", "send", str(book), "--yes",
                    "--outbox", str(tmp_path / "ob2")], env=env2, check=False,
                   capture_output=True, timeout=120)
    assert not set(_outbox(tmp_path / "ob2")) & set(sent)


def test_outcomes_are_written_during_the_run(tmp_path: Path, monkeypatch) -> None:
    """Claims come before the message; outcomes replace them as the run goes."""
    from tagihlite.channels.outbox import OutboxChannel
    from tagihlite.workbook import progress

    book = _book(tmp_path / "t.xlsx", n=12)
    monkeypatch.setattr(progress, "EVERY_SECONDS", 0.0)  # write after every row:
    monkeypatch.setattr(progress, "OVERHEAD", 1e9)  # no time budget in this test
    seen: dict[int, str] = {}
    send = OutboxChannel.send

    def look_first(self, reminder):
        t = read_table(book)  # what anyone opening the file sees right now
        col = t.outputs[C.STATUS]
        seen[reminder.row] = t.rows[t.row_numbers.index(reminder.row)][col]
        if reminder.row == 13:
            prev = t.rows[t.row_numbers.index(12)][col]
            seen[0] = prev
        return send(self, reminder)

    monkeypatch.setattr(OutboxChannel, "send", look_first)
    assert main(["send", str(book), "--yes", "--outbox", str(tmp_path / "ob")]) == 0
    assert all(seen[r] == Status.NEEDS_CHECK for r in range(2, 14))  # claimed before sent
    assert seen[0] == Status.QUEUED  # the previous row's outcome is already in the file


# -- conflicts found before the first message ----------------------------------------------

def _edit(book: Path, fn) -> Path:
    wb = openpyxl.load_workbook(book)
    fn(wb["Tagihan"])
    wb.save(book)
    return book


@pytest.mark.parametrize("case", ["merged", "note", "protected"])
def test_write_conflicts_refused_before_sending(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    book = _book(tmp_path / "t.xlsx")
    if case == "merged":
        _edit(book, lambda ws: ws.merge_cells("G2:H3"))  # empty merged cells right of it
        words = ["G2", "gabungan"]
    elif case == "note":
        _edit(book, lambda ws: setattr(ws["F3"], "comment", Comment("cek lagi", "Sari")))
        words = ["F3", "catatan"]
    else:
        def protect(ws):
            ws.protection.sheet = True
        _edit(book, protect)
        words = ["diproteksi"]
    before = book.read_bytes()
    code, _, err = _run(capsys, "send", book, "--yes", "--outbox", tmp_path / "ob")
    assert code == 2, err
    assert all(w in err for w in words) and "Traceback" not in err
    assert _outbox(tmp_path / "ob") == [] and book.read_bytes() == before
    code, _, err2 = _run(capsys, "mark", book)  # mark says the same, never a crash
    assert code == 2 and all(w in err2 for w in words)
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_table_ending_at_column_xfd_is_refused_before_sending(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    first = 16384 - len(HEADERS) + 1
    for i, h in enumerate(HEADERS):
        ws.cell(1, first + i, h)
        ws.cell(2, first + i, ["Toko Fiktif", "141234500001", 100_000, "081270000001",
                               "2026-11"][i])
    book = tmp_path / "t.xlsx"
    wb.save(book)
    before = book.read_bytes()
    code, _, err = _run(capsys, "send", book, "--yes", "--outbox", tmp_path / "ob")
    assert code == 2 and "XFD" in err and "Traceback" not in err
    assert _outbox(tmp_path / "ob") == [] and book.read_bytes() == before


# -- leftovers of a killed write ---------------------------------------------------------------

def test_leftover_temp_files_are_cleaned_up(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path / "t.xlsx")
    ours = tmp_path / ".~tagihlite-t.xlsx.k1ll3d.tmp"
    legacy_old = tmp_path / ".~tagihlite-abc123.tmp"
    legacy_new = tmp_path / ".~tagihlite-def456.tmp"
    others = tmp_path / ".~tagihlite-lain.xlsx.x1.tmp"
    for p in (ours, legacy_old, legacy_new, others):
        p.write_bytes(b"PK half")
    hour_ago = time.time() - 7200
    os.utime(legacy_old, (hour_ago, hour_ago))
    os.utime(others, (hour_ago, hour_ago))
    code, _, err = _run(capsys, "mark", book)
    assert code == 0, err
    assert not ours.exists() and not legacy_old.exists()
    assert legacy_new.exists()  # may belong to a write still running elsewhere
    assert others.exists()  # another workbook's: its own next run cleans it
