"""CellMaker: each distinct (value, format) is encoded once; the XML is the same as before."""

from __future__ import annotations

import datetime as dt

from tagihlite.workbook.cells import CellMaker
from tagihlite.workbook.sst import SharedStrings
from tagihlite.workbook.styles import Styles

STYLES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>')


def _maker() -> CellMaker:
    return CellMaker(SharedStrings(None), Styles(STYLES), date1904=False)


def test_repeated_values_differ_only_in_the_reference() -> None:
    m = _maker()
    a = m.make(b"K5", "DILEWATI", 0, False)
    b = m.make(b"K6", "DILEWATI", 0, False)
    assert a == b'<c r="K5" t="s"><v>0</v></c>'
    assert b == a.replace(b"K5", b"K6")
    assert m.sst.added == ["DILEWATI"]  # one shared string for both cells


def test_equal_values_of_other_types_are_not_confused() -> None:
    m = _maker()
    assert m.make(b"A1", 1, 0, False) == b'<c r="A1"><v>1</v></c>'
    assert m.make(b"A2", True, 0, False) == b'<c r="A2" t="b"><v>1</v></c>'
    assert m.make(b"A3", 1.5, 0, False) == b'<c r="A3"><v>1.5</v></c>'
    day = m.make(b"A4", dt.date(2026, 12, 2), 0, False)
    assert b"<v>46358</v>" in day and b' s="' in day  # a date format was added


def test_control_characters_are_dropped_and_formulas_only_where_asked() -> None:
    m = _maker()
    assert m.make(b"B1", "a\x01b", 0, False) == m.make(b"B1", "ab", 0, False)
    assert b"<f>" not in m.make(b"B2", "=HYPERLINK(1)", 0, False)
    assert b"<f>HYPERLINK(1)</f>" in m.make(b"B3", "=HYPERLINK(1)", 0, True)


def test_unique_texts_keep_the_cache_bounded() -> None:
    m = _maker()
    for i in range(60_000):
        m.make(b"C%d" % i, f"pesan {i}", 0, False)
    assert len(m._tails) <= 50_001
    assert m.make(b"C1", "pesan 1", 0, False) == b'<c r="C1" t="s"><v>1</v></c>'
