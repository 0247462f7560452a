"""Hostile-read benchmark (issue 9): a 1,048,575-row sheet and a 2 KB sparse giant.

    .venv/bin/python benchmarks/hostile_read.py [--rows 1048575] [--reps 1] [--keep DIR]

Measured in one run, against a baseline from the same run (a bare python-calamine read of
the same file, what any reader must at least pay):

1. The sparse giant (cells A1 and XFD1048576): ``tagihlite check`` exit code, seconds and
   peak memory; goal: exit 2 within 2 s and < 200 MB.
2. ``tagihlite check FILE`` end to end in a fresh process (stdout to /dev/null): wall
   seconds, goal < 30 s, and its ratio to the bare calamine read.
3. The extent scan alone (:func:`tagihlite.workbook.extent.oversized_sheets`, the price of
   never aborting on a sparse giant), as a ratio to the bare calamine read.
4. ``read_workbook`` (scan + calamine + grid), as a ratio to the bare calamine read.

All data is fictional; everything runs against a temporary TAGIHLITE_HOME.
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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.spreadsheetml import customer_cells, write_xlsx  # noqa: E402


def median_time(fn: Callable[[], Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bare_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        return sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)


def run_cli(*args: str | Path) -> tuple[int, float, int]:
    """(exit code, wall seconds, peak RSS in MB) of ``tagihlite ARGS`` in a fresh process."""
    t0 = time.perf_counter()
    with open(os.devnull, "w") as sink:
        proc = subprocess.run([sys.executable, "-m", "tagihlite", *map(str, args)],
                              stdout=sink, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return proc.returncode, wall, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_048_575, help="sheet rows incl. header")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tagihlite-hostile-"))
    os.environ["TAGIHLITE_HOME"] = str(work / "home")
    os.environ["TAGIHLITE_CONFIG"] = str(work / "home" / "settings.toml")
    try:
        from tagihlite.workbook.extent import oversized_sheets
        from tagihlite.workbook.read import read_workbook

        # The giant first, while this process is small: a child's ru_maxrss starts from
        # its parent's.
        giant = work / "raksasa.xlsx"
        write_xlsx(giant, {"Tagihan": [(1, 1, "x"), (1_048_576, 16_384, 1)]})
        code, wall, _ = run_cli("check", giant)
        probe = subprocess.run(
            [sys.executable, "-c",
             "import resource, sys; from tagihlite.cli import main; "
             f"code = main(['check', {str(giant)!r}]); "
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, code)"],
            capture_output=True, text=True)
        peak = int(probe.stdout.split()[0])
        verdict = "PASS" if code == 2 and wall < 2 and peak < 200 else "MISS"
        print(f"sparse giant A1+XFD1048576 ({giant.stat().st_size} bytes): exit {code}, "
              f"{wall:.2f} s, peak {peak} MB  goal exit 2, < 2 s, < 200 MB: {verdict}")

        big = work / "panjang.xlsx"
        t0 = time.perf_counter()
        write_xlsx(big, {"Tagihan": customer_cells(args.rows - 1)}, dimension=None,
                   sort_rows=False)
        print(f"generated {args.rows:,} rows x 6 columns ({big.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - t0:.1f} s")

        base = median_time(lambda: bare_calamine(big), args.reps)
        scan = median_time(lambda: oversized_sheets(big), args.reps)
        read = median_time(lambda: read_workbook(big), args.reps)
        checks = [run_cli("check", big, "--period", "2026-11") for _ in range(args.reps)]
        code = checks[0][0]
        check = statistics.median(c[1] for c in checks)
        check_peak = max(c[2] for c in checks)
        print(f"baseline: bare python-calamine read            {base:6.2f} s")
        print(f"extent scan (oversized_sheets)                  {scan:6.2f} s  "
              f"ratio {scan / base:.2f}")
        print(f"read_workbook (scan + calamine + grid)          {read:6.2f} s  "
              f"ratio {read / base:.2f}")
        verdict = "PASS" if code == 0 and check < 30 else "MISS"
        print(f"tagihlite check, fresh process (exit {code})     {check:6.2f} s  "
              f"ratio {check / base:.2f}  goal < 30 s: {verdict}  (peak {check_peak} MB)")
    finally:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for f in work.glob("*.xlsx"):
                shutil.copy2(f, args.keep / f.name)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
