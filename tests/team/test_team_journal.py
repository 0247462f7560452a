"""The team journal on a real PostgreSQL server: claims, leases, lost connections."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.pgserver import PgServer
from team_worker import reminders

from tagihlite.channels.base import Outcome, Reminder
from tagihlite.channels.memory import MemoryChannel
from tagihlite.core.vocab import JournalState
from tagihlite.journal import migrations, pgdb
from tagihlite.journal.postgres import PostgresJournal
from tagihlite.sending import send_reminders

WORKER = Path(__file__).with_name("team_worker.py")


def _claim(j: PostgresJournal, r: Reminder, operator: str = "Budi") -> bool:
    return j.begin(r.key, channel="memory", operator=operator, message=r.message,
                   phone=r.phone, amount=r.amount)


def test_one_claim_wins_and_the_loser_sees_who_holds_it(team_url: str) -> None:
    r = reminders(1)[0]
    with PostgresJournal(team_url) as a, PostgresJournal(team_url) as b:
        a.acquire_run_lock()
        b.acquire_run_lock()
        assert _claim(a, r, "Budi")
        assert not _claim(b, r, "Siti")
        assert b.holder(r.key) is not None and b.holder(r.key).startswith("Budi (")
        won, holder, _ = b.claim(r.key, channel="memory", operator="Siti", message=r.message,
                                 phone=r.phone, amount=r.amount)
        assert not won and holder == b.holder(r.key)  # who holds it, in the same statement
        a.finish(r.key, JournalState.SUBMITTED, note="ok")
        assert not _claim(b, r, "Siti")  # it went out: never again
        assert b.holder(r.key) is None
        assert b.claim(r.key, channel="memory", operator="Siti", message=r.message,
                       phone=r.phone, amount=r.amount)[:2] == (False, None)
        a.finish(r.key, JournalState.FAILED)  # (a refusal) ...
        assert _claim(b, r, "Siti")  # ... may be retried, by exactly one PC
        assert b.entries([r.key])[r.key].attempts == 2


def test_a_claim_also_says_which_keys_ahead_are_taken(team_url: str) -> None:
    rs = reminders(6)
    with PostgresJournal(team_url) as a, PostgresJournal(team_url) as b:
        a.acquire_run_lock()
        b.acquire_run_lock()
        assert _claim(a, rs[2], "Budi")  # in flight on another PC
        assert _claim(a, rs[3], "Budi")
        a.finish(rs[3].key, JournalState.ACCEPTED)  # gone out
        assert _claim(a, rs[4], "Budi")
        a.finish(rs[4].key, JournalState.FAILED)  # refused: may be tried again
        got = b.claim(rs[0].key, channel="memory", operator="Siti", message=rs[0].message,
                      phone=rs[0].phone, amount=rs[0].amount,
                      ahead=[r.key for r in rs[1:]])
        assert got.won and set(got.taken) == {rs[2].key, rs[3].key}
        assert got.taken[rs[2].key] == b.holder(rs[2].key) and got.taken[rs[3].key] is None


def test_the_send_loop_skips_keys_seen_taken_without_claiming_them(team_url: str) -> None:
    rs = reminders(40)
    with PostgresJournal(team_url) as other, PostgresJournal(team_url) as j:
        other.acquire_run_lock()
        for r in rs[10:30]:  # another PC sent these, and is sending one more right now
            assert _claim(other, r, "Budi")
            if r is not rs[29]:
                other.finish(r.key, JournalState.ACCEPTED)
        claims: list[str] = []
        claim = j.claim

        def counted(key: str, **kw: object):  # type: ignore[no-untyped-def]
            claims.append(key)
            return claim(key, **kw)  # type: ignore[arg-type]

        j.claim = counted  # type: ignore[method-assign]
        channel = MemoryChannel()
        summary = send_reminders(rs, channel, j, operator="Siti")
    sent = [r.key for r in channel.sent]
    assert sent == [r.key for r in rs[:10] + rs[30:]]
    assert summary.already == 19 and sum(summary.held.values()) == 1
    assert len(claims) < 30  # the taken run cost one claim per LOOK_AHEAD, not 20


def test_clerks_sending_at_the_same_moment_split_the_work(team_url: str,
                                                          tmp_path: Path) -> None:
    n, workers = 120, 4
    go = tmp_path / "GO"
    env = {**os.environ, "TEAM_GO_FILE": str(go),
           "PYTHONPATH": os.pathsep.join([str(WORKER.parent), *sys.path])}
    procs = [subprocess.Popen([sys.executable, str(WORKER), team_url, f"Petugas{i}", str(n),
                               "0.01"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(workers)]
    time.sleep(1.5)  # every worker imported and waiting
    go.touch()
    sent: list[set[str]] = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        sent.append({line for line in out.splitlines() if line})
    every = [k for s in sent for k in s]
    assert len(every) == len(set(every)) == n  # each bill exactly once overall
    assert sum(1 for s in sent if s) >= 2  # the work was split, not done by one PC
    with PostgresJournal(team_url) as j:
        assert all(e.attempts == 1 for e in j.entries().values())


def test_a_dead_senders_claims_become_perlu_cek_after_the_lease(team_url: str,
                                                                 tmp_path: Path) -> None:
    go = tmp_path / "GO"
    go.touch()
    env = {**os.environ, "TEAM_GO_FILE": str(go), "TEAM_LEASE": "1",
           "PYTHONPATH": os.pathsep.join([str(WORKER.parent), *sys.path])}
    # One reminder whose send never returns: the worker dies holding the claim.
    proc = subprocess.Popen([sys.executable, str(WORKER), team_url, "Budi", "1", "600"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    key = reminders(1)[0].key
    with PostgresJournal(team_url, lease_seconds=1.0) as j:
        deadline = time.monotonic() + 60
        while j.holder(key) is None:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        time.sleep(1.5)  # alive: its heartbeat keeps the lease
        assert j.recover() == []
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(1.5)
        with PostgresJournal(team_url) as another_pc:  # opening it (check, mark) settles it
            assert another_pc.entries([key])[key].state == JournalState.UNKNOWN
        assert j.recover() == []
        entry = j.entries([key])[key]
        assert entry.state == JournalState.UNKNOWN and "mungkin sudah terkirim" in entry.note
        again = send_reminders(reminders(1), MemoryChannel(), j, operator="Siti")
        assert again.already == 1 and again.attempted == 0  # never a silent resend
        assert j.clear_needs_check(key, by="Siti", reason="dicek di WhatsApp: belum masuk")


def test_connection_killed_mid_send_marks_in_flight_perlu_cek_and_stops(
        team_url: str, pg_server: PgServer) -> None:
    rs = reminders(6)
    with PostgresJournal(team_url) as j:

        def cut_on_third(r: Reminder) -> Outcome | None:
            if r.key == rs[2].key:  # the message leaves, then the network drops: every
                # connection of this PC (claims and outcomes) dies
                pg_server.admin_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND "
                                    "pid <> pg_backend_pid()",
                                    database=team_url.rsplit("/", 1)[1])
            return None

        channel = MemoryChannel(behaviour=cut_on_third)
        rows: list[str] = []
        summary = send_reminders(rs, channel, j, operator="Budi",
                                 on_row=lambda res: rows.append(res.note))
        entries = j.entries()  # a fresh connection: the server itself is fine
    assert [r.key for r in channel.sent] == [r.key for r in rs[:3]]
    assert "terputus" in summary.stop_reason
    assert summary.states[JournalState.UNKNOWN] == 1 and summary.lost == [rs[2].key]
    assert entries[rs[2].key].state == JournalState.UNKNOWN
    assert "mungkin sudah terkirim" in entries[rs[2].key].note
    assert entries[rs[0].key].state == JournalState.SUBMITTED
    assert rs[3].key not in entries  # nothing after the cut was claimed
    assert "mungkin sudah terkirim" in rows[-1]  # the sheet's Catatan for the lost row


def test_outcomes_have_their_own_connection_a_lost_claim_link_stops_the_next_claim(
        team_url: str, pg_server: PgServer) -> None:
    """Claims and outcomes use two connections (the sending threads never wait behind the
    claims). Only the claim link dies: the outcome in flight is still recorded, nothing
    is lost, and the run stops at the next claim without sending it."""
    rs = reminders(6)
    with PostgresJournal(team_url) as j:
        pid = j._db._conn.raw.info.backend_pid  # type: ignore[union-attr]

        def cut_on_third(r: Reminder) -> Outcome | None:
            if r.key == rs[2].key:
                pg_server.admin_sql(f"SELECT pg_terminate_backend({pid})",
                                    database=team_url.rsplit("/", 1)[1])
            return None

        channel = MemoryChannel(behaviour=cut_on_third)
        summary = send_reminders(rs, channel, j, operator="Budi")
        entries = j.entries()
    assert [r.key for r in channel.sent] == [r.key for r in rs[:3]]
    assert "terputus" in summary.stop_reason and summary.lost == []
    assert [entries[r.key].state for r in rs[:3]] == [JournalState.SUBMITTED] * 3
    assert rs[3].key not in entries  # the claim that met the dead link never committed


def test_server_down_is_one_sentence(pg_server: PgServer) -> None:
    url = f"postgresql://postgres@127.0.0.1:{pg_server.port + 1}/none"  # nobody listens
    with pytest.raises(pgdb.DatabaseUnavailable) as err:
        PostgresJournal(url)
    assert str(err.value).startswith("Server database tim (127.0.0.1:")
    assert "tidak ada pesan yang dikirim" in str(err.value) and err.value.exit_code == 2


def test_migrations_are_idempotent(pg_url: str) -> None:
    conn = pgdb.connect(pg_url)
    try:
        assert migrations.migrate(conn) == [m[0] for m in migrations.MIGRATIONS]
        assert migrations.migrate(conn) == []
        assert migrations.current_version(conn) == migrations.latest()
    finally:
        conn.close()


def test_an_unmigrated_database_asks_for_team_init(pg_url: str) -> None:
    with pytest.raises(Exception, match="team init"):
        PostgresJournal(pg_url)


def test_a_password_in_the_url_is_refused() -> None:
    with pytest.raises(Exception, match="kata sandi"):
        pgdb.check_url("postgresql://budi:rahasia@db.kantor/tagih")


def test_webhook_news_and_supervisor_clear_use_the_shared_methods(team_url: str) -> None:
    import datetime as dt

    r = reminders(1)[0]
    with PostgresJournal(team_url) as j:
        j.acquire_run_lock()
        assert _claim(j, r)
        j.finish(r.key, JournalState.ACCEPTED, provider_id="wamid.1")
        at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
        assert j.record_provider_status("wamid.1", JournalState.DELIVERED, at)
        assert not j.record_provider_status("wamid.1", JournalState.SENT, at)  # only forward
        assert j.entries([r.key])[r.key].state == JournalState.DELIVERED
        assert j.count_today(dt.date.today()) >= 0 and j.customers() == {r.customer_id}


def test_rows_another_pc_holds_cost_no_pacing(team_url: str) -> None:
    rs = reminders(7)
    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with PostgresJournal(team_url) as other, PostgresJournal(team_url) as j:
        other.acquire_run_lock()
        for r in rs[:5]:
            assert _claim(other, r, "Budi")
        summary = send_reminders(rs, MemoryChannel(), j, operator="Siti", min_interval=60.0,
                                 sleep=sleep, clock=lambda: now[0])
    assert summary.attempted == 2 and sum(summary.held.values()) == 5
    assert summary.not_attempted == 0 and summary.already == 0
    assert sum(slept) == pytest.approx(60.0)  # one gap between the two sends, none for skips


def test_the_settings_file_refuses_a_database_password(tmp_path: Path) -> None:
    from tagihlite.errors import SettingsError
    from tagihlite.settings import load

    path = tmp_path / "settings.toml"
    path.write_text('journal_url = "postgresql://budi:rahasia@db.kantor/tagih"\n')
    with pytest.raises(SettingsError, match="tidak boleh memuat kata sandi"):
        load(path)
    path.write_text('journal_url = "postgresql://budi@db.kantor/tagih"\n')
    assert load(path).team_url == "postgresql://budi@db.kantor/tagih"
