"""Periksa Instalasi: the doctor's checklist for the calling workbook, in one alert."""

from __future__ import annotations

import sys
from pathlib import Path

from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite.addin.setup_excel import setup_excel
from tagihlite.doctor.checks import CheckResult
from tagihlite.doctor.report import as_alert


def test_periksa_instalasi_all_ok(xl: MemoryExcel, tmp_path: Path) -> None:
    workbook = setup_excel(tmp_path / "TagihLite", executable=sys.executable).workbook
    xl.open(workbook)
    tx.on_ribbon("tl_doctor")
    (alert,) = xl.alerts
    assert alert["mode"] == "info"
    assert alert["prompt"].startswith("Semua ") and "pemeriksaan OK" in alert["prompt"]
    assert xl.calls < 20  # an alert and two status texts, whatever the workbook holds


def test_periksa_instalasi_names_the_fix(xl: MemoryExcel, addin_xlsm: Path) -> None:
    # the test's workbook has no xlwings.conf beside it: Excel could not have started Python
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_doctor")
    (alert,) = xl.alerts
    assert alert["mode"] == "critical"
    assert "perlu diperbaiki" in alert["prompt"]
    assert f"xlwings.conf: Jalankan 'tagihlite setup-excel \"{addin_xlsm.parent}\"'" \
        in alert["prompt"]
    assert any("perlu diperbaiki" in str(s) for s in xl.status_texts)


def test_the_alert_fits_a_message_box() -> None:
    results = [CheckResult(f"c{i}", False, "x", "Lakukan sesuatu yang cukup panjang " * 4 + ".")
               for i in range(12)]
    text = as_alert(results)
    assert len(text) <= 1000 and "(dan " in text and "tagihlite doctor" in text
    assert as_alert([CheckResult("python", True, "ok")]).startswith("Semua 1 pemeriksaan OK")


def test_petunjuk_tells_to_run_doctor(addin_xlsm: Path) -> None:
    import openpyxl

    sheet = openpyxl.load_workbook(addin_xlsm)["Petunjuk"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "Periksa Instalasi" in texts
    assert any("tagihlite doctor" in t and "tagihlite.exe doctor" in t for t in texts)
