"""Logging in and out, with lockout after repeated failures.

Every attempt costs exactly one argon2 verification (against a dummy hash for unknown
names and locked accounts), and unknown names are counted and locked like real ones, so
neither the message nor the timing tells whether a user exists.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import sqlite3
import time
from collections.abc import Callable
from typing import NoReturn

from tagihlite.auth import passwords, sessions, store
from tagihlite.auth.audit import open_audit
from tagihlite.auth.identity import Operator
from tagihlite.errors import InputError, PermissionDenied, TagihError
from tagihlite.settings import Settings

Clock = Callable[[], float]

UNKNOWN_ACTOR = "(tidak dikenal)"
WRONG = "Nama pengguna atau kata sandi salah."
NOT_ENABLED = ("Login belum diaktifkan: belum ada pengguna. Supervisor pertama dibuat dengan "
               "'tagihlite users add NAMA --role supervisor'.")


class LoginFailed(PermissionDenied):
    """Wrong name or password, locked, or disabled: the message is safe to show."""


def _locked_message(seconds_left: float) -> str:
    minutes = max(1, math.ceil(seconds_left / 60))
    return (f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.")


def _bucket(conn: sqlite3.Connection, name: str) -> str:
    """Counter key for a name that is not a user.

    People type their password into the name field now and then, so the typed name is not
    stored: only 20 bits of a keyed hash, too few to recover it but enough to keep a small
    team's counters apart.
    """
    key = store.meta_value(conn, "unknown_name_key", secrets.token_hex(32))
    digest = hmac.new(bytes.fromhex(key), store.name_key(name).encode("utf-8"),
                      hashlib.sha256)
    return digest.hexdigest()[:5]


def _attempt(conn: sqlite3.Connection, settings: Settings, name: str, password: str,
             now: float) -> tuple[str, store.User | None, float]:
    """One attempt inside a write transaction: (outcome, user, lock seconds left)."""
    limit = settings.auth.max_failed_logins
    window = settings.auth.lockout_minutes * 60
    try:
        clean = store.check_name(name)
    except InputError:
        clean = ""
    user = store.get_user(conn, clean) if clean else None
    if user is not None:
        row = conn.execute("SELECT failed, locked_until, last_failed_at, pw_hash FROM users "
                           "WHERE name = ?",
                           (user.name,)).fetchone()
        table, where, key = "users", "name = ?", user.name
    else:
        key = _bucket(conn, clean or name)
        conn.execute("INSERT OR IGNORE INTO failed_unknown (bucket, failed, last_failed_at) "
                     "VALUES (?, 0, 0)", (key,))
        row = conn.execute("SELECT failed, locked_until, last_failed_at, NULL AS pw_hash "
                           "FROM failed_unknown WHERE bucket = ?", (key,)).fetchone()
        table, where = "failed_unknown", "bucket = ?"
    locked_until = float(row["locked_until"])
    if locked_until > now:
        passwords.dummy_verify(password)
        return "locked", user, locked_until - now
    if row["pw_hash"] is None:
        passwords.dummy_verify(password)
        ok = False
    else:
        ok = passwords.verify_password(row["pw_hash"], password)
    if ok and user is not None:
        conn.execute("UPDATE users SET failed = 0, locked_until = 0 WHERE name = ?",
                     (user.name,))
        if user.disabled:
            return "disabled", user, 0.0
        if passwords.needs_rehash(row["pw_hash"]):
            conn.execute("UPDATE users SET pw_hash = ? WHERE name = ?",
                         (passwords.hash_password(password), user.name))
        return "ok", user, 0.0
    # A failure: consecutive failures, each within the lockout window of the previous one.
    failed = int(row["failed"]) if now - float(row["last_failed_at"]) <= window else 0
    failed += 1
    if failed >= limit:
        conn.execute(f"UPDATE {table} SET failed = 0, locked_until = ?, last_failed_at = ? "
                     f"WHERE {where}", (now + window, now, key))
        return "lockout", user, window
    conn.execute(f"UPDATE {table} SET failed = ?, last_failed_at = ? WHERE {where}",
                 (failed, now, key))
    return "wrong", user, 0.0


def login(settings: Settings, name: str, password: str, *, clock: Clock = time.time) -> Operator:
    """Check the password and start a session for this OS account; LoginFailed otherwise."""
    from tagihlite.auth.identity import login_enabled

    if not login_enabled(settings):  # fails closed when the journal expects another store
        raise TagihError(NOT_ENABLED)
    now = clock()
    with store.open_store(settings) as conn, store.write(conn):
        outcome, user, seconds_left = _attempt(conn, settings, name, password, now)
        if outcome == "ok" and user is not None:
            sessions.create(conn, settings, user, now)
    if outcome == "ok" and user is not None:
        open_audit(settings, clock=clock).append(
            "login", user.name, role=user.role, os_user=sessions.os_account())
        return Operator(name=user.name, role=user.role, logged_in=True)
    _refused(settings, outcome, user, seconds_left, clock=clock, event="login")


def _refused(settings: Settings, outcome: str, user: store.User | None, seconds_left: float,
             *, clock: Clock, event: str) -> NoReturn:
    """Audit a refused attempt (``event``: "login" or "password_check") and raise."""
    actor = user.name if user is not None else UNKNOWN_ACTOR
    audit = open_audit(settings, clock=clock)
    os_user = sessions.os_account()
    if outcome == "disabled":
        audit.append(f"{event}_refused_disabled", actor, os_user=os_user)
        raise LoginFailed("Akun ini dinonaktifkan. Hubungi supervisor.")
    if outcome == "locked":
        audit.append(f"{event}_while_locked", actor, os_user=os_user)
        raise LoginFailed(_locked_message(seconds_left))
    audit.append(f"{event}_failed", actor, os_user=os_user)
    if outcome == "lockout":
        audit.append("lockout", actor, minutes=f"{settings.auth.lockout_minutes:g}")
        raise LoginFailed(_locked_message(seconds_left))
    raise LoginFailed(WRONG if event == "login" else
                      "Kata sandi sekarang salah. Kata sandi tidak diubah.")


def check_current_password(settings: Settings, name: str, password: str, *,
                           clock: Clock = time.time) -> None:
    """``users passwd`` for oneself: the current password counts as a login attempt (one
    argon2 check, the same failure counter and lockout, audited); LoginFailed if wrong."""
    now = clock()
    with store.connect(settings.users_file) as conn, store.write(conn):
        outcome, user, seconds_left = _attempt(conn, settings, name, password, now)
    if outcome != "ok" or user is None:
        _refused(settings, outcome, user, seconds_left, clock=clock, event="password_check")


def logout(settings: Settings, *, clock: Clock = time.time) -> str | None:
    """End this OS account's session; the name that was logged in, or None."""
    if not store.exists(settings):
        sessions.remove_file()
        return None
    with store.open_store(settings) as conn:
        name = sessions.revoke_own(conn)
    if name:
        open_audit(settings, clock=clock).append(
            "logout", name, os_user=sessions.os_account())
    return name
