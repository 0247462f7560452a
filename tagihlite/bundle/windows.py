"""``tagihlite bundle windows DIR``: an offline install kit for a clerk's Windows PC.

Layout of the kit::

    DIR/wheels/          every wheel TagihLite needs on Windows x64, CPython 3.11 and 3.12
    DIR/tagihlite.xlsm   the add-in workbook (the same bytes as ``build-workbook``)
    DIR/install.cmd      double-click: runs install.ps1 with the execution policy bypassed
    DIR/install.ps1      venv in %LOCALAPPDATA%\\TagihLite, wheels, setup-excel, trust, doctor
    DIR/uninstall.ps1    removes the venv, the Trusted Location and the shortcut only
    DIR/BACA-SAYA.txt    what to do, in Indonesian

The wheels come from pip's cross-platform download (``--platform win_amd64 --only-binary=:all:``).
A few dependencies (pywhatkit's pyautogui family, wikipedia, ...) publish only source
archives; they are pure Python, so their wheel is built here (``pip wheel --no-deps``) and
checked to be ``py3-none-any`` before it goes into the kit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from tagihlite.errors import TagihError

PYTHON_VERSIONS: Final = ("3.11", "3.12")
PLATFORM: Final = "win_amd64"
SCRIPTS: Final = ("install.ps1", "install.cmd", "uninstall.ps1", "BACA-SAYA.txt")
# pip's last words when a requirement has no wheel for the target platform.
# pip's two ways of saying "no Windows wheel": a plain miss, or a miss under our constraints.
_NO_WHEEL = re.compile(r"No matching distribution found for ([^\r\n]+)"
                       r"|The user requested \(constraint\) ([^\r\n]+)")
# A pinned version too new for the target's oldest patch release (3.11 = 3.11.0): unpinned.
_TOO_NEW = re.compile(r"Package '([^']+)' requires a different Python")
_MAX_SOURCE_BUILDS = 40  # a loop guard: each round builds one wheel pip could not download


@dataclass(frozen=True)
class Kit:
    root: Path
    wheels: list[Path]
    built_from_source: list[str]  # names of the pure wheels built here from sdists


def project_root() -> Path | None:
    """The source checkout this tagihlite runs from, if any (where ``pip wheel .`` works)."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "tagihlite").is_dir() else None


def _pip(args: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    output = result.stderr + result.stdout
    if result.returncode != 0 and not (_NO_WHEEL.search(output) or _TOO_NEW.search(output)):
        tail = (result.stderr.strip().splitlines() or ["(tanpa pesan)"])[-1]
        raise TagihError(f"pip gagal saat {what}: {tail}", exit_code=1)
    return result


def build_own_wheel(out: Path, root: Path | None = None) -> Path:
    root = root or project_root()
    if root is None:
        raise TagihError("Folder sumber TagihLite tidak ditemukan: jalankan dari folder sumber "
                         "atau beri wheel tagihlite dengan --wheel.")
    _pip(["wheel", "--no-deps", "-q", "-w", str(out), str(root)],
         "membuat wheel tagihlite")
    wheels = sorted(out.glob("tagihlite-*.whl"))
    if not wheels:
        raise TagihError("pip tidak menghasilkan wheel tagihlite.", exit_code=1)
    return wheels[-1]


def download_for(python_version: str, requirement: str, wheels: Path, local: Path,
                 progress: Callable[[str], None]) -> list[str]:
    """Fill ``wheels`` for one Python version; returns requirements built from source."""
    built: list[str] = []
    constraints = tested_versions(local)
    for _ in range(_MAX_SOURCE_BUILDS):
        # Not -q: pip names the package it lacks a wheel for only in its full report.
        result = _pip(["download", "--only-binary=:all:", "--platform", PLATFORM,
                       "--python-version", python_version, "--implementation", "cp",
                       "-c", str(constraints), "--find-links", str(local), "-d", str(wheels),
                       requirement],
                      f"mengunduh paket untuk Python {python_version}")
        if result.returncode == 0:
            return built
        output = result.stderr + result.stdout  # pip's report is on stdout
        too_new = _TOO_NEW.search(output)
        if too_new is not None:  # let pip choose a release that supports every 3.x.y
            unpin(constraints, too_new.group(1))
            continue
        missing = _NO_WHEEL.search(output)
        assert missing is not None  # _pip raised for every other failure
        name = _without_marker(missing.group(1) or missing.group(2))
        progress(f"  {name}: tidak ada wheel Windows, dibuat dari sumber (Python murni)")
        build_pure_wheel(name, local)
        built.append(name)
    raise TagihError("Terlalu banyak paket tanpa wheel Windows; paket instalasi tidak dibuat.",
                     exit_code=1)


def tested_versions(folder: Path) -> Path:
    """A pip constraints file: the exact versions installed here, i.e. the ones the tests ran
    on. The kit ships what was tested, and pip's resolver has one candidate per package
    instead of backtracking through every release of the ones without a Windows wheel
    (minutes per round). Windows-only packages are not installed here: pip picks those."""
    from importlib.metadata import distributions

    pins: dict[str, str] = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name and name.lower() != "tagihlite":
            pins[name.lower()] = f"{name}=={dist.version}"
    path = folder / "tested-versions.txt"
    path.write_text("\n".join(sorted(pins.values())) + "\n", encoding="utf-8")
    return path


def unpin(constraints: Path, name: str) -> None:
    key = name.lower().replace("_", "-")
    lines = constraints.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines
            if line.split("==")[0].lower().replace("_", "-") != key]
    if kept == lines:  # nothing to loosen: the loop guard would only spin
        raise TagihError(f"Paket '{name}' tidak mendukung Python yang dituju; paket "
                         "instalasi tidak dibuat.", exit_code=1)
    constraints.write_text("\n".join(kept) + "\n", encoding="utf-8")


