"""An in-memory Excel for tests: a real xlwings engine (``xw.engines``), no Excel needed.

Written against xlwings 0.37.8 (pinned in pyproject.toml); never uses ``xlwings.pro``.
The product code talks to it only through xlwings' public API, so the real conversion
layer (``.options(...).value``, ``expand``, ``Book.caller()``...) runs on Linux.

Usage::

    with MemoryExcel() as xl:
        book = xl.open(path)           # state loaded from a real .xlsx/.xlsm (openpyxl)
        xl.select("Tagihan", "A5:D7")  # the clerk's selection
        xl.answer("yes")               # scripted answer to the next yes/no alert
        xl.reset()                     # count round trips per action
        tagihlite.excel.on_ribbon("tl_mark")
        xl.calls, xl.alerts, xl.status_texts, xl.highlights
        xl.save(tmp_path / "out.xlsx")  # for inspection with openpyxl
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlwings as xw

from .cells import CellError, ExcelSemanticsError, Formula
from .engine import HIGHLIGHT_MACRO, ApiTrap, Engine, HighlightCall, Stats

__all__ = ["HIGHLIGHT_MACRO", "ApiTrap", "CellError", "ExcelSemanticsError", "Formula",
           "HighlightCall", "MemoryExcel"]

_ENGINE = Engine()


def _register() -> xw.main.Engine:
    if _ENGINE.name not in xw.engines.engines_by_name:
        xw.engines.add(xw.main.Engine(impl=_ENGINE))
    return xw.engines[_ENGINE.name]


class MemoryExcel:
    """One Excel session: fresh app, fresh counters; the active xlwings engine meanwhile."""

    def __init__(self) -> None:
        self.engine = _register()
        self._previous_active = None

    def __enter__(self) -> MemoryExcel:
        from .engine import Apps

        _ENGINE.stats = Stats()
        _ENGINE.apps = Apps(_ENGINE)
        _ENGINE.apps.add()
        self._previous_active = xw.engines.active
        self.engine.activate()
        if hasattr(xw.Book, "_mock_caller"):
            del xw.Book._mock_caller
        return self

    def __exit__(self, *exc: Any) -> None:
        if hasattr(xw.Book, "_mock_caller"):
            del xw.Book._mock_caller
        xw.engines.active = self._previous_active

    # -- workbook -------------------------------------------------------------------------
    @property
    def app(self) -> xw.App:
        return xw.App(impl=_ENGINE.apps._apps[0])

    def open(self, path: str | Path, *, caller: bool = True) -> xw.Book:
        """Open a real file; by default it also becomes ``xw.Book.caller()``."""
        book = self.app.books.open(str(path))
        if caller:
            book.set_mock_caller()
        self.reset()
        return book

    def save(self, path: str | Path, book: xw.Book | None = None) -> Path:
        """Write the current state into a copy of the source file (openpyxl)."""
        from .workbook_io import save

        impl = (book or self._book()).impl
        save(impl._data, Path(path))
        return Path(path)

    def _book(self) -> xw.Book:
        return xw.Book(impl=_ENGINE.apps._apps[0]._books[-1])

    def select(self, sheet: str, address: str) -> None:
        """Emulate the clerk selecting cells (may be multi-area, e.g. ``A5:D5,A9:D9``)."""
        data = self._book().impl._data
        data.sheet(sheet)
        data.selection = (data.sheet(sheet).name, address)
        data.active = data.sheets.index(data.sheet(sheet))

    def activate(self, sheet: str) -> None:
        data = self._book().impl._data
        data.active = data.sheets.index(data.sheet(sheet))

    def cells(self, sheet: str) -> dict[tuple[int, int], Any]:
        """The held values of a sheet, keyed (row, column): no round trip counted."""
        return dict(self._book().impl._data.sheet(sheet).values)

    def value(self, sheet: str, address: str) -> Any:
        from .engine import _parse_areas

        top, left, _, _ = _parse_areas(address)[0]
        return self._book().impl._data.sheet(sheet).values.get((top, left))

    def number_format(self, sheet: str, row: int, col: int) -> str:
        return self._book().impl._data.sheet(sheet).formats.get((row, col), "General")

    def table_ref(self, sheet: str, name: str) -> tuple[int, int, int, int]:
        for t in self._book().impl._data.sheet(sheet).tables:
            if t.name == name:
                return t.top, t.left, t.bottom, t.right
        raise KeyError(name)

    # -- round trips and what the clerk saw -----------------------------------------------
    def answer(self, *answers: str) -> None:
        """Script the clerk's answers to the next yes/no (or ok/cancel) alerts, in order."""
        _ENGINE.stats.answers.extend(answers)

    def reset(self) -> None:
        """Start counting a new action (alerts, status bar and macro calls are kept)."""
        _ENGINE.stats.calls.clear()

    @property
    def calls(self) -> int:
        return _ENGINE.stats.total

    @property
    def call_counts(self) -> dict[str, int]:
        return dict(_ENGINE.stats.calls)

    @property
    def alerts(self) -> list[dict[str, Any]]:
        return _ENGINE.stats.alerts

    @property
    def status_texts(self) -> list[str | bool]:
        return _ENGINE.stats.status_bar

    @property
    def highlights(self) -> list[HighlightCall]:
        return _ENGINE.stats.macro_calls

    @property
    def pending_answers(self) -> int:
        return len(_ENGINE.stats.answers)
