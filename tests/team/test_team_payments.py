"""Payments in the team database: a bill paid and imported on one PC is settled for all."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import psycopg
import pytest
from support.pgserver import PgServer

from tagihlite.cli import main
from tagihlite.journal.payments import Payment, PaymentBook, open_payments
from tagihlite.settings import Settings

PERIOD = "2026-11"
PAID = "141200000001"  # pays the whole 100,001
PART = "141200000002"  # pays 50,000 of 100,002: still reminded


def _book(path: Path, rows: int) -> Path:
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


def _as_pc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    """Another PC: its own app folder (journal file, outbox, settings)."""
    home = tmp_path / name
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("TAGIHLITE_HOME", str(home))
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(home / "settings.toml"))
    return home


def _payment_list(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Daftar pembayaran (fiktif)"])
    ws.append(["No Internet", "Periode", "Tgl Bayar", "Jumlah Bayar"])
    for cid, amount in ((PAID, 100_001), (PART, 50_000)):
        ws.append([cid, PERIOD, dt.date(2026, 11, 25), amount])
        ws.cell(ws.max_row, 1).number_format = "@"
    wb.save(path)
    return path


def _sent(home: Path) -> set[str]:
    f = home / "outbox" / "outbox.jsonl"
    lines = f.read_text("utf-8").splitlines() if f.exists() else []
    return {json.loads(x)["key"].split("|")[0] for x in lines}


def _team_payments(url: str) -> int:
    with psycopg.connect(url) as db:
        (n,) = db.execute("SELECT count(*) FROM payments").fetchone()  # type: ignore[misc]
    return int(n)


def test_a_payment_imported_on_one_pc_stops_reminders_from_another(
        team_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    pay = _payment_list(tmp_path / "bayar.xlsx")
    copy_a = _book(tmp_path / "pc_a.xlsx", rows=4)
    copy_b = _book(tmp_path / "pc_b.xlsx", rows=4)
    home_a = _as_pc(monkeypatch, tmp_path, "pc_a")
    assert main(["payments", "import", str(pay), str(copy_a)]) == 0
    assert "2 pembayaran dibaca (2 baru" in capsys.readouterr().out
    assert not (home_a / "journal.sqlite").exists()  # nothing kept on PC A's disk
    assert _team_payments(team_url) == 2

    home_b = _as_pc(monkeypatch, tmp_path, "pc_b")
    assert main(["send", str(copy_b), "--via", "outbox", "--yes", "--operator", "Siti",
                 "--level", "1"]) == 0
    assert _sent(home_b) == {PART, "141200000003", "141200000004"}  # not the paid bill
    capsys.readouterr()
    # PC B imports the same list into its own copy: nothing new, its sheet shows LUNAS.
    assert main(["payments", "import", str(pay), str(copy_b)]) == 0
    assert "2 pembayaran dibaca (0 baru, 2 sudah tercatat" in capsys.readouterr().out
    assert _team_payments(team_url) == 2
    ws = openpyxl.load_workbook(copy_b).active
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("Status Bayar") + 1).value == "LUNAS"
    assert ws.cell(3, header.index("Jumlah Tagihan") + 1).value == 50_002  # what is left


def test_import_journal_copies_the_pcs_payments(
        team_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tagihlite.auth.login import login
    from tagihlite.auth.users import add_user

    home_a = _as_pc(monkeypatch, tmp_path, "pc_a")
    monkeypatch.setenv("LOGNAME", "clerk-pc-a")
    monkeypatch.delenv("TAGIHLITE_JOURNAL_URL")  # first: PC A alone, on SQLite
    solo = Settings()
    add_user(solo, "Siti", "supervisor", "Supervisor#2026")
    login(solo, "Siti", "Supervisor#2026")
    copy_a = _book(tmp_path / "pc_a.xlsx", rows=4)
    assert main(["payments", "import", str(_payment_list(tmp_path / "bayar.xlsx")),
                 str(copy_a)]) == 0
    assert (home_a / "journal.sqlite").exists()

    monkeypatch.setenv("TAGIHLITE_JOURNAL_URL", team_url)
    capsys.readouterr()
    assert main(["team", "import-journal"]) == 0
    assert "2 pembayaran, 2 tagihan awal" in capsys.readouterr().out
    book = open_payments(Settings())
    assert book is not None and book.url == team_url
    assert {(p.customer_id, p.amount) for p in book.payments()} == {(PAID, 100_001),
                                                                    (PART, 50_000)}
    assert book.bills()[(PART, PERIOD)] == 100_002 and book.settled() == {(PAID, PERIOD)}
    login(Settings(), "Siti", "Supervisor#2026")  # a team session now
    assert main(["team", "import-journal"]) == 0  # again: nothing new
    assert "0 pembayaran, 0 tagihan awal" in capsys.readouterr().out
    assert _team_payments(team_url) == 2

    home_b = _as_pc(monkeypatch, tmp_path, "pc_b")
    copy_b = _book(tmp_path / "pc_b.xlsx", rows=4)
    login(Settings(), "Siti", "Supervisor#2026")  # users are shared too
    assert main(["send", str(copy_b), "--via", "outbox", "--yes", "--level", "1"]) == 0
    assert PAID not in _sent(home_b) and PART in _sent(home_b)


def test_a_clerk_login_may_add_payments_but_never_change_them(
        team_url: str, pg_server: PgServer) -> None:
    db_name = team_url.rsplit("/", 1)[1]
    pg_server.admin_sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                        "'clerk_pay') THEN CREATE ROLE clerk_pay LOGIN PASSWORD 'pw-pay' IN "
                        "ROLE tagihlite_app; END IF; END $$")
    clerk_url = pg_server.url(db_name, user="clerk_pay")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TAGIHLITE_DB_PASSWORD", "pw-pay")
        mp.delenv("PGPASSWORD")
        book = PaymentBook(url=clerk_url)
        payment = Payment(PAID, PERIOD, dt.date(2026, 11, 25), 100_001)
        at = dt.datetime(2026, 11, 25, 9, tzinfo=dt.timezone.utc)
        assert book.record([payment], {(PAID, PERIOD): 100_001}, at=at) == 1
        assert book.record([payment], {(PAID, PERIOD): 100_001}, at=at) == 0
        assert book.settled() == {(PAID, PERIOD)}
    with psycopg.connect(clerk_url, password="pw-pay", autocommit=True) as db:
        for sql in ("UPDATE payments SET amount = 1", "DELETE FROM payments",
                    "UPDATE bills SET amount = 1", "DELETE FROM bills"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(sql)  # type: ignore[arg-type]


def test_a_team_database_still_at_version_1_asks_for_team_init(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tagihlite.journal import migrations, pgdb

    with monkeypatch.context() as mp:  # as set up by the previous TagihLite version
        mp.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        conn = pgdb.connect(pg_url)
        try:
            migrations.migrate(conn)
        finally:
            conn.close()
    _as_pc(monkeypatch, tmp_path, "pc_a")
    monkeypatch.setenv("TAGIHLITE_JOURNAL_URL", pg_url)
    book = _book(tmp_path / "tagihan.xlsx", rows=2)
    before = book.read_bytes()
    assert main(["payments", "import", str(_payment_list(tmp_path / "bayar.xlsx")),
                 str(book)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "tagihlite team init" in err
    assert book.read_bytes() == before
    assert main(["team", "init"]) == 0
    assert "diterapkan: 2" in capsys.readouterr().out
    assert main(["payments", "import", str(_payment_list(tmp_path / "bayar.xlsx")),
                 str(book)]) == 0
