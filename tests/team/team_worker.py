"""A sender process for the team tests: ``python team_worker.py URL NAME N [DELAY]``.

Sends reminders 0..N-1 through a memory channel (DELAY seconds per send) with the team
journal, after waiting for the file ``GO`` (so every worker starts at the same moment), and
prints the keys it sent, one per line."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from tagihlite.channels.base import Outcome, Reminder
from tagihlite.channels.memory import MemoryChannel
from tagihlite.journal.postgres import PostgresJournal
from tagihlite.sending import send_reminders


def reminders(n: int) -> list[Reminder]:
    return [Reminder(key=f"1412{i:08d}|2026-11|1", customer_id=f"1412{i:08d}",
                     period="2026-11", level=1, row=i + 2, name=f"Toko Fiktif {i}",
                     phone=f"+6281270{i:06d}", amount=100_000, due_date=None,
                     message=f"Pesan {i}") for i in range(n)]


def main() -> None:
    url, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    go = Path(os.environ["TEAM_GO_FILE"])
    while not go.exists():
        time.sleep(0.005)

    def slow(r: Reminder) -> Outcome | None:
        time.sleep(delay)
        return None

    channel = MemoryChannel(behaviour=slow)
    lease = float(os.environ.get("TEAM_LEASE", "120"))
    with PostgresJournal(url, lease_seconds=lease) as journal:
        summary = send_reminders(reminders(n), channel, journal, operator=name)
    for r in channel.sent:
        print(r.key)
    print(f"#held {sum(summary.held.values())} already {summary.already}", file=sys.stderr)


if __name__ == "__main__":
    main()
