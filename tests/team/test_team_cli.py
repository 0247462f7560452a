"""The team commands and every PC's copy of the workbook, through the real CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest

from tagihlite.cli import main
from tagihlite.core.vocab import Status

PERIOD = "2026-11"


def _book(path: Path, rows: int = 6) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(["No", "Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp",
               "Status Bayar", "Jatuh Tempo", "Periode"])
    for i in range(1, rows + 1):
        ws.append([i, f"Pelanggan Uji {i}", f"1412{i:08d}", 100_000 + i, f"08127{i:07d}",
                   "BELUM BAYAR", "20-11-2026", PERIOD])
    wb.save(path)
    return path


def _statuses(path: Path) -> list[str | None]:
    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[1]]
    col = header.index("Status Kirim")
    return [row[col] for row in ws.iter_rows(min_row=2, values_only=True)]


def _as_pc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("TAGIHLITE_HOME", str(home))
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(home / "settings.toml"))
    return home


def test_team_init_twice_changes_nothing_the_second_time(
        pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["team", "init", pg_url]) == 0
    assert "siap (skema versi 2" in capsys.readouterr().out
    assert main(["team", "init", pg_url]) == 0
    out = capsys.readouterr().out
    assert "tidak ada yang diubah" in out and f'journal_url = "{pg_url}"' in out


def test_every_copy_of_the_workbook_shows_every_clerks_sends(
        team_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    copy1 = _book(tmp_path / "pc1.xlsx")
    copy2 = _book(tmp_path / "pc2.xlsx")
    _as_pc(monkeypatch, tmp_path, "pc1")
    assert main(["send", str(copy1), "--via", "outbox", "--yes", "--operator", "Budi",
                 "--rows", "2-4"]) == 0
    _as_pc(monkeypatch, tmp_path, "pc2")
    assert main(["mark", str(copy2)]) == 0
    assert _statuses(copy2) == [Status.QUEUED] * 3 + [Status.READY] * 3  # Excel rows 2-4
    capsys.readouterr()
    assert main(["send", str(copy2), "--via", "outbox", "--yes", "--operator", "Siti"]) == 0
    out = capsys.readouterr().out
    assert "Akan dikirim: 3 pengingat" in out  # the other clerk's rows are not offered
    _as_pc(monkeypatch, tmp_path, "pc1")
    assert main(["mark", str(copy1)]) == 0
    assert _statuses(copy1) == [Status.QUEUED] * 6


def test_a_server_that_is_down_stops_before_anything_is_sent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from support.pgserver import free_port

    book = _book(tmp_path / "tagihan.xlsx")
    before = book.read_bytes()
    home = _as_pc(monkeypatch, tmp_path, "pc1")
    monkeypatch.setenv("TAGIHLITE_JOURNAL_URL",
                       f"postgresql://budi@127.0.0.1:{free_port()}/tagihlite")
    assert main(["send", str(book), "--via", "outbox", "--yes", "--operator", "Budi"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "tidak dapat dihubungi" in err
    assert "tidak ada pesan yang dikirim" in err
    assert not (home / "outbox").exists() and book.read_bytes() == before
    assert main(["check", str(book)]) == 2


def test_import_journal_copies_journal_users_and_audit(
        team_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tagihlite.auth.audit import open_audit
    from tagihlite.auth.login import login
    from tagihlite.auth.optout import add_opt_out, load_opted_out
    from tagihlite.auth.users import add_user
    from tagihlite.journal.backend import open_journal
    from tagihlite.settings import Settings

    home = _as_pc(monkeypatch, tmp_path, "pc1")
    monkeypatch.setenv("LOGNAME", "clerk-pc1")
    monkeypatch.delenv("TAGIHLITE_JOURNAL_URL")  # first: this PC alone, on SQLite
    book = _book(tmp_path / "tagihan.xlsx")
    solo = Settings()
    add_user(solo, "Siti", "supervisor", "Supervisor#2026")
    login(solo, "Siti", "Supervisor#2026")
    add_opt_out(solo, "0812-7000-1001")
    assert main(["send", str(book), "--via", "outbox", "--yes", "--rows", "2-3",
                 "--level", "1"]) == 0
    with sqlite3.connect(home / "journal.sqlite") as db:  # a run that died mid-send
        db.execute("UPDATE reminders SET state = 'pending' WHERE key = ?",
                   (f"141200000002|{PERIOD}|1",))
    solo_events = len(open_audit(solo).entries())

    monkeypatch.setenv("TAGIHLITE_JOURNAL_URL", team_url)
    team = Settings()
    capsys.readouterr()
    assert main(["team", "import-journal"]) == 0  # an empty team database: the bootstrap
    out = capsys.readouterr().out
    assert "Diimpor: 2 pengingat" in out and "1 pengguna" in out and "1 nomor tolak" in out
    assert "(rantai hash utuh)" in out
    with open_journal(team) as journal:
        entries = journal.entries()
    assert entries[f"141200000001|{PERIOD}|1"].state == "queued"
    assert entries[f"141200000002|{PERIOD}|1"].state == "unknown"  # never a silent resend
    assert len(load_opted_out(team)) == 1
    log = open_audit(team)
    assert len(log.entries()) == solo_events + 1 and log.verify() == []
    login(team, "Siti", "Supervisor#2026")  # her user (and password hash) came along
    assert main(["team", "import-journal"]) == 0  # again: nothing new, chain appended
    assert "Diimpor: 0 pengingat (2 sudah ada" in capsys.readouterr().out
    assert open_audit(team).verify() == []


def test_team_status_shows_who_is_sending_what(team_url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from tagihlite.journal.postgres import PostgresJournal

    with PostgresJournal(team_url) as j:
        j.acquire_run_lock()
        j.begin(f"141200000001|{PERIOD}|1", channel="cloud", operator="Budi", message="m",
                phone="+6281270000001", amount=1)
        assert main(["team", "status"]) == 0
        out = capsys.readouterr().out
        assert "Sedang mengirim: Budi di " in out
        assert f"141200000001|{PERIOD}|1: Budi (" in out
    assert main(["team", "status"]) == 0
    assert "Tidak ada PC yang sedang mengirim." in capsys.readouterr().out


def test_the_excel_summary_names_rows_another_pc_holds() -> None:
    from collections import Counter

    from tagihlite.excel.actions import _send_summary
    from tagihlite.sending import SendSummary

    summary = SendSummary(planned=5, held=Counter({"Budi (budi@PC-2)": 2}))
    assert "- 2 sedang dikirim PC lain (Budi (budi@PC-2)), dilewati" in _send_summary(
        summary, "Cloud API")
