"""The users store: one SQLite file (``settings.users_file``) a team may share.

Holds the users (argon2id hashes only), failed-login counters, the hashes of live session
tokens and the opt-out list. It may sit on a shared network folder, so it keeps SQLite's
default rollback journal: WAL needs shared memory, which network file systems do not give.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tagihlite.errors import InputError, TagihError
from tagihlite.settings import Settings

ROLES = ("staff", "supervisor")
STAFF, SUPERVISOR = ROLES

_NAME_RE = re.compile(r"^[^\W\d_][\w.' -]{0,39}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('staff', 'supervisor')),
    pw_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,
    last_failed_at REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_unknown (
    bucket TEXT PRIMARY KEY,
    failed INTEGER NOT NULL,
    last_failed_at REAL NOT NULL,
    locked_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE,
    os_user TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS opt_out (
    number TEXT PRIMARY KEY,
    reason TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL,
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool
    failed: int
    locked_until: float


def name_key(name: str) -> str:
    """What makes two user names the same person: NFKC + casefold, so "Ádi" (composed),
    "Ádi" (A + combining accent), "ádi" and full-width "Ａdi" are one name, not
    look-alikes. SQLite's NOCASE folds ASCII only, so every lookup compares these keys."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def same_name(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


def check_name(name: str) -> str:
    """A user name as it will appear in ``Dikirim Oleh``: NFKC, trimmed, single spaces."""
    clean = " ".join(unicodedata.normalize("NFKC", name).split())
    if not _NAME_RE.match(clean):
        raise InputError("Nama pengguna tidak valid: awali dengan huruf, paling banyak 40 "
                         "karakter (huruf, angka, spasi, titik, tanda hubung).")
    return clean


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"Peran '{role}' tidak dikenal: pilih 'staff' atau 'supervisor'.")
    return role


def store_exists(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


# -- where the store lives: the SQLite file, or the team database (journal_url) -------
def exists(settings: Settings) -> bool:
    """The store is there (the team database always is, once `team init` made it)."""
    return bool(settings.team_url) or store_exists(settings.users_file)


def store_id(settings: Settings) -> str:
    """What a session file remembers as "its" store (never a password)."""
    if settings.team_url:
        from tagihlite.journal.pgdb import describe

        return "postgresql://" + describe(settings.team_url)
    return str(settings.users_file.expanduser().resolve())


def open_store(settings: Settings) -> contextlib.AbstractContextManager[sqlite3.Connection]:
    """A connection to this PC's users store, SQLite or the team database."""
    if settings.team_url:
        from tagihlite.journal.pgdb import CompatConnection

        return CompatConnection(settings.team_url,  # type: ignore[return-value]
                                application="tagihlite-users")
    return connect(settings.users_file)


def has_users_in(settings: Settings) -> bool:
    if not settings.team_url:
        return has_users(settings.users_file)
    with open_store(settings) as conn:
        return count_users(conn) > 0


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection in autocommit mode; use :func:`write` for read-modify-write steps."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise TagihError(f"Berkas pengguna '{path}' tidak dapat dibuka ({exc.__class__.__name__})."
                         " Periksa lokasi 'auth.users_path' di pengaturan.") from None
    try:
        conn.row_factory = sqlite3.Row
        conn.executescript(_SCHEMA)
        yield conn
    finally:
        conn.close()


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One IMMEDIATE transaction: concurrent logins on a shared store cannot interleave."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _user(row: sqlite3.Row | None) -> User | None:
    if row is None:
        return None
    return User(name=row["name"], role=row["role"], disabled=bool(row["disabled"]),
                failed=int(row["failed"]), locked_until=float(row["locked_until"]))


def _row_named(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    # A team has a handful of users: comparing keys in Python beats a schema change.
    key = name_key(name)
    for row in conn.execute("SELECT * FROM users"):
        if name_key(row["name"]) == key:
            return row
    return None


def get_user(conn: sqlite3.Connection, name: str) -> User | None:
    return _user(_row_named(conn, name))


def get_hash(conn: sqlite3.Connection, name: str) -> str | None:
    row = _row_named(conn, name)
    return None if row is None else str(row["pw_hash"])


def list_users(conn: sqlite3.Connection) -> list[User]:
    rows = conn.execute("SELECT * FROM users ORDER BY name COLLATE NOCASE").fetchall()
    return [u for u in map(_user, rows) if u is not None]


def count_users(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])


def count_active_supervisors(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM users WHERE role = 'supervisor' "
                            "AND disabled = 0").fetchone()[0])


def has_users(path: Path) -> bool:
    """True once any user exists (disabled ones too): from then on login is required."""
    if not store_exists(path):
        return False
    with connect(path) as conn:
        return count_users(conn) > 0


def store_identity(path: Path) -> str:
    """This SQLite store's identity (random, made once): a journal remembers which store enabled
    its logins, so another file at the same path is not mistaken for it."""
    import secrets

    with connect(path) as conn:
        return meta_value(conn, "store_id", secrets.token_hex(16))


def meta_value(conn: sqlite3.Connection, key: str, default: str) -> str:
    """A per-store value, created with ``default`` the first time it is asked for."""
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, default))
    return str(conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])
