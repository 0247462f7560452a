"""Login sessions: a file in the OS account's own app folder, checked against the store.

A session is a random token; the users store keeps only its SHA-256, so someone who can
read the (possibly shared) store cannot forge a session, and editing the file to another
user's name does not work. The token itself goes to the OS keyring when there is a secure
one (Windows Credential Manager on the clerks' PCs), so it is not on disk in plain text;
without one (a headless Linux box) it stays in the session file, readable by this OS
account only (mode 0600). A session belongs to the OS account that created it and ends
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

from tagihlite.auth import store
from tagihlite.auth.secrets import SERVICE
from tagihlite.paths import data_dir
from tagihlite.settings import Settings

SESSION_FILE = "session.json"
KEYRING_ENTRY = "session-token"


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
    return store.store_id(settings)


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
    data: dict[str, object] = {"version": 1, "user": user.name, "os_user": os_account(),
                               "created_at": now, "expires_at": expires,
                               "store": _store_id(settings)}
    if _keyring_put(token):
        data["token_in"] = "keyring"
    else:
        data["token"] = token
    _write_file(data)
    return expires


def _keyring() -> object | None:
    from tagihlite.auth.secrets import secure_keyring

    return secure_keyring()


def _keyring_put(token: str) -> bool:
    backend = _keyring()
    if backend is None:
        return False
    from keyring.errors import KeyringError

    try:
        backend.set_password(SERVICE, KEYRING_ENTRY, token)  # type: ignore[attr-defined]
    except KeyringError:
        return False
    return True


def _token_of(data: dict[str, object]) -> str | None:
    if data.get("token_in") != "keyring":
        token = data.get("token")
        return token if isinstance(token, str) else None
    backend = _keyring()
    if backend is None:
        return None
    from keyring.errors import KeyringError

    try:
        token = backend.get_password(SERVICE, KEYRING_ENTRY)  # type: ignore[attr-defined]
    except KeyringError:
        return None
    return token if isinstance(token, str) else None


def _keyring_forget() -> None:
    backend = _keyring()
    if backend is None:
        return
    from keyring.errors import KeyringError

    with contextlib.suppress(KeyringError):
        backend.delete_password(SERVICE, KEYRING_ENTRY)  # type: ignore[attr-defined]


def revoke_own(conn: sqlite3.Connection) -> str | None:
    """End the session this account holds (if any); the name it was for."""
    data = _read_file()
    remove_file()
    token = _token_of(data) if data else None
    if data and data.get("token_in") == "keyring":
        _keyring_forget()
    if not data or token is None:
        return None
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))
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
    token, name = _token_of(data), data.get("user")
    expires = data.get("expires_at")
    if not (isinstance(token, str) and isinstance(name, str)
            and isinstance(expires, (int, float))):
        return Session(SessionState.INVALID)
    if now >= expires:
        return Session(SessionState.EXPIRED)
    if data.get("store") != _store_id(settings) or not store.exists(settings):
        return Session(SessionState.INVALID)
    with store.open_store(settings) as conn:
        row = conn.execute("SELECT name, os_user, expires_at FROM sessions WHERE token_hash = ?",
                           (token_hash(token),)).fetchone()
        if (row is None or not store.same_name(row["name"], name)
                or row["os_user"] != os_account() or now >= float(row["expires_at"])):
            return Session(SessionState.INVALID)
        user = store.get_user(conn, row["name"])
    if user is None or user.disabled:
        return Session(SessionState.INVALID)
    return Session(SessionState.OK, user, float(row["expires_at"]))
