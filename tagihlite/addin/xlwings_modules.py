"""xlwings' standalone VBA, read from the pinned installed xlwings package at build time.

A standalone workbook (``xlwings quickstart --standalone``) carries the ``xlwings`` module and
the ``Dictionary`` class (used on macOS instead of Scripting.Dictionary), so RunPython works
without the xlwings add-in. We take those two files verbatim from the package, minus the export
header that VBE writes (``VERSION``/``BEGIN``/``END`` and the module-level ``Attribute VB_*``
lines): the vbaProject builder adds the attributes each module kind needs, with the values
the export gives where they differ from VBE's defaults (Dictionary: ``VB_Exposed = True``
and its ``VB_Description``).
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
    exposed: bool | None = None  # the export's VB_Exposed (Dictionary: True)
    description: str | None = None  # the export's VB_Description, quoted as written


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


def export_attributes(text: str) -> dict[str, str]:
    """The module-level ``Attribute VB_*`` lines of an export: name -> value as written."""
    text = _HEADER_BLOCK.sub("", text.replace("\r\n", "\n"), count=1)
    found: dict[str, str] = {}
    for line in text.split("\n"):
        if not _MODULE_ATTRIBUTE.match(line):
            break
        name, value = line[len("Attribute "):].split(" = ", 1)
        found[name] = value
    return found


def standalone_modules() -> tuple[XlwingsModule, ...]:
    check_version()
    root = package_dir()
    modules = []
    for name, kind, relative in STANDALONE_FILES:
        text = (root / relative).read_text(encoding="latin-1")
        attrs = export_attributes(text)
        # Kept as xlwings ships them: the builder writes its own defaults otherwise.
        exposed = attrs["VB_Exposed"] == "True" if "VB_Exposed" in attrs else None
        modules.append(XlwingsModule(name, kind, strip_export_header(text),  # type: ignore[arg-type]
                                     exposed, attrs.get("VB_Description")))
    xlwings_bas = modules[0].source
    if f'XLWINGS_VERSION As String = "{XLWINGS_VERSION}"' not in xlwings_bas:
        raise RuntimeError(f"xlwings.bas does not declare version {XLWINGS_VERSION}")
    return tuple(modules)
