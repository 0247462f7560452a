"""Excel round trips per ribbon click, for 10 rows and for 10,000 rows.

Runs every action of ``tagihlite.excel.on_ribbon`` on the in-memory xlwings engine
(``tests/xlengine``), which counts each call into the engine as one Excel round trip (as
over COM). Goal: the same count for 10 and 10,000 rows, and fewer than 100 per click.
Sending writes each finished row as it goes (one small block per row, by design), so the
send buttons are measured with a fixed selection, and Kirim Semua (under a daily cap of 25
sends) is reported as fixed + per sent row.

    python benchmarks/excel_roundtrips.py [--rows 10 10000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAILY_CAP = 25
sys.path.insert(0, str(ROOT / "tests"))


def customers(n: int, prefix: str) -> list[dict[str, object]]:
    return [{"Nama Pelanggan": f"Pelanggan Fiktif {i}", "Nomor Indibiz": f"{prefix}{i:07d}",
             "Jumlah Tagihan": 100000 + i, "No WhatsApp": f"0812{7000000 + i:08d}",
             "Status Bayar": "LUNAS" if i % 7 == 0 else "BELUM BAYAR", "Periode": "2026-11"}
            for i in range(1, n + 1)]


def export_file(path: Path, rows: list[dict[str, object]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID Pelanggan", "Nama", "Tagihan", "No HP", "Status", "Periode"])
    for r in rows:
        ws.append([r["Nomor Indibiz"], r["Nama Pelanggan"], r["Jumlah Tagihan"],
                   r["No WhatsApp"], "BELUM BAYAR", r["Periode"]])
    wb.save(path)
    return path


def payment_file(path: Path, rows: list[dict[str, object]]) -> Path:
    """Every customer pays half of the bill (one partial payment each)."""
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nomor Indibiz", "Periode", "Tanggal Bayar", "Jumlah Bayar"])
    for r in rows:
        ws.append([r["Nomor Indibiz"], r["Periode"], dt.date(2026, 12, 3),
                   int(r["Jumlah Tagihan"]) // 2])  # type: ignore[call-overload]
    wb.save(path)
    return path


def measure(n: int, folder: Path) -> dict[str, int]:
    """Calls per action on a fresh add-in workbook with ``n`` customers."""
    from xlengine import MemoryExcel

    import tagihlite.excel as tx
    from tagihlite.addin.build import build_workbook
    from tagihlite.excel import actions as excel_actions

    home = folder / f"home-{n}"
    os.environ["TAGIHLITE_HOME"] = str(home)
    os.environ["TAGIHLITE_CONFIG"] = str(home / "settings.toml")
    home.mkdir(parents=True, exist_ok=True)
    # Sending is paced by the journal's fsyncs (two per row); a daily cap keeps the
    # 10,000-row run short while still measuring the per-row cost.
    (home / "settings.toml").write_text(f"daily_cap = {DAILY_CAP}\n", "utf-8")
    rows = customers(n, "1410")
    book_path = build_workbook(folder / f"bench-{n}.xlsm", customers=rows)
    export = export_file(folder / f"export-{n}.xlsx", customers(n, "1410"))
    payments = payment_file(folder / f"payments-{n}.xlsx", customers(n, "1410"))
    excel_actions._ask_import_file = lambda: str(export)  # the dialog is a person
    counts: dict[str, int] = {}
    with MemoryExcel() as xl:
        xl.open(book_path)

        def click(control_id: str, *answers: str) -> int:
            xl.answer(*answers)
            xl.reset()
            tx.on_ribbon(control_id)
            critical = [a["prompt"] for a in xl.alerts if a["mode"] == "critical"]
            if critical:
                raise SystemExit(f"{control_id} failed: {critical[-1]}")
            return xl.calls

        counts["tl_check"] = click("tl_check")
        counts["tl_mark"] = click("tl_mark")
        counts["tl_preview"] = click("tl_preview")
        counts["tl_login"] = click("tl_login")  # single-user mode: says so
        counts["tl_logout"] = click("tl_logout")
        xl.select("Tagihan", "A2:N6")  # five rows, whatever the sheet's size
        counts["tl_send_selected (5 rows)"] = click("tl_send_selected", "yes")
        counts["tl_report"] = click("tl_report")
        counts["tl_help"] = click("tl_help")
        counts["tl_import"] = click("tl_import")
        counts["tl_send_all (cap 25)"] = click("tl_send_all", "yes")
        excel_actions._ask_import_file = lambda: str(payments)
        counts["tl_import_payments"] = click("tl_import_payments")
        with __import__("tagihlite.journal.sqlite", fromlist=["Journal"]).Journal(
                home / "journal.sqlite") as journal:
            counts["_sent_total"] = len(journal.entries())
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs=2, default=(10, 10_000))
    args = parser.parse_args()
    small, large = args.rows
    with tempfile.TemporaryDirectory(prefix="tagihlite-bench-") as tmp:
        a = measure(small, Path(tmp))
        b = measure(large, Path(tmp))
    width = max(len(k) for k in a)
    print(f"{'action':<{width}}  {small:>8}  {large:>8}  constant  <100")
    for key in a:
        if key.startswith("_"):
            continue
        if key.startswith("tl_send_all"):
            print(f"{key:<{width}}  {a[key]:>8}  {b[key]:>8}  (per sent row, see below)")
            continue
        same = "yes" if a[key] == b[key] else "no"
        under = "yes" if max(a[key], b[key]) < 100 else "no"
        print(f"{key:<{width}}  {a[key]:>8}  {b[key]:>8}  {same:>8}  {under:>4}")
    sent_a, sent_b = a["_sent_total"] - 5, b["_sent_total"] - 5
    key = "tl_send_all (cap 25)"
    per_row = (b[key] - a[key]) / max(sent_b - sent_a, 1)
    fixed = a[key] - per_row * sent_a
    print(f"\nKirim Semua: {fixed:.0f} fixed + {per_row:.1f} per sent row (status bar + one "
          f"block write); {sent_a} and {sent_b} rows sent.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
