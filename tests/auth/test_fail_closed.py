"""Issue 9, security: logins fail closed once enabled for a journal; ``users passwd`` for
oneself locks out and audits like login; a cut audit tail stays detected after later
appends; look-alike user names are one name."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from auth_support import STAFF_PW, SUPERVISOR_PW, FakeClock
from test_cli_users import bootstrap, cli  # noqa: F401 (fixture)

from tagihlite.auth.audit import AuditLog
from tagihlite.auth.identity import current_operator, login_enabled, require_supervisor
from tagihlite.auth.login import LoginFailed, login
from tagihlite.auth.users import add_user, set_password
from tagihlite.errors import InputError, TagihError
from tagihlite.settings import Settings

REFUSED = "Demi keamanan semua tindakan ditolak"


def _users_at(settings: Settings, path: Path) -> Settings:
    return replace(settings, auth=replace(settings.auth, users_path=str(path)))


def test_missing_users_store_fails_closed(team: Settings, clock: FakeClock,
                                          tmp_path: Path) -> None:
    moved = _users_at(team, tmp_path / "tidak-ada.sqlite")
    for action in (lambda: login_enabled(moved), lambda: current_operator(moved),
                   lambda: require_supervisor(moved),
                   lambda: login(moved, "Siti", SUPERVISOR_PW, clock=clock),
                   lambda: add_user(moved, "Budi", "supervisor", STAFF_PW, clock=clock)):
        with pytest.raises(TagihError, match=REFUSED) as exc:
            action()
        assert "auth.users_path" in str(exc.value) and "tidak ada atau kosong" in str(exc.value)
    assert login_enabled(team)  # the right store still works


def test_a_different_users_store_fails_closed(team: Settings, clock: FakeClock,
                                              tmp_path: Path) -> None:
    # The staff user's own store, made through a journal of their own, with themselves in it.
    own = _users_at(replace(team, journal_path=str(tmp_path / "own.sqlite")),
                    tmp_path / "own-users.sqlite")
    add_user(own, "Budi", "supervisor", STAFF_PW, clock=clock)
    assert login_enabled(own)
    swapped = _users_at(team, tmp_path / "own-users.sqlite")
    with pytest.raises(TagihError, match="berkas lain"):
        login(swapped, "Budi", STAFF_PW, clock=clock)


def test_cli_refuses_clear_optout_and_operator_with_a_missing_store(
        cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    import openpyxl

    bootstrap(cli)
    private = tmp_path / "pribadi.toml"
    private.write_text(f'[auth]\nusers_path = "{tmp_path / "hilang.sqlite"}"\n',
                       encoding="utf-8")
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(private))
    book = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp",
                      "Status Bayar", "Periode"])
    wb.active.append(["Toko A", "141234500001", 100000, "081270000001", "BELUM", "2026-11"])
    wb.save(book)
    for argv in (("clear", "141234500001|2026-11|1", "--reason", "cek"),
                 ("optout", "add", "081234567890"), ("whoami",), ("check", str(book)),
                 ("mark", str(book)), ("preview", str(book), "--write"),
                 ("send", str(book), "--yes", "--operator", "Budi")):
        code, _, err = cli(*argv)
        assert code == 2 and REFUSED in err, (argv, err)
    assert not (home / "outbox").exists()


def test_own_password_change_counts_failures_and_locks_out(team: Settings,
                                                          clock: FakeClock) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    for _ in range(team.auth.max_failed_logins - 1):
        with pytest.raises(LoginFailed, match="sekarang salah"):
            set_password(team, "Budi", "Sandi-baru-123", current_password="tebak",
                         clock=clock)
    with pytest.raises(LoginFailed, match="Terlalu banyak"):
        set_password(team, "Budi", "Sandi-baru-123", current_password="tebak", clock=clock)
    with pytest.raises(LoginFailed, match="Terlalu banyak"):  # even the right one, now
        set_password(team, "Budi", "Sandi-baru-123", current_password=STAFF_PW, clock=clock)
    events = [e[2] for e in AuditLog(team.journal_file).entries() if e[3] == "Budi"]
    assert events.count("password_check_failed") == team.auth.max_failed_logins
    assert "lockout" in events and "password_check_while_locked" in events
    clock.advance(team.auth.lockout_minutes * 60 + 1)
    set_password(team, "Budi", "Sandi-baru-123", current_password=STAFF_PW, clock=clock)


def _cut_tail(journal: Path, keep: int) -> None:
    db = sqlite3.connect(journal, isolation_level=None)
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute("DELETE FROM audit_log WHERE seq > ?", (keep,))
    db.close()


@pytest.mark.parametrize("also_delete_anchor", [False, True])
def test_cut_tail_stays_detected_after_later_appends(tmp_path: Path,
                                                     also_delete_anchor: bool) -> None:
    log = AuditLog(tmp_path / "journal.sqlite")
    for i in range(5):
        log.append("send", "Budi", key=f"K{i}")
    _cut_tail(log.db_path, 3)
    if also_delete_anchor:
        log.anchor_path.unlink()
    assert log.verify()  # detected now ...
    for i in range(3):
        log.append("send", "Budi", key=f"L{i}")  # ... and after later appends
    problems = log.verify()
    assert any("pernah dipotong" in p for p in problems), problems
    events = [e[2] for e in log.entries()]
    assert events.count("audit_break") == 1  # recorded once, in the chain itself
    anchor = json.loads(log.anchor_path.read_text(encoding="utf-8"))
    assert len(anchor["breaks"]) == 1


def test_intact_log_has_no_breaks(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "journal.sqlite")
    for i in range(3):
        log.append("send", "Budi", key=f"K{i}")
    assert log.verify() == []
    assert "audit_break" not in [e[2] for e in log.entries()]


@pytest.mark.parametrize("look_alike", ["siti", "SITI", "Ｓｉｔｉ", "ｓｉｔｉ"])
def test_look_alike_names_are_the_same_user(team: Settings, clock: FakeClock,
                                            look_alike: str) -> None:
    login(team, "Siti", SUPERVISOR_PW, clock=clock)
    with pytest.raises(InputError, match="sudah ada"):
        add_user(team, look_alike, "staff", STAFF_PW, clock=clock)


def test_accented_names_match_after_nfkc_and_casefold(team: Settings,
                                                      clock: FakeClock) -> None:
    login(team, "Siti", SUPERVISOR_PW, clock=clock)
    add_user(team, "\u00c1di", "staff", STAFF_PW, clock=clock)  # Ádi, composed
    for look_alike in ("\u00e1di", "A\u0301di", "a\u0301DI"):  # ádi, decomposed forms
        with pytest.raises(InputError, match="sudah ada"):
            add_user(team, look_alike, "staff", STAFF_PW, clock=clock)
    assert login(team, "a\u0301di", STAFF_PW, clock=clock).name == "\u00c1di"
