"""``tagihlite bundle windows``: the kit is complete for Windows x64, CPython 3.11 and 3.12.

Building the kit downloads from PyPI, so it happens once per test session. Without PyPI the
tests skip with the reason, unless ``TAGIHLITE_TEST_NETWORK=required`` (set by ``.ci/run``):
then they fail, so CI always runs them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename

from tagihlite.addin.build import build_workbook_bytes
from tagihlite.bundle.resolve import closure, windows_tags
from tagihlite.bundle.windows import PYTHON_VERSIONS, SCRIPTS, build_kit
from tagihlite.cli import main

pytestmark = pytest.mark.network


def _pypi_unreachable() -> str | None:
    for host in ("pypi.org", "files.pythonhosted.org"):
        try:
            socket.create_connection((host, 443), timeout=10).close()
        except OSError as exc:
            return f"PyPI unreachable ({host}: {exc}); the Windows kit cannot be built"
    return None


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = _pypi_unreachable()
    if reason:
        if os.environ.get("TAGIHLITE_TEST_NETWORK") == "required":
            pytest.fail(reason)
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("windows-kit") / "kit"
    build_kit(root)
    return root


@pytest.mark.parametrize("python_version", PYTHON_VERSIONS)
def test_pip_installs_tagihlite_from_the_kit_alone(kit: Path, python_version: str,
                                                   tmp_path: Path) -> None:
    # --isolated: no pip config or PIP_* variables (this machine's find-links must not help)
    command = [sys.executable, "-m", "pip", "--isolated", "install", "--dry-run",
               "--ignore-installed", "--no-index", "--find-links", str(kit / "wheels"),
               "--platform", "win_amd64", "--python-version", python_version,
               "--only-binary=:all:", "--target", str(tmp_path / "target"), "tagihlite"]
    if python_version != f"{sys.version_info[0]}.{sys.version_info[1]}":
        # pip install (unlike pip download) checks Requires-Python against the Python it runs
        # on, not --python-version: numpy for 3.12 "requires a different Python: 3.11.7".
        # Requires-Python is checked for the target version by the walk below instead.
        command.insert(command.index("--dry-run"), "--ignore-requires-python")
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Would install" in result.stdout and "tagihlite-0.1.0" in result.stdout


@pytest.mark.parametrize("python_version", PYTHON_VERSIONS)
def test_the_kit_has_what_windows_needs(kit: Path, python_version: str) -> None:
    # pip above judges markers by this Linux machine; Windows needs pywin32 (xlwings) and
    # pywin32-ctypes (keyring), which only a walk with Windows' markers finds.
    result = closure(kit / "wheels", [Requirement("tagihlite")], python_version)
    assert result.missing == {}
    assert {"pywin32", "pywin32-ctypes", "xlwings", "pandas", "pywhatkit", "olefile"} \
        <= set(result.chosen)
    tags = windows_tags(python_version)
    assert all(wheel.tags & tags for wheel in result.chosen.values())


def test_every_wheel_in_the_kit_runs_on_windows_x64(kit: Path) -> None:
    tags = windows_tags("3.11") | windows_tags("3.12")
    for path in (kit / "wheels").glob("*.whl"):
        assert set(parse_wheel_filename(path.name)[3]) & tags, path.name
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None


def test_the_kit_carries_the_workbook_and_the_scripts(kit: Path) -> None:
    assert (kit / "tagihlite.xlsm").read_bytes() == build_workbook_bytes()
    for name in SCRIPTS:
        assert (kit / name).is_file()
    assert sorted(p.name for p in kit.iterdir()) == sorted(["wheels", "tagihlite.xlsm",
                                                            *SCRIPTS])


def test_bundle_refuses_a_folder_with_files(kit: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    assert main(["bundle", "windows", str(kit)]) == 2
    assert "sudah berisi berkas" in capsys.readouterr().err
