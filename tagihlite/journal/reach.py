"""Can this PC use the journal right now? One function, so every journal kind answers here.

``tagihlite doctor`` calls :func:`journal_reachable`; a new journal kind (a PostgreSQL
server for team mode) adds its branch here and the doctor check needs no change.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tagihlite.settings import Settings


@dataclass(frozen=True)
class Reach:
    ok: bool
    where: str  # a file path or a server, never a password
    problem: str = ""  # Indonesian, empty when ok


def journal_reachable(settings: Settings) -> Reach:
    """Whether the journal the settings name can be written now, without changing it."""
    if settings.team_url:
        return _server_reachable(settings.team_url)
    return _sqlite_reachable(settings.journal_file)


def _server_reachable(url: str) -> Reach:
    """The team database answers, and its schema is the one this version expects."""
    from tagihlite.errors import TagihError
    from tagihlite.journal import pgdb
    from tagihlite.journal.migrations import current_version, latest

    where = pgdb.describe(url)
    try:
        conn = pgdb.connect(url, application="tagihlite doctor")
    except TagihError as exc:
        return Reach(False, where, str(exc))
    try:
        version = current_version(conn)
    finally:
        conn.close()
    if version < latest():
        return Reach(False, where, f"skema database tim versi {version}, perlu versi "
                                   f"{latest()}: supervisor menjalankan 'tagihlite team init'")
    return Reach(True, where)


def _sqlite_reachable(path: Path) -> Reach:
    where = str(path)
    if path.exists():
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=2,
                                 isolation_level=None)
        except sqlite3.Error as exc:
            return Reach(False, where, f"berkas jurnal tidak bisa dibuka untuk ditulis ({exc})")
        try:
            # A write lock proves we may write; rolled back at once, nothing changes.
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):  # another send run: still reachable
                return Reach(True, where)
            return Reach(False, where, f"berkas jurnal tidak bisa ditulis ({exc})")
        except sqlite3.DatabaseError as exc:
            return Reach(False, where, f"berkas jurnal rusak atau bukan jurnal ({exc})")
        finally:
            db.close()
        return Reach(True, where)
    folder = path.parent
    existing = folder  # the first run creates the folder: its nearest existing parent decides
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(20, "bukan folder", str(existing))
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".tagihlite-doctor-"):
            pass
    except OSError as exc:
        return Reach(False, where, f"folder jurnal '{folder}' tidak bisa ditulis "
                                   f"({exc.strerror or exc})")
    return Reach(True, where)

