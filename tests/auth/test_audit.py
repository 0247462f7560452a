"""The hash-chained audit log: appends, verification, tampering via raw sqlite3, export."""

from __future__ import annotations

import csv
import itertools
import sqlite3
from pathlib import Path

import pytest
from auth_support import FakeClock

from tagihlite.auth.audit import GENESIS, AuditLog, entry_hash


def filled(tmp_path: Path, n: int = 5) -> AuditLog:
    clock = FakeClock()
    log = AuditLog(tmp_path / "journal.sqlite", clock=clock)
    for i in range(1, n + 1):
        log.append("send", f"Petugas {i % 2}", key=f"1234{i}|2026-11|1", channel="outbox",
                   outcome="queued")
        clock.advance(60)
    return log


def raw(log: AuditLog) -> sqlite3.Connection:
    """What a person with a DB browser can do: drop the guards, then edit."""
    db = sqlite3.connect(log.db_path, isolation_level=None)
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("DROP TRIGGER audit_log_no_delete")
    return db


def test_entries_chain_from_genesis(tmp_path: Path) -> None:
    log = filled(tmp_path)
    rows = log.entries()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0][5] == GENESIS
    for prev, row in itertools.pairwise(rows):
        assert row[5] == prev[6]
    for seq, at, event, actor, details, prev_hash, digest in rows:
        assert entry_hash(seq, at, event, actor, details, prev_hash) == digest
    assert log.verify() == []


def test_table_refuses_update_and_delete(tmp_path: Path) -> None:
    log = filled(tmp_path, 2)
    with sqlite3.connect(log.db_path) as db:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE audit_log SET actor = 'X' WHERE seq = 1")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM audit_log WHERE seq = 2")
    assert log.verify() == []


def test_edit_is_detected(tmp_path: Path) -> None:
    log = filled(tmp_path)
    raw(log).execute("UPDATE audit_log SET actor = 'Orang Lain' WHERE seq = 3")
    problems = log.verify()
    assert problems == ["Entri audit #3 telah diubah: isinya tidak cocok dengan hash-nya."]


def test_edit_with_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    log = filled(tmp_path)
    seq, at, event, _actor, details, prev_hash, _ = log.entries()[2]
    forged = entry_hash(seq, at, event, "Orang Lain", details, prev_hash)
    raw(log).execute("UPDATE audit_log SET actor = 'Orang Lain', hash = ? WHERE seq = 3",
                     (forged,))
    problems = log.verify()
    assert len(problems) == 1 and problems[0].startswith("Entri audit #4 tidak tersambung")


def test_rewriting_the_whole_chain_is_caught_by_the_anchor(tmp_path: Path) -> None:
    log = filled(tmp_path)
    db = raw(log)
    prev = GENESIS
    for seq, at, event, actor, details, _p, _h in log.entries():
        actor = "Orang Lain" if seq == 2 else actor
        digest = entry_hash(seq, at, event, actor, details, prev)
        db.execute("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   (actor, prev, digest, seq))
        prev = digest
    assert log.verify() == ["Entri audit #5 tidak cocok dengan berkas penanda audit: entri "
                            "diubah atau diganti."]


def test_deleting_a_middle_entry_is_detected(tmp_path: Path) -> None:
    log = filled(tmp_path)
    raw(log).execute("DELETE FROM audit_log WHERE seq = 2")
    problems = log.verify()
    assert problems[0] == "Entri audit #2 hilang (dihapus)."
    assert any("#3 tidak tersambung" in p for p in problems)


def test_deleting_the_first_or_last_entries_is_detected(tmp_path: Path) -> None:
    log = filled(tmp_path)
    db = raw(log)
    db.execute("DELETE FROM audit_log WHERE seq = 1")
    assert log.verify()[0] == "Entri audit #1 hilang (dihapus)."
    db.execute("DELETE FROM audit_log WHERE seq >= 4")
    assert ("Entri audit terakhir hilang: seharusnya ada sampai #5, tersisa sampai #3."
            in log.verify())


def test_reordering_rows_is_detected(tmp_path: Path) -> None:
    log = filled(tmp_path)
    db = raw(log)
    # Swap entries 2 and 4 (their numbers stay in place, their contents move).
    rows = {r[0]: r for r in log.entries()}
    for seq, other in ((2, 4), (4, 2)):
        _, at, event, actor, details, prev_hash, digest = rows[other]
        db.execute("UPDATE audit_log SET at=?, event=?, actor=?, details=?, prev_hash=?, "
                   "hash=? WHERE seq=?", (at, event, actor, details, prev_hash, digest, seq))
    problems = log.verify()
    assert "Entri audit #2 telah diubah: isinya tidak cocok dengan hash-nya." in problems
    assert "Entri audit #4 telah diubah: isinya tidak cocok dengan hash-nya." in problems
    # Renumbering instead (move entry 5 before entry 1) is caught as well.
    log2 = filled(tmp_path / "b")
    raw(log2).execute("UPDATE audit_log SET seq = 0 WHERE seq = 5")
    assert log2.verify() == [
        "Entri audit bernomor #0 tidak sah: nomor urut diubah.",
        "Entri audit #0 telah diubah: isinya tidak cocok dengan hash-nya.",
        "Entri audit #1 tidak tersambung ke entri sebelumnya: urutan diubah atau ada entri "
        "yang dihapus/disisipkan.",
        "Entri audit terakhir hilang: seharusnya ada sampai #5, tersisa sampai #4."]


def test_missing_anchor_is_reported(tmp_path: Path) -> None:
    log = filled(tmp_path, 2)
    log.anchor_path.unlink()
    assert "penanda audit" in log.verify()[0]
    assert AuditLog(tmp_path / "empty.sqlite").verify() == []


def test_secret_looking_details_are_refused(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "j.sqlite")
    for key in ("password", "token", "webhook_secret", "kata_sandi"):
        with pytest.raises(ValueError, match="secret"):
            log.append("login", "Siti", **{key: "x"})
    assert log.entries() == []


def test_export_csv_for_a_supervisor(tmp_path: Path) -> None:
    log = filled(tmp_path, 3)
    log.append("optout_add", "=HYPERLINK(\"http://x\")", number="+6281******890")
    out = tmp_path / "laporan" / "audit.csv"
    assert log.export_csv(out) == 4
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:5] == ["No", "Waktu (WIB)", "Peristiwa", "Pelaku", "Rincian"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    first = rows[1]
    assert first[4] == "channel=outbox; key=12341|2026-11|1; outcome=queued"
    assert first[1] == "2026-09-21 21:13:20"  # 1_790_000_000 s in WIB
    assert rows[4][3].startswith("'=")  # no formula reaches Excel
    assert [r[7] for r in rows[1:]] == [e[6] for e in log.entries()]


def test_two_logs_on_one_file_keep_one_chain(tmp_path: Path) -> None:
    a = AuditLog(tmp_path / "j.sqlite")
    b = AuditLog(tmp_path / "j.sqlite")
    for i in range(6):
        (a if i % 2 else b).append("send", "Siti", key=str(i))
    assert a.verify() == [] and len(b.entries()) == 6
