"""Team mode: several PCs, one PostgreSQL journal, every bill exactly once.

A real PostgreSQL server (tests/support/pgserver.py, Debian's binaries) and the loopback
Cloud API server (tests/support/graph_server.py, 50 ms latency). Each "PC" is a
``tagihlite send --via cloud`` process with its own app folder and its own copy of one
N-row workbook (default 5,000), all pointed at the same team database. Three phases, each
on a fresh database, plus a baseline:

* baseline  -- ONE sender sends the whole list (same settings, same run).
* team      -- 4 senders start at the same moment: duplicates 0, lost 0, and the total
               throughput against the baseline (goal >= 3x).
* kills     -- 4 senders; one is killed with SIGKILL at random moments (>= 10 kills) and
               restarted: duplicates 0, PERLU CEK only for claims in flight at a kill.
* restart   -- 4 senders; the database server is restarted mid-run: every sender stops
               clearly; a rerun completes; duplicates 0.

Printed per phase: ``duplicates N``, ``lost N`` (a bill neither accepted by the server nor
flagged PERLU CEK, or a journal claiming a message the server never got), and for the team
phase ``throughput ratio X`` (sending-phase messages per second, first to last message the
server accepted; the wall-clock ratio, which includes reading and writing 4 workbooks on a
shared machine, is printed beside it).

Run: ``.venv/bin/python benchmarks/team_concurrency.py [--rows 5000 --senders 4 --kills 10]``
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.graph_server import GraphBehaviour, GraphServer  # noqa: E402
from support.pgserver import ADMIN_PASSWORD, PgServer  # noqa: E402

TOKEN = "bench-token-" + "t" * 32
PERIOD = "2026-11"
LEASE = 3.0  # seconds: short, so a killed sender's claims turn PERLU CEK within the run


def write_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(["No", "Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp",
               "Status Bayar", "Jatuh Tempo", "Periode"])
    for i in range(1, rows + 1):
        ws.append([i, f"Pelanggan Uji {i}", f"1412{i:08d}", 100_000 + i * 1_000,
                   f"08127{i:07d}", "BELUM BAYAR", "20-11-2026", PERIOD])
    wb.save(path)


@dataclass
class Pc:
    name: str
    home: Path
    book: Path
    env: dict[str, str]
    log: Path

    def start(self) -> subprocess.Popen[bytes]:
        cmd = [sys.executable, "-m", "tagihlite", "send", str(self.book), "--via", "cloud",
               "--yes", "--level", "1", "--operator", self.name]
        with self.log.open("a") as fh:
            return subprocess.Popen(cmd, env=self.env, cwd=self.home, stdout=fh, stderr=fh)


def make_pcs(work: Path, n: int, source: Path, url: str, api: GraphServer,
             concurrency: int, rate: float = 1000.0) -> list[Pc]:
    pcs = []
    for i in range(1, n + 1):
        home = work / f"pc{i}"
        home.mkdir(parents=True)
        book = home / "tagihan.xlsx"
        shutil.copy(source, book)
        (home / "settings.toml").write_text(
            "daily_cap = 0\n"
            f'journal_url = "{url}"\n'
            f"claim_lease_seconds = {LEASE}\n"
            "[cloud]\n"
            f'base_url = "{api.base_url}"\n'
            f'phone_number_id = "{api.behaviour.phone_number_id}"\n'
            f"messages_per_second = {rate}\n"
            f"concurrency = {concurrency}\n"
            "max_retries = 3\n"
            "timeout_seconds = 5.0\n", encoding="utf-8")
        env = {**os.environ, "TAGIHLITE_HOME": str(home),
               "TAGIHLITE_CONFIG": str(home / "settings.toml"),
               "TAGIHLITE_CLOUD_TOKEN": TOKEN, "PGPASSWORD": ADMIN_PASSWORD,
               "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        env.pop("TAGIHLITE_JOURNAL_URL", None)
        pcs.append(Pc(f"PC{i}", home, book, env, home / "runs.log"))
    return pcs


@dataclass
class Tally:
    duplicates: int
    lost: int
    needs_check: int
    sent: int
    send_seconds: float
    states: Counter[str]
    needs_check_by: Counter[str]
    by_operator: Counter[str]
    overlap_rate: float  # msg/s while every PC was sending (0: never all at once)


def tally(url: str, api: GraphServer, rows: int) -> Tally:
    from tagihlite.core.vocab import JournalState
    from tagihlite.journal.postgres import PostgresJournal

    with PostgresJournal(url) as journal:
        entries = journal.entries()
    keys = [f"1412{i:08d}|{PERIOD}|1" for i in range(1, rows + 1)]
    by_key = api.accepted_by_callback()
    duplicates = sum(len(by_key.get(k, [])) > 1 for k in keys)
    flagged = {k for k in keys if k in entries
               and entries[k].state in (JournalState.UNKNOWN, JournalState.PENDING)}
    lost = [k for k in keys
            if (not by_key.get(k) and k not in flagged)
            or (k in entries and entries[k].state == JournalState.ACCEPTED and not by_key.get(k))
            or (k in entries and entries[k].provider_id and by_key.get(k)
                and entries[k].provider_id not in {m.id for m in by_key[k]})]
    times = [m.at for m in api.accepted]
    # Per PC: first and last message the server accepted for a key that PC claimed.
    spans: dict[str, list[float]] = {}
    for m in api.accepted:
        e = entries.get(m.callback_data or "")
        if e is not None:
            spans.setdefault(e.operator or "?", []).append(m.at)
    start = max(min(v) for v in spans.values()) if spans else 0.0
    end = min(max(v) for v in spans.values()) if spans else 0.0
    inside = sum(start <= t <= end for t in times)
    overlap = inside / (end - start) if end - start > 1.0 else 0.0
    return Tally(duplicates, len(lost), len(flagged), len(api.accepted),
                 (max(times) - min(times)) if len(times) > 1 else 0.0,
                 Counter(entries[k].state if k in entries else "absent" for k in keys),
                 Counter(entries[k].operator or "?" for k in flagged),
                 Counter(e.operator or "?" for e in entries.values()), overlap)


def run_all(pcs: list[Pc], timeout: float = 3600) -> tuple[list[int], float]:
    started = time.monotonic()
    procs = [pc.start() for pc in pcs]
    codes = [p.wait(timeout=timeout) for p in procs]
    return codes, time.monotonic() - started


def fresh_db(pg: PgServer, name: str) -> str:
    from tagihlite.journal import migrations, pgdb

    url = pg.create_database(name)
    conn = pgdb.connect(url)
    try:
        migrations.migrate(conn)
    finally:
        conn.close()
    return url


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--concurrency", type=int, default=4, help="cloud.concurrency per PC")
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--kill-rate", type=float, default=None,
                    help="messages/s of the senders that are not killed (kills phase; "
                         "default: slow enough that the run lasts ~10 s per kill)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--phases", default="team,kills,restart")
    args = ap.parse_args()
    os.environ["PGPASSWORD"] = ADMIN_PASSWORD
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed)
    phases = set(args.phases.split(","))
    if args.kill_rate is None:
        args.kill_rate = round(max(1.0, args.rows / max(1, args.senders - 1)
                                   / (args.kills * 10.0)), 1)
    work = Path(tempfile.mkdtemp(prefix="tagihlite-team-"))
    source = work / "tagihan.xlsx"
    write_workbook(source, args.rows)
    pg = PgServer().start()
    print(f"team_concurrency: {args.rows} rows, {args.senders} senders x cloud.concurrency "
          f"{args.concurrency}, API latency {args.latency * 1000:.0f} ms, lease {LEASE:g} s, "
          f"seed {seed}, PostgreSQL {pg.bin}")
    ok = True

    def api_server() -> GraphServer:
        return GraphServer(GraphBehaviour(token=TOKEN, latency=args.latency)).start()

    def report(label: str, t: Tally, extra: str = "") -> None:
        print(f"[{label}] server accepted {t.sent} messages; journal "
              f"{dict(sorted(t.states.items()))}{extra}")
        print(f"[{label}] duplicates {t.duplicates}")
        print(f"[{label}] lost {t.lost}")

    try:
        if "team" in phases:
            # Baseline: one PC alone.
            api = api_server()
            url = fresh_db(pg, "baseline")
            (one,) = make_pcs(work / "baseline", 1, source, url, api, args.concurrency)
            codes, wall1 = run_all([one])
            base = tally(url, api, args.rows)
            api.stop()
            report("baseline", base, f", exit {codes}, {wall1:.1f} s wall")
            # The team: all at once.
            api = api_server()
            url = fresh_db(pg, "team")
            pcs = make_pcs(work / "team", args.senders, source, url, api, args.concurrency)
            codes, wall4 = run_all(pcs)
            team = tally(url, api, args.rows)
            api.stop()
            report("team", team, f", exit {codes}, {wall4:.1f} s wall; split "
                                 f"{dict(sorted(team.by_operator.items()))}")
            ratio = (base.send_seconds / team.send_seconds) if team.send_seconds else 0.0
            wall_ratio = wall1 / wall4 if wall4 else 0.0
            print(f"[team] throughput ratio {ratio:.2f}   (sending phase: "
                  f"{base.sent / max(base.send_seconds, 1e-9):.0f} vs "
                  f"{team.sent / max(team.send_seconds, 1e-9):.0f} msg/s; wall clock "
                  f"{wall_ratio:.2f}x; goal >= 3)")
            base_rate = base.sent / max(base.send_seconds, 1e-9)
            print(f"[team] while all {args.senders} PCs were sending at once: "
                  f"{team.overlap_rate:.0f} msg/s = {team.overlap_rate / base_rate:.2f}x one "
                  "sender")
            ok &= (base.duplicates == team.duplicates == 0 and base.lost == team.lost == 0
                   and team.needs_check == 0 and ratio >= 3.0)

        if "kills" in phases:
            api = api_server()
            url = fresh_db(pg, "kills")
            # The others go slower here, so the run lasts long enough for every kill.
            pcs = make_pcs(work / "kills", args.senders, source, url, api, args.concurrency,
                           rate=args.kill_rate)
            victim, others = pcs[0], pcs[1:]
            victim.home.joinpath("settings.toml").write_text(
                victim.home.joinpath("settings.toml").read_text().replace(
                    f"messages_per_second = {args.kill_rate}", "messages_per_second = 1000.0"))
            procs = [pc.start() for pc in others]
            kills = 0
            started = time.monotonic()
            import psycopg

            with psycopg.connect(url, autocommit=True) as db:
                def claims_by_victim() -> int:
                    return int(db.execute("SELECT count(*) FROM attempts WHERE operator = %s "
                                          "AND state = 'pending'",
                                          (victim.name,)).fetchone()[0])

                while kills < args.kills and any(p.poll() is None for p in procs):
                    before = claims_by_victim()
                    proc = victim.start()
                    # Kill at a random moment once it is really sending (claims made).
                    while proc.poll() is None and claims_by_victim() <= before:
                        time.sleep(0.02)
                    time.sleep(rng.uniform(0.0, 1.0))
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                        kills += 1
                    proc.wait()
            codes = [p.wait(timeout=3600) for p in procs]
            time.sleep(LEASE + 1)  # the dead runs' leases run out ...
            rerun = victim.start().wait(timeout=3600)  # ... and the next run flags them
            t = tally(url, api, args.rows)
            api.stop()
            report("kills", t, f", {kills} SIGKILLs of {victim.name}, exit {codes}+{rerun}, "
                               f"{time.monotonic() - started:.1f} s")
            in_flight_max = kills * args.concurrency
            print(f"[kills] PERLU CEK {t.needs_check} (all by {victim.name}: "
                  f"{t.needs_check_by[victim.name] == t.needs_check}; at most "
                  f"{in_flight_max} = kills x concurrency in flight)")
            ok &= (t.duplicates == 0 and t.lost == 0 and kills >= args.kills
                   and t.needs_check <= in_flight_max
                   and t.needs_check_by[victim.name] == t.needs_check)

        if "restart" in phases:
            api = api_server()
            url = fresh_db(pg, "restart")
            pcs = make_pcs(work / "restart", args.senders, source, url, api, args.concurrency)
            procs = [pc.start() for pc in pcs]
            # Restart once sending is well under way.
            deadline = time.monotonic() + 600
            while len(api.accepted) < args.rows // 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            sent_before = len(api.accepted)
            pg.restart()
            codes = [p.wait(timeout=3600) for p in procs]
            stopped = [pc.name for pc, c in zip(pcs, codes, strict=True) if c != 0]
            clear = all("database tim" in pc.log.read_text(errors="replace")
                        for pc, c in zip(pcs, codes, strict=True) if c != 0)
            mid = len(api.accepted)
            time.sleep(LEASE + 1)
            rerun_codes, _ = run_all(pcs)
            t = tally(url, api, args.rows)
            api.stop()
            report("restart", t, f", {sent_before} sent before the restart, {mid} when every "
                                 f"sender had stopped, exit {codes} then {rerun_codes}")
            in_flight_max = args.senders * args.concurrency
            print(f"[restart] stopped with a clear message: {stopped} (clear: {clear}); "
                  f"PERLU CEK {t.needs_check} (at most {in_flight_max} = senders x "
                  "concurrency in flight)")
            ok &= (t.duplicates == 0 and t.lost == 0 and clear and bool(stopped)
                   and t.needs_check <= in_flight_max)
    finally:
        pg.cleanup()
    print(f"RESULT: {'PASS' if ok else 'FAIL'}   (work folder {work})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
