"""The journal: SQLite (WAL), the source of truth for what was sent.

Exactly once: :meth:`Journal.begin` commits the intent before a channel is called and
refuses a key that may already have gone out; :meth:`Journal.finish` commits the outcome.
A process that dies in between leaves the key ``pending``; the next run (holding the run
lock, so no other sender is alive) turns it into ``unknown`` = ``PERLU CEK``, and only a
supervisor can clear it. Nothing is ever silently re-sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from tagihlite import clock
from tagihlite.core.formats import WIB
from tagihlite.core.vocab import JournalState
from tagihlite.errors import TagihError
from tagihlite.journal.opening import cannot_open

SCHEMA = """
CREATE TABLE IF NOT EXISTS reminders (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    channel TEXT,
    operator TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    intent_at TEXT,
    finished_at TEXT,
    provider_id TEXT,
    provider_at TEXT,
    error_code TEXT,
    note TEXT NOT NULL DEFAULT '',
    message TEXT,
    phone TEXT,
    amount INTEGER,
    workbook TEXT,
    sheet_row INTEGER
);
CREATE INDEX IF NOT EXISTS reminders_provider ON reminders(provider_id);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    channel TEXT,
    operator TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts(key);
"""


def now_utc() -> dt.datetime:
    # The pinnable clock (--now/--today): reminder levels read these dates back.
    return clock.now().astimezone(dt.timezone.utc)


def to_wib(iso: str | None) -> dt.datetime | None:
    """Stored UTC ISO text -> naive WIB datetime for the sheet."""
    if not iso:
        return None
    return dt.datetime.fromisoformat(iso).astimezone(WIB).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Entry:
    key: str
    state: str
    channel: str | None
    operator: str | None
    attempts: int
    intent_at: str | None
    finished_at: str | None
    provider_id: str | None
    error_code: str | None
    note: str
    message: str | None

    @property
    def when(self) -> dt.datetime | None:
        return to_wib(self.finished_at or self.intent_at)


class Claimed(NamedTuple):
    won: bool  # this run may send the key now
    holder: str | None  # refused: who is sending it right now ("Budi (budi@PC-2)"), if anyone
    taken: dict[str, str | None]  # keys ahead that are held (holder) or done (None) already


class SendInProgress(TagihError):
    exit_code = 2


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                       isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: an intent must survive a power cut too, or a resend could follow.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except (sqlite3.DatabaseError, OSError) as exc:
            raise cannot_open(self.path, exc) from None
        self._lock = threading.RLock()
        self._run_lock_fd: int | None = None

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self.release_run_lock()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- the run lock: one sender per journal ---------------------------------------
    def acquire_run_lock(self) -> None:
        """Hold an OS file lock for the whole send run (released by the OS if we die)."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise cannot_open(self.path, exc) from None
        try:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise SendInProgress("Pengiriman lain sedang berjalan dengan jurnal yang sama. "
                                 "Tunggu sampai selesai, lalu coba lagi.") from None
        self._run_lock_fd = fd

    def release_run_lock(self) -> None:
        if self._run_lock_fd is not None:
            os.close(self._run_lock_fd)
            self._run_lock_fd = None

    def recover(self) -> list[str]:
        """Turn intents left by a dead run into ``unknown`` (PERLU CEK). Needs the run lock."""
        assert self._run_lock_fd is not None, "recover() needs the run lock"
        with self._tx() as db:
            keys = [r[0] for r in db.execute(
                "SELECT key FROM reminders WHERE state = ?", (JournalState.PENDING,))]
            at = now_utc().isoformat()
            for key in keys:
                db.execute("UPDATE reminders SET state=?, note=? WHERE key=?",
                           (JournalState.UNKNOWN, _CRASH_NOTE, key))
                db.execute("INSERT INTO attempts(key, at, state, note) VALUES (?,?,?,?)",
                           (key, at, JournalState.UNKNOWN, _CRASH_NOTE))
        return keys

    # -- exactly once --------------------------------------------------------------
    def begin(self, key: str, *, channel: str, operator: str, message: str, phone: str,
              amount: int, workbook: str = "", sheet_row: int | None = None) -> bool:
        """Commit the intent to send ``key``. False if it may already have gone out."""
        at = now_utc().isoformat()
        with self._tx() as db:
            row = db.execute("SELECT state FROM reminders WHERE key=?", (key,)).fetchone()
            if row and row[0] in JournalState.BLOCKING:
                return False
            db.execute(
                """INSERT INTO reminders(key, state, channel, operator, attempts, intent_at,
                       finished_at, provider_id, provider_at, error_code, note, message,
                       phone, amount, workbook, sheet_row)
                   VALUES (?,?,?,?,1,?,NULL,NULL,NULL,NULL,'',?,?,?,?,?)
                   ON CONFLICT(key) DO UPDATE SET state=excluded.state,
                       channel=excluded.channel, operator=excluded.operator,
                       attempts=reminders.attempts+1, intent_at=excluded.intent_at,
                       finished_at=NULL, provider_id=NULL, provider_at=NULL, error_code=NULL,
                       note='', message=excluded.message, phone=excluded.phone,
                       amount=excluded.amount, workbook=excluded.workbook,
                       sheet_row=excluded.sheet_row""",
                (key, JournalState.PENDING, channel, operator, at, message, phone, amount,
                 workbook, sheet_row))
            db.execute("INSERT INTO attempts(key, at, state, channel, operator) "
                       "VALUES (?,?,?,?,?)", (key, at, JournalState.PENDING, channel, operator))
        return True

    def claim(self, key: str, *, channel: str, operator: str, message: str, phone: str,
              amount: int, workbook: str = "", sheet_row: int | None = None,
              ahead: Sequence[str] = ()) -> Claimed:
        """:meth:`begin`, and when it is refused, who holds ``key`` right now (team mode:
        another PC sending it; None: it may already have gone out). Team mode also reads
        which of the ``ahead`` keys are taken already, so the send loop skips them without
        a claim each; here (one PC at a time) nothing is."""
        won = self.begin(key, channel=channel, operator=operator, message=message,
                         phone=phone, amount=amount, workbook=workbook, sheet_row=sheet_row)
        return Claimed(won, None, {})

    def finish(self, key: str, state: str, *, note: str = "", provider_id: str | None = None,
               error_code: str | None = None) -> None:
        at = now_utc().isoformat()
        with self._tx() as db:
            db.execute("UPDATE reminders SET state=?, finished_at=?, note=?, provider_id=?, "
                       "error_code=? WHERE key=?",
                       (state, at, note, provider_id, error_code, key))
            db.execute("INSERT INTO attempts(key, at, state, note) VALUES (?,?,?,?)",
                       (key, at, state, note))

    def record_provider_status(self, provider_id: str, state: str, at: dt.datetime,
                               error_code: str | None = None, key: str | None = None) -> bool:
        """Delivery news from the Cloud API webhook; states only move forward.

        ``key`` is the journal key WhatsApp echoes back (our callback data). It settles a
        PERLU CEK row whose send crashed before the message id was recorded: WhatsApp's
        own report proves the message left, so the row takes that id and state.
        """
        order = JournalState.PROGRESS
        with self._tx() as db:
            row = db.execute("SELECT key, state FROM reminders WHERE provider_id=?",
                             (provider_id,)).fetchone()
            if row is None and key:
                row = db.execute("SELECT key, state FROM reminders WHERE key=? AND state=? "
                                 "AND channel='cloud'", (key, JournalState.UNKNOWN)).fetchone()
                if row is not None:
                    db.execute("UPDATE reminders SET provider_id=?, state=?, note=? WHERE key=?",
                               (provider_id, JournalState.ACCEPTED, _ADOPTED_NOTE, key))
                    row = (key, JournalState.ACCEPTED)
            if row is None:
                return False
            key, current = row
            if state == JournalState.FAILED:
                # Failed only before delivery: after delivered/read it would move the key
                # back to a sendable state and the next run would text the customer again.
                if current not in (JournalState.ACCEPTED, JournalState.SENT):
                    return False
            elif state not in order or current not in order or (
                    order.index(state) <= order.index(current)):
                return False
            note = "Gagal terkirim menurut WhatsApp." if state == JournalState.FAILED else ""
            db.execute("UPDATE reminders SET state=?, provider_at=?, error_code=COALESCE(?, "
                       "error_code), note=CASE WHEN ?<>'' THEN ? ELSE note END WHERE key=?",
                       (state, at.astimezone(dt.timezone.utc).isoformat(), error_code, note,
                        note, key))
            db.execute("INSERT INTO attempts(key, at, state, note) VALUES (?,?,?,?)",
                       (key, at.astimezone(dt.timezone.utc).isoformat(), state, note))
        return True

    def clear_needs_check(self, key: str, by: str, reason: str) -> bool:
        """Supervisor decision: a PERLU CEK key may be sent again."""
        with self._tx() as db:
            row = db.execute("SELECT state FROM reminders WHERE key=?", (key,)).fetchone()
            if row is None or row[0] not in (JournalState.UNKNOWN, JournalState.PENDING):
                return False
            if row[0] == JournalState.PENDING and self._run_lock_fd is None:
                return False  # a live run may still be sending it
            note = f"Dibuka kembali oleh {by}: {reason}"
            db.execute("UPDATE reminders SET state=?, note=? WHERE key=?",
                       (JournalState.CLEARED, note, key))
            db.execute("INSERT INTO attempts(key, at, state, operator, note) "
                       "VALUES (?,?,?,?,?)",
                       (key, now_utc().isoformat(), JournalState.CLEARED, by, note))
        return True

    # -- reading ---------------------------------------------------------------------
    def entries(self, keys: Iterable[str] | None = None) -> dict[str, Entry]:
        cols = ("key, state, channel, operator, attempts, intent_at, finished_at, "
                "provider_id, error_code, note, message")
        with self._lock:
            if keys is None:
                rows = self._db.execute(f"SELECT {cols} FROM reminders").fetchall()
            else:
                wanted = list(dict.fromkeys(k for k in keys if k))
                rows = []
                for i in range(0, len(wanted), 500):
                    chunk = wanted[i:i + 500]
                    rows += self._db.execute(
                        f"SELECT {cols} FROM reminders WHERE key IN "
                        f"({','.join('?' * len(chunk))})", chunk).fetchall()
        return {r[0]: Entry(*r) for r in rows}

    def customers(self) -> set[str]:
        """Customer numbers this journal has any reminder for (any period, any level)."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT substr(key, 1, instr(key, '|') - 1) "
                                    "FROM reminders").fetchall()
        return {r[0] for r in rows}

    def send_times(self, customer_ids: set[str]) -> dict[str, list[dt.datetime]]:
        """Customer -> WIB times (as the sheet shows them) of this journal's reminders to
        them: tells this journal's own Waktu Kirim from another computer's."""
        out: dict[str, list[dt.datetime]] = {}
        with self._lock:
            rows = self._db.execute("SELECT key, intent_at, finished_at FROM reminders")
            for key, intent_at, finished_at in rows:
                cid = key.split("|", 1)[0]
                if cid in customer_ids:
                    out.setdefault(cid, []).extend(
                        t for t in (to_wib(intent_at), to_wib(finished_at)) if t)
        return out

    def count_today(self, today: dt.date | None = None) -> int:
        """Reminders that may have left today (WIB): the daily cap counts these."""
        today = today or clock.today()
        start = dt.datetime.combine(today, dt.time(), WIB).astimezone(dt.timezone.utc)
        end = start + dt.timedelta(days=1)
        with self._lock:
            (n,) = self._db.execute(
                "SELECT COUNT(*) FROM attempts WHERE state=? AND at>=? AND at<? AND key IN "
                "(SELECT key FROM reminders WHERE state<>?)",
                (JournalState.PENDING, start.isoformat(), end.isoformat(),
                 JournalState.FAILED)).fetchone()
        return int(n)


_ADOPTED_NOTE = "Dipastikan terkirim oleh laporan WhatsApp setelah pengiriman terputus."
_CRASH_NOTE = ("Pengiriman terputus sebelum hasilnya tercatat: pesan mungkin sudah terkirim. "
               "Periksa di WhatsApp; supervisor dapat membuka kembali baris ini.")
