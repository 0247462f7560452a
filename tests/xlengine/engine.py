"""The impl classes of an in-memory xlwings engine (``xlwings.base_classes``, xlwings 0.37.8).

Every public attribute read, write or call on an impl object is one Excel round trip (as it
is over COM) and is counted. Internal state lives in ``_``-prefixed attributes so the
engine's own bookkeeping is never counted. ``.api`` is banned: code outside xlwings that
asks for it gets an AssertionError; xlwings' own conversion layer, which only tests
``rng.api`` for truth, gets a truthy trap that raises on any use.
"""

from __future__ import annotations

import sys
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlwings
from xlwings import base_classes, utils

from .cells import CellError, coerce_written
from .workbook_io import BookData, ChartData, SheetData, TableData

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
_XLWINGS_DIR = str(Path(xlwings.__file__).parent)
_UNCOUNTED = frozenset({"api", "options", "clean_value_data", "prepare_xl_data_element"})
HIGHLIGHT_MACRO = "TagihLiteApplyHighlight"


@dataclass(frozen=True)
class HighlightCall:
    """What ``TagihLiteApplyHighlight(sheetName, rangeAddress, statusColumn)`` was asked."""

    sheet: str
    address: str
    status_column: str

    def rules(self) -> list[tuple[str, str, frozenset[str], str]]:
        """The rules the VBA installs: (range, status cell, statuses, fill), in its order
        (todo, problem, done; anchored on the range's first row)."""
        from tagihlite.core.vocab import HIGHLIGHT_FILLS, Status

        first_row = _parse_areas(self.address)[0][0]
        cell = f"${self.status_column}{first_row}"
        groups = (("todo", Status.TODO), ("problem", Status.PROBLEM), ("done", Status.DONE))
        return [(self.address, cell, frozenset(statuses), HIGHLIGHT_FILLS[name])
                for name, statuses in groups]


@dataclass
class Stats:
    """Round trips and user-visible effects, per engine session."""

    calls: Counter[str] = field(default_factory=Counter)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    status_bar: list[str | bool] = field(default_factory=list)
    answers: deque[str] = field(default_factory=deque)
    macro_calls: list[HighlightCall] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.calls.values())


class ApiTrap:
    """Handed to xlwings internals instead of a COM object: truthy, unusable."""

    def __init__(self, owner: str) -> None:
        object.__setattr__(self, "_owner", owner)

    def __bool__(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{self._owner}.api.{name}: .api is banned in TagihLite code")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{self._owner}.api(...): .api is banned in TagihLite code")


def _api_guard(owner: str) -> ApiTrap:
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back  # the engine's own frames (impl.api, __getattribute__)
    while frame is not None and frame.f_code.co_name == "api" and \
            frame.f_code.co_filename.startswith(_XLWINGS_DIR):
        frame = frame.f_back  # main.Range.api -> its caller
    if frame is not None and frame.f_code.co_filename.startswith(_XLWINGS_DIR):
        return ApiTrap(owner)
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}" if frame else "?"
    raise AssertionError(
        f"{owner}.api touched from {where}: TagihLite must only use xlwings' public API "
        "(the .api escape hatch is Windows/COM-only and untestable)."
    )


class _Counted:
    _stats: Stats

    def __getattribute__(self, name: str) -> Any:
        if name[:1] != "_" and name not in _UNCOUNTED:
            object.__getattribute__(self, "_stats").calls[
                f"{type(self).__name__}.{name}"] += 1
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:1] != "_" and name not in _UNCOUNTED:
            self._stats.calls[f"{type(self).__name__}.{name}="] += 1
        object.__setattr__(self, name, value)

    def _tick(self, what: str) -> None:
        self._stats.calls[f"{type(self).__name__}.{what}"] += 1


# --------------------------------------------------------------------------- engine / apps


