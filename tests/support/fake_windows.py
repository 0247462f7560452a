"""A stand-in for the ``winreg`` module: the one boundary doctor's tests cannot reach on Linux.

It behaves like ``winreg`` where ``tagihlite.doctor.probes.WinRegistry`` relies on it:
key names ignore case, absent keys and values raise ``FileNotFoundError`` (an ``OSError``),
``EnumKey`` raises ``OSError`` past the last subkey, handles are context managers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REG_SZ, REG_EXPAND_SZ, REG_DWORD = 1, 2, 4


class _Handle:
    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeWinreg:
    HKEY_CURRENT_USER = "HKCU"

    def __init__(self, keys: Mapping[str, Mapping[str, Any]]) -> None:
        """``keys``: key path under HKCU -> {value name: data}; parents exist implicitly."""
        self._values: dict[str, dict[str, Any]] = {}
        self._names: dict[str, str] = {}  # lower-case path -> path as written
        for path, values in keys.items():
            parts = path.split("\\")
            for depth in range(1, len(parts) + 1):
                sub = "\\".join(parts[:depth])
                self._names.setdefault(sub.lower(), sub)
                self._values.setdefault(sub.lower(), {})
            self._values[path.lower()].update({k.lower(): v for k, v in values.items()})
        self.opened: list[str] = []

    def OpenKey(self, hive: Any, key: str) -> _Handle:
        assert hive == self.HKEY_CURRENT_USER
        self.opened.append(key)
        if key.lower() not in self._values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return _Handle(key.lower())

    def EnumKey(self, handle: _Handle, index: int) -> str:
        prefix = handle.path + "\\"
        children = sorted(self._names[p].split("\\")[-1] for p in self._names
                          if p.startswith(prefix) and "\\" not in p[len(prefix):])
        if index >= len(children):
            raise OSError(259, "No more data is available")
        return children[index]

    def QueryValueEx(self, handle: _Handle, name: str) -> tuple[Any, int]:
        values = self._values[handle.path]
        if name.lower() not in values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        data = values[name.lower()]
        return data, REG_DWORD if isinstance(data, int) else REG_SZ
