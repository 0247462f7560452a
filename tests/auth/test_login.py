"""Users, login, lockout, sessions and roles against a real SQLite store and real argon2."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from auth_support import STAFF_PW, SUPERVISOR_PW, FakeClock

from tagihlite.auth import sessions as sess
from tagihlite.auth.audit import AuditLog
from tagihlite.auth.identity import (
    Operator,
    current_operator,
    login_enabled,
    login_notice,
    operator_for_send,
    require_supervisor,
)
from tagihlite.auth.login import WRONG, LoginFailed, login, logout
from tagihlite.auth.users import add_user, disable_user, list_users
from tagihlite.errors import InputError, PermissionDenied, TagihError
from tagihlite.settings import AuthSettings, Settings


def events(settings: Settings) -> list[tuple[str, str]]:
    return [(e[2], e[3]) for e in AuditLog(settings.journal_file).entries()]


# -- single-user mode and bootstrap ---------------------------------------------------
def test_single_user_mode_uses_os_account_and_says_login_is_off(settings: Settings) -> None:
    assert not login_enabled(settings)
    assert current_operator(settings) == Operator("clerk-pc1", "single-user", False)
    assert operator_for_send(settings) == Operator("clerk-pc1", "single-user", False)
    assert operator_for_send(settings, "Rina").name == "Rina"
    assert require_supervisor(settings).role == "single-user"
    notice = login_notice(settings)
    assert notice and "Login belum diaktifkan" in notice and "clerk-pc1" in notice
    assert not settings.users_file.exists()  # asking does not create the store


def test_first_user_must_be_supervisor(settings: Settings, clock: FakeClock) -> None:
    with pytest.raises(PermissionDenied, match="Pengguna pertama harus supervisor"):
        add_user(settings, "Budi", "staff", STAFF_PW, clock=clock)
    assert not login_enabled(settings)
    add_user(settings, "Siti", "supervisor", SUPERVISOR_PW, clock=clock)
    assert login_enabled(settings)
    assert login_notice(settings) is None
    assert events(settings) == [("user_add", "clerk-pc1"), ("users_store_bound", "(sistem)")]


def test_after_bootstrap_only_a_logged_in_supervisor_adds_users(
        settings: Settings, clock: FakeClock) -> None:
    add_user(settings, "Siti", "supervisor", SUPERVISOR_PW, clock=clock)
    with pytest.raises(PermissionDenied, match="belum masuk"):
        add_user(settings, "Budi", "staff", STAFF_PW, clock=clock)
    login(settings, "Siti", SUPERVISOR_PW, clock=clock)
    add_user(settings, "Budi", "staff", STAFF_PW, clock=clock)
    with pytest.raises(InputError, match="sudah ada"):
        add_user(settings, "budi", "staff", STAFF_PW, clock=clock)
    assert [(u.name, u.role) for u in list_users(settings)] == [("Budi", "staff"),
                                                                 ("Siti", "supervisor")]


@pytest.mark.parametrize("bad", ["pendek", " Spasi di awal!", "x" * 300])
def test_weak_passwords_are_refused(settings: Settings, bad: str) -> None:
    with pytest.raises(InputError, match="Kata sandi"):
        add_user(settings, "Siti", "supervisor", bad)


@pytest.mark.real_argon2
def test_store_holds_argon2id_hashes_never_the_password(team: Settings) -> None:
    raw = team.users_file.read_bytes()
    assert SUPERVISOR_PW.encode() not in raw and STAFF_PW.encode() not in raw
    with sqlite3.connect(team.users_file) as db:
        hashes = [r[0] for r in db.execute("SELECT pw_hash FROM users")]
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)


# -- logging in -------------------------------------------------------------------------
def test_login_logout_and_audit(team: Settings, clock: FakeClock) -> None:
    op = login(team, "budi", STAFF_PW, clock=clock)  # names are case-insensitive
    assert op == Operator("Budi", "staff", True)
    assert current_operator(team, clock=clock) == op
    assert operator_for_send(team, clock=clock) == op
    assert logout(team, clock=clock) == "Budi"
    assert current_operator(team, clock=clock) == Operator("", "", False)
    with pytest.raises(PermissionDenied, match="tagihlite login NAMA"):
        operator_for_send(team, clock=clock)
    assert events(team)[-2:] == [("login", "Budi"), ("logout", "Budi")]


def test_wrong_password_and_unknown_user_get_the_same_message(
        team: Settings, clock: FakeClock) -> None:
    with pytest.raises(LoginFailed) as wrong:
        login(team, "Budi", "bukan-sandinya", clock=clock)
    with pytest.raises(LoginFailed) as unknown:
        login(team, "Tidakada", "bukan-sandinya", clock=clock)
    assert str(wrong.value) == str(unknown.value) == WRONG
    # The typed name of an unknown user is not recorded (it may be a mistyped password).
    assert events(team)[-2:] == [("login_failed", "Budi"), ("login_failed", "(tidak dikenal)")]
    assert "Tidakada" not in json.dumps(AuditLog(team.journal_file).entries())


def _lock(settings: Settings, name: str, clock: FakeClock) -> list[str]:
    """Fail until locked, 10 s apart; the lock starts at the clock's final value."""
    messages = []
    for attempt in range(settings.auth.max_failed_logins):
        clock.advance(10 if attempt else 0)
        with pytest.raises(LoginFailed) as exc:
            login(settings, name, "salah-terus", clock=clock)
        messages.append(str(exc.value))
    return messages


