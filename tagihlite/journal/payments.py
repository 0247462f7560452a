"""Payments, journaled next to the reminders: in the same SQLite file (own tables) or, in
team mode, in the team PostgreSQL database (tables made by migration 2), so a bill paid and
imported on one PC is settled for every PC.

A payment is recorded once: re-importing the same list (or a later list that repeats
it) adds nothing. ``bills`` keeps what a bill first owed, so a partial payment's remainder
is always the first amount minus every payment, however often the list is imported.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagihlite.errors import TagihError

if TYPE_CHECKING:
    from tagihlite.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL,
    period TEXT NOT NULL,
    paid_on TEXT NOT NULL,
    amount INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    source TEXT NOT NULL,
    sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    operator TEXT NOT NULL DEFAULT '',
    UNIQUE (customer_id, period, paid_on, amount, seq)
);
CREATE TABLE IF NOT EXISTS bills (
    customer_id TEXT NOT NULL,
    period TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (customer_id, period)
);
"""


@dataclass(frozen=True)
class Payment:
    customer_id: str
    period: str
    paid_on: dt.date
    amount: int
    seq: int = 0  # the n-th identical payment in one list (two equal payments stay two)
    source: str = ""
    sheet: str = ""
    source_row: int = 0


class PaymentBook:
    """ONE set of SQL methods over the SQLite file (``path``) or the team database (``url``,
    through :class:`~tagihlite.journal.pgdb.CompatConnection`)."""

    def __init__(self, path: Path | None = None, *, url: str | None = None) -> None:
        if (path is None) == (url is None):
            raise ValueError("PaymentBook needs a path or a url")
        self.path = Path(path) if path is not None else None
        self.url = url

    @contextmanager
    def _db(self) -> Iterator[Any]:
        if self.url is not None:
            with self._team_db() as db:
                yield db
            return
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.executescript(SCHEMA)
                yield db
        except sqlite3.DatabaseError as exc:
            raise TagihError(f"Jurnal pembayaran '{self.path}' tidak dapat dibuka ({exc}). "
                             "Jangan hapus berkas ini; hubungi tim TagihLite.") from None

    @contextmanager
    def _team_db(self) -> Iterator[Any]:
        import psycopg

        from tagihlite.journal.pgdb import CompatConnection, describe

        assert self.url is not None
        with CompatConnection(self.url, application="tagihlite-payments") as db:
            try:
                yield db
            except psycopg.errors.UndefinedTable:  # tables come with `team init` (v2)
                raise TagihError(f"Database tim ({describe(self.url)}) belum disiapkan untuk "
                                 "versi TagihLite ini: minta supervisor menjalankan "
                                 "'tagihlite team init'.") from None

    def exists(self) -> bool:
        """Whether there can be anything to read (no empty SQLite file made just to look)."""
        return self.url is not None or (self.path is not None and self.path.exists())

    def record(self, payments: Iterable[Payment], bills: dict[tuple[str, str], int], *,
               at: dt.datetime, operator: str = "") -> int:
        """Store new payments (and each bill's first amount) in one transaction; returns
        how many payments were new."""
        new = 0
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                for (cid, per), amount in bills.items():
                    db.execute("INSERT OR IGNORE INTO bills VALUES (?,?,?)", (cid, per, amount))
                for p in payments:
                    cur = db.execute(
                        "INSERT OR IGNORE INTO payments(customer_id, period, paid_on, amount, "
                        "seq, source, sheet, source_row, imported_at, operator) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (p.customer_id, p.period, p.paid_on.isoformat(), p.amount, p.seq,
                         p.source, p.sheet, p.source_row, at.isoformat(), operator))
                    new += cur.rowcount
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return new

    def payments(self) -> list[Payment]:
        with self._db() as db:
            rows = db.execute("SELECT customer_id, period, paid_on, amount, seq, source, sheet, "
                              "source_row FROM payments ORDER BY paid_on, id").fetchall()
        return [Payment(r[0], r[1], dt.date.fromisoformat(r[2]), *r[3:]) for r in rows]

    def bills(self) -> dict[tuple[str, str], int]:
        with self._db() as db:
            rows = db.execute("SELECT customer_id, period, amount FROM bills").fetchall()
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def settled(self) -> frozenset[tuple[str, str]]:
        """Bills whose payments reach what they first owed."""
        with self._db() as db:
            rows = db.execute(
                "SELECT b.customer_id, b.period FROM bills b JOIN payments p "
                "ON p.customer_id = b.customer_id AND p.period = b.period "
                "GROUP BY b.customer_id, b.period HAVING SUM(p.amount) >= MAX(b.amount)"
            ).fetchall()
        return frozenset((r[0], r[1]) for r in rows)


def open_payments(where: Settings | Any) -> PaymentBook | None:
    """The payment book in the same database as ``where``: the settings (the team database
    if ``team_url`` is set, else this PC's journal file) or an open journal (a
    PostgresJournal's url, a Journal's file). None for a journal without either."""
    from tagihlite.settings import Settings

    if isinstance(where, Settings):
        url, path = where.team_url or None, where.journal_file
    else:
        url, path = getattr(where, "url", None), getattr(where, "path", None)
    if url:
        return PaymentBook(url=url)
    return PaymentBook(path) if path is not None else None


def settled_bills(journal: Any) -> frozenset[tuple[str, str]]:
    book = open_payments(journal)
    if book is None or not book.exists():
        return frozenset()
    return book.settled()


book_of = open_payments  # the earlier name: branches written before team payments call it
