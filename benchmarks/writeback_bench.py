"""Write-back benchmark (issue 10): the part-level writer against openpyxl, in one run.

    .venv/bin/python benchmarks/writeback_bench.py [--rows 30000,100000] [--reps 1]

For each size a generated arrears workbook (benchmarks/core_bench.py) is measured, every
figure in a fresh child process (time measured inside it, after imports, for openpyxl and
TagihLite alike; peak memory is the child's VmHWM, imports included):

1. ``mark`` = ``tagihlite mark FILE`` run in the child (read, analyse, plan, write, its
   backup copy), against a bare openpyxl load + save of the same file:
   time <= 0.2x, peak memory <= 0.5x
2. ``send`` write-back (100,000 rows) = apply_plan of the plan after every eligible row
   was sent (journal entries as a finished outbox send leaves them), against the same
   openpyxl load + save: time <= 0.2x

Medians over ``--reps``. The machine may be shared: ratios are what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

import core_bench


def child(what: str, path: Path) -> dict[str, float]:
    if what == "openpyxl":
        import openpyxl

        t0 = time.perf_counter()
        openpyxl.load_workbook(path).save(path.with_name("copy.xlsx"))
        took = time.perf_counter() - t0
    elif what == "mark":
        import io

        # The command a clerk runs, as it runs (its backup copy included). Imports outside
        # the timing, as for openpyxl: the modules ``tagihlite mark`` loads.
        from tagihlite.cli import main as cli_main
        from tagihlite.journal.sqlite import Journal  # noqa: F401
        from tagihlite.workbook.file import apply_plan
        from tagihlite.workflow import plan_writeback

        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = cli_main(["mark", str(path)])
        took = time.perf_counter() - t0
        if code != 0:
            raise SystemExit(f"mark exited {code}")
    elif what == "send":
        from tagihlite.workbook.file import apply_plan
        from tagihlite.workflow import plan_writeback

        analysis = core_bench.check_path(path)
        analysis.entries = core_bench.sent_entries(analysis)
        plan = plan_writeback(analysis)
        t0 = time.perf_counter()
        apply_plan(path, plan, backup=False)
        took = time.perf_counter() - t0
    else:
        raise SystemExit(f"unknown child {what}")
    return {"seconds": took, "peak_mb": core_bench._vm_hwm_mb()}


def measure(what: str, src: Path, work: Path, reps: int) -> dict[str, float]:
    runs = []
    for _ in range(reps):
        target = work / f"{what}.xlsx"
        shutil.copyfile(src, target)
        proc = subprocess.run([sys.executable, __file__, "--child", what, str(target)],
                              capture_output=True, text=True, check=True,
                              env=os.environ.copy())
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(r[k] for r in runs) for k in ("seconds", "peak_mb")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="30000,100000")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--child", nargs=2, metavar=("WHAT", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    work = Path(tempfile.mkdtemp(prefix="tagihlite-wbench-"))
    os.environ["TAGIHLITE_HOME"] = str(work / "home")
    os.environ["TAGIHLITE_CONFIG"] = str(work / "home" / "settings.toml")
    lines = []
    try:
        for n in (int(x) for x in args.rows.split(",")):
            src = work / f"arrears-{n}.xlsx"
            core_bench.make_workbook(src, n)
            base = measure("openpyxl", src, work, args.reps)
            mark = measure("mark", src, work, args.reps)
            rt, rm = mark["seconds"] / base["seconds"], mark["peak_mb"] / base["peak_mb"]
            lines.append((f"mark {n:,} rows / openpyxl load+save, time",
                          f"{mark['seconds']:.2f} s / {base['seconds']:.2f} s = {rt:.2f}",
                          "<= 0.2", rt <= 0.2))
            lines.append((f"mark {n:,} rows / openpyxl load+save, peak memory",
                          f"{mark['peak_mb']:.0f} MB / {base['peak_mb']:.0f} MB = {rm:.2f}",
                          "<= 0.5", rm <= 0.5))
            if n >= 100_000:
                send = measure("send", src, work, args.reps)
                rs = send["seconds"] / base["seconds"]
                lines.append((f"send write-back {n:,} rows / openpyxl load+save",
                              f"{send['seconds']:.2f} s / {base['seconds']:.2f} s = {rs:.2f}",
                              "<= 0.2", rs <= 0.2))
                lines.append((f"send write-back {n:,} rows, peak memory",
                              f"{send['peak_mb']:.0f} MB", "", True))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    w = max(len(a) for a, *_ in lines)
    v = max(len(b) for _, b, *_ in lines)
    print(f"{'measure':<{w}}  {'result':<{v}}  {'goal':<7}  verdict")
    for name, value, goal, ok in lines:
        print(f"{name:<{w}}  {value:<{v}}  {goal:<7}  {'PASS' if ok else 'MISS' if goal else ''}")
    with contextlib.suppress(OSError):
        print(f"\nload average (1/5/15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