def test_lockout_after_max_failures_for_lockout_minutes(team: Settings,
                                                        clock: FakeClock) -> None:
    messages = _lock(team, "Budi", clock)
    assert messages[:-1] == [WRONG] * 4
    assert messages[-1] == "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 5 menit."
    # Locked: even the right password is refused, and the remaining time is shown.
    clock.advance(2 * 60)
    with pytest.raises(LoginFailed, match="dalam 3 menit"):
        login(team, "Budi", STAFF_PW, clock=clock)
    clock.advance(3 * 60 - 41)
    with pytest.raises(LoginFailed, match="dalam 1 menit"):
        login(team, "Budi", STAFF_PW, clock=clock)
    clock.advance(41)  # exactly five minutes after the lock started
    assert login(team, "Budi", STAFF_PW, clock=clock).logged_in
    names = [e for e, _ in events(team)]
    assert names.count("lockout") == 1 and names.count("login_while_locked") == 2
    assert names[-1] == "login"


def test_unknown_names_lock_too_so_lockout_reveals_nothing(team: Settings,
                                                           clock: FakeClock) -> None:
    known = _lock(team, "Budi", clock)
    unknown = _lock(team, "Joko", clock)
    assert known == unknown
    with pytest.raises(LoginFailed) as exc:
        login(team, "Joko", "apa-saja", clock=clock)
    assert "Coba lagi" in str(exc.value)


def test_failures_spread_beyond_the_window_do_not_lock(team: Settings,
                                                       clock: FakeClock) -> None:
    for _ in range(team.auth.max_failed_logins + 2):
        with pytest.raises(LoginFailed, match="salah"):
            login(team, "Budi", "salah-terus", clock=clock)
        clock.advance(team.auth.lockout_minutes * 60 + 1)
    assert login(team, "Budi", STAFF_PW, clock=clock).logged_in


def test_lockout_settings_are_honoured(home: Path, clock: FakeClock) -> None:
    settings = Settings(auth=AuthSettings(max_failed_logins=2, lockout_minutes=1))
    add_user(settings, "Siti", "supervisor", SUPERVISOR_PW, clock=clock)
    with pytest.raises(LoginFailed, match="salah"):
        login(settings, "Siti", "x-salah-1", clock=clock)
    with pytest.raises(LoginFailed, match="dalam 1 menit"):
        login(settings, "Siti", "x-salah-2", clock=clock)
    clock.advance(61)
    assert login(settings, "Siti", SUPERVISOR_PW, clock=clock).role == "supervisor"


@pytest.mark.real_argon2
def test_product_hash_parameters_match_the_dummy_hash() -> None:
    from tagihlite.auth import passwords

    params = "$argon2id$v=19$m=65536,t=3,p=4$"
    assert passwords._DUMMY_HASH.startswith(params)
    assert passwords.hash_password("Contoh-sandi-1").startswith(params)
    assert not passwords.needs_rehash(passwords._DUMMY_HASH)


