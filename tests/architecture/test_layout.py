"""The package layout is the architecture: core does no I/O, and nothing imports in a circle.

Every ``import`` statement counts, including those inside functions and under
``TYPE_CHECKING``: a lazy import still ties two modules together for a reader.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "tagihlite"
IO_LIBRARIES = {"openpyxl", "python_calamine", "xlwings", "httpx", "sqlite3", "pywhatkit",
                "keyring", "psycopg", "tkinter", "socket", "urllib", "http", "subprocess"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported_modules(name: str) -> set[str]:
    """Every module ``name`` names in an import (``from a import b`` names ``a.b`` if a module)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in MODULES else source)
    return found


def test_core_imports_no_io_library() -> None:
    # tagihlite.clock is allowed: one pinnable clock (--now/--today) for every rule.
    offenders = []
    for name in MODULES:
        if name == "tagihlite.core" or name.startswith("tagihlite.core."):
            for imported in imported_modules(name):
                top = imported.split(".")[0]
                inside = imported.startswith("tagihlite.")
                if top in IO_LIBRARIES or (inside and not imported.startswith(
                        ("tagihlite.core", "tagihlite.errors", "tagihlite.clock"))):
                    offenders.append(f"{name} imports {imported}")
    assert offenders == []


def test_no_import_cycles() -> None:
    graph = {name: {m for m in imported_modules(name) if m in MODULES and m != name}
             for name in MODULES}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_top_level_stays_small() -> None:
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 12, top


@pytest.mark.parametrize("entry", ["tagihlite", "tagihlite.excel"])
def test_entry_points_import_light(entry: str) -> None:
    heavy = ["xlwings", "pandas", "httpx", "pywhatkit", "openpyxl", "numpy"]
    code = (f"import sys, {entry}; "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