class Engine:
    """Registered once with ``xw.engines``; a session swaps in fresh state."""

    def __init__(self) -> None:
        self.stats = Stats()
        self.apps = Apps(self)

    name = "memory"
    type = "desktop"  # behave like classic xlwings (no chunking of scalar writes, etc.)

    @staticmethod
    def clean_value_data(data: Any, datetime_builder: Any, empty_as: Any,
                         number_builder: Any, err_to_str: bool) -> list[list[Any]]:
        import datetime as dt

        def clean(v: Any) -> Any:
            if v is None or v == "":
                return empty_as
            if isinstance(v, CellError):
                return str(v) if err_to_str else None
            if isinstance(v, dt.datetime) and datetime_builder is not dt.datetime:
                return datetime_builder(year=v.year, month=v.month, day=v.day, hour=v.hour,
                                        minute=v.minute, second=v.second,
                                        microsecond=v.microsecond, tzinfo=None)
            if number_builder is not None and isinstance(v, float):
                return number_builder(v)
            return v

        return [[clean(v) for v in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x: Any, options: Any) -> Any:
        import math

        if x is None:
            return ""
        if isinstance(x, float) and math.isnan(x):
            return ""
        try:
            import numpy as np

            if isinstance(x, np.generic):
                return x.item()
        except ImportError:  # pragma: no cover
            pass
        return x


class Apps(base_classes.Apps):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._apps: list[App] = []

    def keys(self) -> list[int]:
        return [a._pid for a in self._apps]

    def add(self, spec: Any = None, add_book: Any = None, xl: Any = None,
            visible: Any = None) -> App:
        app = App(self._engine, pid=4200 + len(self._apps))
        self._apps.insert(0, app)
        return app

    @staticmethod
    def cleanup() -> None:
        return None

    def __iter__(self) -> Iterator[App]:
        return iter(list(self._apps))

    def __len__(self) -> int:
        return len(self._apps)

    def __getitem__(self, pid: int) -> App:
        for a in self._apps:
            if a._pid == pid:
                return a
        raise KeyError(pid)


class App(_Counted, base_classes.App):
    def __init__(self, engine: Engine, pid: int) -> None:
        object.__setattr__(self, "_engine", engine)
        object.__setattr__(self, "_stats", engine.stats)
        object.__setattr__(self, "_pid", pid)
        object.__setattr__(self, "_books", [])
        object.__setattr__(self, "_props", {
            "display_alerts": True, "screen_updating": True, "enable_events": True,
            "interactive": True, "calculation": "automatic", "visible": True,
            "status_bar": False, "cut_copy_mode": None,
        })

    @property
    def api(self) -> Any:
        return _api_guard("App")

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def version(self) -> str:
        return "16.0"

    @property
    def books(self) -> Books:
        return Books(self)

    @property
    def selection(self) -> Range | None:
        book = self._active_book()
        if book is None or book._data.selection is None:
            return None
        sheet_name, address = book._data.selection
        return Sheet(book, book._data.sheet(sheet_name))._range(address)

    def _active_book(self) -> Book | None:
        return self._books[-1] if self._books else None

    def activate(self, steal_focus: bool = False) -> None:
        return None

    def quit(self) -> None:
        self._books.clear()

    def kill(self) -> None:
        self._books.clear()

    def calculate(self) -> None:
        return None

    @property
    def hwnd(self) -> int:
        return self._pid

    @property
    def path(self) -> str:
        return "/memory-excel"

    @property
    def startup_path(self) -> str:
        return "/memory-excel/XLSTART"

    def run(self, macro: str, args: list[Any]) -> Any:
        name = macro.split("!")[-1].split(".")[-1]
        if name != HIGHLIGHT_MACRO:
            raise AssertionError(f"Unknown VBA macro {macro!r}: the add-in ships only "
                                 f"{HIGHLIGHT_MACRO}")
        if any(isinstance(a, ApiTrap) for a in args):
            raise AssertionError("an xlwings object was passed to a macro: xlwings hands VBA "
                                 "its .api, which is banned; pass names and addresses")
        if len(args) != 3 or not all(isinstance(a, str) for a in args):
            raise AssertionError(f"{HIGHLIGHT_MACRO}(sheetName As String, rangeAddress As "
                                 f"String, statusColumn As String) got {args!r}")
        sheet_name, address, status_col = args
        book = self._active_book()
        assert book is not None, "no workbook open"
        sheet = book._data.sheet(sheet_name)  # KeyError = the macro would fail too
        areas = _parse_areas(address)
        assert len(areas) == 1, f"highlight range must be one rectangle, got {address!r}"
        _top, left, _bottom, right = areas[0]
        status = utils.column_to_number(status_col.upper())
        assert left <= status <= right, \
            f"status column {status_col} outside the highlighted range {address}"
        self._stats.macro_calls.append(HighlightCall(sheet.name, address, status_col))
        return None

    def alert(self, prompt: str, title: str | None, buttons: str, mode: str | None,
              callback: str | None) -> str:
        record = {"prompt": prompt, "title": title, "buttons": buttons, "mode": mode}
        self._stats.alerts.append(record)
        if buttons == "ok":
            return "ok"
        if not self._stats.answers:
            raise AssertionError(f"Unscripted {buttons} confirmation: {prompt!r}. "
                                 "Script the clerk's answer with xl.answer(...).")
        answer = self._stats.answers.popleft()
        allowed = {"ok_cancel": ("ok", "cancel"), "yes_no": ("yes", "no"),
                   "yes_no_cancel": ("yes", "no", "cancel")}[buttons]
        assert answer in allowed, f"answer {answer!r} impossible for buttons={buttons}"
        return answer

    def _prop(name: str) -> property:
        def get(self: App) -> Any:
            return self._props[name]

        def set_(self: App, value: Any) -> None:
            self._props[name] = value
            if name == "status_bar":
                self._stats.status_bar.append(value)

        return property(get, set_)

    display_alerts = _prop("display_alerts")
    screen_updating = _prop("screen_updating")
    enable_events = _prop("enable_events")
    interactive = _prop("interactive")
    calculation = _prop("calculation")
    visible = _prop("visible")
    status_bar = _prop("status_bar")
    cut_copy_mode = _prop("cut_copy_mode")
    del _prop


# --------------------------------------------------------------------------- books


class Books(_Counted, base_classes.Books):
    def __init__(self, app: App) -> None:
        object.__setattr__(self, "_app", app)
        object.__setattr__(self, "_stats", app._stats)

    @property
    def api(self) -> Any:
        return _api_guard("Books")

    @property
    def active(self) -> Book | None:
        return self._app._active_book()

    @property
    def app(self) -> App:
        return self._app

    def __call__(self, name_or_index: int | str) -> Book:
        self._tick("__call__")
        books = self._app._books
        if isinstance(name_or_index, int):
            return books[name_or_index - 1]
        for b in books:
            if name_or_index.lower() in (b._data.path.name.lower(), str(b._data.path).lower()):
                return b
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        self._tick("__len__")
        return len(self._app._books)

    def __iter__(self) -> Iterator[Book]:
        self._tick("__iter__")
        return iter(list(self._app._books))

    def add(self) -> Book:
        raise AssertionError("TagihLite never creates a new workbook in Excel")

    def open(self, fullname: str, *args: Any, **kwargs: Any) -> Book:
        from .workbook_io import load

        book = Book(self._app, load(Path(fullname).resolve()))
        self._app._books.append(book)
        return book


class Book(_Counted, base_classes.Book):
    def __init__(self, app: App, data: BookData) -> None:
        object.__setattr__(self, "_app", app)
        object.__setattr__(self, "_stats", app._stats)
        object.__setattr__(self, "_data", data)

    @property
    def api(self) -> Any:
        return _api_guard("Book")

    @property
    def name(self) -> str:
        return self._data.path.name

    @property
    def fullname(self) -> str:
        return str(self._data.path)

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    @property
    def app(self) -> App:
        return self._app

    @property
    def names(self) -> Names:
        return Names(self)

    def activate(self) -> None:
        books = self._app._books
        books.remove(self)
        books.append(self)

    def close(self) -> None:
        self._app._books.remove(self)

    def save(self, path: str | None = None, password: str | None = None) -> None:
        from .workbook_io import save

        save(self._data, Path(path) if path else self._data.path)


class Names(_Counted, base_classes.Names):
    """No defined names: enough for xlwings' lookups to say 'not found'."""

    def __init__(self, book: Book) -> None:
        object.__setattr__(self, "_stats", book._stats)

    def __call__(self, name_or_index: Any) -> Any:
        raise KeyError(name_or_index)

    def contains(self, name_or_index: Any) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())


