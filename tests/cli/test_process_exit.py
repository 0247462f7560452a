"""The ``tagihlite`` process leaves quickly (os._exit) without losing output or exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

HEADER = ["No", "Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp"]


def _run(*args: str | Path, env_home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TAGIHLITE_HOME": str(env_home),
           "TAGIHLITE_CONFIG": str(env_home / "settings.toml")}
    return subprocess.run([sys.executable, "-m", "tagihlite", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_json_output_is_complete_and_codes_are_kept(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(HEADER)
    for i in range(1, 2001):
        ws.append([i, f"Toko Fiktif {i}", f"1412{i:08d}", 150000, f"0812{i:08d}"])
    wb.save(tmp_path / "t.xlsx")
    done = _run("check", tmp_path / "t.xlsx", "--json", "--period", "2026-11",
                env_home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["rows"]) == 2000  # every byte reached the pipe

    wb = openpyxl.Workbook()
    wb.active.append(["bukan", "tabel"])
    wb.save(tmp_path / "bad.xlsx")
    done = _run("check", tmp_path / "bad.xlsx", env_home=tmp_path / "home")
    assert done.returncode == 2 and "tidak ditemukan" in done.stderr
