"""Exactly once under crashes: ``tagihlite send --via cloud`` killed with SIGKILL, resumed.

A workbook of N reminders (default 300) is sent through the Cloud API channel to the loopback
Graph API server (tests/support/graph_server.py). The ``tagihlite send`` process is killed
with SIGKILL at random moments at least K times (default 20), resumed each time, then run to
the end, then run once more (which must send nothing). Printed:

* duplicates  -- reminders the server accepted more than once (goal 0)
* PERLU CEK   -- reminders left for a human to check (goal <= kills)
* lost        -- reminders neither sent nor flagged PERLU CEK, or a journal that claims a
                 message the server never got (goal 0)
* sheet       -- rows whose Status Kirim disagrees with the journal (goal 0)

Run: ``/work/venv/bin/python benchmarks/crash_exactly_once.py [--rows 300 --kills 20]``
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.graph_server import GraphBehaviour, GraphServer  # noqa: E402

TOKEN = "bench-token-" + "z" * 32
PERIOD = "2026-11"


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


def write_settings(path: Path, base_url: str, phone_number_id: str, rate: float) -> None:
    path.write_text(
        "daily_cap = 0\n"
        "[cloud]\n"
        f'base_url = "{base_url}"\n'
        f'phone_number_id = "{phone_number_id}"\n'
        f"messages_per_second = {rate}\n"
        "concurrency = 4\n"
        "max_retries = 3\n"
        "timeout_seconds = 5.0\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--rate", type=float, default=10.0,
                    help="messages per second: slow enough that every kill lands mid-send")
    ap.add_argument("--latency", type=float, default=0.05, help="server latency, seconds")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed)

    work = Path(tempfile.mkdtemp(prefix="tagihlite-crash-"))
    home = work / "home"
    home.mkdir()
    book = work / "tagihan.xlsx"
    write_workbook(book, args.rows)
    server = GraphServer(GraphBehaviour(token=TOKEN, latency=args.latency)).start()
    write_settings(home / "settings.toml", server.base_url, server.behaviour.phone_number_id,
                   args.rate)
    env = {**os.environ, "TAGIHLITE_HOME": str(home),
           "TAGIHLITE_CONFIG": str(home / "settings.toml"),
           "TAGIHLITE_CLOUD_TOKEN": TOKEN,
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    cmd = [sys.executable, "-m", "tagihlite", "send", str(book), "--via", "cloud", "--yes",
           "--operator", "bench"]
    log = (work / "runs.log").open("w")

    def run(kill_after: float | None) -> tuple[bool, int | None]:
        """Start a send; SIGKILL it after kill_after seconds. (killed mid-run?, exit code)"""
        proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=log, stderr=log)
        if kill_after is None:
            return False, proc.wait(timeout=600)
        try:
            return False, proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True, None

    print(f"crash_exactly_once: {args.rows} reminders, >= {args.kills} SIGKILLs, "
          f"{args.rate:g} msg/s, server latency {args.latency * 1000:.0f} ms, seed {seed}")
    started = time.monotonic()
    kills = runs = 0
    while kills < args.kills:
        killed, _ = run(rng.uniform(0.3, 2.5))
        runs += 1
        kills += killed
        sent = len(server.accepted)
        if sent >= args.rows:
            print("  note: everything was sent before all kills happened; "
                  "lower --rate for a harsher run")
            break
    _, code_final = run(None)
    before_last = len(server.accepted)
    _, code_again = run(None)
    runs += 2
    elapsed = time.monotonic() - started
    server.stop()

    from openpyxl import load_workbook

    from tagihlite.core.vocab import JournalState, Status
    from tagihlite.journal.sqlite import Journal

    with Journal(home / "journal.sqlite") as journal:
        entries = journal.entries()
    keys = [f"1412{i:08d}|{PERIOD}|1" for i in range(1, args.rows + 1)]
    by_key = server.accepted_by_callback()
    states = Counter(entries[k].state if k in entries else "absent" for k in keys)
    duplicates = sum(len(by_key.get(k, [])) > 1 for k in keys)
    needs_check = [k for k in keys if k in entries and entries[k].state in (
        JournalState.UNKNOWN, JournalState.PENDING)]
    checked_reached = sum(bool(by_key.get(k)) for k in needs_check)
    lost = [k for k in keys
            if (not by_key.get(k) and k not in needs_check)  # never sent, not flagged
            or (k in entries and entries[k].state == JournalState.ACCEPTED and not by_key.get(k))
            or (k in entries and entries[k].provider_id and by_key.get(k)
                and entries[k].provider_id not in {m.id for m in by_key[k]})]
    ws = load_workbook(book).active
    header = [c.value for c in ws[1]]
    col_id, col_status = header.index("Nomor Indibiz"), header.index("Status Kirim")
    sheet_bad = 0
    for row in ws.iter_rows(min_row=2, values_only=True):
        key = f"{row[col_id]}|{PERIOD}|1"
        want = JournalState.TO_STATUS.get(entries[key].state) if key in entries else None
        sheet_bad += row[col_status] != want
    ok = (duplicates == 0 and len(needs_check) <= kills and not lost and sheet_bad == 0
          and before_last == len(server.accepted))

    print(f"  runs {runs} ({kills} killed with SIGKILL mid-run), {elapsed:.1f} s, "
          f"final exit codes {code_final}/{code_again}")
    print(f"  server accepted {len(server.accepted)} messages for {len(by_key)} keys "
          f"({server.requests} requests)")
    print(f"  journal states: {dict(sorted(states.items()))}")
    print(f"  duplicates       {duplicates:4d}   (goal 0)")
    print(f"  PERLU CEK        {len(needs_check):4d}   (goal <= {kills} kills; "
          f"{checked_reached} of them did reach the server, {len(needs_check) - checked_reached}"
          " did not)")
    print(f"  lost             {len(lost):4d}   (goal 0)")
    print(f"  sheet mismatches {sheet_bad:4d}   (goal 0; Status Kirim vs journal, "
          f"{Status.NEEDS_CHECK!r} for unknown)")
    print(f"  last re-run sent {len(server.accepted) - before_last:4d}   (goal 0)")
    print(f"  RESULT: {'PASS' if ok else 'FAIL'}   (work folder {work})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