# --------------------------------------------------------------------------- sheets


class Sheets(_Counted, base_classes.Sheets):
    def __init__(self, book: Book) -> None:
        object.__setattr__(self, "_book", book)
        object.__setattr__(self, "_stats", book._stats)

    @property
    def api(self) -> Any:
        return _api_guard("Sheets")

    @property
    def active(self) -> Sheet:
        data = self._book._data
        return Sheet(self._book, data.sheets[data.active])

    def __call__(self, name_or_index: int | str) -> Sheet:
        self._tick("__call__")
        data = self._book._data
        if isinstance(name_or_index, int):
            return Sheet(self._book, data.sheets[name_or_index - 1])
        return Sheet(self._book, data.sheet(name_or_index))

    def __len__(self) -> int:
        self._tick("__len__")
        return len(self._book._data.sheets)

    def __iter__(self) -> Iterator[Sheet]:
        self._tick("__iter__")
        return iter([Sheet(self._book, s) for s in self._book._data.sheets])

    def __contains__(self, name: str) -> bool:
        self._tick("__contains__")
        return any(s.name.lower() == name.lower() for s in self._book._data.sheets)

    def add(self, before: Any = None, after: Any = None, name: str | None = None) -> Sheet:
        data = self._book._data
        n = 1
        while any(s.name == f"Sheet{n}" for s in data.sheets):
            n += 1
        if name and any(s.name.casefold() == name.casefold() for s in data.sheets):
            raise AssertionError(f"Excel refuses a second sheet named {name!r}")
        new = SheetData(name=name or f"Sheet{n}")
        if after is not None:
            idx = data.sheets.index(after._data) + 1
        elif before is not None:
            idx = data.sheets.index(before._data)
        else:
            idx = data.active
        data.sheets.insert(idx, new)
        data.active = idx
        return Sheet(self._book, new)


