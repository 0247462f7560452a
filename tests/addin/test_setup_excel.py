"""``tagihlite setup-excel`` / ``build-workbook`` and the xlwings.conf files."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tagihlite.addin import setup_excel as setup
from tagihlite.addin.build import build_workbook_bytes
from tagihlite.cli import main
from tagihlite.errors import TagihError

REPO = Path(__file__).resolve().parents[2]
# One `Write #` record per line, as xlwings.bas's GetConfigFromFile reads it with `Input #`.
CONF_LINE = re.compile(r'^"([^"]*)","([^"]*)"$')
# Keys xlwings.bas asks GetConfig for (standalone module, 0.37.8) except LICENSE_KEY, which is
# xlwings PRO only and never ours to write: nothing else belongs in our conf files.
XLWINGS_KEYS = {"TEMP DIR", "INTERPRETER", "INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH",
                "ADD_WORKBOOK_TO_PYTHONPATH", "CONDA PATH", "CONDA ENV", "SHOW CONSOLE",
                "USE UDF SERVER", "UDF MODULES", "DEBUG UDFS", "ONEDRIVE_CONSUMER_WIN",
                "ONEDRIVE_COMMERCIAL_WIN", "SHAREPOINT_WIN", "ONEDRIVE_CONSUMER_MAC",
                "ONEDRIVE_COMMERCIAL_MAC", "SHAREPOINT_MAC", "SHOW_ERROR_POPUPS"}


def read_conf(path: Path) -> dict[str, str]:
    entries = {}
    for line in path.read_bytes().decode("utf-8").splitlines():
        match = CONF_LINE.match(line)
        assert match, f"not a VBA Write # record: {line!r}"
        entries[match.group(1)] = match.group(2)
    return entries


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGIHLITE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # a Mac run must not touch ~/Library


def test_keys_are_ones_xlwings_bas_reads() -> None:
    vba = (Path(__import__("xlwings").__file__).parent / "xlwings.bas").read_text()
    asked = set(re.findall(r'GetConfig\("([^"]+)"', vba))
    assert asked == XLWINGS_KEYS | {"LICENSE_KEY"}


def test_repo_conf_is_valid_and_holds_no_secret() -> None:
    conf = REPO / "xlwings.conf"
    raw = conf.read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    entries = read_conf(conf)
    assert set(entries) <= XLWINGS_KEYS
    assert {"INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH"} <= set(entries)
    assert "LICENSE_KEY" not in entries


def test_setup_writes_workbook_and_conf(tmp_path: Path) -> None:
    target = tmp_path / "Kantor Dumai"
    result = setup.setup_excel(target, platform="linux")
    assert result.workbook_created
    assert result.workbook == target.resolve() / "tagihlite.xlsm"
    assert result.workbook.read_bytes() == build_workbook_bytes()
    entries = read_conf(target / "xlwings.conf")
    assert entries == {"INTERPRETER_MAC": sys.executable, "ADD_WORKBOOK_TO_PYTHONPATH": "false"}
    assert result.applescript is None


def test_setup_keeps_an_existing_workbook(tmp_path: Path) -> None:
    (tmp_path / "tagihlite.xlsm").write_bytes(b"clerk's data")
    (tmp_path / "xlwings.conf").write_text('"INTERPRETER_MAC","/old/python"\n')
    result = setup.setup_excel(tmp_path, platform="linux")
    assert not result.workbook_created
    assert (tmp_path / "tagihlite.xlsm").read_bytes() == b"clerk's data"
    assert read_conf(tmp_path / "xlwings.conf")["INTERPRETER_MAC"] == sys.executable


def test_windows_prefers_pythonw_and_crlf(tmp_path: Path) -> None:
    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").write_bytes(b"")
    assert setup.excel_interpreter(str(scripts / "python.exe"), "win32") == scripts / "python.exe"
    (scripts / "pythonw.exe").write_bytes(b"")
    assert setup.excel_interpreter(str(scripts / "python.exe"), "win32") == scripts / "pythonw.exe"
    assert setup.excel_interpreter(str(scripts / "python.exe"), "darwin") == scripts / "python.exe"

    setup.setup_excel(tmp_path / "out", executable=str(scripts / "python.exe"), platform="win32")
    raw = (tmp_path / "out" / "xlwings.conf").read_bytes()
    assert raw.count(b"\r\n") == 2
    assert read_conf(tmp_path / "out" / "xlwings.conf") == {
        "INTERPRETER_WIN": str(scripts / "pythonw.exe"), "ADD_WORKBOOK_TO_PYTHONPATH": "false"}


def test_macos_installs_the_runpython_applescript(tmp_path: Path) -> None:
    import xlwings

    home = tmp_path / "home"
    result = setup.setup_excel(tmp_path / "out", platform="darwin", home=home)
    script = home / "Library/Application Scripts/com.microsoft.Excel" / \
        f"xlwings-{xlwings.__version__}.applescript"
    assert result.applescript == script
    assert "on VbaHandler" in script.read_text()
    assert "INTERPRETER_MAC" in read_conf(tmp_path / "out" / "xlwings.conf")


def test_conf_refuses_values_vba_cannot_read() -> None:
    with pytest.raises(TagihError):
        setup.render_conf([("INTERPRETER_WIN", 'C:\\a"b\\python.exe')])


def test_target_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(TagihError):
        setup.setup_excel(tmp_path / "file", platform="linux")


def test_cli_build_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "book.xlsm"
    assert main(["build-workbook", "--output", str(out)]) == 0
    assert out.read_bytes() == build_workbook_bytes()
    assert str(out) in capsys.readouterr().out


def test_cli_setup_excel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["setup-excel", str(tmp_path / "dir")]) == 0
    assert (tmp_path / "dir" / "tagihlite.xlsm").is_file()
    assert (tmp_path / "dir" / "xlwings.conf").is_file()
    assert "baru dibuat" in capsys.readouterr().out
    assert main(["setup-excel", str(tmp_path / "dir")]) == 0
    assert "tidak ditimpa" in capsys.readouterr().out
