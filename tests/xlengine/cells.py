"""Excel's cell semantics the memory engine emulates (what COM does on ``Range.Value = ...``).

Written against xlwings 0.37.8 on Windows/COM behaviour:

* numbers are doubles: ints come back as floats;
* a string that looks like a number becomes a number in a General cell (leading zeros of a
  customer number are lost) but stays text in a cell formatted ``@``; so do ``TRUE``,
  ``2026-11`` (a date) and ``12:30`` (a time);
* a leading apostrophe makes the rest text and is not part of the value;
* a string starting with ``=`` is a formula; ``+``, ``-`` or ``@`` followed by anything
  that is not a plain number would be parsed as a formula too (customer text like
  ``-Toko-`` raises in Excel or becomes ``#NAME?``): the engine refuses it loudly.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class CellError(str):
    """An Excel error value such as ``#N/A`` (COM returns an int code, xlwings None)."""


class Formula(str):
    """A formula the code wrote; without a calculation engine, its value is its text."""


class ExcelSemanticsError(AssertionError):
    """Code wrote something real Excel would silently mangle or reject."""


def _looks_numeric(text: str) -> bool:
    return bool(_NUMBER.match(text.strip())) if text.strip() else False


_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def _excel_parse(text: str) -> Any:
    """What Excel's input parser makes of some text (the common cases): or None."""
    if text.strip().upper() in ("TRUE", "FALSE"):
        return text.strip().upper() == "TRUE"
    m = _ISO_DATE.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    m = _TIME.match(text)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return dt.time(int(m.group(1)), int(m.group(2)))
    return None


_HYPERLINK = re.compile(r'^=HYPERLINK\("(?:[^"]|"")*",\s*"((?:[^"]|"")*)"\)$', re.IGNORECASE)


def _calculated(formula: str) -> Any:
    """A written formula's value. Without a calculation engine that is its text, except
    for the one formula TagihLite writes: HYPERLINK shows its label, as in Excel (so the
    value differs from the formula, as it does for any real formula)."""
    m = _HYPERLINK.match(formula)
    return m.group(1).replace('""', '"') if m else Formula(formula)


def coerce_written(value: Any, number_format: str | None) -> tuple[Any, Formula | None]:
    """What a cell holds after COM writes ``value`` into it: (value, formula)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (int, float)):
        return float(value), None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None), None
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), None
    if isinstance(value, str):
        if value.startswith("'"):
            return (value[1:] or None), None
        if number_format == "@":
            return value, None
        if value.startswith("="):
            return _calculated(value), Formula(value)
        if _looks_numeric(value):
            return float(value), None
        coerced = _excel_parse(value)
        if coerced is not None:
            return coerced, None
        if value[:1] in ("+", "-", "@"):
            raise ExcelSemanticsError(
                f"Excel would parse the text {value[:12]!r}... as a formula: write customer "
                "text with a leading apostrophe (or into a '@' formatted cell)."
            )
        return value, None
    raise ExcelSemanticsError(f"COM cannot write a {type(value).__name__} into a cell")


def from_file(value: Any, data_type: str | None) -> Any:
    """A value as openpyxl read it -> as Excel holds it."""
    if value is None or value == "":
        return None
    if data_type == "e":
        return CellError(str(value))
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return value
    return str(value)


def to_file(value: Any) -> Any:
    """A held value -> what openpyxl writes (whole floats back to ints for readability)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, CellError):
        return str(value)
    return value
