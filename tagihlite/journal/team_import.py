"""Moving a PC's SQLite journal (with its payments), users store and audit log into the
team database.

Keys the team database already knows stay as they are (it is the truth now); an intent a
dead run left ``pending`` arrives as ``unknown`` (PERLU CEK): no live run can hold it. The
audit chain is copied verbatim into an empty team log (so ``audit verify`` checks the very
same hashes); into a non-empty one each entry is appended anew, with the original time and
hash kept in its details.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tagihlite.core.vocab import JournalState
from tagihlite.errors import TagihError
from tagihlite.journal.pgdb import CompatConnection
from tagihlite.journal.sqlite import _CRASH_NOTE

_REMINDER_COLS = ("key, state, channel, operator, attempts, intent_at, finished_at, "
                  "provider_id, provider_at, error_code, note, message, phone, amount, "
                  "workbook, sheet_row")
_PAYMENT_COLS = ("customer_id, period, paid_on, amount, seq, source, sheet, source_row, "
                 "imported_at, operator")
_USER_COLS = ("name, role, pw_hash, disabled, failed, locked_until, last_failed_at, "
              "created_at, created_by")


def _insert_new(db: Any, table: str, columns: str, rows: Any) -> int:
    """Insert the rows the team database does not hold yet (same unique keys as on the PC:
    what is already there stays as it is); returns how many were new."""
    sql = (f"INSERT INTO {table} ({columns}) VALUES ({','.join('?' * len(columns.split(',')))})"
           " ON CONFLICT DO NOTHING RETURNING 1")
    return sum(db.execute(sql, row).fetchone() is not None for row in rows)


@dataclass
class ImportReport:
    reminders: int = 0
    reminders_kept: int = 0  # already in the team database
    attempts: int = 0
    users: int = 0
    opt_outs: int = 0
    audit: int = 0
    audit_verbatim: bool = False
    audit_problems: list[str] = field(default_factory=list)
    payments: int = 0  # new to the team database (a payment it knows is not added twice)
    bills: int = 0


def _read(path: Path, sql: str) -> list[tuple[Any, ...]]:
    if not path.is_file():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            return [tuple(r) for r in db.execute(sql)]
        except sqlite3.OperationalError:  # the table was never made in this file
            return []
        except sqlite3.DatabaseError as exc:
            raise TagihError(f"Berkas '{path}' tidak dapat dibaca ({exc}); tidak ada yang "
                             "diimpor.") from None


def import_sqlite(url: str, journal_file: Path, users_file: Path) -> ImportReport:
    """Copy everything in one transaction: a failure leaves the team database unchanged."""
    from tagihlite.auth.audit import AuditLog, entry_hash

    rep = ImportReport()
    reminders = _read(journal_file, f"SELECT {_REMINDER_COLS} FROM reminders")
    attempts = _read(journal_file, "SELECT key, at, state, channel, operator, note FROM "
                                   "attempts ORDER BY id")
    audit_rows = _read(journal_file, "SELECT seq, at, event, actor, details, prev_hash, hash "
                                     "FROM audit_log ORDER BY seq")
    if audit_rows:
        rep.audit_problems = AuditLog(journal_file).verify()
    payments = _read(journal_file, f"SELECT {_PAYMENT_COLS} FROM payments ORDER BY id")
    bills = _read(journal_file, "SELECT customer_id, period, amount FROM bills")
    users = _read(users_file, f"SELECT {_USER_COLS} FROM users")
    opt_outs = _read(users_file, "SELECT number, reason, added_by, added_at FROM opt_out")
    with CompatConnection(url, application="tagihlite-import") as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            new_keys: set[str] = set()
            for row in reminders:
                values = list(row)
                if values[1] == JournalState.PENDING:
                    values[1], values[10] = JournalState.UNKNOWN, _CRASH_NOTE
                got = db.execute(f"INSERT INTO reminders ({_REMINDER_COLS}) VALUES "
                                 f"({','.join('?' * 16)}) ON CONFLICT (key) DO NOTHING "
                                 "RETURNING key", values).fetchone()
                if got is None:
                    rep.reminders_kept += 1
                else:
                    new_keys.add(values[0])
            rep.reminders = len(new_keys)
            for row in attempts:
                if row[0] in new_keys:
                    db.execute("INSERT INTO attempts (key, at, state, channel, operator, "
                               "note) VALUES (?,?,?,?,?,?)", row)
                    rep.attempts += 1
            # The same unique keys as on the PC: a payment (or a bill's first amount) the
            # team database already holds stays as it is.
            rep.payments += _insert_new(db, "payments", _PAYMENT_COLS, payments)
            rep.bills += _insert_new(db, "bills", "customer_id, period, amount", bills)
            rep.users += _insert_new(db, "users", _USER_COLS, users)
            rep.opt_outs += _insert_new(db, "opt_out", "number, reason, added_by, added_at",
                                        opt_outs)
            last = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC "
                              "LIMIT 1").fetchone()
            rep.audit_verbatim = last is None
            seq, prev = (int(last[0]), str(last[1])) if last else (0, "0" * 64)
            for row in audit_rows:
                if rep.audit_verbatim:
                    db.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?)", row)
                    continue
                old_seq, at, event, actor, details, _prev, digest = row
                body = json.loads(details)
                body.update(imported_seq=str(old_seq), imported_hash=digest)
                text = json.dumps(body, ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":"))
                seq += 1
                new_hash = entry_hash(seq, at, event, actor, text, prev)
                db.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?)",
                           (seq, at, event, actor, text, prev, new_hash))
                prev = new_hash
            rep.audit = len(audit_rows)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return rep
