"""The journal remembers that logins were enabled for it, and with which users store.

Without this, a staff user could point ``auth.users_path`` (in a private settings file) at
a missing or fresh file and TagihLite would drop to single-user mode: ``clear``,
``--operator`` and opt-out edits open to anyone. Once a journal has seen a users store with
users, it records the store's identity (a random id kept inside that store) in its own
database; from then on a missing, empty or different store fails closed.

Kept to one small table in the journal file (``login_binding``), separate from the
reminders, so another journal backend can carry it as one row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tagihlite.errors import TagihError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS login_binding (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    store_id TEXT NOT NULL,
    store_path TEXT NOT NULL,
    bound_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Binding:
    store_id: str
    store_path: str


@contextlib.contextmanager
def _connect(journal_file: Path) -> Iterator[sqlite3.Connection]:
    try:
        journal_file.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(journal_file, timeout=10, isolation_level=None)
        conn.executescript(_SCHEMA)
    except (OSError, sqlite3.Error) as exc:  # the same sentences as opening the journal
        from tagihlite.journal.opening import cannot_open

        raise cannot_open(journal_file, exc) from None
    try:
        yield conn
    finally:
        conn.close()


def bound(journal_file: Path) -> Binding | None:
    if not journal_file.is_file():
        return None
    with _connect(journal_file) as conn:
        row = conn.execute("SELECT store_id, store_path FROM login_binding").fetchone()
    return Binding(*row) if row else None


def bind(journal_file: Path, store_id: str, store_path: Path) -> bool:
    """Record the store (first one wins); True when this call recorded it."""
    with _connect(journal_file) as conn:
        cur = conn.execute("INSERT OR IGNORE INTO login_binding VALUES (1, ?, ?, ?)",
                           (store_id, str(store_path),
                            dt.datetime.now(dt.timezone.utc).isoformat()))
        return cur.rowcount == 1


def _refuse(what: str, b: Binding, journal_file: Path) -> TagihError:
    return TagihError(
        f"Login sudah diaktifkan untuk jurnal '{journal_file}' dengan berkas pengguna "
        f"'{b.store_path}', tetapi {what}. Demi keamanan semua tindakan ditolak. Kembalikan "
        "'auth.users_path' di pengaturan ke berkas pengguna itu (atau pulihkan berkasnya dari "
        "cadangan), lalu coba lagi.")


def logins_enabled(journal_file: Path, users_file: Path) -> bool:
    """True: logins are on (store checked). False: single-user (never bound, no users).
    Raises when the journal was bound and the store is missing, empty or another one."""
    from tagihlite.auth import store

    b = bound(journal_file)
    if not store.has_users(users_file):
        if b is not None:
            state = ("berkas pengguna yang dipakai sekarang "
                     f"('{users_file}') tidak ada atau kosong")
            raise _refuse(state, b, journal_file)
        return False
    sid = store.store_identity(users_file)
    if b is None:
        if bind(journal_file, sid, users_file):
            from tagihlite.auth.audit import AuditLog

            AuditLog(journal_file).append("users_store_bound", "(sistem)", store_id=sid,
                                          store_path=str(users_file))
        return True
    if b.store_id != sid:
        raise _refuse(f"berkas pengguna yang dipakai sekarang ('{users_file}') adalah berkas "
                      "lain", b, journal_file)
    return True