class Sheet(_Counted, base_classes.Sheet):
    def __init__(self, book: Book, data: SheetData) -> None:
        object.__setattr__(self, "_book", book)
        object.__setattr__(self, "_stats", book._stats)
        object.__setattr__(self, "_data", data)

    @property
    def api(self) -> Any:
        return _api_guard("Sheet")

    @property
    def name(self) -> str:
        return self._data.name

    @name.setter
    def name(self, value: str) -> None:
        self._data.name = value

    @property
    def index(self) -> int:
        return self._book._data.sheets.index(self._data) + 1

    @property
    def book(self) -> Book:
        return self._book

    @property
    def names(self) -> Names:
        return Names(self._book)

    def range(self, arg1: Any, arg2: Any = None) -> Range:
        return self._range(arg1, arg2)

    def _range(self, arg1: Any, arg2: Any = None) -> Range:
        if isinstance(arg1, Range):
            a = arg1._areas[0]
            if arg2 is None:
                return Range(self, [a])
            b = arg2._areas[0] if isinstance(arg2, Range) else _to_box(arg2)
            return Range(self, [_union(a, b)])
        if isinstance(arg1, str):
            areas = _parse_areas(arg1)
            if arg2 is not None:
                b = arg2._areas[0] if isinstance(arg2, Range) else _to_box(arg2)
                areas = [_union(areas[0], b)]
            return Range(self, areas)
        box = _to_box(arg1)
        if arg2 is not None:
            b = arg2._areas[0] if isinstance(arg2, Range) else _to_box(arg2)
            box = _union(box, b)
        return Range(self, [box])

    @property
    def cells(self) -> Range:
        return Range(self, [(1, 1, MAX_ROWS, MAX_COLUMNS)])

    @property
    def used_range(self) -> Range:
        bounds = self._data.used_bounds()
        return Range(self, [bounds or (1, 1, 1, 1)])

    @property
    def tables(self) -> Tables:
        return Tables(self)

    @property
    def charts(self) -> Charts:
        return Charts(self)

    def activate(self) -> None:
        data = self._book._data
        data.active = data.sheets.index(self._data)
        self._book.activate()

    def select(self) -> None:
        self.activate()

    def clear_contents(self) -> None:
        self._data.values.clear()
        self._data.formulas.clear()

    def clear(self) -> None:
        self._data.values.clear()
        self._data.formulas.clear()
        self._data.formats.clear()

    def clear_formats(self) -> None:
        self._data.formats.clear()

    def autofit(self, axis: Any = None) -> None:
        return None

    def delete(self) -> None:
        data = self._book._data
        data.sheets.remove(self._data)
        data.active = min(data.active, len(data.sheets) - 1)

    @property
    def visible(self) -> bool:
        return self._data.visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self._data.visible = bool(value)


