"""What ``tagihlite doctor`` asks the machine: a small interface, real on every OS.

The checks never touch ``winreg``, NTFS streams or ``os.environ`` themselves; they ask a
:class:`Probe`. :class:`SystemProbe` answers for real (the Windows registry through
``winreg``, the Mark of the Web through the ``Zone.Identifier`` stream); tests build one
with a fake ``winreg`` module and a fake platform, so the same parsing runs on Linux.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

HKCU = "HKEY_CURRENT_USER"


@dataclass(frozen=True)
class PythonInfo:
    version: tuple[int, int, int]
    bits: int
    executable: str
    base_prefix: str = ""  # the installation a venv was made from (sys.base_prefix)


class Registry(Protocol):
    """Read-only view of a registry hive (HKCU)."""

    def subkeys(self, key: str) -> list[str]:
        """Names of the subkeys of ``key``; empty when the key is absent."""
        ...

    def value(self, key: str, name: str) -> Any:
        """The data of value ``name`` under ``key``; ``None`` when absent."""
        ...


class NoRegistry:
    """Not Windows: no registry, every key absent."""

    def subkeys(self, key: str) -> list[str]:
        return []

    def value(self, key: str, name: str) -> Any:
        return None


class WinRegistry:
    """HKEY_CURRENT_USER through a ``winreg``-compatible module (the real one on Windows)."""

    def __init__(self, winreg: Any) -> None:
        self._winreg = winreg

    def _open(self, key: str) -> Any:
        return self._winreg.OpenKey(self._winreg.HKEY_CURRENT_USER, key)

    def subkeys(self, key: str) -> list[str]:
        try:
            handle = self._open(key)
        except OSError:
            return []
        names = []
        with handle:
            index = 0
            while True:
                try:
                    names.append(self._winreg.EnumKey(handle, index))
                except OSError:  # ERROR_NO_MORE_ITEMS
                    return names
                index += 1

    def value(self, key: str, name: str) -> Any:
        try:
            with self._open(key) as handle:
                data, _kind = self._winreg.QueryValueEx(handle, name)
        except OSError:
            return None
        return data


class Probe(Protocol):
    platform: str  # sys.platform of the machine: "win32", "darwin", "linux"
    env: Mapping[str, str]
    registry: Registry

    def python(self) -> PythonInfo: ...

    def zone_identifier(self, path: Path) -> str | None: ...

    def home(self) -> Path: ...


def _default_registry() -> Registry:
    if sys.platform == "win32":
        import winreg

        return WinRegistry(winreg)
    return NoRegistry()


@dataclass
class SystemProbe:
    """The machine doctor runs on; every field can be replaced for a test."""

    platform: str = sys.platform
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    registry: Registry = field(default_factory=_default_registry)
    python_info: PythonInfo | None = None
    home_dir: Path | None = None

    def python(self) -> PythonInfo:
        if self.python_info is not None:
            return self.python_info
        major, minor, micro = sys.version_info[:3]
        return PythonInfo((major, minor, micro), struct.calcsize("P") * 8, sys.executable,
                          sys.base_prefix)

    def zone_identifier(self, path: Path) -> str | None:
        """The ``Zone.Identifier`` alternate data stream Windows attaches to downloads (the
        Mark of the Web); ``None`` when there is none. On NTFS ``open("f:stream")`` opens the
        stream; elsewhere the name is an ordinary (absent) file, so this is safe anywhere."""
        try:
            with open(f"{path}:Zone.Identifier", encoding="utf-8", errors="replace") as stream:
                return stream.read()
        except OSError:
            return None

    def home(self) -> Path:
        return self.home_dir or Path.home()