@pytest.mark.real_argon2
def test_unknown_user_costs_as_much_time_as_a_wrong_password(team: Settings) -> None:
    # Behaviour, not a speed budget: without the dummy argon2 verify an unknown name
    # answers ~100x faster than a real check; with it the two are within a small factor.
    best = {"Budi": float("inf"), "Orang Asing": float("inf")}
    for _ in range(4):  # interleaved, best of four: robust against a busy machine
        for name in best:
            start = time.perf_counter()
            with pytest.raises(LoginFailed):
                login(team, name, "salah-terus")
            best[name] = min(best[name], time.perf_counter() - start)
    known, unknown = best["Budi"], best["Orang Asing"]
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_disabled_user_cannot_log_in_and_loses_the_session(team: Settings,
                                                           clock: FakeClock) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    logout(team, clock=clock)
    login(team, "Siti", SUPERVISOR_PW, clock=clock)
    disable_user(team, "Budi", clock=clock)
    with pytest.raises(LoginFailed, match="dinonaktifkan"):
        login(team, "Budi", STAFF_PW, clock=clock)
    with pytest.raises(LoginFailed, match="salah"):  # wrong password: the generic message
        login(team, "Budi", "salah-terus", clock=clock)
    with pytest.raises(PermissionDenied, match="Supervisor aktif terakhir"):
        disable_user(team, "Siti", clock=clock)


def test_disabling_revokes_a_live_session(team: Settings, clock: FakeClock) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    with sqlite3.connect(team.users_file) as db:  # as if a supervisor did it elsewhere
        db.execute("UPDATE users SET disabled = 1 WHERE name = 'Budi'")
    assert current_operator(team, clock=clock).logged_in is False


# -- sessions -------------------------------------------------------------------------------
def test_session_expires_after_session_hours(team: Settings, clock: FakeClock) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    clock.advance(team.auth.session_hours * 3600 - 1)
    assert current_operator(team, clock=clock).name == "Budi"
    clock.advance(1)
    assert sess.read(team, clock()).state == sess.SessionState.EXPIRED
    with pytest.raises(PermissionDenied, match="Sesi Anda sudah berakhir"):
        operator_for_send(team, clock=clock)