# --------------------------------------------------------------------------- ranges


Box = tuple[int, int, int, int]  # top, left, bottom, right (1-based, inclusive)


def _to_box(arg: Any) -> Box:
    if isinstance(arg, tuple) and len(arg) == 4:
        r, c, nr, nc = arg
        return r, c, r + max(nr, 1) - 1, c + max(nc, 1) - 1
    if isinstance(arg, tuple) and len(arg) == 2:
        return arg[0], arg[1], arg[0], arg[1]
    if isinstance(arg, str):
        return _parse_areas(arg)[0]
    raise TypeError(f"unsupported range argument {arg!r}")


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _parse_areas(address: str) -> list[Box]:
    areas: list[Box] = []
    for part in address.replace("$", "").split(","):
        part = part.strip()
        if "!" in part:
            part = part.split("!")[-1]
        t1, t2 = utils.a1_to_tuples(part)
        if t1 is None:
            raise AssertionError(f"not an A1 address (named ranges unsupported): {part!r}")
        t2 = t2 or t1
        areas.append((min(t1[0], t2[0]), min(t1[1], t2[1]),
                      max(t1[0], t2[0]), max(t1[1], t2[1])))
    return areas


def _a1(box: Box, row_abs: bool = True, col_abs: bool = True) -> str:
    rd, cd = ("$" if row_abs else ""), ("$" if col_abs else "")
    if (box[1], box[3]) == (1, MAX_COLUMNS):  # whole rows, as Excel writes them: $5:$7
        return f"{rd}{box[0]}:{rd}{box[2]}"
    if (box[0], box[2]) == (1, MAX_ROWS):  # whole columns: $A:$C
        return f"{cd}{utils.col_name(box[1])}:{cd}{utils.col_name(box[3])}"
    first = f"{cd}{utils.col_name(box[1])}{rd}{box[0]}"
    if box[:2] == box[2:]:
        return first
    return f"{first}:{cd}{utils.col_name(box[3])}{rd}{box[2]}"


