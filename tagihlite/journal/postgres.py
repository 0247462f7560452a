"""The journal on a team PostgreSQL server: every PC, one truth.

The same :class:`~tagihlite.journal.sqlite.Journal` methods run here through the thin
adapter in :mod:`tagihlite.journal.pgdb`; only what must differ is overridden:

* :meth:`begin` claims a key with ONE atomic statement (``INSERT ... ON CONFLICT DO UPDATE
  ... WHERE state may be retried RETURNING``): of several PCs racing for a key exactly one
  gets a row back, and only that one calls the channel.
* There is no run lock (several PCs send at once). Each run has a row in ``runs`` whose
  heartbeat is the lease of its claims; :meth:`recover` turns claims of runs silent for
  longer than the lease into ``unknown`` (PERLU CEK), never into a resend.
* A lost connection is never retried blindly (a claim may have committed); the next call
  opens a fresh connection, and :meth:`settle_lost` marks the rows that were in flight.
"""

from __future__ import annotations

import contextlib
import getpass
import socket
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tagihlite.core.vocab import JournalState
from tagihlite.errors import TagihError
from tagihlite.journal import migrations
from tagihlite.journal.pgdb import (
    CompatConnection,
    ConnectionLost,
    DatabaseUnavailable,
    describe,
)
from tagihlite.journal.sqlite import _CRASH_NOTE, Claimed, Journal, now_utc

DEFAULT_LEASE_SECONDS = 120.0

_LOST_NOTE = ("Koneksi ke server database terputus saat pesan ini dikirim: pesan mungkin "
              "sudah terkirim. Periksa di WhatsApp; supervisor dapat membuka kembali baris ini.")


def this_pc() -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = "?"
    return f"{user}@{socket.gethostname()}"


