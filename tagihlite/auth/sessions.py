"""Login sessions: a file in the OS account's own app folder, checked against the store.

The file holds a random token; the users store keeps only its SHA-256, so someone who can
read the (possibly shared) store cannot forge a session, and editing the file to another
user's name does not work. A session belongs to the OS account that created it and ends
after ``settings.auth.session_hours`` or at ``tagihlite logout``.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..paths import data_dir
from ..settings import Settings
from . import store

SESSION_FILE = "session.json"


class SessionState:
    OK = "ok"
    NONE = "none"  # no session file
    EXPIRED = "expired"
    OTHER_ACCOUNT = "other_account"  # made by another OS account
    INVALID = "invalid"  # unreadable, revoked, other store, user disabled or removed


@dataclass(frozen=True)
class Session:
    state: str
    user: store.User | None = None
    expires_at: float = 0.0


def os_account() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name at all (odd service accounts)
        return "unknown"


def session_path() -> Path:
    return data_dir() / SESSION_FILE


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _store_id(settings: Settings) -> str:
    return str(settings.users_file.expanduser().resolve())


def _read_file() -> dict[str, object] | None:
    try:
        data = json.loads(session_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_file(data: dict[str, object]) -> None:
    path = session_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


def remove_file() -> None:
    with contextlib.suppress(FileNotFoundError):
        session_path().unlink()


def create(conn: sqlite3.Connection, settings: Settings, user: store.User, now: float) -> float:
    """Record a new session for ``user`` (replacing this account's previous one)."""
    revoke_own(conn)
    token = secrets.token_urlsafe(32)
    expires = now + settings.auth.session_hours * 3600
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
    conn.execute("INSERT INTO sessions (token_hash, name, os_user, created_at, expires_at) "
                 "VALUES (?, ?, ?, ?, ?)",
                 (token_hash(token), user.name, os_account(), now, expires))
    _write_file({"version": 1, "user": user.name, "os_user": os_account(), "created_at": now,
                 "expires_at": expires, "store": _store_id(settings), "token": token})
    return expires


def revoke_own(conn: sqlite3.Connection) -> str | None:
    """End the session this account holds (if any); the name it was for."""
    data = _read_file()
    remove_file()
    if not data or not isinstance(data.get("token"), str):
        return None
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(str(data["token"])),))
    name = data.get("user")
    return name if isinstance(name, str) else None


def revoke_user(conn: sqlite3.Connection, name: str) -> None:
    """End every session of ``name`` (disabled, or password reset)."""
    conn.execute("DELETE FROM sessions WHERE name = ?", (name,))


def read(settings: Settings, now: float) -> Session:
    """This OS account's session, checked against the store; never raises for a bad file."""
    data = _read_file()
    if data is None:
        return Session(SessionState.NONE) if not session_path().exists() else Session(
            SessionState.INVALID)
    if data.get("os_user") != os_account():
        return Session(SessionState.OTHER_ACCOUNT)
    token, name = data.get("token"), data.get("user")
    expires = data.get("expires_at")
    if not (isinstance(token, str) and isinstance(name, str)
            and isinstance(expires, (int, float))):
        return Session(SessionState.INVALID)
    if now >= expires:
        return Session(SessionState.EXPIRED)
    if data.get("store") != _store_id(settings) or not store.store_exists(settings.users_file):
        return Session(SessionState.INVALID)
    with store.connect(settings.users_file) as conn:
        row = conn.execute("SELECT name, os_user, expires_at FROM sessions WHERE token_hash = ?",
                           (token_hash(token),)).fetchone()
        if (row is None or row["name"].casefold() != name.casefold()
                or row["os_user"] != os_account() or now >= float(row["expires_at"])):
            return Session(SessionState.INVALID)
        user = store.get_user(conn, row["name"])
    if user is None or user.disabled:
        return Session(SessionState.INVALID)
    return Session(SessionState.OK, user, float(row["expires_at"]))