class Range(_Counted, base_classes.Range):
    def __init__(self, sheet: Sheet, areas: list[Box]) -> None:
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_stats", sheet._stats)
        object.__setattr__(self, "_areas", areas)
        object.__setattr__(self, "options", {})

    @property
    def api(self) -> Any:
        return _api_guard("Range")

    @property
    def _box(self) -> Box:
        return self._areas[0]

    @property
    def sheet(self) -> Sheet:
        return self._sheet

    @property
    def coords(self) -> tuple[str, int, int, int, int]:
        t, left, b, r = self._box
        return self._sheet._data.name, t, left, b - t + 1, r - left + 1

    @property
    def row(self) -> int:
        return self._box[0]

    @property
    def column(self) -> int:
        return self._box[1]

    @property
    def shape(self) -> tuple[int, int]:
        t, left, b, r = self._box
        return b - t + 1, r - left + 1

    def __len__(self) -> int:
        self._tick("__len__")
        t, left, b, r = self._box
        return (b - t + 1) * (r - left + 1)

    def __call__(self, arg1: int, arg2: int | None = None) -> Range:
        self._tick("__call__")
        t, left, _b, r = self._box
        if arg2 is None:
            ncols = r - left + 1
            row, col = divmod(arg1 - 1, ncols)
            arg1, arg2 = row + 1, col + 1
        cell = (t + arg1 - 1, left + arg2 - 1)
        return Range(self._sheet, [(*cell, *cell)])

    @property
    def max_cells_per_read(self) -> None:
        return None  # COM reads any size in one go; chunking is the caller's choice

    @property
    def max_cells_per_write(self) -> int:
        return base_classes.DEFAULT_MAX_CELLS_PER_WRITE

    @property
    def raw_value(self) -> Any:
        data = self._sheet._data
        t, left, b, r = self._box
        if (t, left) == (b, r):
            return data.values.get((t, left))
        values = data.values
        return [[values.get((i, j)) for j in range(left, r + 1)] for i in range(t, b + 1)]

    @raw_value.setter
    def raw_value(self, value: Any) -> None:
        self._write(value, formula=False)

    def _write(self, value: Any, formula: bool) -> None:
        data = self._sheet._data
        t, left, b, r = self._box
        if not isinstance(value, (list, tuple)):
            grid = [[value] * (r - left + 1) for _ in range(b - t + 1)]
        elif value and not isinstance(value[0], (list, tuple)):
            grid = [list(value)]
        else:
            grid = [list(row) for row in value]
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                key = (t + i, left + j)
                held, f = coerce_written(v, data.formats.get(key))
                if held is None:
                    data.values.pop(key, None)
                else:
                    data.values[key] = held
                if f is None:
                    data.formulas.pop(key, None)
                else:
                    data.formulas[key] = f

    @property
    def formula(self) -> Any:
        return self._formula()

    def _formula(self) -> Any:
        data = self._sheet._data
        t, left, b, r = self._box

        def text(key: tuple[int, int]) -> str:
            if key in data.formulas:
                return str(data.formulas[key])
            v = data.values.get(key)
            return "" if v is None else str(v)

        if (t, left) == (b, r):
            return text((t, left))
        return [[text((i, j)) for j in range(left, r + 1)] for i in range(t, b + 1)]

    @formula.setter
    def formula(self, value: Any) -> None:
        self._write(value, formula=True)

    @property
    def formula2(self) -> Any:
        return self._formula()

    @formula2.setter
    def formula2(self, value: Any) -> None:
        self._write(value, formula=True)

    @property
    def number_format(self) -> str | None:
        formats = self._sheet._data.formats
        t, left, b, r = self._box
        seen = {formats.get((i, j), "General") for i in range(t, b + 1)
                for j in range(left, r + 1)}
        return seen.pop() if len(seen) == 1 else None  # Excel: Null when mixed

    @number_format.setter
    def number_format(self, value: str) -> None:
        formats = self._sheet._data.formats
        t, left, b, r = self._box
        for i in range(t, b + 1):
            for j in range(left, r + 1):
                if value == "General":
                    formats.pop((i, j), None)
                else:
                    formats[(i, j)] = value

    @property
    def address(self) -> str:
        return ",".join(_a1(a) for a in self._areas)

    def get_address(self, row_absolute: bool, col_absolute: bool, external: bool) -> str:
        text = ",".join(_a1(a, row_absolute, col_absolute) for a in self._areas)
        if external:
            sheet = self._sheet._data.name
            return f"[{self._sheet._book._data.path.name}]{sheet}!{text}"
        return text

    @property
    def has_array(self) -> bool:
        return False

    def end(self, direction: str) -> Range:
        values = self._sheet._data.values
        row, col = self._box[0], self._box[1]
        dr, dc = {"down": (1, 0), "up": (-1, 0), "right": (0, 1), "left": (0, -1)}[direction]

        def filled(r: int, c: int) -> bool:
            return values.get((r, c)) is not None

        def inside(r: int, c: int) -> bool:
            return 1 <= r <= MAX_ROWS and 1 <= c <= MAX_COLUMNS

        r, c = row, col
        if filled(r, c) and inside(r + dr, c + dc) and filled(r + dr, c + dc):
            while inside(r + dr, c + dc) and filled(r + dr, c + dc):
                r, c = r + dr, c + dc
        else:
            # jump to the next filled cell (or the sheet's edge); bounded by the used range
            bounds = self._sheet._data.used_bounds() or (1, 1, 1, 1)
            limit_r = bounds[2] if dr > 0 else 1
            limit_c = bounds[3] if dc > 0 else 1
            while inside(r + dr, c + dc):
                r, c = r + dr, c + dc
                if filled(r, c):
                    break
                if (dr > 0 and r > limit_r) or (dc > 0 and c > limit_c) or \
                        (dr < 0 and r <= limit_r) or (dc < 0 and c <= limit_c):
                    r = MAX_ROWS if dr > 0 else (1 if dr < 0 else r)
                    c = MAX_COLUMNS if dc > 0 else (1 if dc < 0 else c)
                    break
        return Range(self._sheet, [(r, c, r, c)])

    def clear_contents(self) -> None:
        self._clear_contents()

    def _clear_contents(self) -> None:
        data = self._sheet._data
        t, left, b, r = self._box
        for key in [k for k in data.values if t <= k[0] <= b and left <= k[1] <= r]:
            data.values.pop(key, None)
            data.formulas.pop(key, None)

    def clear(self) -> None:
        self._clear_contents()
        data = self._sheet._data
        t, left, b, r = self._box
        for key in [k for k in data.formats if t <= k[0] <= b and left <= k[1] <= r]:
            data.formats.pop(key)

    def select(self) -> None:
        book = self._sheet._book
        book._data.selection = (self._sheet._data.name, ",".join(_a1(a) for a in self._areas))
        book._data.active = book._data.sheets.index(self._sheet._data)

    @property
    def table(self) -> Table | None:
        t, left = self._box[0], self._box[1]
        for td in self._sheet._data.tables:
            if td.top <= t <= td.bottom and td.left <= left <= td.right:
                return Table(self._sheet, td)
        return None

    def autofit(self, axis: Any = None) -> None:
        return None


