"""Build a source-only ``vbaProject.bin`` (MS-OVBA inside MS-CFB) from VBA module sources.

The project carries no compiled code: ``_VBA_PROJECT`` has version 0xFFFF, so Excel compiles
every module from source when the workbook opens (as xlwings' own standalone quickstart
does). References: OLE Automation (stdole) and the Microsoft Office Object Library, so
``IRibbonControl`` resolves; VBA and Excel themselves are implicit in an Excel project and,
as in files Excel writes, not listed.

Contract with the workbook writer: each ``document`` module is the code behind a workbook
part and its name is that part's ``codeName``. The module named ``ThisWorkbook`` is the
workbook (``<workbookPr codeName="ThisWorkbook"/>`` in ``xl/workbook.xml``); every other
document module is a worksheet whose ``<sheetPr codeName="..."/>`` in its sheet XML must
equal the module name (e.g. ``Sheet1``). Each worksheet and the workbook should have one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tagihlite.addin import ovba
from tagihlite.addin.cfb import CompoundFile

ModuleKind = Literal["standard", "class", "document"]

WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
WORKBOOK_MODULE = "ThisWorkbook"

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
# Fixed namespace so the project ID depends only on the project name.
_PROJECT_ID_NAMESPACE = uuid.UUID("6f1c1a52-3d0e-4b8e-9a63-2f0d3c7e5a11")


@dataclass(frozen=True)
class VbaModule:
    """One VBA module. ``source`` is the code without ``Attribute VB_Name`` and the other
    header attributes: :func:`build_vba_project` adds what VBE writes for ``kind``. Further
    module attributes (e.g. ``Attribute VB_Description``) may open the source."""

    name: str  # e.g. "xlwings", "Dictionary", "TagihLite", "ThisWorkbook", "Sheet1"
    kind: ModuleKind
    source: str
    exposed: bool | None = None  # class modules: VB_Exposed (None: VBE's default, False)
    description: str | None = None  # VB_Description, as written in the export (quoted)


def header_attributes(module: VbaModule) -> list[str]:
    """The attribute lines VBE stores at the top of a module of this kind."""
    lines = [f'Attribute VB_Name = "{module.name}"']
    if module.kind == "standard":
        return lines
    if module.kind == "class":
        base, predeclared, customizable = CLASS_BASE, "False", "False"
        exposed = "True" if module.exposed else "False"
    else:
        base = WORKBOOK_BASE if module.name == WORKBOOK_MODULE else WORKSHEET_BASE
        predeclared, exposed, customizable = "True", "True", "True"
    described = [f"Attribute VB_Description = {module.description}"] if module.description \
        else []
    return [
        *lines,
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        f"Attribute VB_PredeclaredId = {predeclared}",
        f"Attribute VB_Exposed = {exposed}",
        "Attribute VB_TemplateDerived = False",
        f"Attribute VB_Customizable = {customizable}",
        *described,
    ]


def module_text(module: VbaModule) -> str:
    """The full module text as stored: header attributes, then the source, CRLF line
    endings throughout and a final CRLF."""
    source = normalize_source(module.source)
    header = header_attributes(module)
    own = {line.split("=")[0].strip().lower() for line in header}
    for line in source.split("\r\n"):
        if not line.lower().startswith("attribute "):
            break
        if line.split("=")[0].strip().lower() in own:
            raise ValueError(
                f"module {module.name}: source must not contain '{line.split('=')[0].strip()}';"
                " build_vba_project writes the header attributes itself"
            )
    return "\r\n".join(header) + "\r\n" + source


def normalize_source(source: str) -> str:
    """CRLF line endings, ending with one line break when not empty."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def project_id(project_name: str) -> str:
    """A stable ``{GUID}`` for the project, derived from its name."""
    return "{" + str(uuid.uuid5(_PROJECT_ID_NAMESPACE, project_name)).upper() + "}"


def build_vba_project(modules: Sequence[VbaModule], project_name: str = "VBAProject") -> bytes:
    """The bytes of ``xl/vbaProject.bin`` holding ``modules`` in the order given.

    Deterministic: the same input gives byte-identical output. Raises ValueError for
    invalid or duplicate module names, an unknown kind, source that code page 1252 cannot
    encode, or source that repeats the header attributes this function writes."""
    _check_identifier(project_name, "project name")
    seen: set[str] = set()
    entries: list[ovba.ProjectModule] = []
    streams: list[tuple[str, bytes]] = []
    for module in modules:
        _check_identifier(module.name, "module name")
        if module.name.lower() in seen:
            raise ValueError(f"duplicate module name (VBA ignores case): {module.name}")
        if module.name.lower() == project_name.lower():
            raise ValueError(f"module {module.name}: a module cannot share the project's name")
        if module.name.lower() == "dir":
            raise ValueError("a module cannot be named 'dir': the project's dir stream has it")
        seen.add(module.name.lower())
        kind = {"standard": "Module", "class": "Class", "document": "Document"}.get(module.kind)
        if kind is None:
            raise ValueError(f"module {module.name}: unknown kind {module.kind!r}")
        entries.append(ovba.ProjectModule(module.name, kind))  # type: ignore[arg-type]
        _check_encodable(module.name, normalize_source(module.source))
        text = module_text(module).encode(ovba.CODEC)
        try:
            streams.append((module.name, ovba.compress(text, allow_raw=False)))
        except ValueError as exc:
            raise ValueError(f"module {module.name}: {exc}") from exc

    pid = project_id(project_name)
    cf = CompoundFile()
    cf.add_stream(["PROJECT"], ovba.project_stream(pid, project_name, entries))
    cf.add_stream(["PROJECTwm"], ovba.projectwm_stream(entries))
    cf.add_stream(["VBA", "_VBA_PROJECT"], ovba.VBA_PROJECT_STREAM)
    cf.add_stream(["VBA", "dir"], ovba.compress(ovba.dir_stream(project_name, entries)))
    for name, data in streams:
        cf.add_stream(["VBA", name], data)
    return cf.to_bytes()


def _check_identifier(name: str, what: str) -> None:
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(
            f"{what} {name!r} is not a VBA identifier (a letter, then letters, digits or"
            " underscores; at most 31 characters)"
        )


def _check_encodable(module_name: str, text: str) -> None:
    try:
        text.encode(ovba.CODEC)
    except UnicodeEncodeError as exc:
        line = text.count("\r\n", 0, exc.start) + 1
        char = text[exc.start]
        raise ValueError(
            f"module {module_name}: character {char!r} (U+{ord(char):04X}) on source line {line}"
            " cannot be stored: VBA source uses code page 1252 (Windows Latin-1)"
        ) from exc
