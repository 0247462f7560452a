"""Which wheels does TagihLite need on Windows? A walk of the dependency tree with Windows'
environment markers, over a folder of wheels.

pip's cross-platform download (``--platform win_amd64``) picks wheels for Windows but
evaluates environment markers for the machine it runs on: building the kit on Linux it
would fetch ``python3-xlib`` and ``secretstorage`` and miss ``pywin32`` (xlwings),
``pywin32-ctypes`` (keyring) and ``colorama`` (click). This module evaluates the markers as
the clerk's CPython on Windows x64 will, so the kit builder can add what pip left out and a
test can prove the kit complete.
"""

from __future__ import annotations

import zipfile
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from functools import lru_cache
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import NormalizedName, canonicalize_name, parse_wheel_filename
from packaging.version import Version

WINDOWS_PLATFORM = "win_amd64"


def windows_environment(python_version: str) -> dict[str, str]:
    """PEP 508 marker values of 64-bit CPython ``python_version`` on Windows 10/11."""
    return {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
            "platform_machine": "AMD64", "platform_release": "10",
            "platform_version": "10.0.19045", "python_version": python_version,
            "python_full_version": f"{python_version}.0", "implementation_name": "cpython",
            "implementation_version": f"{python_version}.0",
            "platform_python_implementation": "CPython"}


def windows_tags(python_version: str) -> frozenset[Tag]:
    version = tuple(int(part) for part in python_version.split("."))
    return frozenset([*cpython_tags(version, platforms=[WINDOWS_PLATFORM]),
                      *compatible_tags(version, platforms=[WINDOWS_PLATFORM])])


@dataclass(frozen=True)
class Wheel:
    name: NormalizedName
    version: Version
    path: Path
    tags: frozenset[Tag]

    def requirements(self) -> list[Requirement]:
        return [Requirement(line) for line in _metadata(self.path).get_all("Requires-Dist") or []]

    def runs_on(self, python_version: str) -> bool:
        """Its Requires-Python admits ``python_version`` (as pip reads "3.11": 3.11.0)."""
        requires = _metadata(self.path).get("Requires-Python")
        if not requires:
            return True
        return SpecifierSet(requires).contains(f"{python_version}.0", prereleases=True)


@lru_cache(maxsize=512)
def _metadata(path: Path) -> Message:
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist()
                    if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return HeaderParser().parsestr(archive.read(name).decode("utf-8"))


def wheels_in(folder: Path) -> dict[NormalizedName, list[Wheel]]:
    found: dict[NormalizedName, list[Wheel]] = {}
    for path in sorted(folder.glob("*.whl")):
        name, version, _build, tags = parse_wheel_filename(path.name)
        found.setdefault(name, []).append(Wheel(name, version, path, frozenset(tags)))
    return found


@dataclass
class Closure:
    chosen: dict[NormalizedName, Wheel] = field(default_factory=dict)
    missing: dict[NormalizedName, Requirement] = field(default_factory=dict)


def closure(folder: Path, roots: Iterable[Requirement], python_version: str) -> Closure:
    """The wheels of ``folder`` that ``roots`` need on Windows x64 with this Python, and the
    requirements no wheel there satisfies (name and combined version range, no marker)."""
    env = windows_environment(python_version)
    tags = windows_tags(python_version)
    available = wheels_in(folder)
    specs: dict[NormalizedName, SpecifierSet] = {}
    extras: dict[NormalizedName, set[str]] = {}
    result = Closure()
    pending = deque((req, frozenset({""})) for req in roots)
    while pending:
        req, context = pending.popleft()
        if req.marker is not None and not any(req.marker.evaluate({**env, "extra": extra})
                                              for extra in context):
            continue
        name = canonicalize_name(req.name)
        specs[name] = specs.get(name, SpecifierSet()) & req.specifier
        added = set(req.extras) - extras.setdefault(name, set())
        extras[name] |= set(req.extras)
        fits = [w for w in available.get(name, []) if w.tags & tags
                and specs[name].contains(w.version, prereleases=True)
                and w.runs_on(python_version)]
        if not fits:
            result.chosen.pop(name, None)
            result.missing[name] = Requirement(f"{name}{specs[name]}")
            continue
        result.missing.pop(name, None)
        best = max(fits, key=lambda w: w.version)
        if result.chosen.get(name) == best and not added:
            continue
        result.chosen[name] = best
        context_of_deps = frozenset({"", *extras[name]})
        pending.extend((dep, context_of_deps) for dep in best.requirements())
    return result
