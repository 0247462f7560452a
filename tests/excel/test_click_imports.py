"""The ribbon's Periksa Data, Tandai Belum Bayar and Kirim Semua never ask for pandas or
numpy (issue 10; ``tests/architecture/test_click_path_imports.py`` runs the command line).

xlwings itself imports pandas when it is installed, so ``sys.modules`` says nothing here:
instead every ``import`` statement TagihLite's own modules run during the click is watched.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from xlcompare import columns
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite.core import columns as C
from tagihlite.core.vocab import Status

HEAVY = ("pandas", "numpy")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """'module -> pandas' for each heavy import a tagihlite module runs from now on."""
    found: list[str] = []
    real: Callable[..., Any] = builtins.__import__

    def spy(name: str, globals: dict | None = None, *args: Any, **kwargs: Any) -> Any:
        caller = (globals or {}).get("__name__", "")
        if name.split(".")[0] in HEAVY and caller.startswith("tagihlite"):
            found.append(f"{caller} -> {name}")
        return real(name, globals, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", spy)
    return found


def _criticals(xl: MemoryExcel) -> list[str]:
    return [a["prompt"] for a in xl.alerts if a["mode"] == "critical"]


def test_check_mark_and_send_ask_for_no_pandas(xl: MemoryExcel, addin_xlsm: Path,
                                              tmp_path: Path, asked: list[str]) -> None:
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_check")
    assert "siap dikirim" in xl.alerts[-1]["prompt"]
    tx.on_ribbon("tl_mark")
    statuses = columns(xl.save(tmp_path / "marked.xlsm"), "Tagihan", 1)[C.STATUS]
    assert Status.READY in statuses.values() and xl.highlights
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    assert _criticals(xl) == []
    statuses = columns(xl.save(tmp_path / "sent.xlsm"), "Tagihan", 1)[C.STATUS]
    assert Status.QUEUED in statuses.values()  # the outbox took them
    assert asked == []


def test_the_report_aggregates_with_pandas(xl: MemoryExcel, addin_xlsm: Path,
                                           asked: list[str]) -> None:
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_report")
    assert _criticals(xl) == []
    assert any(a.endswith("-> pandas") for a in asked)  # the control: the spy sees it
