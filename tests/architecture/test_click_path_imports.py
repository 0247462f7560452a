"""The commands a clerk runs many times a day never import pandas or numpy (issue 10).

pandas alone is ~57 MB of peak memory and ~0.4 s per run: more than ``mark`` of a
30,000-row sheet needs otherwise. Each command runs for real in a fresh interpreter, on a
small generated workbook, and reports what ``sys.modules`` holds at exit. ``report`` (the
supervisor's summary, which aggregates with pandas) is the control: it shows the check
can see pandas when it is there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "numpy")
RUN = (
    "import json, sys\n"
    "from tagihlite.cli import main\n"
    "code = main(sys.argv[1:])\n"
    f"print(json.dumps({{'code': code, 'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}))\n"
)


def _workbook(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(["No", "Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp",
               "Status Bayar", "Periode"])
    for i in range(1, 6):
        ws.append([i, f"Toko Fiktif {i}", f"1412345{i:05d}", 100_000 + i, f"0812-7000-{i:04d}",
                   "LUNAS" if i == 5 else "BELUM BAYAR", "2026-11"])
    ws.append([6, "Toko Tanpa Nomor", "141234500006", 150_000, None, "BELUM BAYAR", "2026-11"])
    wb.save(path)
    return path


def _tagihlite(*args: str | Path) -> tuple[int, list[str], str]:
    """(exit code, heavy modules loaded, stdout) of ``tagihlite ARGS`` in a fresh process."""
    env = {**os.environ, "TAGIHLITE_NOW": "2026-11-25T10:00"}
    proc = subprocess.run([sys.executable, "-c", RUN, *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    *out, last = proc.stdout.strip().splitlines()
    result = json.loads(last)
    return result["code"], result["heavy"], "\n".join(out)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return _workbook(tmp_path / "tagihan.xlsx")


def test_check_preview_mark_send_import_no_pandas(book: Path, tmp_path: Path) -> None:
    code, heavy, out = _tagihlite("check", book)
    assert (code, heavy) == (0, [])
    assert "4 dari 6 baris siap dikirim" in out  # it really judged the rows

    code, heavy, out = _tagihlite("preview", book)
    assert (code, heavy) == (0, [])
    assert "Toko Fiktif 1" in out and "4 pesan" in out

    code, heavy, _ = _tagihlite("mark", book)
    assert (code, heavy) == (0, [])
    import openpyxl

    ws = openpyxl.load_workbook(book).active
    assert ws.cell(1, 8).value == "Status Kirim" and ws.cell(2, 8).value  # written back

    outbox = tmp_path / "outbox"
    code, heavy, out = _tagihlite("send", book, "--yes", "--via", "outbox",
                                  "--outbox", outbox)
    assert (code, heavy) == (0, [])
    assert "Selesai: 4 diproses" in out and any(outbox.iterdir())


def test_report_aggregates_with_pandas(book: Path) -> None:
    code, heavy, out = _tagihlite("report", book, "--json")
    assert code == 0
    assert "pandas" in heavy  # the control: the probe does see pandas
    assert json.loads(out)["by_status"]["SIAP KIRIM"]["count"] == 4
