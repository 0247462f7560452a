"""One Python floor everywhere: pyproject, README and the pinned xlwings agree (issue 11)."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _floor(spec: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*>=\s*(\d+)\.(\d+)\s*", spec)
    assert match, spec
    return int(match.group(1)), int(match.group(2))


def test_requires_python_is_the_pinned_xlwings_floor_and_the_readme_says_so() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    ours = _floor(project["project"]["requires-python"])
    assert ours >= _floor(metadata("xlwings")["Requires-Python"])  # else pip install fails
    assert project["tool"]["ruff"]["target-version"] == f"py{ours[0]}{ours[1]}"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    # Every floor the README states ("Python ≥ 3.11", "Python 3.11+"); naming a version a
    # kit ships for ("Python 3.12 64-bit") is no floor.
    floors = re.findall(r"Python ≥ (\d)\.(\d+)|Python (\d)\.(\d+)\+", readme)
    stated = {(int(m[0] or m[2]), int(m[1] or m[3])) for m in floors}
    assert stated == {ours}
    deps = " ".join(project["project"]["dependencies"])
    assert "python_version <" not in deps  # no back-ports for versions below the floor
