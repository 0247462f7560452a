"""A workbook carrying our vbaProject.bin, opened by headless LibreOffice (a second, independent
MS-OVBA reader): every module must come in with the right type and exactly our source.

Needs Debian's libreoffice-calc-nogui and python3-uno (LibreOffice's ``uno`` runs only under
the system Python, so tests/addin/lo_uno.py is run as a subprocess)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tagihlite.addin.vbaproject import VbaModule, build_vba_project

SYSTEM_PYTHON = Path("/usr/bin/python3")
HELPER = Path(__file__).with_name("lo_uno.py")

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (Debian libreoffice-calc-nogui + python3-uno) is not installed",
)

# com.sun.star.script.ModuleType
NORMAL, CLASS, DOCUMENT = 1, 2, 4
LO_TYPES = {"standard": NORMAL, "class": CLASS, "document": DOCUMENT}
# What LibreOffice writes in front of an imported VBA module.
LO_PREAMBLE = re.compile(
    r"\ARem Attribute VBA_ModuleType=VBA(Module|ClassModule|DocumentModule)\n"
    r"Option VBASupport 1\n(Option ClassModule\n)?"
)


def _cases():
    """test_vbaproject.py's helpers, loaded by path so either test layout works."""
    spec = importlib.util.spec_from_file_location(
        "_vbaproject_cases", Path(__file__).with_name("test_vbaproject.py")
    )
    assert spec is not None and spec.loader is not None
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    return cases


def _open_in_libreoffice(book: Path, tmp_path: Path) -> dict:
    if not SYSTEM_PYTHON.exists():
        pytest.skip("system Python for LibreOffice's uno is missing")
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("python3-uno (LibreOffice's uno module) is not installed")
    profile = tmp_path / "lo-profile"
    profile.mkdir()
    done = subprocess.run(
        [str(SYSTEM_PYTHON), str(HELPER), str(book), str(profile)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _lo_body(source: str) -> str:
    match = LO_PREAMBLE.match(source)
    assert match, source[:200]
    return source[match.end() :]


def _expected_body(module: VbaModule) -> str:
    # LibreOffice turns CRLF into LF, drops every "Attribute" line (it has no use for
    # them) and ends the text with one more line break.
    text = module.source.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    kept = [line for line in text.splitlines(keepends=True) if not line.startswith("Attribute ")]
    return "".join(kept) + "\n"


def test_libreoffice_imports_every_module_with_type_and_source(tmp_path: Path) -> None:
    extra = [
        VbaModule("ThisWorkbook", "document", "Private Sub Workbook_Open()\n    x = 1\nEnd Sub\n"),
        VbaModule("Sheet1", "document", ""),
        VbaModule("Sheet2", "document", "' lembar kedua\r\n"),
        VbaModule(
            "TagihLite",
            "standard",
            "Sub OnRibbon(control As IRibbonControl)\r\n"
            '    RunPython "import tagihlite.excel as tx; tx.on_ribbon(\'" & control.Id & "\')"\r\n'
            "End Sub",
        ),
    ]
    # xlwings' real modules (a 45 kB standard module and a class), minus the quickstart's
    # own document modules, which ours replace.
    cases = _cases()
    xlwings_modules = [m for m in cases._quickstart_modules() if m.kind != "document"]
    modules = extra + xlwings_modules
    book = tmp_path / "probe.xlsm"
    cases.write_xlsm(book, build_vba_project(modules), ["Sheet1", "Sheet2"])

    seen = _open_in_libreoffice(book, tmp_path)

    assert seen["codenames"] == {"Lembar1": "Sheet1", "Lembar2": "Sheet2"}
    assert seen["vba_project_name"] == "VBAProject"
    imported = seen["libraries"]["VBAProject"]
    assert set(imported) == {m.name for m in modules}
    for module in modules:
        got = imported[module.name]
        assert got["type"] == LO_TYPES[module.kind], module.name
        assert _lo_body(got["source"]) == _expected_body(module), module.name
