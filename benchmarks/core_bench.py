"""Core benchmark (issue 2): a generated 100,000-row arrears workbook, measured in one run.

    /work/venv/bin/python benchmarks/core_bench.py [--rows 100000] [--reps 3] [--keep DIR]

Prints medians over ``--reps`` runs and, for each goal, PASS or MISS:

1. ``check``  = read_workbook + table_in + analyse (what ``tagihlite check`` does before
   printing), divided by a bare python-calamine read of the same file     goal <= 2.0
2. render of 100,000 messages with the default template (render_messages)  goal < 1 s
3. ``send`` write-back = apply_plan of the WritePlan after every eligible row was sent,
   divided by a bare openpyxl load + save of the same file                 goal <= 1.3
4. peak memory (max RSS of a fresh process) of check and of the send write-back.

Everything runs against a temporary TAGIHLITE_HOME; all data is fictional.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HEADER = ["NO", "Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No HP", "Status Bayar",
          "Jatuh Tempo", "Periode", "Sales", "Keterangan"]
SHOPS = ["Toko", "CV", "UD", "Warung", "Apotek", "Bengkel", "Salon", "Kafe", "Klinik", "RM"]
WORDS = ["Maju", "Jaya", "Sejahtera", "Abadi", "Berkah", "Sentosa", "Makmur", "Harapan",
         "Sinar", "Mandiri", "Bersama", "Indah"]
SALES = ["Andi", "Budi", "Citra", "Dewi", "Eko", None]


# --- the workbook ---------------------------------------------------------------------------

def _row(i: int, rnd: random.Random) -> list[Any]:
    name = f"{rnd.choice(SHOPS)} {rnd.choice(WORDS)} {rnd.choice(WORDS)} {i}"
    cid_n = 141200000000 + i
    cid: Any = rnd.choices([str(cid_n), float(cid_n), f"0{cid_n}"], [6, 3, 1])[0]
    base = rnd.randrange(150, 5000) * 1000
    amount: Any = rnd.choices(
        [base, f"Rp {base:,}".replace(",", "."), f"{base:,}", f"{base:,}".replace(",", "."),
         0, "belum dihitung"], [60, 15, 10, 10, 3, 2])[0]
    mobile = f"08{rnd.choice(['11', '12', '13', '21', '52', '53', '77', '95'])}{i:08d}"
    phone: Any = rnd.choices(
        [mobile, f"+62 {mobile[1:4]}-{mobile[4:8]}-{mobile[8:]}", f"62{mobile[1:]}",
         int(mobile[1:]), f"{mobile} / 0761-{31000 + i % 999}", "0761-31234", "-", None],
        [50, 15, 10, 10, 5, 4, 3, 3])[0]
    status = rnd.choices(["BELUM BAYAR", "LUNAS", None, "BELUM LUNAS", "SUDAH BAYAR"],
                         [55, 20, 15, 7, 3])[0]
    due = dt.datetime(2026, 11, rnd.randrange(1, 29))
    return [i, name, cid, amount, phone, status, due, "NOV 2026", rnd.choice(SALES),
            rnd.choice([None, None, None, "janji bayar", "pindah alamat"])]


def make_workbook(path: Path, rows: int, seed: int = 2026) -> Path:
    """An export-style workbook: two title rows, header on row 4, ``rows`` customers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rnd = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tagihan")
    ws.append(["DAFTAR TUNGGAKAN INDIBIZ - DATA FIKTIF UNTUK BENCHMARK"])
    ws.append(["Witel Dumai"])
    ws.append([])
    ws.append(HEADER)
    for i in range(1, rows + 1):
        values = _row(i, rnd)
        due = WriteOnlyCell(ws, value=values[6])
        due.number_format = "dd/mm/yyyy"
        values[6] = due
        ws.append(values)
    wb.create_sheet("Rekap").append(["Total baris", rows])
    wb.save(path)
    return path


# --- measurements ---------------------------------------------------------------------------

def median_time(fn: Callable[[], Any], reps: int, setup: Callable[[], Any] | None = None
                ) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(reps):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bare_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    n = 0
    with CalamineWorkbook.from_path(str(path)) as book:
        for name in book.sheet_names:
            n += len(book.get_sheet_by_name(name).to_python(skip_empty_area=True))
    return n


def check_path(path: Path) -> Any:
    """What ``tagihlite check`` does before printing: read, locate, analyse (with journal)."""
    from tagihlite.journal.sqlite import Journal
    from tagihlite.settings import load
    from tagihlite.workbook.file import pick_sheet, read_workbook, table_in
    from tagihlite.workflow import analyse

    settings = load()
    sheets = read_workbook(path)
    table = table_in(pick_sheet(sheets, None, file=path.name), file=path.name)
    with Journal(settings.journal_file) as journal:
        return analyse(table, settings, journal=journal)


def clear_parse_caches() -> None:
    """A clerk's ``tagihlite check`` starts cold: forget the parsers' memoised values."""
    from tagihlite.core import parse

    for name in dir(parse):
        clear = getattr(getattr(parse, name), "cache_clear", None)
        if callable(clear):
            clear()


