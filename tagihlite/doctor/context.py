"""What every doctor check shares: its result, the context it runs in, small helpers.

A check is a function ``Context -> CheckResult``; the context holds the machine (a
:class:`~tagihlite.doctor.probes.Probe`) and the workbook being checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tagihlite.doctor.probes import Probe

WORKBOOK_DIR_NAME = "TagihLite"  # Documents\TagihLite: where the install kit puts the workbook
WORKBOOK_FILE = "tagihlite.xlsm"
PYTHON_DOWNLOAD = "https://www.python.org/downloads/windows/"

_ENV_VAR = re.compile(r"%([^%]+)%")


@dataclass(frozen=True)
class CheckResult:
    id: str
    ok: bool
    detail: str
    fix: str = ""  # one Indonesian sentence; empty when ok

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    """What the checks share: the machine, the workbook to check, results worked out once."""

    probe: Probe
    workbook: Path
    cache: dict[str, Any] = field(default_factory=dict)  # e.g. the parsed xlwings.conf files

    @property
    def windows(self) -> bool:
        return self.probe.platform == "win32"

    @property
    def folder(self) -> Path:
        return self.workbook.parent

    @cached_property
    def settings(self) -> Any:
        """The settings, or the SettingsError that makes them unusable."""
        from tagihlite.errors import SettingsError
        from tagihlite.settings import load

        try:
            return load()
        except SettingsError as exc:
            return exc


def default_workbook() -> Path:
    """``Documents/TagihLite/tagihlite.xlsm``: where ``install.ps1`` runs ``setup-excel``."""
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / WORKBOOK_DIR_NAME / WORKBOOK_FILE


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """``%VAR%`` expanded as VBA's ExpandEnvironmentStrings does (names ignore case)."""
    lower = {k.lower(): v for k, v in env.items()}
    return _ENV_VAR.sub(lambda m: lower.get(m.group(1).lower(), m.group(0)), text)


def is_store_alias(path: str) -> bool:
    """The Microsoft Store's python.exe stub (App Execution Alias) under ...\\WindowsApps."""
    return "\\windowsapps\\" in path.replace("/", "\\").lower()