class _Reconnecting:
    """A CompatConnection that, once broken, reconnects on the next call (never retries)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: CompatConnection | None = CompatConnection(url)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        if self._conn is None:
            if sql.strip().upper() == "ROLLBACK":
                return None  # the broken connection's transaction is gone already
            self._conn = CompatConnection(self.url)
        try:
            return self._conn.execute(sql, params)
        except ConnectionLost:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass(frozen=True)
class Claim:
    """A key some run holds right now (for "who is sending what")."""

    key: str
    operator: str
    host: str
    since: str
    alive: bool


class PostgresJournal(Journal):
    def __init__(self, url: str, *, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.url = url
        self.path = None  # type: ignore[assignment]  # no file: the server holds it all
        self.lease_seconds = float(lease_seconds)
        self._lock = threading.RLock()
        self._run_lock_fd = None
        self.run_id: str | None = None
        self.host = this_pc()
        self._beat_stop = threading.Event()
        self._beat: threading.Thread | None = None
        self._db = _Reconnecting(url)  # type: ignore[assignment]
        self._out: _Reconnecting | None = None  # outcomes (finish): opened on first use
        self._out_lock = threading.Lock()
        have = migrations.current_version(self._db._conn.raw)  # type: ignore[union-attr]
        if have < migrations.latest():
            self._db.close()
            raise TagihError(f"Database tim ({describe(url)}) belum disiapkan untuk versi "
                             "TagihLite ini: minta supervisor menjalankan 'tagihlite team "
                             "init'.")
        # Every PC that opens the journal (send, mark, check, report) settles dead claims,
        # so a copy of the workbook never shows a dead PC's row as "being sent".
        self.recover()

    def close(self) -> None:
        with contextlib.suppress(TagihError):
            self.release_run_lock()
        with self._lock:
            self._db.close()
        with self._out_lock:
            if self._out is not None:
                self._out.close()
                self._out = None

    # -- runs and leases -------------------------------------------------------------
    def acquire_run_lock(self) -> None:
        """Register this run; its heartbeat keeps its claims' lease alive."""
        self.run_id = uuid.uuid4().hex
        with self._lock:
            self._db.execute("INSERT INTO runs (run_id, host, operator, lease_seconds) "
                             "VALUES (?, ?, ?, ?)", (self.run_id, self.host, "",
                                                     self.lease_seconds))
        self._beat_stop.clear()
        self._beat = threading.Thread(target=self._heartbeat, name="tagihlite-lease",
                                      daemon=True)
        self._beat.start()

    def _heartbeat(self) -> None:
        every = max(0.2, self.lease_seconds / 4)
        while not self._beat_stop.wait(every):
            try:
                with self._lock:
                    self._db.execute("UPDATE runs SET heartbeat_at = now() WHERE run_id = ?",
                                     (self.run_id,))
            except TagihError:
                return  # the sending thread meets the same broken connection and stops

    def release_run_lock(self) -> None:
        if self.run_id is None:
            return
        self._beat_stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        run_id, self.run_id = self.run_id, None
        with self._lock:
            self._db.execute("UPDATE runs SET ended_at = now() WHERE run_id = ?", (run_id,))

    def recover(self) -> list[str]:
        """Claims whose run has been silent longer than the lease -> ``unknown``."""
        at = now_utc().isoformat()
        with self._lock:
            rows = self._db.execute(
                "WITH dead AS (UPDATE reminders SET state = ?, note = ? WHERE state = ? AND "
                "(run_id IS NULL OR run_id NOT IN (SELECT run_id FROM runs WHERE ended_at IS "
                "NULL AND heartbeat_at > now() - make_interval(secs => lease_seconds))) "
                "RETURNING key) "
                "INSERT INTO attempts (key, at, state, note) SELECT key, ?, ?, ? FROM dead "
                "RETURNING key",
                (JournalState.UNKNOWN, _CRASH_NOTE, JournalState.PENDING,
                 at, JournalState.UNKNOWN, _CRASH_NOTE)).fetchall()
        return [r[0] for r in rows]

    def settle_lost(self, keys: Iterable[str]) -> None:
        """After a lost connection: this run's rows in flight -> ``unknown``, if we can."""
        wanted = list(keys)
        if not wanted or self.run_id is None:
            return
        at = now_utc().isoformat()
        # Twice at most: the claim connection may be broken too, unnoticed until now (the
        # outcomes have their own); the statement may safely run again, it only settles.
        for _ in range(2):
            try:
                with self._lock:
                    self._db.execute(
                        "WITH lost AS (UPDATE reminders SET state = ?, note = ? WHERE state = ? "
                        "AND run_id = ? AND key = ANY(?) RETURNING key) INSERT INTO attempts "
                        "(key, at, state, note) SELECT key, ?, ?, ? FROM lost",
                        (JournalState.UNKNOWN, _LOST_NOTE, JournalState.PENDING, self.run_id,
                         wanted, at, JournalState.UNKNOWN, _LOST_NOTE))
                return
            except ConnectionLost:
                continue
            except TagihError:
                return

    # -- exactly once across PCs -----------------------------------------------------
    def begin(self, key: str, *, channel: str, operator: str, message: str, phone: str,
              amount: int, workbook: str = "", sheet_row: int | None = None) -> bool:
        """Claim ``key`` for this run in one atomic statement. False: someone else has it
        or it may already have gone out."""
        return self.claim(key, channel=channel, operator=operator, message=message,
                          phone=phone, amount=amount, workbook=workbook,
                          sheet_row=sheet_row)[0]

    def claim(self, key: str, *, channel: str, operator: str, message: str, phone: str,
              amount: int, workbook: str = "", sheet_row: int | None = None,
              ahead: Sequence[str] = ()) -> Claimed:
        """Claim ``key`` in one atomic statement that, when the claim is refused, also says
        who holds it, and which ``ahead`` keys other PCs hold or sent already: one round
        trip per row won, and most rows the other PCs took cost none. (Skipping on that
        read is safe: a key it shows taken is at most left for later, never sent twice.)"""
        at = now_utc().isoformat()
        note = f"Sedang dikirim oleh {operator} ({self.host})."
        blocking = sorted(JournalState.BLOCKING)
        with self._lock:
            row = self._db.execute(
                """WITH claim AS (
                     INSERT INTO reminders AS r (key, state, channel, operator, attempts,
                         intent_at, note, message, phone, amount, workbook, sheet_row, run_id,
                         host)
                     VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (key) DO UPDATE SET state = excluded.state,
                         channel = excluded.channel, operator = excluded.operator,
                         attempts = r.attempts + 1, intent_at = excluded.intent_at,
                         finished_at = NULL, provider_id = NULL, provider_at = NULL,
                         error_code = NULL, note = excluded.note, message = excluded.message,
                         phone = excluded.phone, amount = excluded.amount,
                         workbook = excluded.workbook, sheet_row = excluded.sheet_row,
                         run_id = excluded.run_id, host = excluded.host
                     WHERE r.state <> ALL(?)
                     RETURNING key),
                   history AS (
                     INSERT INTO attempts (key, at, state, channel, operator)
                     SELECT key, ?, ?, ?, ? FROM claim RETURNING key)
                   SELECT (SELECT count(*) FROM history),
                          (SELECT state FROM reminders WHERE key = ?),
                          (SELECT operator || ' (' || host || ')' FROM reminders
                           WHERE key = ? AND state = ?),
                          t.keys, t.holders
                   FROM (SELECT array_agg(a.key) AS keys, array_agg(CASE WHEN a.state = ?
                           THEN a.operator || ' (' || a.host || ')' END) AS holders
                         FROM unnest(?::text[]) k(key) CROSS JOIN LATERAL (
                           -- LIMIT 1: one index probe per key, whatever plan the
                           -- statement was prepared with (a plan prepared while the table
                           -- was empty would otherwise scan all of it on every claim)
                           SELECT key, state, operator, host FROM reminders
                           WHERE key = k.key LIMIT 1) a
                         WHERE a.state = ANY(?)) t""",
                (key, JournalState.PENDING, channel, operator, at, note, message, phone,
                 amount, workbook, sheet_row, self.run_id, self.host, blocking,
                 at, JournalState.PENDING, channel, operator, key, key,
                 JournalState.PENDING, JournalState.PENDING, list(ahead),
                 blocking)).fetchone()
        taken = dict(zip(row[3] or (), row[4] or (), strict=True))
        if row[0]:
            return Claimed(True, None, taken)
        if row[1] not in JournalState.BLOCKING:
            # The statement's snapshot predates the winner's commit (a race at this very
            # key): ask again, now that its claim is visible. Only for the summary's count.
            try:
                return Claimed(False, self.holder(key), taken)
            except DatabaseUnavailable:  # the next claim meets it and stops the run
                return Claimed(False, None, taken)
        return Claimed(False, row[2], taken)

    def finish(self, key: str, state: str, *, note: str = "", provider_id: str | None = None,
               error_code: str | None = None) -> None:
        """The outcome and its history row in one statement (one round trip per send), on
        a connection of its own so the sending threads never queue behind the claims."""
        at = now_utc().isoformat()
        with self._out_lock:
            if self._out is None:
                self._out = _Reconnecting(self.url)
            self._out.execute(
                "WITH done AS (UPDATE reminders SET state=?, finished_at=?, note=?, "
                "provider_id=?, error_code=? WHERE key=? AND run_id IS NOT DISTINCT FROM ? "
                "RETURNING key) INSERT INTO attempts(key, at, state, note) VALUES (?,?,?,?)",
                (state, at, note, provider_id, error_code, key, self.run_id, key, at, state,
                 note))

    def clear_needs_check(self, key: str, by: str, reason: str) -> bool:
        self.recover()  # a claim past its lease is PERLU CEK; a live one stays refused
        return super().clear_needs_check(key, by, reason)

    # -- reading ---------------------------------------------------------------------
    def customers(self) -> set[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT split_part(key, '|', 1) FROM reminders").fetchall()
        return {r[0] for r in rows}

    def holder(self, key: str) -> str | None:
        """Who holds a claim on ``key`` right now ("Budi (budi@PC-2)"), if anyone."""
        with self._lock:
            row = self._db.execute("SELECT operator, host FROM reminders WHERE key = ? AND "
                                   "state = ?", (key, JournalState.PENDING)).fetchone()
        return None if row is None else f"{row[0]} ({row[1]})"

    def claims(self) -> list[Claim]:
        """Every claim in flight on any PC, oldest first, with whether its run is alive."""
        with self._lock:
            rows = self._db.execute(
                "SELECT r.key, r.operator, r.host, r.intent_at, COALESCE(u.ended_at IS NULL AND "
                "u.heartbeat_at > now() - make_interval(secs => u.lease_seconds), false) "
                "FROM reminders r LEFT JOIN runs u ON u.run_id = r.run_id WHERE r.state = ? "
                "ORDER BY r.intent_at", (JournalState.PENDING,)).fetchall()
        return [Claim(r[0], r[1] or "", r[2] or "", r[3] or "", bool(r[4])) for r in rows]

    def live_runs(self) -> list[tuple[str, str, str, int]]:
        """Runs with a fresh heartbeat: (host, operator, started WIB text, rows finished)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT u.host, COALESCE(MAX(r.operator), ''), to_char(u.started_at AT TIME "
                "ZONE 'Asia/Jakarta', 'YYYY-MM-DD HH24:MI'), COUNT(r.key) FILTER (WHERE "
                "r.state <> 'pending') FROM runs u LEFT JOIN reminders r ON r.run_id = "
                "u.run_id WHERE u.ended_at IS NULL AND u.heartbeat_at > now() - "
                "make_interval(secs => u.lease_seconds) GROUP BY u.run_id, u.host, "
                "u.started_at ORDER BY u.started_at").fetchall()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]
