"""The kit's install.ps1 / install.cmd / uninstall.ps1: each step of the issue is there, in
order, and uninstall never touches the clerk's workbooks or journal (static checks: there is
no PowerShell on this machine; a syntax check runs when ``pwsh`` is on PATH)."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from tagihlite.bundle.windows import SCRIPTS, write_scripts


def script(name: str) -> str:
    return (resources.files("tagihlite.bundle") / "scripts" / name).read_text(encoding="ascii")


def code(name: str) -> str:
    """The script without its comments: a step only counts if it is code."""
    return "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("rem ") else ""
                     for line in script(name).splitlines())


SETTINGS = [  # (what, pattern): the places and rules install.ps1 works with
    ("py launcher", r"Get-Command py\.exe"),
    ("registry lookup (PEP 514)", r"Software\\Python\\PythonCore\\\$version\\InstallPath"),
    ("refuse the Store alias", r"-like '\*\\WindowsApps\\\*'"),
    ("64-bit 3.11/3.12 only", r"\$Supported = @\('3\.12', '3\.11'\)"),
    ("where to get Python", r"https://www\.python\.org/downloads/windows/"),
    ("per-user venv", r"\$AppDir = Join-Path \$env:LOCALAPPDATA 'TagihLite'"),
    ("Documents\\TagihLite",
     r"\$Target = Join-Path \(\[Environment\]::GetFolderPath\('MyDocuments'\)\) 'TagihLite'"),
    ("Trusted Location in HKCU", r"\$TrustKey = 'HKCU:\\Software\\Microsoft\\Office\\16\.0\\Excel"
                                 r"\\Security\\Trusted Locations\\TagihLite'"),
]
WORK = [  # (what, pattern), in the order the issue gives the steps
    ("find Python", r"\n\$Python = Find-Python"),
    ("create the venv", r"& \$Python -m venv \$Venv"),
    ("offline install", r"pip install [^\n]*--no-index --find-links \$Wheels tagihlite"),
    ("setup-excel", r"& \$TagihLite setup-excel \$Target"),
    ("register the Trusted Location", r"New-Item -Path \$TrustKey -Force"),
    ("its Path value", r"New-ItemProperty -Path \$TrustKey -Name 'Path'"),
    ("Unblock-File the workbook", r"Unblock-File -LiteralPath \$Workbook"),
    ("desktop shortcut", r"\.CreateShortcut\(\$Shortcut\)"),
    ("run doctor", r"& \$TagihLite doctor --workbook \$Workbook"),
]


def test_install_ps1_has_every_step_in_order() -> None:
    text = code("install.ps1")
    for what, pattern in SETTINGS:
        assert re.search(pattern, text), f"install.ps1 lacks: {what}"
    positions = []
    for what, pattern in WORK:
        matches = [m.start() for m in re.finditer(pattern, text)]
        assert len(matches) == 1, f"install.ps1 must do this once: {what}"
        positions.append(matches[0])
    assert positions == sorted(positions), "steps out of order"


def test_install_ps1_stops_on_errors_and_says_where_python_comes_from() -> None:
    text = script("install.ps1")
    assert "$ErrorActionPreference = 'Stop'" in text
    assert text.count("Fail (") >= 2 and "Microsoft Store" in text and "$PythonUrl" in text
    # pip and setup-excel failures stop the install with their exit code
    assert re.search(r"Invoke-Checked 'Pemasangan paket'", text)
    assert re.search(r"Invoke-Checked 'setup-excel'", text)
    # an existing workbook (the clerk's data) is never overwritten
    assert re.search(r"if \(-not \(Test-Path -LiteralPath \$Workbook\)\) \{\s*Copy-Item", text)


def test_install_cmd_runs_install_ps1_for_a_double_click() -> None:
    text = script("install.cmd")
    assert re.search(r'powershell\.exe -NoProfile -ExecutionPolicy Bypass -File '
                     r'"%~dp0install\.ps1"', text)
    assert "pause" in text  # the window stays open so the clerk can read the result


def test_uninstall_removes_venv_trust_and_shortcut_only() -> None:
    text = code("uninstall.ps1")
    removed = re.findall(r"Remove-Item -(?:Literal)?Path (\$\w+)", text)
    assert sorted(removed) == ["$Shortcut", "$TrustKey", "$Venv"]
    assert "$Venv = Join-Path $AppDir 'venv'" in text
    assert ("'HKCU:\\Software\\Microsoft\\Office\\16.0\\Excel\\Security\\Trusted Locations"
            "\\TagihLite'") in text
    assert "'TagihLite.lnk'" in text
    # never the app folder itself (journal, users, settings) nor Documents\TagihLite
    assert not re.search(r"Remove-Item[^\n]*\$(AppDir|Target)\b", text)
    assert not re.search(r"Remove-Item[^\n]*(\.xlsm|journal|MyDocuments)", text, re.IGNORECASE)


def test_scripts_are_ascii_and_written_with_windows_line_ends(tmp_path: Path) -> None:
    write_scripts(tmp_path)
    for name in SCRIPTS:
        data = (tmp_path / name).read_bytes()
        data.decode("ascii")  # Windows PowerShell 5.1 reads BOM-less scripts as ANSI
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""), name


def test_same_locations_in_install_uninstall_and_doctor() -> None:
    from tagihlite.doctor.context import WORKBOOK_DIR_NAME
    from tagihlite.doctor.office import OFFICE_KEY, TRUSTED_LOCATIONS

    key = f"HKCU:\\{OFFICE_KEY}\\{TRUSTED_LOCATIONS}\\TagihLite"
    for name in ("install.ps1", "uninstall.ps1"):
        text = script(name)
        assert key in text
        assert f"GetFolderPath('MyDocuments')) '{WORKBOOK_DIR_NAME}'" in text


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="PowerShell (pwsh) not installed")
def test_powershell_parses_the_scripts(tmp_path: Path) -> None:
    write_scripts(tmp_path)
    for name in ("install.ps1", "uninstall.ps1"):
        command = ("$e = $null; [System.Management.Automation.Language.Parser]::ParseFile("
                   f"'{tmp_path / name}', [ref]$null, [ref]$e) | Out-Null; "
                   "if ($e) { $e | ForEach-Object { $_.Message }; exit 1 }")
        result = subprocess.run(["pwsh", "-NoProfile", "-Command", command],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_bundle_without_the_source_folder_asks_for_a_wheel(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tagihlite.bundle import windows
    from tagihlite.cli import main

    monkeypatch.setattr(windows, "project_root", lambda: None)
    assert main(["bundle", "windows", str(tmp_path / "kit")]) == 2
    assert "--wheel" in capsys.readouterr().err
    assert main(["bundle", "windows", str(tmp_path / "kit2"), "--wheel",
                 str(tmp_path / "hilang.whl")]) == 2
    assert "hilang.whl' tidak ada" in capsys.readouterr().err
