"""Cloud API throughput: the real send loop at a limit of 80 messages/s against a server with
50 ms latency, beside a one-at-a-time loop measured in the same run.

Both go through :func:`tagihlite.sending.send_reminders` with a real SQLite journal and the real
:class:`~tagihlite.channels.cloud.CloudChannel`; the only difference is the channel's
concurrency (settings ``cloud.concurrency`` vs 1). The server enforces Meta's throughput limit
(130429 above it), so overshooting is counted, not hidden.

Run: ``/work/venv/bin/python benchmarks/cloud_throughput.py [--messages 5000 --rate 80]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.graph_server import GraphBehaviour, GraphServer  # noqa: E402

from tagihlite.channels.base import Reminder  # noqa: E402
from tagihlite.channels.cloud import CloudChannel  # noqa: E402
from tagihlite.journal.sqlite import Journal  # noqa: E402
from tagihlite.sending import send_reminders  # noqa: E402
from tagihlite.settings import CloudSettings, Settings  # noqa: E402

TOKEN = "bench-token-" + "t" * 32


def reminders(n: int, tag: str) -> list[Reminder]:
    out = []
    for i in range(n):
        cid = f"{tag}{i:08d}"
        fields = {"name": f"Pelanggan {i}", "customer_id": cid, "amount_rupiah": "Rp150.000",
                  "due_date_text": "20 November 2026", "period_text": "November 2026",
                  "company": "PT Telkom Indonesia", "branch": "Dumai"}
        out.append(Reminder(key=f"{cid}|2026-11|1", customer_id=cid, period="2026-11", level=1,
                            row=i + 2, name=fields["name"], phone=f"+628127{i:07d}",
                            amount=150_000, due_date=date(2026, 11, 20), message="-",
                            fields=fields))
    return out


def timed_send(settings: Settings, batch: list[Reminder], journal_path: Path
               ) -> tuple[float, dict[str, int]]:
    channel = CloudChannel(settings)
    with Journal(journal_path) as journal:
        started = time.perf_counter()
        summary = send_reminders(batch, channel, journal, operator="bench", daily_cap=0)
        elapsed = time.perf_counter() - started
    return elapsed, dict(summary.states)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--rate", type=float, default=80.0, help="cloud.messages_per_second")
    ap.add_argument("--latency", type=float, default=0.05, help="server latency, seconds")
    ap.add_argument("--concurrency", type=int, default=CloudSettings().concurrency)
    ap.add_argument("--baseline", type=int, default=300,
                    help="messages for the one-at-a-time loop (it is slow)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tagihlite-throughput-"))
    os.environ["TAGIHLITE_HOME"] = str(work)
    os.environ["TAGIHLITE_CLOUD_TOKEN"] = TOKEN
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    server = GraphServer(GraphBehaviour(token=TOKEN, latency=args.latency,
                                        rate_per_second=args.rate)).start()
    settings = Settings(cloud=CloudSettings(
        base_url=server.base_url, phone_number_id=server.behaviour.phone_number_id,
        messages_per_second=args.rate, concurrency=args.concurrency, max_retries=5))
    print(f"cloud_throughput: {args.messages} messages, limit {args.rate:g}/s, "
          f"server latency {args.latency * 1000:.0f} ms, concurrency {args.concurrency}")

    elapsed, states = timed_send(settings, reminders(args.messages, "T"), work / "j1.sqlite")
    refused = server.requests - len(server.accepted)
    achieved = len(server.accepted) / elapsed
    accepted_main = len(server.accepted)

    one = replace(settings, cloud=replace(settings.cloud, concurrency=1))
    requests_before = server.requests
    b_elapsed, b_states = timed_send(one, reminders(args.baseline, "B"), work / "j2.sqlite")
    b_rate = (len(server.accepted) - accepted_main) / b_elapsed
    server.stop()

    ratio = achieved / args.rate
    print(f"  paced loop:      {accepted_main} accepted in {elapsed:.1f} s = {achieved:.1f}/s "
          f"({states}); {refused} refused with 130429 and retried")
    print(f"  one-at-a-time:   {args.baseline} in {b_elapsed:.1f} s = {b_rate:.1f}/s "
          f"({b_states}); {server.requests - requests_before - args.baseline} refused")
    print(f"  achieved/limit   {ratio:.3f}   (goal >= 0.95)")
    print(f"  vs one-at-a-time {achieved / b_rate:.1f}x")
    ok = ratio >= 0.95 and accepted_main == args.messages
    print(f"  RESULT: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
