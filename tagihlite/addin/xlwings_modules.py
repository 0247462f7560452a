"""xlwings' standalone VBA, read from the pinned installed xlwings package at build time.

A standalone workbook (``xlwings quickstart --standalone``) carries the ``xlwings`` module and
the ``Dictionary`` class (used on macOS instead of Scripting.Dictionary), so RunPython works
without the xlwings add-in. We take those two files verbatim from the package, minus the export
header that VBE writes (``VERSION``/``BEGIN``/``END`` and the module-level ``Attribute VB_*``
lines): the vbaProject builder adds the attributes each module kind needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Final, Literal

XLWINGS_VERSION: Final = "0.37.8"  # the version pyproject.toml pins; the VBA must match it

# (module name, kind, file inside the xlwings package), in the order xlwings imports them.
STANDALONE_FILES: Final = (
    ("xlwings", "standard", "xlwings.bas"),
    ("Dictionary", "class", "addin/Dictionary.cls"),
)

_HEADER_BLOCK = re.compile(r"\AVERSION [^\n]*\nBEGIN\n.*?\nEND\n", re.DOTALL)
_MODULE_ATTRIBUTE = re.compile(r"Attribute VB_\w+ = ")


@dataclass(frozen=True)
class XlwingsModule:
    name: str
    kind: Literal["standard", "class"]
    source: str  # LF line ends, no export header


def package_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


def check_version() -> None:
    """Refuse to build against any xlwings but the pinned one: its VBA and Python must agree."""
    installed = version("xlwings")
    if installed != XLWINGS_VERSION:
        raise RuntimeError(f"tagihlite.xlsm is built with xlwings {XLWINGS_VERSION}, "
                           f"but xlwings {installed} is installed")


def strip_export_header(text: str) -> str:
    """Source as VBE keeps it: no class ``VERSION`` block, no leading ``Attribute VB_*`` lines."""
    text = text.replace("\r\n", "\n")
    text = _HEADER_BLOCK.sub("", text, count=1)
    lines = text.split("\n")
    start = 0
    while start < len(lines) and _MODULE_ATTRIBUTE.match(lines[start]):
        start += 1
    return "\n".join(lines[start:])


def standalone_modules() -> tuple[XlwingsModule, ...]:
    check_version()
    root = package_dir()
    modules = []
    for name, kind, relative in STANDALONE_FILES:
        source = strip_export_header((root / relative).read_text(encoding="latin-1"))
        modules.append(XlwingsModule(name, kind, source))  # type: ignore[arg-type]
    xlwings_bas = modules[0].source
    if f'XLWINGS_VERSION As String = "{XLWINGS_VERSION}"' not in xlwings_bas:
        raise RuntimeError(f"xlwings.bas does not declare version {XLWINGS_VERSION}")
    return tuple(modules)