def _without_marker(requirement: str) -> str:
    """``pyscreeze>=0.1.21; python_version >= "3"`` -> ``pyscreeze>=0.1.21``."""
    from packaging.requirements import Requirement

    req = Requirement(requirement.strip())
    return f"{req.name}{req.specifier}"


def add_windows_only(python_version: str, wheels: Path, local: Path,
                     progress: Callable[[str], None]) -> list[str]:
    """Add what Windows' markers require but pip, judging by this machine, left out."""
    from packaging.requirements import Requirement

    from tagihlite.bundle.resolve import closure

    built: list[str] = []
    for _ in range(_MAX_SOURCE_BUILDS):
        missing = closure(wheels, [Requirement("tagihlite")], python_version).missing
        if not missing:
            return built
        for req in missing.values():
            progress(f"  {req}: hanya untuk Windows, diunduh")
            result = _pip(["download", "-q", "--no-deps", "--only-binary=:all:", "--platform",
                           PLATFORM, "--python-version", python_version, "--implementation",
                           "cp", "-d", str(wheels), str(req)],
                          f"mengunduh {req} untuk Python {python_version}")
            if result.returncode != 0:
                shutil.copy2(build_pure_wheel(str(req), local), wheels)
                built.append(str(req))
    raise TagihError("Daftar paket untuk Windows tidak bisa dilengkapi; paket instalasi tidak "
                     "dibuat.", exit_code=1)


def build_pure_wheel(requirement: str, out: Path) -> Path:
    """Build ``requirement`` from its source archive; refuse anything but a pure wheel."""
    with tempfile.TemporaryDirectory() as tmp:
        _pip(["wheel", "--no-deps", "-q", "-w", tmp, requirement],
             f"membuat wheel {requirement}")
        made = sorted(Path(tmp).glob("*.whl"))
        if len(made) != 1 or not made[0].name.endswith("-none-any.whl"):
            names = ", ".join(p.name for p in made) or "tidak ada"
            raise TagihError(f"Paket '{requirement}' tidak punya wheel Windows dan bukan Python "
                             f"murni ({names}); paket instalasi tidak dibuat.", exit_code=1)
        return Path(shutil.copy2(made[0], out / made[0].name))


def write_scripts(root: Path) -> None:
    """The install scripts, with Windows line ends (cmd.exe needs them)."""
    source = resources.files("tagihlite.bundle") / "scripts"
    for name in SCRIPTS:
        text = (source / name).read_text(encoding="ascii")
        (root / name).write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii"))


def build_kit(root: Path, *, own_wheel: Path | None = None,
              python_versions: Sequence[str] = PYTHON_VERSIONS,
              progress: Callable[[str], None] = lambda _: None) -> Kit:
    from tagihlite.addin.build import WORKBOOK_FILE, build_workbook

    root = Path(root).expanduser().resolve()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise TagihError(f"'{root}' sudah berisi berkas: pilih folder baru atau kosong untuk "
                         "paket instalasi.")
    wheels = root / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    built: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp)
        if own_wheel is None:
            progress("Membuat wheel tagihlite ...")
            own_wheel = build_own_wheel(local)
        elif not own_wheel.is_file():
            raise TagihError(f"Wheel '{own_wheel}' tidak ada.")
        own = Path(shutil.copy2(own_wheel, wheels / own_wheel.name))
        for version in python_versions:
            progress(f"Mengunduh paket untuk Windows x64, Python {version} ...")
            built += download_for(version, str(own), wheels, local, progress)
            for wheel in local.glob("*-none-any.whl"):  # the pure wheels built from sources
                if not wheel.name.startswith("tagihlite-"):
                    shutil.copy2(wheel, wheels / wheel.name)
            built += add_windows_only(version, wheels, local, progress)
    build_workbook(root / WORKBOOK_FILE)
    write_scripts(root)
    return Kit(root, sorted(wheels.glob("*.whl")), built)