def test_session_belongs_to_the_os_account(team: Settings, clock: FakeClock,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    login(team, "Siti", SUPERVISOR_PW, clock=clock)
    monkeypatch.setenv("LOGNAME", "other-account")
    assert sess.read(team, clock()).state == sess.SessionState.OTHER_ACCOUNT
    with pytest.raises(PermissionDenied, match="akun komputer lain"):
        require_supervisor(team, clock=clock)
    monkeypatch.setenv("LOGNAME", "clerk-pc1")
    assert require_supervisor(team, clock=clock).name == "Siti"


def test_session_of_another_os_account_is_rejected_by_a_real_process(
        team: Settings, clock: FakeClock, home: Path) -> None:
    login(team, "Siti", SUPERVISOR_PW)
    env = {"TAGIHLITE_HOME": str(home), "PATH": "/usr/bin:/bin", "LOGNAME": "clerk-pc1"}
    cmd = [sys.executable, "-m", "tagihlite", "whoami"]
    mine = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert mine.returncode == 0 and mine.stdout.startswith("Siti (supervisor)")
    other = subprocess.run(cmd, env={**env, "LOGNAME": "someone-else"}, capture_output=True,
                           text=True, timeout=60)
    assert other.returncode == 1 and "akun komputer lain" in other.stderr


def test_edited_session_file_cannot_become_someone_else(team: Settings,
                                                        clock: FakeClock) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    path = sess.session_path()
    data = json.loads(path.read_text())
    assert STAFF_PW not in path.read_text()
    data["user"] = "Siti"
    path.write_text(json.dumps(data))
    assert current_operator(team, clock=clock) == Operator("", "", False)
    # A made-up token for Siti does not work either: the store only knows real tokens.
    data["token"] = "A" * 43
    path.write_text(json.dumps(data))
    assert sess.read(team, clock()).state == sess.SessionState.INVALID
    path.write_text("{not json")
    assert current_operator(team, clock=clock).logged_in is False


def test_store_keeps_only_the_hash_of_the_session_token(team: Settings,
                                                        clock: FakeClock) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    token = json.loads(sess.session_path().read_text())["token"]
    assert token.encode() not in team.users_file.read_bytes()
    assert sess.token_hash(token).encode() in team.users_file.read_bytes()


def test_offline_shared_store_does_not_switch_login_off(home: Path, tmp_path: Path) -> None:
    settings = Settings(auth=AuthSettings(users_path=str(tmp_path / "Z-drive" / "users.db")))
    with pytest.raises(TagihError, match="tidak dapat dijangkau"):
        operator_for_send(settings)


# -- roles -----------------------------------------------------------------------------------
def test_staff_gets_clear_refusals(team: Settings, clock: FakeClock) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    with pytest.raises(PermissionDenied, match="Hanya supervisor yang boleh menambah"):
        add_user(team, "Rina", "staff", STAFF_PW, clock=clock)
    with pytest.raises(PermissionDenied, match=r"Hanya supervisor .*'Budi' \(staff\)"):
        disable_user(team, "Siti", clock=clock)
    with pytest.raises(PermissionDenied, match="Hanya supervisor"):
        require_supervisor(team, clock=clock)


def test_operator_cannot_impersonate(team: Settings, clock: FakeClock) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    assert operator_for_send(team, "budi", clock=clock).name == "Budi"
    with pytest.raises(PermissionDenied, match="atas nama 'Siti'"):
        operator_for_send(team, "Siti", clock=clock)


def test_staff_changes_own_password_only(team: Settings, clock: FakeClock) -> None:
    from tagihlite.auth.users import set_password

    login(team, "Budi", STAFF_PW, clock=clock)
    with pytest.raises(PermissionDenied, match="pengguna lain"):
        set_password(team, "Siti", "Baru-sekali-123", clock=clock)
    with pytest.raises(PermissionDenied, match="Kata sandi sekarang salah"):
        set_password(team, "Budi", "Baru-sekali-123", clock=clock)
    with pytest.raises(PermissionDenied, match="Kata sandi sekarang salah"):
        set_password(team, "Budi", "Baru-sekali-123", current_password="tebak-tebak",
                     clock=clock)
    set_password(team, "Budi", "Baru-sekali-123", current_password=STAFF_PW, clock=clock)
    logout(team, clock=clock)
    with pytest.raises(LoginFailed):
        login(team, "Budi", STAFF_PW, clock=clock)
    assert login(team, "Budi", "Baru-sekali-123", clock=clock).name == "Budi"


def test_supervisor_resets_another_password_and_ends_their_session(
        team: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    from tagihlite.auth.users import set_password

    login(team, "Budi", STAFF_PW, clock=clock)
    budi_session = sess.session_path().read_bytes()
    login(team, "Siti", SUPERVISOR_PW, clock=clock)
    set_password(team, "Budi", "Direset-supervisor-1", clock=clock)
    sess.session_path().write_bytes(budi_session)  # Budi's old session is gone from the store
    assert current_operator(team, clock=clock).logged_in is False


def test_session_token_lives_in_the_keyring_when_there_is_one(
        team: Settings, clock: FakeClock, file_keyring: object) -> None:
    login(team, "Budi", STAFF_PW, clock=clock)
    data = json.loads(sess.session_path().read_text())
    assert "token" not in data and data["token_in"] == "keyring"
    token = file_keyring.get_password("TagihLite", sess.KEYRING_ENTRY)  # type: ignore[attr-defined]
    assert token and sess.token_hash(token).encode() in team.users_file.read_bytes()
    assert current_operator(team, clock=clock) == Operator("Budi", "staff", True)
    logout(team, clock=clock)
    assert file_keyring.get_password("TagihLite", sess.KEYRING_ENTRY) is None  # type: ignore[attr-defined]
    assert current_operator(team, clock=clock).logged_in is False
