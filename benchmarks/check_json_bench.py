"""``check --json`` as a clerk's tooling runs it: a whole process, output into a file.

    .venv/bin/python benchmarks/check_json_bench.py [--rows 30000] [--small 200] [--reps 3]

Issue 11's goal: the whole-process per-row cost of ``tagihlite check --json FILE > out``
is at most 2.5x that of a bare python-calamine read of the same file, in a fresh process
too. Start-up (interpreter, imports, SQLite) is removed by differencing a big and a small
workbook: per-row cost = (t(big) - t(small)) / (rows(big) - rows(small)).

Also printed, for reference: the same per-row cost when the JSON is written the old way
(``json.dump(..., indent=2)`` straight to stdout: one write per token). Cost is the child's
CPU time (user + system), median of ``--reps`` interleaved runs: on the shared 2-core
machine wall-clock ratios swung from 0.8 to 5.6 between runs of the same code. All data
is fictional (benchmarks/core_bench.py's generator).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_bench import make_workbook

GOAL = 2.5
CALAMINE = ("import sys; from python_calamine import CalamineWorkbook\n"
            "with CalamineWorkbook.from_path(sys.argv[1]) as book:\n"
            "    rows = [book.get_sheet_by_name(n).to_python(skip_empty_area=True)"
            " for n in book.sheet_names]\n")
# The pre-issue-11 writer, run through the real command: json.dump to stdout token by token.
OLD_WRITER = ("import json, sys\n"
              "import tagihlite.cli.core_cmds as c\n"
              "def old(obj, rows=None):\n"
              "    if rows is not None:\n"
              "        obj = {**obj, 'rows': [r for piece in rows for r in piece]}\n"
              "    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)\n"
              "    sys.stdout.write('\\n')\n"
              "c._print_json = old\n"
              "from tagihlite.cli import main\n"
              "raise SystemExit(main(['check', sys.argv[1], '--json']))\n")


def run_once(argv: list[str], out: Path, env: dict[str, str]) -> float:
    """CPU seconds (user + system) of one child process: on a shared machine the wall
    clock mostly measures the neighbours, the CPU time what this process costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with out.open("wb") as sink:
        done = subprocess.run(argv, stdout=sink, stderr=subprocess.PIPE, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed: {done.stderr.decode(errors='replace')[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=30_000)
    ap.add_argument("--small", type=int, default=200)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="tagihlite-jsonbench-"))
    env = {**os.environ, "TAGIHLITE_HOME": str(work / "home"),
           "TAGIHLITE_CONFIG": str(work / "home" / "settings.toml")}
    try:
        big = make_workbook(work / "big.xlsx", args.rows)
        small = make_workbook(work / "small.xlsx", args.small)
        py = sys.executable
        commands = {
            "calamine": lambda p: [py, "-c", CALAMINE, str(p)],
            "check --json": lambda p: [py, "-m", "tagihlite", "check", str(p), "--json"],
            "old json.dump writer": lambda p: [py, "-c", OLD_WRITER, str(p)],
        }
        rows = args.rows - args.small
        runs = [(name, size, make(path)) for name, make in commands.items()
                for size, path in (("big", big), ("small", small))]
        for _, _, cmd in runs:  # warm the OS file cache and the .pyc files
            run_once(cmd, work / "out.json", env)
        times: dict[tuple[str, str], list[float]] = {(n, z): [] for n, z, _ in runs}
        for _ in range(args.reps):  # interleaved: load drift hits every command alike
            for name, size, cmd in runs:
                times[name, size].append(run_once(cmd, work / "out.json", env))
        per_row: dict[str, float] = {}
        print(f"{args.rows:,} vs {args.small:,} rows; {args.reps} interleaved repetitions, "
              "median CPU seconds (user + system) per process; output into a file\n")
        print(f"{'process':<22} {'big s':>7} {'small s':>8} {'us/row':>8}")
        for name in commands:
            t_big = statistics.median(times[name, "big"])
            t_small = statistics.median(times[name, "small"])
            per_row[name] = (t_big - t_small) / rows
            print(f"{name:<22} {t_big:>7.2f} {t_small:>8.2f} {per_row[name] * 1e6:>8.1f}")
        ratio = per_row["check --json"] / per_row["calamine"]
        old = per_row["old json.dump writer"] / per_row["calamine"]
        print(f"\ncheck --json per row / bare calamine per row = {ratio:.2f} "
              f"(goal <= {GOAL}): {'PASS' if ratio <= GOAL else 'MISS'}")
        print(f"old json.dump writer per row / bare calamine per row = {old:.2f} (reference)")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
