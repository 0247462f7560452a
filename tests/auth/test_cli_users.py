"""The user-facing commands end to end through ``tagihlite.cli.main``."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from auth_support import STAFF_PW, SUPERVISOR_PW

from tagihlite.auth.audit import AuditLog
from tagihlite.auth.optout import load_opted_out, to_e164
from tagihlite.cli import main
from tagihlite.core.vocab import JournalState
from tagihlite.journal.sqlite import Journal
from tagihlite.settings import Settings

NOTICE = "Login belum diaktifkan"


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path):
    return lambda *argv, stdin="": run(capsys, monkeypatch, *argv, stdin=stdin)


def bootstrap(cli) -> None:
    assert cli("users", "add", "Siti", "--role", "supervisor", "--password-stdin",
               stdin=SUPERVISOR_PW + "\n")[0] == 0
    assert cli("login", "Siti", "--password-stdin", stdin=SUPERVISOR_PW + "\n")[0] == 0
    assert cli("users", "add", "Budi", "--role", "staff", "--password-stdin",
               stdin=STAFF_PW + "\n")[0] == 0
    assert cli("logout")[0] == 0


def test_every_command_says_when_login_is_off(cli, tmp_path: Path) -> None:
    commands = [("whoami",), ("users", "list"), ("logout",), ("audit", "verify"),
                ("audit", "export", str(tmp_path / "a.csv")), ("optout", "list"),
                ("optout", "add", "081234567890"), ("optout", "remove", "081234567890"),
                ("login", "Siti", "--password-stdin"), ("users", "disable", "Siti"),
                ("users", "passwd", "Siti", "--password-stdin"),
                ("clear", "1|2026-11|1", "--reason", "cek"),
                ("secrets", "unset", "cloud_token")]
    for argv in commands:
        _, _, err = cli(*argv, stdin="whatever-123\n")
        assert NOTICE in err, argv


def test_bootstrap_login_whoami_logout(cli) -> None:
    code, _, err = cli("users", "add", "Budi", "--role", "staff", "--password-stdin",
                       stdin=STAFF_PW + "\n")
    assert code == 2 and "Pengguna pertama harus supervisor" in err
    code, out, _ = cli("users", "add", "Siti", "--role", "supervisor", "--password-stdin",
                       stdin=SUPERVISOR_PW + "\n")
    assert code == 0 and "Login sekarang aktif" in out
    code, _, err = cli("whoami")
    assert code == 1 and "tagihlite login NAMA" in err and NOTICE not in err
    code, out, _ = cli("login", "siti", "--password-stdin", stdin=SUPERVISOR_PW + "\r\n")
    assert code == 0 and out.strip() == "Masuk sebagai Siti (supervisor)."
    code, out, _ = cli("whoami")
    assert code == 0 and out.startswith("Siti (supervisor), sesi berakhir ")
    code, out, _ = cli("users", "list")
    assert out.split() == ["Siti", "supervisor", "aktif"]
    assert cli("logout")[1].strip() == "Siti telah keluar."
    code, _, err = cli("login", "Siti", "--password-stdin", stdin="salah-sekali\n")
    assert code == 2 and "Nama pengguna atau kata sandi salah." in err


def test_prompted_passwords_must_match(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([SUPERVISOR_PW, SUPERVISOR_PW + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))  # the terminal
    code, _, err = cli("users", "add", "Siti", "--role", "supervisor")
    assert code == 2 and "tidak sama" in err
    answers = iter([SUPERVISOR_PW, SUPERVISOR_PW, SUPERVISOR_PW])
    assert cli("users", "add", "Siti", "--role", "supervisor")[0] == 0
    assert cli("login", "Siti")[0] == 0


def test_staff_refusals_on_the_command_line(cli, tmp_path: Path) -> None:
    bootstrap(cli)
    assert cli("login", "Budi", "--password-stdin", stdin=STAFF_PW + "\n")[0] == 0
    refusals = {
        ("users", "add", "Rina", "--role", "staff", "--password-stdin"): "menambah pengguna",
        ("users", "disable", "Siti"): "menonaktifkan pengguna",
        ("users", "passwd", "Siti", "--password-stdin"): "pengguna lain",
        ("optout", "add", "081234567890"): "mengubah daftar tolak",
        ("optout", "remove", "081234567890"): "mengubah daftar tolak",
        ("optout", "list"): "melihat daftar tolak",
        ("audit", "export", str(tmp_path / "a.csv")): "mengekspor jejak audit",
        ("clear", "1|2026-11|1", "--reason", "cek"): "membuka kembali baris PERLU CEK",
    }
    for argv, action in refusals.items():
        code, _, err = cli(*argv, stdin="Rahasia-baru-1\n")
        assert code == 2, argv
        assert "Hanya supervisor" in err and action in err, (argv, err)
    assert not (tmp_path / "a.csv").exists()


def test_supervisor_manages_optout_list(cli, home: Path) -> None:
    bootstrap(cli)
    cli("login", "Siti", "--password-stdin", stdin=SUPERVISOR_PW + "\n")
    code, out, _ = cli("optout", "add", "0812-3456-7890", "--reason", "minta berhenti")
    assert code == 0 and "+6281234567890 ditambahkan" in out
    assert "sudah ada" in cli("optout", "add", "+62 812 3456 7890")[1]
    cli("optout", "add", "6285298765432")
    settings = Settings()
    assert load_opted_out(settings) == {"+6281234567890", "+6285298765432"}
    out = cli("optout", "list")[1]
    assert "+6281234567890" in out and "Siti" in out and "minta berhenti" in out
    assert cli("optout", "remove", "085298765432")[0] == 0
    assert cli("optout", "remove", "085298765432")[0] == 1
    assert load_opted_out(settings) == {"+6281234567890"}
    code, _, err = cli("optout", "add", "12345")
    assert code == 2 and "Nomor telepon tidak valid" in err
    events = [(e[2], e[4]) for e in AuditLog(settings.journal_file).entries()]
    assert ("optout_add", '{"number":"+6281******890"}') in events
    assert not any("81234567890" in d for _, d in events)  # masked, not dialable


def test_optout_in_single_user_mode_and_empty_store(settings: Settings) -> None:
    assert load_opted_out(settings) == frozenset()
    from tagihlite.auth.optout import add_opt_out

    assert add_opt_out(settings, "0812 3456 7890") == ("+6281234567890", True)
    assert load_opted_out(settings) == {to_e164("+6281234567890")}


def test_supervisor_clears_a_needs_check_key(cli, home: Path) -> None:
    bootstrap(cli)
    settings = Settings()
    key = "152101234567|2026-11|1"
    with Journal(settings.journal_file) as journal:  # a run that died mid-send
        journal.acquire_run_lock()
        journal.begin(key, channel="outbox", operator="Budi", message="m", phone="+62812",
                      amount=1000)
        journal.recover()
    cli("login", "Siti", "--password-stdin", stdin=SUPERVISOR_PW + "\n")
    code, _, err = cli("clear", key, "--reason", "  ")
    assert code == 2 and "Alasan wajib" in err
    code, out, _ = cli("clear", key, "--reason", "sudah dicek di HP, belum terkirim")
    assert code == 0 and "dibuka kembali" in out
    with Journal(settings.journal_file) as journal:
        entry = journal.entries([key])[key]
    assert entry.state not in JournalState.BLOCKING
    code, _, err = cli("clear", key, "--reason", "lagi")
    assert code == 1 and "tidak berstatus PERLU CEK" in err
    last = AuditLog(settings.journal_file).entries()[-1]
    assert last[2:4] == ("clear_needs_check", "Siti") and "sudah dicek di HP" in last[4]


def test_audit_verify_and_export_commands(cli, home: Path, tmp_path: Path) -> None:
    bootstrap(cli)
    cli("login", "Siti", "--password-stdin", stdin=SUPERVISOR_PW + "\n")
    code, out, _ = cli("audit", "verify")
    assert code == 0 and out.startswith("Jejak audit utuh: 6 entri")  # incl. users_store_bound
    code, out, _ = cli("audit", "export", str(tmp_path / "audit.csv"))
    assert code == 0 and out.startswith("6 entri audit ditulis")
    assert (tmp_path / "audit.csv").exists()
    db = sqlite3.connect(Settings().journal_file, isolation_level=None)
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET actor = 'Budi' WHERE seq = 2")
    code, _, err = cli("audit", "verify")
    assert code == 1 and "#2 telah diubah" in err and "TIDAK utuh" in err


def test_users_disable_and_passwd(cli) -> None:
    bootstrap(cli)
    cli("login", "Siti", "--password-stdin", stdin=SUPERVISOR_PW + "\n")
    assert cli("users", "passwd", "Budi", "--password-stdin", stdin="Sandi-baru-99\n")[0] == 0
    code, _, err = cli("users", "passwd", "Siti", "--password-stdin",
                       stdin="salah-sekarang\nSandi-siti-baru1\n")
    assert code == 2 and "Kata sandi sekarang salah" in err
    assert cli("users", "passwd", "Siti", "--password-stdin",
               stdin=f"{SUPERVISOR_PW}\nSandi-siti-baru1\n")[0] == 0
    code, out, _ = cli("users", "disable", "Budi")
    assert code == 0 and "dinonaktifkan" in out
    assert "Budi\tstaff\tnonaktif" in cli("users", "list")[1]
    cli("logout")
    code, _, err = cli("login", "Budi", "--password-stdin", stdin="Sandi-baru-99\n")
    assert code == 2 and "dinonaktifkan" in err