# --------------------------------------------------------------------------- tables


class Tables(_Counted, base_classes.Collection):
    def __init__(self, sheet: Sheet) -> None:
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_stats", sheet._stats)

    @property
    def api(self) -> Any:
        return _api_guard("Tables")

    @property
    def parent(self) -> Sheet:
        return self._sheet

    def __call__(self, key: int | str) -> Table:
        self._tick("__call__")
        tables = self._sheet._data.tables
        if isinstance(key, int):
            return Table(self._sheet, tables[key - 1])
        for t in tables:
            if t.name.lower() == key.lower():
                return Table(self._sheet, t)
        raise KeyError(key)

    def __len__(self) -> int:
        self._tick("__len__")
        return len(self._sheet._data.tables)

    def __iter__(self) -> Iterator[Table]:
        self._tick("__iter__")
        return iter([Table(self._sheet, t) for t in self._sheet._data.tables])

    def __contains__(self, key: str) -> bool:
        self._tick("__contains__")
        return any(t.name.lower() == key.lower() for t in self._sheet._data.tables)

    def add(self, source_type: Any = None, source: Any = None, link_source: Any = None,
            has_headers: Any = True, destination: Any = None, table_style_name: Any = None,
            name: Any = None) -> Table:
        box = source._areas[0]
        td = TableData(name or f"Table{len(self._sheet._data.tables) + 1}", *box)
        self._sheet._data.tables.append(td)
        return Table(self._sheet, td)


