"""One cell's XML for a value TagihLite writes (the same types and rules as openpyxl).

Text goes to the shared strings part, so customer text that looks like a formula
(``=...``, ``+62...``) is stored as text, never as a formula. Only columns whose plan says
``formulas`` (TagihLite's own Tautan WA) write ``=...`` strings as formulas.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

from tagihlite.core.formats import WIB
from tagihlite.workbook.sst import SharedStrings
from tagihlite.workbook.styles import Styles
from tagihlite.workbook.xmlbits import ILLEGAL, escape_text

ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
# openpyxl's formats for dates in a cell whose own format is not a date format.
DATE_DEFAULTS = {dt.datetime: "yyyy-mm-dd h:mm:ss", dt.date: "yyyy-mm-dd",
                 dt.time: "h:mm:ss", dt.timedelta: "[hh]:mm:ss"}
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


class CellMaker:
    def __init__(self, sst: SharedStrings, styles: Styles, *, date1904: bool) -> None:
        self.sst, self.styles, self.date1904 = sst, styles, date1904
        self._date_xf: dict[tuple[int, type], int] = {}
        self._tails: dict[tuple[Any, ...], bytes] = {}

    def make(self, ref: bytes, value: Any, style: int, formulas: bool) -> bytes:
        """``<c>`` for ``value`` (not None/KEEP) with cell format index ``style``.

        A sheet's owned columns repeat a handful of values (statuses, reasons, levels,
        dates) over 100,000 rows: each distinct (value, format) is encoded once and only
        the reference differs."""
        try:
            key = (value.__class__, value, style, formulas)
            tail = self._tails.get(key)
        except TypeError:  # an unhashable value: encode it every time
            key, tail = None, None
        if tail is None:
            tail = self._tail(value, style, formulas)
            if key is not None:
                if len(self._tails) > 50_000:  # unique texts (messages): keep it bounded
                    self._tails.clear()
                self._tails[key] = tail
        return b'<c r="' + ref + tail

    def _tail(self, value: Any, style: int, formulas: bool) -> bytes:
        """The cell's XML after ``<c r="REF``."""
        kind = type(value)
        if kind is str or isinstance(value, str):
            text = value if value.isprintable() else ILLEGAL.sub("", value)
            text = text[:32767]
            if not text:  # an empty cell (with its format), as Excel stores ""
                return b'"%s/>' % _s(style)
            if formulas and len(text) > 1 and text[0] == "=":
                return b'"%s><f>%s</f><v></v></c>' % (_s(style), escape_text(text[1:]).encode())
            if text in ERROR_CODES:
                return b'"%s t="e"><v>%s</v></c>' % (_s(style), text.encode())
            return b'"%s t="s"><v>%d</v></c>' % (_s(style), self.sst.get(text))
        if kind is bool:
            return b'"%s t="b"><v>%d</v></c>' % (_s(style), value)
        if kind is int or (isinstance(value, int) and not isinstance(value, bool)):
            return b'"%s><v>%d</v></c>' % (_s(style), value)
        if isinstance(value, (float, Decimal)):
            if isinstance(value, float) and not math.isfinite(value):
                return self._tail(str(value), style, False)
            return b'"%s><v>%s</v></c>' % (_s(style), _number(value))
        if isinstance(value, (dt.date, dt.time, dt.timedelta)):
            serial, base = self._serial(value)
            return b'"%s><v>%s</v></c>' % (_s(self._date_style(style, base)), _number(serial))
        return self._tail(str(value), style, False)

    def _serial(self, value: Any) -> tuple[float, type]:
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:  # Waktu Kirim is WIB wall time
                value = value.astimezone(WIB).replace(tzinfo=None)
            epoch = _EPOCH_1904 if self.date1904 else _EPOCH_1900
            days = (value - epoch) / dt.timedelta(days=1)
            if not self.date1904 and days < 60:
                days -= 1  # Excel's phantom 29 Feb 1900
            return days, dt.datetime
        if isinstance(value, dt.date):
            return self._serial(dt.datetime.combine(value, dt.time()))[0], dt.date
        if isinstance(value, dt.time):
            return (value.hour * 3600 + value.minute * 60 + value.second
                    + value.microsecond / 1e6) / 86400, dt.time
        return value / dt.timedelta(days=1), dt.timedelta

    def _date_style(self, style: int, base: type) -> int:
        key = (style, base)
        found = self._date_xf.get(key)
        if found is None:
            code = self.styles.format_code(style)
            found = style if is_date_format(code) else self.styles.with_format(
                style, DATE_DEFAULTS[base])
            self._date_xf[key] = found
        return found


# openpyxl's is_date_format (openpyxl.styles.numbers, MIT), not imported: openpyxl's import
# pulls in numpy, megabytes of peak memory for one regular expression per write.
_NOT_DATE_PARTS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # "text", [Red]
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")


def is_date_format(code: str | None) -> bool:
    """Does this number format show a date or time (first section, quoted text ignored)?"""
    if code is None:
        return False
    return _DATE_LETTER.search(_NOT_DATE_PARTS.sub("", code.split(";")[0])) is not None


def _s(style: int) -> bytes:
    return b' s="%d"' % style if style else b""


def _number(value: float | Decimal) -> bytes:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return b"%d" % int(value)
    return str(value).encode()
