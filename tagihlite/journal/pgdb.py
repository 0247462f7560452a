"""The PostgreSQL adapter: connecting (password from keyring/env), errors, and a thin
sqlite3-shaped connection so the journal, audit log and users store keep ONE set of
methods for both databases.

The dialect is small on purpose: ``?`` placeholders become ``%s``, ``INSERT OR IGNORE``
becomes ``ON CONFLICT DO NOTHING``, ``COLLATE NOCASE`` is dropped (the PostgreSQL tables use
``citext`` where case must not matter), and ``BEGIN IMMEDIATE`` (SQLite's "one writer at a
time") becomes ``BEGIN`` plus a transaction-scoped advisory lock, which serialises the same
read-modify-write steps across every PC.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from tagihlite.errors import SettingsError, TagihError

PASSWORD_SECRET = "db_password"  # keyring entry, or env TAGIHLITE_DB_PASSWORD
WRITE_LOCK = 7_231_001  # advisory lock id standing in for SQLite's BEGIN IMMEDIATE
CONNECT_TIMEOUT = 5


class DatabaseUnavailable(TagihError):
    """The team database cannot be reached: nothing is sent."""

    exit_code = 2


class ConnectionLost(DatabaseUnavailable):
    """The connection broke while working: what was in flight needs a human check."""


def is_url(value: str) -> bool:
    return value.startswith(("postgresql://", "postgres://"))


def describe(url: str) -> str:
    """``host:port/db`` for messages: never the user's password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{parts.path or ''}"


def unavailable(url: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Server database tim ({describe(url)}) tidak dapat dihubungi, jadi tidak ada pesan "
        "yang dikirim; periksa jaringan kantor atau hubungi supervisor, lalu coba lagi.")


def lost(url: str) -> ConnectionLost:
    return ConnectionLost(
        f"Koneksi ke server database tim ({describe(url)}) terputus di tengah pengiriman: "
        "pengiriman dihentikan dan baris yang sedang dikirim ditandai PERLU CEK.")


def check_url(url: str) -> str:
    if not is_url(url):
        raise SettingsError("Pengaturan 'journal_url' harus diawali 'postgresql://'.")
    if urlsplit(url).password:
        raise SettingsError("Pengaturan 'journal_url' tidak boleh memuat kata sandi: simpan "
                            "kata sandi di keyring ('tagihlite secrets set db_password') atau "
                            "variabel lingkungan TAGIHLITE_DB_PASSWORD / PGPASSWORD.")
    return url


def connect(url: str, *, application: str = "tagihlite") -> Any:
    """An autocommit psycopg connection (transactions are opened explicitly, as in SQLite).

    The password: the OS keyring or TAGIHLITE_DB_PASSWORD; else libpq's own PGPASSWORD
    or ~/.pgpass. Never the settings file (:func:`check_url` refuses one there)."""
    import psycopg

    from tagihlite.auth.secrets import get_secret

    check_url(url)
    extra: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT,
                             "application_name": application}
    password = get_secret(PASSWORD_SECRET)
    if password:
        extra["password"] = password
    try:
        return psycopg.connect(url, autocommit=True, row_factory=_compat_rows, **extra)
    except psycopg.OperationalError as exc:
        if "password authentication failed" in str(exc):
            raise DatabaseUnavailable(
                f"Server database tim ({describe(url)}) menolak kata sandi: periksa keyring "
                "'db_password' atau TAGIHLITE_DB_PASSWORD, jadi tidak ada pesan yang "
                "dikirim.") from None
        raise unavailable(url) from None


class Row(tuple):  # type: ignore[type-arg]
    """A result row readable by position and by column name, like ``sqlite3.Row``."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _compat_rows(cursor: Any) -> Any:
    names = [d.name for d in cursor.description] if cursor.description else []
    index = {n: i for i, n in enumerate(names)}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._index = index
        return row

    return make


_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO", re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite-flavoured SQL as the shared methods write it -> PostgreSQL."""
    out = sql.replace("%", "%%").replace("?", "%s")
    out = re.sub(r"\s+COLLATE\s+NOCASE", "", out, flags=re.IGNORECASE)
    if _OR_IGNORE.match(out):
        out = _OR_IGNORE.sub("INSERT INTO", out).rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    return out


class CompatConnection:
    """What the shared code calls on a ``sqlite3.Connection``, done on PostgreSQL."""

    dialect = "postgresql"

    def __init__(self, url: str, *, application: str = "tagihlite") -> None:
        self.url = url
        self.raw = connect(url, application=application)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        import psycopg

        try:
            if sql.strip().upper() == "BEGIN IMMEDIATE":
                self.raw.execute("BEGIN")
                return self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return self.raw.execute(translate(sql), tuple(params))  # type: ignore[arg-type]
        except (psycopg.OperationalError, psycopg.InterfaceError):
            raise lost(self.url) from None

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> CompatConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
