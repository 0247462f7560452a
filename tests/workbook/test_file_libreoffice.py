"""Another reader accepts what apply_plan wrote: LibreOffice converts it to CSV."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

from file_shell_helpers import SOFFICE, fixture_copy, needs_soffice, plan_for

from tagihlite.core.vocab import Status
from tagihlite.workbook.file import apply_plan, read_table


def _to_csv(files: list[Path], out_dir: Path, profile: Path) -> dict[str, list[list[str]]]:
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out_dir),
         *map(str, files)],
        check=True, capture_output=True, timeout=240)
    out = {}
    for f in files:
        with (out_dir / f"{f.stem}.csv").open(encoding="utf-8", newline="") as fh:
            out[f.name] = list(csv.reader(fh))
    return out


@needs_soffice
def test_libreoffice_reads_our_output(tmp_path: Path) -> None:
    ugly = fixture_copy(tmp_path, "ugly.xlsx")
    table = read_table(ugly)
    n = len(table.rows)
    statuses = [Status.READY, Status.SKIPPED] * n
    apply_plan(ugly, plan_for(table, {"Status Kirim": statuses[:n],
                                      "Pesan": (["=1+1", "@Halo", "Yth."] * n)[:n]}))
    tbl = fixture_copy(tmp_path, "table.xlsx")
    t2 = read_table(tbl)
    apply_plan(tbl, plan_for(t2, {"Status Kirim": [Status.DELIVERED] * len(t2.rows)}))
    macro = fixture_copy(tmp_path, "macro_ribbon.xlsm")
    t3 = read_table(macro)
    apply_plan(macro, plan_for(t3, {"Status Kirim": [Status.QUEUED] * len(t3.rows)}))

    out_dir = tmp_path / "csv"
    out_dir.mkdir()
    sheets = _to_csv([ugly, tbl, macro], out_dir, tmp_path / "profile")

    rows = sheets["ugly.xlsx"]
    assert rows[3][10:12] == ["Status Kirim", "Pesan"]
    assert rows[4][10:12] == [Status.READY, "=1+1"]  # text, not the formula's result 2
    assert rows[5][10:12] == [Status.SKIPPED, "@Halo"]
    assert rows[4][1] == "Toko Sinar Jaya"
    assert rows[17][1] == "=Toko Formula"
    assert rows[3][8] == "Sales"  # extra columns untouched

    rows = sheets["table.xlsx"]
    assert rows[2][1:9] == ["No", "Nama", "No Internet", "Tagihan", "No WA", "Status",
                            "Jatuh Tempo", "Status Kirim"]
    assert all(r[8] == Status.DELIVERED for r in rows[3:8])

    rows = sheets["macro_ribbon.xlsm"]
    assert rows[0][8] == "Status Kirim"
    assert [r[8] for r in rows[1:4]] == [Status.QUEUED] * 3
