"""The kit ships the versions the tests ran on; a pin too new for Python 3.x.0 is loosened."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from tagihlite.bundle.windows import _NO_WHEEL, _TOO_NEW, unpin
from tagihlite.bundle.windows import tested_versions as constraints_file
from tagihlite.errors import TagihError


def test_constraints_pin_this_environment_but_not_tagihlite(tmp_path: Path) -> None:
    pins = constraints_file(tmp_path).read_text(encoding="utf-8").splitlines()
    assert f"pandas=={version('pandas')}" in pins
    assert not [p for p in pins if p.lower().startswith("tagihlite==")]


def test_unpin_drops_one_package_and_refuses_to_spin(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("soupsieve==4.1.3\nPyAutoGUI==0.9.54\n", encoding="utf-8")
    unpin(path, "pyautogui")
    assert path.read_text(encoding="utf-8").splitlines() == ["soupsieve==4.1.3"]
    with pytest.raises(TagihError):
        unpin(path, "pyautogui")


def test_pips_reports_are_recognised() -> None:
    report = ("The conflict is caused by:\n    pywhatkit 5.4 depends on pyautogui\n"
              "    The user requested (constraint) pyautogui==0.9.54\n")
    found = _NO_WHEEL.search(report)
    assert found is not None and (found.group(1) or found.group(2)) == "pyautogui==0.9.54"
    err = "ERROR: Package 'soupsieve' requires a different Python: 3.11.0 not in '>=3.11.5'"
    assert _TOO_NEW.search(err).group(1) == "soupsieve"