def bare_openpyxl(path: Path, out: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.save(out)


def sent_entries(analysis: Any) -> dict[str, Any]:
    """Journal entries as a finished outbox send leaves them, for every eligible row."""
    from tagihlite.core.messages import load_template
    from tagihlite.core.vocab import JournalState
    from tagihlite.journal.sqlite import Entry
    from tagihlite.workflow import render_messages, template_constants

    template = load_template(constants=template_constants(analysis.settings))
    messages = render_messages(analysis, template)
    at = dt.datetime.now(dt.timezone.utc).isoformat()
    note = "Pesan ada di outbox (outbox.html); kirim lewat tautannya."
    out = {}
    for r in analysis.eligible.rows():
        out[r.key] = Entry(r.key, JournalState.QUEUED, "outbox", "Budi", 1, at, at, None, None,
                           note, messages[r.row])
    return out


def all_rows_renderable(analysis: Any) -> Any:
    """A copy of the analysis where every row is eligible (100,000 messages to render)."""
    from tagihlite.core.ledger_table import Ledger
    from tagihlite.workflow import Analysis

    cols = analysis.ledger.to_dict()
    cols["amount"] = [250_000 if a is None else a for a in cols["amount"]]
    cols["customer_id"] = ["141200000000" if c is None else c for c in cols["customer_id"]]
    cols["eligible"] = [True] * len(analysis.ledger)
    return Analysis(analysis.table, Ledger(cols), analysis.settings, analysis.level)


def peak_rss_mb(what: str, path: Path) -> float:
    """Max RSS of a fresh interpreter doing one thing (imports included)."""
    proc = subprocess.run([sys.executable, __file__, "--child", what, str(path)],
                          capture_output=True, text=True, check=True, env=os.environ.copy())
    return json.loads(proc.stdout.strip().splitlines()[-1])["maxrss_mb"]


def _vm_hwm_mb() -> float:
    """Peak RSS of this process image (VmHWM; unlike ru_maxrss it is not inherited across
    exec from the parent that spawned us)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(what: str, path: Path) -> None:
    if what == "check":
        check_path(path)
    elif what == "send":
        from tagihlite.workbook.file import apply_plan
        from tagihlite.workflow import plan_writeback

        analysis = check_path(path)
        analysis.entries = sent_entries(analysis)
        apply_plan(path, plan_writeback(analysis))
    elif what == "calamine":
        bare_calamine(path)
    elif what == "openpyxl":
        bare_openpyxl(path, path.with_name("copy.xlsx"))
    print(json.dumps({"maxrss_mb": _vm_hwm_mb()}))


# --- main -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    ap.add_argument("--child", nargs=2, metavar=("WHAT", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0

    work = Path(tempfile.mkdtemp(prefix="tagihlite-bench-"))
    os.environ["TAGIHLITE_HOME"] = str(work / "home")
    os.environ["TAGIHLITE_CONFIG"] = str(work / "home" / "settings.toml")
    try:
        return run(args, work)
    finally:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for p in work.glob("*.xlsx"):
                shutil.copy2(p, args.keep / p.name)
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    from tagihlite.core.messages import load_template
    from tagihlite.workbook.file import apply_plan
    from tagihlite.workflow import plan_writeback, render_messages, template_constants

    src = work / "arrears.xlsx"
    t0 = time.perf_counter()
    make_workbook(src, args.rows)
    print(f"generated {args.rows:,} rows ({src.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - t0:.1f} s; {args.reps} repetitions, medians\n")

    # warm imports/caches once so every repetition measures the same thing
    bare_calamine(src)
    check_path(src)

    t_cal, n_rows = median_time(lambda: bare_calamine(src), args.reps)
    t_check, analysis = median_time(lambda: check_path(src), args.reps,
                                    setup=clear_parse_caches)
    eligible = sum(analysis.ledger["eligible"])

    template = load_template(constants=template_constants(analysis.settings))
    every = all_rows_renderable(analysis)
    t_render, messages = median_time(lambda: render_messages(every, template), args.reps)

    analysis.entries = sent_entries(analysis)
    t_plan, plan = median_time(lambda: plan_writeback(analysis), args.reps)
    target = work / "send.xlsx"

    def fresh_copy() -> None:
        shutil.copyfile(src, target)
        for extra in work.glob("send (cadangan*"):
            extra.unlink()

    t_write, _ = median_time(lambda: apply_plan(target, plan), args.reps, setup=fresh_copy)
    t_opx, _ = median_time(lambda: bare_openpyxl(src, work / "copy.xlsx"), args.reps)

    rss = {k: peak_rss_mb(k, src if k != "send" else target)
           for k in ("calamine", "check", "openpyxl", "send")}
    fresh_copy()

    ratio_check = t_check / t_cal
    ratio_write = t_write / t_opx
    lines = [
        ("check / bare calamine read", f"{t_check:.2f} s / {t_cal:.2f} s = {ratio_check:.2f}",
         "<= 2.0", ratio_check <= 2.0),
        (f"render {len(messages):,} messages (default template)", f"{t_render:.2f} s",
         "< 1 s", t_render < 1.0),
        ("send write-back / bare openpyxl load+save",
         f"{t_write:.2f} s / {t_opx:.2f} s = {ratio_write:.2f}", "<= 1.3", ratio_write <= 1.3),
    ]
    w = max(len(a) for a, *_ in lines)
    v = max(len(b) for _, b, *_ in lines)
    print(f"{'measure':<{w}}  {'result':<{v}}  {'goal':<7}  verdict")
    for name, value, goal, ok in lines:
        print(f"{name:<{w}}  {value:<{v}}  {goal:<7}  {'PASS' if ok else 'MISS'}")
    print()
    print(f"rows read by calamine: {n_rows:,}; customer rows: {len(analysis.ledger):,}; "
          f"eligible: {eligible:,}")
    print(f"plan_writeback (not in the ratio): {t_plan:.2f} s")
    print("peak memory (max RSS of a fresh process, imports included): "
          f"calamine read {rss['calamine']:.0f} MB, check {rss['check']:.0f} MB, "
          f"openpyxl load+save {rss['openpyxl']:.0f} MB, send write-back {rss['send']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
