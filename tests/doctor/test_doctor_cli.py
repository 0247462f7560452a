"""``tagihlite doctor [--json]`` on this machine: output shapes and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tagihlite.addin.setup_excel import setup_excel
from tagihlite.cli import main


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return setup_excel(tmp_path / "TagihLite", executable=sys.executable).workbook


def test_json_all_ok_exits_0(workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--json", "--workbook", str(workbook)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"checks", "ok"} and report["ok"] is True
    for item in report["checks"]:
        assert set(item) == {"id", "ok", "detail", "fix"}
        assert item["ok"] is True and item["fix"] == ""
    assert [c["id"] for c in report["checks"]][:5] == [
        "python", "packages", "workbook_vba", "xlwings_conf", "interpreter"]


def test_json_with_a_problem_exits_1(workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workbook.parent / "xlwings.conf").write_text(
        f'"INTERPRETER_MAC","{sys.executable}"\n\n', encoding="utf-8")
    assert main(["doctor", "--json", "--workbook", str(workbook)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    (bad,) = [c for c in report["checks"] if not c["ok"]]
    assert bad["id"] == "xlwings_conf" and "baris 2 kosong" in bad["detail"]


def test_text_checklist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--workbook", str(tmp_path / "tidak-ada.xlsm")]) == 1
    out = capsys.readouterr().out
    assert "[OK] Python:" in out
    assert "[PERLU DIPERBAIKI] Modul VBA di buku kerja:" in out
    assert "    Cara memperbaiki: Jalankan 'tagihlite setup-excel" in out
    assert out.rstrip().endswith("pemeriksaan perlu diperbaiki.")


def test_doctor_as_a_program(workbook: Path) -> None:
    # what install.ps1 runs: the console script, its exit code, JSON on stdout only
    result = subprocess.run([sys.executable, "-m", "tagihlite", "doctor", "--json",
                             "--workbook", str(workbook)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True and result.stderr == ""
