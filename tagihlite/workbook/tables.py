"""Grow the customer's Excel Table (ListObject) around what TagihLite writes, as Excel
would: new columns right of it and rows appended right under it join the table
(``ref``, ``autoFilter``, ``tableColumns``). Edited by splicing bytes; the rest of the
table part is left as it was."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tagihlite.core.writeplan import WritePlan, column_letter
from tagihlite.workbook.package import Package, SheetInfo
from tagihlite.workbook.xmlbits import attrs, escape_attr, range_bounds, set_attr, unescape

_TABLE = re.compile(rb"<table\b[^>]*>")
_AUTOFILTER = re.compile(rb"<autoFilter\b[^>]*?/?>")
_COLUMN = re.compile(rb"<tableColumn\b[^>]*?/?>")


@dataclass
class TableGrowth:
    parts: dict[str, bytes] = field(default_factory=dict)
    header_names: dict[int, str] = field(default_factory=dict)
    validations: list[tuple[int, int, int, int]] = field(default_factory=list)


def grow_tables(pkg: Package, sheet: SheetInfo, plan: WritePlan) -> TableGrowth:
    out = TableGrowth()
    new_cols = sorted(c.col for c in plan.columns if c.new)
    headers = {c.col: c.header for c in plan.columns}
    tables = []
    for part in pkg.related(sheet, "table"):
        xml = pkg.zf.read(part)
        tag = _TABLE.search(xml)
        if tag is None:
            continue
        a = attrs(tag.group(0))
        bounds = range_bounds(a.get(b"ref", b"").decode())
        if bounds is not None:
            tables.append((part, xml, tag, a, bounds))
    for part, xml, tag, a, (top, left, bottom, right) in tables:
        if a.get(b"headerRowCount", b"1") == b"0":
            continue
        touches = (bool(new_cols) and right + 1 == new_cols[0]) or any(
            left <= c.col <= right for c in plan.columns)
        if top != plan.header_row or not touches:
            continue  # not the customer table: its header row and columns are the plan's
        end = right
        if new_cols and right + 1 == new_cols[0]:
            while end + 1 in new_cols:  # only a contiguous run of new columns joins
                end += 1
        totals = int(a.get(b"totalsRowCount", b"0") or 0)
        last = bottom
        rows = set(plan.row_numbers)
        if not totals:
            while last + 1 in rows:
                last += 1
        if (end, last) == (right, bottom):
            continue
        if any(not (o[3] < left or o[1] > end or o[2] < top or o[0] > last)
               for p, _, _, _, o in tables if p != part):
            continue  # would overlap another table
        names = {unescape(m.decode()).casefold() for m in
                 re.findall(rb'<tableColumn\b[^>]*?\bname="([^"]*)"', xml)}
        ids = [int(x) for x in re.findall(rb'<tableColumn\b[^>]*?\bid="(\d+)"', xml)]
        next_id = max(ids, default=0) + 1
        added = []
        for col in range(right + 1, end + 1):
            header = headers.get(col) or f"Kolom{col}"
            while header.casefold() in names:
                header += " 2"
            names.add(header.casefold())
            out.header_names[col] = header
            added.append(f'<tableColumn id="{next_id}" name="{escape_attr(header)}"/>'.encode())
            next_id += 1
        ref = f"{column_letter(left)}{top}:{column_letter(end)}{last}".encode()
        new = xml[:tag.start()] + set_attr(tag.group(0), b"ref", ref) + xml[tag.end():]
        af = _AUTOFILTER.search(new)
        if af is not None:
            fref = f"{column_letter(left)}{top}:{column_letter(end)}{last - totals}".encode()
            new = new[:af.start()] + set_attr(af.group(0), b"ref", fref) + new[af.end():]
        if added:
            cols = re.search(rb"<tableColumns\b[^>]*>", new)
            close = new.index(b"</tableColumns>")
            count = str(len(ids) + len(added)).encode()
            new = (new[:cols.start()] + set_attr(cols.group(0), b"count", count)  # type: ignore[union-attr]
                   + new[cols.end():close] + b"".join(added) + new[close:])  # type: ignore[union-attr]
        out.parts[part] = new
        if last > bottom:
            out.validations.append((left, right, bottom, last))
    return out
