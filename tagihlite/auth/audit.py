"""Append-only, hash-chained audit log in the journal database.

Each entry stores the SHA-256 of the previous entry and its own hash over (number, time,
event, actor, details, previous hash), so editing, deleting or reordering rows breaks the
chain and :meth:`AuditLog.verify` says where. Two extra guards: triggers refuse UPDATE and
DELETE (a casual edit in a DB browser fails), and an anchor file beside the database keeps
the newest entry's number and hash, so cutting entries off the end is noticed too.

The next append cannot heal a cut: before writing, :meth:`append` compares the anchor with
the chain. When entries the anchor vouched for are gone or changed (or the anchor itself
is gone), it first appends an ``audit_break`` entry saying so, and the anchor keeps a
permanent list of such breaks; :meth:`verify` reports both forever after.

What this cannot stop on one PC: someone with write access to the app folder can rewrite
the database *and* the anchor consistently (re-hash every entry, drop the breaks). Nothing
on the same disk can witness against its owner; team mode keeps the log on a server.

What goes in: logins (success, failure, lockout), sends (who, row key, channel, outcome),
supervisor actions. Never passwords or tokens: :meth:`append` refuses detail names that
look like secrets.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tagihlite.core.formats import WIB
from tagihlite.errors import TagihError
from tagihlite.settings import Settings

GENESIS = "0" * 64
_FORBIDDEN_DETAILS = ("password", "passwd", "token", "secret", "sandi", "pin")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""

# The next link in one statement (team database): the head by the primary key, the hash
# by the server's sha256 over the same canonical JSON entry_hash builds in Python.
_LINK_SQL = (
    "INSERT INTO audit_log (seq, at, event, actor, details, prev_hash, hash) "
    "SELECT h.seq, ?, ?, ?, ?, h.prev, encode(sha256(convert_to("
    "'[' || h.seq || ? || '\"' || h.prev || '\"]', 'UTF8')), 'hex') "
    "FROM (SELECT COALESCE(m.top, 0) + 1 AS seq, COALESCE(a.hash, ?) AS prev "
    "FROM (SELECT max(seq) AS top FROM audit_log) m "
    "LEFT JOIN audit_log a ON a.seq = m.top) h")

CSV_HEADER = ("No", "Waktu (WIB)", "Peristiwa", "Pelaku", "Rincian", "Waktu (UTC)",
              "Hash Sebelumnya", "Hash")


def entry_hash(seq: int, at: str, event: str, actor: str, details: str, prev_hash: str) -> str:
    canonical = json.dumps([seq, at, event, actor, details, prev_hash], ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to Excel: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def open_audit(settings: Settings, *, clock: Callable[[], float] = time.time) -> AuditLog:
    """The audit log where the journal is: the SQLite file, or the team database."""
    url = settings.team_url
    return AuditLog(settings.journal_file, clock=clock, url=url or None)


class AuditLog:
    """The audit table in ``db_path`` (the journal file), created if missing; or, with
    ``url``, in the team PostgreSQL database, where the application role may only SELECT
    and INSERT (so no anchor file is needed: the tail cannot be cut off)."""

    def __init__(self, db_path: Path, *, clock: Callable[[], float] = time.time,
                 url: str | None = None) -> None:
        self.db_path = Path(db_path)
        self.anchor_path = self.db_path.with_name(self.db_path.name + ".audit-anchor")
        self._clock = clock
        self.url = url
        self._pg: Any = None
        if url is None:
            with self._connect() as conn:
                conn.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self.url is not None:  # the team database: schema made by `team init`
            from tagihlite.journal.pgdb import CompatConnection, ConnectionLost

            if self._pg is None:  # one connection per log: a send run appends per row
                self._pg = CompatConnection(self.url, application="tagihlite-audit")
            try:
                yield self._pg  # type: ignore[misc]
            except ConnectionLost:
                self._pg = None
                raise
            return
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.db_path, timeout=10, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise TagihError(f"Berkas jurnal '{self.db_path}' tidak dapat dibuka "
                             f"({exc.__class__.__name__}).") from None
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            yield conn
        finally:
            conn.close()

    # -- writing -------------------------------------------------------------
    def append(self, event: str, actor: str, **details: str) -> None:
        for key in details:
            if any(word in key.lower() for word in _FORBIDDEN_DETAILS):
                raise ValueError(f"audit detail {key!r} looks like a secret; not recorded")
        body = json.dumps({k: str(v) for k, v in details.items()}, ensure_ascii=False,
                          sort_keys=True, separators=(",", ":"))
        at = dt.datetime.fromtimestamp(self._clock(), dt.timezone.utc).isoformat(
            timespec="microseconds")
        if self.url is not None:
            self._append_shared(event, actor, body, at)
            return
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")  # one writer at a time keeps the chain linear
            try:
                last = conn.execute("SELECT seq, hash FROM audit_log "
                                    "ORDER BY seq DESC LIMIT 1").fetchone()
                seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
                breaks = self._read_breaks()
                found = self._anchor_break(conn, last)
                if found is not None:  # record the cut before anything can cover it
                    breaks.append(found)
                    brk = json.dumps(found, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":"))
                    digest = entry_hash(seq, at, "audit_break", "(sistem)", brk, prev)
                    conn.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (seq, at, "audit_break", "(sistem)", brk, prev, digest))
                    seq, prev = seq + 1, digest
                digest = entry_hash(seq, at, event, actor, body, prev)
                conn.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (seq, at, event, actor, body, prev, digest))
                self._write_anchor(seq, digest, breaks)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _append_shared(self, event: str, actor: str, body: str, at: str) -> None:
        """Team database: ONE statement reads the head and inserts the next link, the
        server hashing exactly what :func:`entry_hash` hashes. The primary key on ``seq``
        refuses a second link to the same head; the loser tries again on the new head.
        One round trip and no lock, so many PCs can log their sends at full speed."""
        from psycopg.errors import UniqueViolation

        # entry_hash's canonical JSON minus the two values only the server knows (seq,
        # prev_hash): "[" seq "," at "," event "," actor "," details "," "prev" "]".
        middle = "," + ",".join(json.dumps(v, ensure_ascii=False)
                                for v in (at, event, actor, body)) + ","
        with self._connect() as conn:
            for _ in range(1000):
                try:
                    conn.execute(_LINK_SQL, (at, event, actor, body, middle, GENESIS))
                    return
                except UniqueViolation:
                    continue  # another PC linked first: follow the new head
            raise TagihError("Log audit di database tim terlalu sibuk; coba lagi.")

    def _read_anchor(self) -> tuple[int, str] | None:
        try:
            data = json.loads(self.anchor_path.read_text(encoding="utf-8"))
            return int(data["seq"]), str(data["hash"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _read_breaks(self) -> list[dict[str, str]]:
        try:
            data = json.loads(self.anchor_path.read_text(encoding="utf-8"))
            breaks = data.get("breaks", [])
        except (OSError, ValueError, AttributeError):
            return []
        return [b for b in breaks if isinstance(b, dict)] if isinstance(breaks, list) else []

    def _anchor_break(self, conn: sqlite3.Connection, last: tuple[int, str] | None
                      ) -> dict[str, str] | None:
        """What the anchor vouched for and the chain no longer has, or None."""
        last_seq = last[0] if last else 0
        anchor = self._read_anchor()
        if anchor is None:
            if last_seq == 0:
                return None  # a new log
            return {"masalah": "berkas penanda hilang", "entri_terakhir": str(last_seq)}
        anchor_seq, anchor_hash = anchor
        if anchor_seq > last_seq:
            return {"masalah": "entri terakhir hilang", "seharusnya_sampai": str(anchor_seq),
                    "tersisa_sampai": str(last_seq)}
        row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (anchor_seq,)).fetchone()
        if row is None or row[0] != anchor_hash:
            return {"masalah": "entri diganti", "entri": str(anchor_seq)}
        return None

    def _write_anchor(self, seq: int, digest: str, breaks: list[dict[str, str]]) -> None:
        if self.url is not None:  # the team database needs no anchor: no one may cut it
            return
        # Written inside the write transaction, so anchors follow the chain's order.
        tmp = self.anchor_path.with_name(self.anchor_path.name + ".tmp")
        data: dict[str, object] = {"seq": seq, "hash": digest}
        if breaks:
            data["breaks"] = breaks
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.anchor_path)

    # -- reading -------------------------------------------------------------
    def entries(self) -> list[tuple[int, str, str, str, str, str, str]]:
        with self._connect() as conn:
            return [tuple(r) for r in conn.execute(  # type: ignore[misc]
                "SELECT seq, at, event, actor, details, prev_hash, hash FROM audit_log "
                "ORDER BY seq")]

    def verify(self) -> list[str]:
        """Indonesian descriptions of every break in the chain; ``[]`` when intact."""
        problems: list[str] = []
        prev_hash, prev_seq = GENESIS, 0
        rows = self.entries()
        for seq, at, event, actor, details, stored_prev, stored_hash in rows:
            if seq < 1:
                problems.append(f"Entri audit bernomor #{seq} tidak sah: nomor urut diubah.")
            elif seq > prev_seq + 1:
                missing = (f"#{prev_seq + 1}" if seq == prev_seq + 2
                           else f"#{prev_seq + 1} sampai #{seq - 1}")
                problems.append(f"Entri audit {missing} hilang (dihapus).")
            if entry_hash(seq, at, event, actor, details, stored_prev) != stored_hash:
                problems.append(f"Entri audit #{seq} telah diubah: isinya tidak cocok dengan "
                                "hash-nya.")
            elif stored_prev != prev_hash:
                problems.append(f"Entri audit #{seq} tidak tersambung ke entri sebelumnya: "
                                "urutan diubah atau ada entri yang dihapus/disisipkan.")
            prev_hash, prev_seq = stored_hash, seq
        anchor = self._read_anchor() if self.url is None else None
        if anchor is None and self.url is not None:
            pass  # append-only by privileges and trigger on the server
        elif anchor is None:
            if rows:
                problems.append(f"Berkas penanda audit '{self.anchor_path.name}' tidak ada: "
                                "penghapusan entri terakhir tidak dapat diperiksa.")
        else:
            anchor_seq, anchor_hash = anchor
            by_seq = {r[0]: r[6] for r in rows}
            if anchor_seq > prev_seq:
                problems.append(f"Entri audit terakhir hilang: seharusnya ada sampai "
                                f"#{anchor_seq}, tersisa sampai #{prev_seq}.")
            elif by_seq.get(anchor_seq) != anchor_hash:
                problems.append(f"Entri audit #{anchor_seq} tidak cocok dengan berkas penanda "
                                "audit: entri diubah atau diganti.")
        # Cuts found by earlier appends stay reported, in the anchor and in the chain.
        noted = {details for _, _, event, _, details, _, _ in rows if event == "audit_break"}
        for brk in (self._read_breaks() if self.url is None else []):
            noted.add(json.dumps(brk, ensure_ascii=False, sort_keys=True,
                                 separators=(",", ":")))
        for details in sorted(noted):
            text = "; ".join(f"{k}={v}" for k, v in json.loads(details).items())
            problems.append(f"Jejak audit pernah dipotong atau diubah lalu ditambah lagi "
                            f"({text}).")
        return problems

    def export_csv(self, path: Path) -> int:
        """Write every entry as CSV (UTF-8 with BOM, for Excel); the number of entries."""
        rows = self.entries()
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(CSV_HEADER)
                for seq, at, event, actor, details, prev_hash, digest in rows:
                    local = dt.datetime.fromisoformat(at).astimezone(WIB)
                    parts = json.loads(details)
                    text = "; ".join(f"{k}={v}" for k, v in parts.items())
                    writer.writerow([seq, local.strftime("%Y-%m-%d %H:%M:%S"), _csv_safe(event),
                                     _csv_safe(actor), _csv_safe(text), at, prev_hash, digest])
        except OSError as exc:
            raise TagihError(f"Berkas '{path}' tidak dapat ditulis ({exc.__class__.__name__})."
                             ) from None
        return len(rows)
