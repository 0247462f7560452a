"""The Windows dependency walk of the kit builder, on small wheels made here (no network)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from packaging.requirements import Requirement

from tagihlite.bundle.resolve import closure, windows_environment

ROOT = [Requirement("tagihlite")]


def wheel(folder: Path, filename: str, *requires: str, python: str = "") -> Path:
    name, version = filename.split("-")[:2]
    path = folder / filename
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Python: {python}"] if python else []
    meta += [f"Requires-Dist: {r}" for r in requires]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", "\n".join(meta) + "\n")
        archive.writestr(f"{name}/__init__.py", "")
    return path


def test_windows_markers_not_the_builders(tmp_path: Path) -> None:
    wheel(tmp_path, "tagihlite-0.1.0-py3-none-any.whl", "xlwings==0.37.8")
    wheel(tmp_path, "xlwings-0.37.8-cp311-cp311-win_amd64.whl",
          'pywin32>=224; platform_system == "Windows"', 'appscript>=1.0; sys_platform == "darwin"',
          'python3-xlib; platform_system == "Linux"')
    result = closure(tmp_path, ROOT, "3.11")
    assert set(result.chosen) == {"tagihlite", "xlwings"}
    assert {str(r) for r in result.missing.values()} == {"pywin32>=224"}
    wheel(tmp_path, "pywin32-311-cp311-cp311-win_amd64.whl")
    result = closure(tmp_path, ROOT, "3.11")
    assert result.missing == {} and set(result.chosen) == {"tagihlite", "xlwings", "pywin32"}


def test_only_wheels_for_windows_x64_and_this_python_count(tmp_path: Path) -> None:
    wheel(tmp_path, "tagihlite-0.1.0-py3-none-any.whl", "numpy>=2")
    wheel(tmp_path, "numpy-2.4.0-cp312-cp312-win_amd64.whl")
    wheel(tmp_path, "numpy-2.4.0-cp311-cp311-manylinux_2_17_x86_64.whl")
    wheel(tmp_path, "numpy-2.4.0-cp311-cp311-win32.whl")
    assert set(closure(tmp_path, ROOT, "3.11").missing) == {"numpy"}
    assert closure(tmp_path, ROOT, "3.12").missing == {}
    wheel(tmp_path, "numpy-1.26.0-cp311-cp311-win_amd64.whl")  # too old for numpy>=2
    assert str(closure(tmp_path, ROOT, "3.11").missing["numpy"]) == "numpy>=2"
    wheel(tmp_path, "numpy-2.5.0-cp311-abi3-win_amd64.whl")
    assert closure(tmp_path, ROOT, "3.11").chosen["numpy"].path.name.startswith("numpy-2.5.0")


def test_requires_python_is_respected(tmp_path: Path) -> None:
    wheel(tmp_path, "tagihlite-0.1.0-py3-none-any.whl", "pytweening")
    wheel(tmp_path, "pytweening-2.0.0-py3-none-any.whl", python=">=3.12")
    assert set(closure(tmp_path, ROOT, "3.11").missing) == {"pytweening"}
    assert closure(tmp_path, ROOT, "3.12").missing == {}
    wheel(tmp_path, "pytweening-1.2.0-py3-none-any.whl", python=">=3.8")
    assert str(closure(tmp_path, ROOT, "3.11").chosen["pytweening"].version) == "1.2.0"


def test_python_version_markers_and_extras(tmp_path: Path) -> None:
    wheel(tmp_path, "tagihlite-0.1.0-py3-none-any.whl", 'tomli>=2; python_version < "3.11"',
          "httpx[socks]>=0.27")
    wheel(tmp_path, "httpx-0.28.1-py3-none-any.whl", "idna",
          'socksio==1.*; extra == "socks"', 'h2<5,>=3; extra == "http2"')
    wheel(tmp_path, "idna-3.10-py3-none-any.whl")
    result = closure(tmp_path, ROOT, "3.11")
    assert set(result.missing) == {"socksio"}  # tomli only below 3.11, http2 not asked for
    assert set(closure(tmp_path, ROOT, "3.10").missing) == {"socksio", "tomli"}


def test_the_environment_is_64_bit_cpython_on_windows() -> None:
    env = windows_environment("3.12")
    assert Requirement('x; sys_platform == "win32" and platform_machine == "AMD64"').marker \
        .evaluate(env)
    assert Requirement('x; python_version >= "3.12" and os_name == "nt"').marker.evaluate(env)