class Table(_Counted, base_classes.Table):
    def __init__(self, sheet: Sheet, data: TableData) -> None:
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_stats", sheet._stats)
        object.__setattr__(self, "_data", data)

    @property
    def api(self) -> Any:
        return _api_guard("Table")

    @property
    def name(self) -> str:
        return self._data.name

    @property
    def display_name(self) -> str:
        return self._data.name

    @property
    def parent(self) -> Sheet:
        return self._sheet

    @property
    def range(self) -> Range:
        d = self._data
        return Range(self._sheet, [(d.top, d.left, d.bottom, d.right)])

    @property
    def header_row_range(self) -> Range:
        d = self._data
        return Range(self._sheet, [(d.top, d.left, d.top, d.right)])

    @property
    def data_body_range(self) -> Range | None:
        d = self._data
        if d.bottom <= d.top:
            return None
        return Range(self._sheet, [(d.top + 1, d.left, d.bottom, d.right)])

    @property
    def insert_row_range(self) -> Range | None:
        return None

    @property
    def totals_row_range(self) -> Range | None:
        return None

    @property
    def show_totals(self) -> bool:
        return False

    @property
    def show_headers(self) -> bool:
        return True

    def resize(self, range: Any) -> None:
        impl = getattr(range, "impl", range)
        t, left, b, r = impl._areas[0]
        d = self._data
        assert (t, left) == (d.top, d.left), \
            "Excel only resizes a table keeping its header's top-left cell"
        d.bottom, d.right = b, r


# --------------------------------------------------------------------------- charts


class Charts(_Counted, base_classes.Charts):
    """``sheet.charts``: what xlwings' public chart API asks of an engine."""

    def __init__(self, sheet: Sheet) -> None:
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_stats", sheet._stats)

    @property
    def api(self) -> Any:
        return _api_guard("Charts")

    @property
    def parent(self) -> Sheet:
        return self._sheet

    def _find(self, key: int | str) -> ChartData:
        charts = self._sheet._data.charts
        if isinstance(key, int):
            return charts[key - 1]
        for c in charts:
            if c.name.lower() == str(key).lower():
                return c
        raise KeyError(key)

    def __call__(self, key: int | str) -> Chart:
        self._tick("__call__")
        return Chart(self._sheet, self._find(key))

    def __len__(self) -> int:
        self._tick("__len__")
        return len(self._sheet._data.charts)

    def __iter__(self) -> Iterator[Chart]:
        self._tick("__iter__")
        return iter([Chart(self._sheet, c) for c in self._sheet._data.charts])

    def __contains__(self, key: str) -> bool:
        self._tick("__contains__")
        return any(c.name.lower() == key.lower() for c in self._sheet._data.charts)

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211,
            chart_type: str | None = None, source: Any = None, plot_by: str | None = None,
            name: str | None = None, anchor: Any = None, style: Any = None) -> Chart:
        charts = self._sheet._data.charts
        data = ChartData(name or f"Chart {len(charts) + 1}", left=left, top=top, width=width,
                         height=height)
        if anchor is not None:
            data.anchor = anchor.address
        if chart_type is not None:
            data.chart_type = chart_type
        if source is not None:
            data.source = source.impl.address if hasattr(source, "impl") else source.address
            data.plot_by = plot_by
        charts.append(data)
        return Chart(self._sheet, data)


class Chart(_Counted, base_classes.Chart):
    def __init__(self, sheet: Sheet, data: ChartData) -> None:
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_stats", sheet._stats)
        object.__setattr__(self, "_data", data)

    @property
    def api(self) -> Any:
        return _api_guard("Chart")

    @property
    def parent(self) -> Sheet:
        return self._sheet

    @property
    def name(self) -> str:
        return self._data.name

    @name.setter
    def name(self, value: str) -> None:
        self._data.name = value

    @property
    def chart_type(self) -> str:
        return self._data.chart_type

    @chart_type.setter
    def chart_type(self, value: str) -> None:
        self._data.chart_type = value

    def set_source_data(self, source: Range, plot_by: str | None = None) -> None:
        self._data.source = source.address
        self._data.plot_by = plot_by

    @property
    def title(self) -> str | None:
        return self._data.title

    @title.setter
    def title(self, value: str | None) -> None:
        self._data.title = value

    @property
    def left(self) -> float:
        return self._data.left

    @property
    def top(self) -> float:
        return self._data.top

    @property
    def width(self) -> float:
        return self._data.width

    @property
    def height(self) -> float:
        return self._data.height

    def delete(self) -> None:
        self._sheet._data.charts.remove(self._data)
