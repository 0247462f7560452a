"""``report --write``: the Laporan sheet with native charts, read by other programs."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from core.core_helpers import run_cli
from report_scenario import scenario

from tagihlite import clock

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not "
                                   "installed: apt-get install libreoffice-calc-nogui")


def _write(book: Path) -> None:
    try:
        code, _, err = run_cli("--today", "2026-12-06", "report", book, "--write")
    finally:
        clock.pin(None)
    assert code == 0, err


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_laporan_sheet_has_three_charts_and_keeps_every_other_part(tmp_path):
    book = scenario(tmp_path)
    before = _parts(book)
    _write(book)
    after = _parts(book)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed == {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    charts = sorted(n for n in after if n.startswith("xl/charts/chart"))
    assert len(charts) == 3
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Tagihan", "Laporan"]
    ws = wb["Laporan"]
    assert ws["A1"].value == "Laporan TagihLite"
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    level_row = labels.index("1 Jatuh tempo") + 1
    assert [ws.cell(level_row, c).value for c in (2, 3)] == [8, 3]  # reminded, paid
    assert len(ws._charts) == 3
    # a second write replaces the sheet and its charts, it does not add more
    _write(book)
    again = _parts(book)
    assert sorted(n for n in again if n.startswith("xl/charts/chart")) == charts
    assert openpyxl.load_workbook(book).sheetnames == ["Tagihan", "Laporan"]


def test_addin_workbook_keeps_its_vba_and_laporan_code_name(tmp_path):
    from tagihlite.addin.build import build_workbook
    from tagihlite.workbook.demo import demo_rows

    xlsm = build_workbook(tmp_path / "tagihlite.xlsm", customers=demo_rows())
    vba = hashlib.sha256(_parts(xlsm)["xl/vbaProject.bin"]).hexdigest()
    code, _, err = run_cli("report", xlsm, "--write")
    assert code == 0, err
    parts = _parts(xlsm)
    assert hashlib.sha256(parts["xl/vbaProject.bin"]).hexdigest() == vba
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert wb.sheetnames.count("Laporan") == 1
    assert wb["Laporan"].sheet_properties.codeName == "Sheet3"


@needs_soffice
def test_libreoffice_opens_the_charts(tmp_path):
    book = scenario(tmp_path)
    _write(book)
    out = tmp_path / "lo"
    out.mkdir()
    profile = tmp_path / "profile"
    for target in ("pdf", "xlsx"):
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--norestore", "--convert-to", target, "--outdir", str(out),
                        str(book)], check=True, capture_output=True, timeout=240)
    assert (out / "tagihan.pdf").stat().st_size > 5000
    # LibreOffice read our chart parts and wrote them back as its own: same series data
    parts = _parts(out / "tagihan.xlsx")
    charts = [parts[n].decode() for n in parts if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    text = "".join(charts)
    assert "Lunas setelah pengingat, per tingkat" in text
    assert "<c:barChart>" in text and "<c:lineChart>" in text
    assert "$Laporan.$B$" in text or "Laporan!$B$" in text or "'Laporan'!$B$" in text


def test_an_independent_ooxml_validator_finds_nothing_in_our_parts(tmp_path):
    import json
    import sys

    tool = Path(sys.executable).parent / "openxml-audit"
    if not tool.exists():
        pytest.skip("openxml-audit is not installed (pip install -e '.[test]')")
    book = scenario(tmp_path)
    _write(book)
    proc = subprocess.run([str(tool), "-o", "json", "-m", "0", str(book)],
                          capture_output=True, text=True, timeout=300)
    findings = json.loads(proc.stdout)[0]["errors"]
    ours = [f for f in findings
            if f["part_uri"].startswith(("/xl/charts/", "/xl/drawings/", "/xl/worksheets/sheet2",
                                         "/xl/workbook.xml", "/[Content_Types]"))
            and not f["description"].startswith("Worksheet sheet2.xml has")]
    assert ours == []
