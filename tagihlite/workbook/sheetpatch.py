"""Stream one worksheet part and rewrite only the cells a WritePlan owns.

The sheet XML is read in chunks and cut at row boundaries; a row the plan does not touch
is copied as raw bytes (its cells, formulas, cached values, attributes unchanged), and in a
row it touches only the cells of the plan's columns are rebuilt: from the right end of the
row back to the leftmost column of interest, so the cost per row is the plan's few
columns, not the row's width. No DOM of the sheet is ever built.

Head (``dimension``, ``cols``) and tail (conditional formats, validations) are small and
edited by splicing bytes; every element the plan does not concern keeps its bytes.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from tagihlite.core.columns import header_key
from tagihlite.core.writeplan import KEEP, ColumnWrite, WritePlan, column_letter
from tagihlite.errors import InputError, where
from tagihlite.workbook.cells import CellMaker
from tagihlite.workbook.sst import SharedStrings
from tagihlite.workbook.xmlbits import (
    attrs,
    col_number,
    escape_attr,
    escape_text,
    range_bounds,
    set_attr,
)

CHUNK = 1 << 20  # small chunks: peak memory stays a few MB above the data
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_R = re.compile(rb'\br="\$?([A-Z]{1,3})\$?(\d+)"')
_ROW_R = re.compile(rb'\br="(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")
_DIMENSION = re.compile(rb"<dimension\b[^>]*?/>")
_COLS = re.compile(rb"<cols>(.*?)</cols>", re.S)
_COL = re.compile(rb"<col\b[^>]*?/>")
_PRIORITY = re.compile(rb'cfRule\b[^>]*?\bpriority="(\d+)"')
# Top-level sheet elements that come after conditionalFormatting (ECMA-376 order).
_AFTER_CF = (b"dataValidations", b"hyperlinks", b"printOptions", b"pageMargins",
             b"pageSetup", b"headerFooter", b"rowBreaks", b"colBreaks", b"customProperties",
             b"cellWatches", b"ignoredErrors", b"smartTags", b"drawing", b"legacyDrawing",
             b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
             b"webPublishItems", b"tableParts", b"extLst", b"mc:AlternateContent")


@dataclass
class Conflict:
    """A cell TagihLite would have to write over, found while streaming."""

    row: int
    col: int
    header: str


@dataclass
class SheetEdit:
    """Everything decided before streaming (tables, styles) that the stream applies."""

    plan: WritePlan
    file: str
    header_names: dict[int, str] = field(default_factory=dict)  # new col -> header text
    widths: dict[int, float] = field(default_factory=dict)  # new col -> width
    drop_our_rules: Callable[[bytes], bytes] | None = None  # None: leave the rules alone
    cf_sqref: str = ""
    cf_rules: list[tuple[str, int]] = field(default_factory=list)  # (formula, dxfId)
    grow_validations: list[tuple[int, int, int, int]] = field(default_factory=list)
    tail_check: Callable[[bytes], None] | None = None  # conflicts found after sheetData


class SheetPatcher:
    def __init__(self, edit: SheetEdit, sst: SharedStrings, maker: CellMaker) -> None:
        plan = edit.plan
        self.edit, self.plan, self.sst, self.maker = edit, plan, sst, maker
        self.columns = sorted(plan.columns, key=lambda c: c.col)
        new_cols = [c.col for c in self.columns if c.new]
        self.style_col = min(new_cols) - 1 if new_cols else 0
        self.min_col = min([c.col for c in self.columns] + ([self.style_col] if
                                                              self.style_col else []),
                           default=1)
        self.letters = {c.col: column_letter(c.col).encode() for c in self.columns}
        rows = plan.row_numbers
        # sorted rows (the usual case) are found by bisection: no 100,000-entry dict
        self.sorted_rows = all(a < b for a, b in itertools.pairwise(rows))
        self.row_index = {} if self.sorted_rows else {r: i for i, r in enumerate(rows)}
        self.targets = sorted({*plan.row_numbers, *([plan.header_row] if new_cols else [])})
        self.guarded = {c.col for c in self.columns if c.new}  # must be empty (or ours)
        self.formula_removed = False
        self.cell_styles: dict[tuple[int, int | None, int], int] = {}
        self.max_row = 0
        self.max_col = 0

    # -- rows ---------------------------------------------------------------------------

    def _wanted(self, row: int) -> list[tuple[ColumnWrite, Any]]:
        out = []
        if row == self.plan.header_row:
            for c in self.columns:
                if c.new:
                    out.append((c, self.edit.header_names.get(c.col, c.header)))
            return out
        if self.sorted_rows:
            rows = self.plan.row_numbers
            i = bisect.bisect_left(rows, row)
            if i >= len(rows) or rows[i] != row:
                return out
        else:
            i = self.row_index.get(row)
            if i is None:
                return out
        for c in self.columns:
            v = c.values[i]
            if v is not KEEP:
                out.append((c, v))
        return out

    def _new_row(self, row: int) -> bytes:
        wanted = [(c, v) for c, v in self._wanted(row) if v is not None]
        if not wanted:
            return b""
        cells = b"".join(self._make(row, c, v, None, 0) for c, v in wanted)
        self.sst.delta += cells.count(b't="s"')
        self._extent(row, wanted[-1][0].col)
        return b'<row r="%d">%s</row>' % (row, cells)

    def _make(self, row: int, c: ColumnWrite, value: Any, old_style: int | None,
              row_style: int) -> bytes:
        ref = self.letters[c.col] + b"%d" % row
        if c.new and row == self.plan.header_row:
            return self.maker.make(ref, value, row_style, False)
        key = (c.col, old_style, row_style)  # a handful of cases over 100,000 rows
        style = self.cell_styles.get(key)
        if style is None:
            style = self.cell_styles[key] = self._cell_style(c, old_style, row_style)
        return self.maker.make(ref, value, style, c.formulas)

    def _cell_style(self, c: ColumnWrite, old_style: int | None, row_style: int) -> int:
        styles = self.maker.styles
        if c.new:
            return styles.with_format(row_style, c.number_format or "General")
        if c.number_format:
            return styles.with_format(old_style or 0, c.number_format)
        return old_style or 0

    def _patch_row(self, data: bytes, row: int) -> bytes:
        wanted = self._wanted(row)
        if not wanted:
            return data
        gt = data.find(b">")
        if data[gt - 1] == 47:  # <row r="7"/>: no cells yet
            start_tag, start, end, close = data[:gt - 1].rstrip() + b">", gt + 1, gt + 1, b"</row>"
        else:
            at = data.rfind(b"</")
            start_tag, start, end, close = data[:gt + 1], gt + 1, at, data[at:]
        found = self._right_cells(data, start, end)
        if found is None:  # cells without references: rebuild the whole row
            return self._patch_row_slowly(data, row, wanted)
        if not found:  # nothing at or right of our columns yet (a first mark): append
            return self._append_cells(row, wanted, start_tag, data[start:end], close)
        region = found[0][1] if found else end
        stop = end
        ext = data.find(b"<extLst", region, end)
        if ext >= 0:
            stop = ext
        cells: dict[int, bytes] = {}
        for k, (col, at) in enumerate(found):
            cells[col] = data[at:found[k + 1][1] if k + 1 < len(found) else stop]
        row_style = 0
        if self.style_col in cells:
            row_style = _style_of(cells[self.style_col])
        out = dict(cells)
        for c, value in wanted:
            existing = cells.get(c.col)
            if existing is not None and c.col in self.guarded:
                self._guard(row, c, _split_cell(existing))
            if value is None:
                if existing is not None:
                    a, content = _split_cell(existing)
                    if content and b"<f" in content:
                        self.formula_removed = True
                    out[c.col] = b"<c" + set_attr(a + b">", b"t", None)[:-1] + b"/>"
                continue
            old_style = None
            if existing is not None:
                if b"<f" in existing:
                    self.formula_removed = True
                old_style = _style_of(existing)
            out[c.col] = self._make(row, c, value, old_style, row_style)
        new = b"".join([out[k] for k in sorted(out)])
        old = data[region:stop]
        self.sst.delta += new.count(b't="s"') - old.count(b't="s"') + \
            new.count(b"t='s'") - old.count(b"t='s'")
        last = max(out)
        if last > self.max_col:
            self.max_col = last
        if row > self.max_row:
            self.max_row = row
        if b"spans=" in start_tag:
            start_tag = _widen_spans(start_tag, last)
        return start_tag + data[start:region] + new + data[stop:end] + close

    def _append_cells(self, row: int, wanted: list[tuple[ColumnWrite, Any]], start_tag: bytes,
                      cells: bytes, close: bytes) -> bytes:
        """:meth:`_patch_row` for a row with no cell in or beside our columns: the new
        cells go after the row's own, unstyled as the rest of the slow path leaves them."""
        made = [self._make(row, c, v, None, 0) for c, v in wanted if v is not None]
        if not made:
            return start_tag + cells + close
        new = b"".join(made)
        self.sst.delta += new.count(b't="s"')
        last = max(c.col for c, v in wanted if v is not None)
        self.max_col = max(self.max_col, last)
        self.max_row = max(self.max_row, row)
        if b"spans=" in start_tag:
            start_tag = _widen_spans(start_tag, last)
        return start_tag + cells + new + close

    def _right_cells(self, data: bytes, start: int, end: int) -> list[tuple[int, int]] | None:
        """(column, offset) of the cells at or right of ``min_col``, found from the right;
        None when a cell has no reference (then the whole row is parsed)."""
        out = []
        pos = end
        while True:
            i = data.rfind(b"<c ", start, pos)
            if i < 0:
                break
            if data[i + 3:i + 6] == b'r="':  # the usual layout: r first, read it directly
                j = i + 6
                col = 0
                while 65 <= (ch := data[j]) <= 90:
                    col = col * 26 + ch - 64
                    j += 1
            else:
                r = _R.search(data, i, data.find(b">", i))
                if r is None:
                    return None
                col = col_number(r.group(1))
            if col < self.min_col:
                break
            out.append((col, i))
            pos = i
        if data.find(b"<c>", start, end) >= 0:
            return None
        out.reverse()
        return out

    def _patch_row_slowly(self, data: bytes, row: int,
                          wanted: list[tuple[ColumnWrite, Any]]) -> bytes:
        """Rows whose cells lack ``r``: give every cell its reference, then patch."""
        gt = data.find(b">")
        last = 0
        pieces = []
        pos = gt + 1
        for m in _CELL.finditer(data, gt + 1):
            a = m.group(1)
            r = _R.search(a)
            col = col_number(r.group(1)) if r else last + 1
            last = col
            if r is None:
                a = b' r="' + column_letter(col).encode() + b'%d"' % row + a
            pieces.append(data[pos:m.start()])
            pieces.append(_rebuild(a, m.group(2)))
            pos = m.end()
        pieces.append(data[pos:])
        return self._patch_row(b"".join(pieces), row)

    def _guard(self, row: int, c: ColumnWrite, existing: tuple[bytes, bytes | None]) -> None:
        text = _cell_text(existing, self.sst)
        if (row == self.plan.header_row and text is not None
                and header_key(text) == header_key(c.header)):
            self.guarded.discard(c.col)  # ours from an earlier run
            return
        if text is not None and text.strip():
            coord = f"{column_letter(c.col)}{row}"
            raise InputError(
                f"TagihLite perlu kolom kosong di kanan tabel untuk '{c.header}', tetapi sel "
                f"{coord} di {where(self.edit.file, self.plan.sheet)} sudah berisi data. "
                "Pindahkan data itu, atau tambahkan sendiri judul kolom "
                f"'{c.header}' di kanan tabel, lalu jalankan lagi.")

    def _extent(self, row: int, col: int) -> None:
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)

    # -- the whole part -----------------------------------------------------------------

    def stream(self, src: IO[bytes], out: IO[bytes]) -> None:
        chunks = _chunks(src)
        buf = b""
        for chunk in chunks:
            buf += chunk
            if re.search(rb"<sheetData\b[^>]*>", buf):
                break
        m = re.search(rb"<sheetData\b[^>]*?(/?)>", buf)
        root = re.search(rb"<(\w+:)?worksheet\b", buf)
        if m is None or root is None or root.group(1):
            raise InputError(f"Sheet '{self.plan.sheet}' di {where(self.edit.file)} tidak "
                             "dapat ditulis dengan aman (struktur XML tidak dikenali). Buka "
                             "di Excel, simpan ulang, lalu coba lagi.")
        if b"<![CDATA[" in buf or b"<!--" in buf[m.end():]:
            raise InputError(f"Sheet '{self.plan.sheet}' di {where(self.edit.file)} memakai "
                             "XML yang tidak biasa. Buka di Excel, simpan ulang, lalu coba lagi.")
        head, buf = buf[:m.start()], buf[m.end():]
        self._head = head
        pending = iter(self.targets)
        want = next(pending, None)
        rows_out = _Writer(out)
        if m.group(1):  # <sheetData/>: nothing to read
            rest = buf
            buf = b""
            for row in self.targets:
                rows_out.write(self._new_row(row))
        else:
            rest = self._rows(buf, chunks, pending, want, rows_out)
        tail = b"".join([rest, *chunks])
        out.write(self._patch_head(head))
        out.write(b"<sheetData>")
        rows_out.flush_to(out)
        out.write(b"</sheetData>")
        out.write(self._patch_tail(tail))

    def _more(self, chunks: Iterator[bytes]) -> bytes:
        more = next(chunks, None)
        if more is None:
            raise InputError(f"Sheet '{self.plan.sheet}' di {where(self.edit.file)} "
                             "terpotong. Buka di Excel, simpan ulang, lalu coba lagi.")
        return more

    def _rows(self, buf: bytes, chunks: Iterator[bytes], pending: Iterator[int],
              want: int | None, out: _Writer) -> bytes:
        """Copy/patch the rows of sheetData; return what follows ``</sheetData>``."""
        w = s = 0  # written up to / scanned up to
        current = 0
        sd = buf.find(b"</sheetData>")  # searched once per buffer, not once per row
        while True:
            i = buf.find(b"<row", s)
            e = sd
            if e >= 0 and (i < 0 or e < i):
                out.write(buf[w:e])
                while want is not None:
                    out.write(self._new_row(want))
                    want = next(pending, None)
                return buf[e + len(b"</sheetData>"):]
            end = -1
            if i >= 0:
                gt = buf.find(b">", i)
                if gt >= 0:
                    if buf[gt - 1:gt] == b"/":
                        end = gt + 1
                    else:
                        end = buf.find(b"</row>", gt)
                        end = end + 6 if end >= 0 else -1
            if i < 0 or end < 0:  # an incomplete row at the end of the buffer
                cut = i if i >= 0 else max(s, len(buf) - 16)
                out.write(buf[w:cut])
                buf, w, s = buf[cut:] + self._more(chunks), 0, 0
                sd = buf.find(b"</sheetData>")
                continue
            r = _ROW_R.search(buf, i, gt)
            current = int(r.group(1)) if r else current + 1
            while want is not None and want < current:
                out.write(buf[w:i])
                w = i
                out.write(self._new_row(want))
                want = next(pending, None)
            if want == current:
                out.write(buf[w:i])
                out.write(self._patch_row(buf[i:end], current))
                want = next(pending, None)
                w = s = end
            else:
                self.max_row = max(self.max_row, current)
                s = end
                if want is None:  # nothing left to change: copy the rest as it is
                    e = buf.find(b"</sheetData>", s)
                    while e < 0:
                        cut = max(s, len(buf) - 16)
                        out.write(buf[w:cut])
                        buf, w, s = buf[cut:] + self._more(chunks), 0, 0
                        e = buf.find(b"</sheetData>")
                    out.write(buf[w:e])
                    self.max_row = max(self.max_row, _last_row(buf[w:e]))
                    return buf[e + len(b"</sheetData>"):]
            if s > CHUNK:
                out.write(buf[w:s])
                buf, w, s = buf[s:], 0, 0
                sd = buf.find(b"</sheetData>")

    # -- head and tail --------------------------------------------------------------------

    def _patch_head(self, head: bytes) -> bytes:
        dim = _DIMENSION.search(head)
        if dim is not None:
            ref = attrs(dim.group(0)).get(b"ref", b"A1").decode()
            bounds = range_bounds(ref)
            if bounds is not None:
                top, left, bottom, right = bounds
                nb, nr = max(bottom, self.max_row), max(right, self.max_col)
                if (nb, nr) != (bottom, right):
                    new = f"{column_letter(left)}{top}:{column_letter(nr)}{nb}".encode()
                    head = head[:dim.start()] + set_attr(dim.group(0), b"ref", new) + \
                        head[dim.end():]
        if self.edit.widths:
            head = self._widths(head)
        return head

    def _widths(self, head: bytes) -> bytes:
        cols = _COLS.search(head)
        existing = [attrs(m.group(0)) for m in _COL.finditer(cols.group(1))] if cols else []
        covered = set()
        for a in existing:
            lo, hi = int(a.get(b"min", b"0")), int(a.get(b"max", b"0"))
            covered.update(c for c in self.edit.widths if lo <= c <= hi)
        add = {c: w for c, w in self.edit.widths.items() if c not in covered}
        if not add:
            return head
        items = [(int(attrs(m.group(0)).get(b"min", b"0")), m.group(0))
                 for m in _COL.finditer(cols.group(1))] if cols else []
        items += [(c, b'<col min="%d" max="%d" width="%s" customWidth="1"/>'
                   % (c, c, str(w).encode())) for c, w in add.items()]
        block = b"<cols>" + b"".join(x for _, x in sorted(items, key=lambda t: t[0])) + \
            b"</cols>"
        if cols is not None:
            return head[:cols.start()] + block + head[cols.end():]
        return head + block

    def _patch_tail(self, tail: bytes) -> bytes:
        if self.edit.tail_check is not None:
            self.edit.tail_check(tail)
        if self.edit.drop_our_rules is not None:
            tail = self.edit.drop_our_rules(tail)
        if self.edit.cf_rules:
            top = max((int(p) for p in _PRIORITY.findall(tail)), default=0)
            rules = [(f, d, top + i + 1) for i, (f, d) in enumerate(self.edit.cf_rules)]
            tail = _insert_cf(tail, cf_block(self.edit.cf_sqref, rules))
        for left, right, old_bottom, new_bottom in self.edit.grow_validations:
            tail = _grow_validations(tail, left, right, old_bottom, new_bottom)
        return tail


class _Writer:
    """Rows go to a spooled temp file first: the head (dimension) is only known after."""

    def __init__(self, out: IO[bytes]) -> None:
        import tempfile

        self.spool = tempfile.TemporaryFile()  # noqa: SIM115
        self.write = self.spool.write  # type: ignore[method-assign]

    def write(self, data: bytes) -> None:
        self.spool.write(data)

    def flush_to(self, out: IO[bytes]) -> None:
        import shutil

        self.spool.seek(0)
        shutil.copyfileobj(self.spool, out, 1 << 20)
        self.spool.close()


def _chunks(src: IO[bytes]) -> Iterator[bytes]:
    while chunk := src.read(CHUNK):
        yield chunk


def _style_of(cell: bytes) -> int:
    at = cell.find(b' s="', 0, cell.find(b">"))
    if at < 0:
        return 0
    return int(cell[at + 4:cell.index(b'"', at + 4)])


def _split_cell(cell: bytes) -> tuple[bytes, bytes | None]:
    """b'<c r="K5" s="3"><v>1</v></c>' -> (b' r="K5" s="3"', b'<v>1</v>')."""
    m = _CELL.match(cell)
    if m is None:
        return b"", None
    return m.group(1), m.group(2)


def _rebuild(a: bytes, content: bytes | None) -> bytes:
    return b"<c" + a + (b"/>" if content is None else b">" + content + b"</c>")


def _cell_text(cell: tuple[bytes, bytes | None], sst: SharedStrings) -> str | None:
    a, content = cell
    if not content:
        return None
    kind = re.search(rb'\bt="(\w+)"', a)
    v = _V.search(content)
    if kind is not None and kind.group(1) == b"s":
        return sst.text(int(v.group(1))) if v and v.group(1).strip().isdigit() else None
    if kind is not None and kind.group(1) == b"inlineStr":
        return b"".join(re.findall(rb"<t[^>]*>([^<]*)</t>", content)).decode("utf-8")
    if v is not None:
        return v.group(1).decode("utf-8")
    return "=" if b"<f" in content else None


def _widen_spans(tag: bytes, col: int) -> bytes:
    spans = attrs(tag).get(b"spans", b"")
    nums = [int(x) for x in re.findall(rb"\d+", spans)]
    if not nums or col <= max(nums):
        return tag
    return set_attr(tag, b"spans", b"%d:%d" % (min(nums), col))


def _last_row(data: bytes) -> int:
    at = data.rfind(b"<row")
    if at < 0:
        return 0
    r = _ROW_R.search(data, at, data.find(b">", at))
    return int(r.group(1)) if r else 0


def _insert_cf(tail: bytes, block: bytes) -> bytes:
    last = tail.rfind(b"</conditionalFormatting>")
    if last >= 0:
        at = last + len(b"</conditionalFormatting>")
        return tail[:at] + block + tail[at:]
    best = None
    for name in _AFTER_CF:
        m = re.search(rb"<" + re.escape(name) + rb"[\s>/]", tail)
        if m is not None and (best is None or m.start() < best):
            best = m.start()
    if best is None:
        best = tail.rindex(b"</")
    return tail[:best] + block + tail[best:]


def _grow_validations(tail: bytes, left: int, right: int, old_bottom: int,
                      new_bottom: int) -> bytes:
    def fix(m: re.Match[bytes]) -> bytes:
        tag = m.group(0)
        sqref = attrs(tag).get(b"sqref")
        if sqref is None:
            return tag
        grown = []
        for rng in sqref.decode().split():
            b = range_bounds(rng)
            if b is not None and b[2] == old_bottom and b[1] >= left and b[3] <= right:
                rng = f"{column_letter(b[1])}{b[0]}:{column_letter(b[3])}{new_bottom}"
            grown.append(rng)
        return set_attr(tag, b"sqref", " ".join(grown).encode())

    return re.sub(rb"<dataValidation\b[^>]*>", fix, tail)


def cf_block(sqref: str, rules: list[tuple[str, int, int]]) -> bytes:
    """``<conditionalFormatting>`` with expression rules (formula, dxfId, priority)."""
    body = "".join(f'<cfRule type="expression" dxfId="{dxf}" priority="{prio}">'
                   f"<formula>{escape_text(f)}</formula></cfRule>" for f, dxf, prio in rules)
    return f'<conditionalFormatting sqref="{escape_attr(sqref)}">{body}' \
           f"</conditionalFormatting>".encode()
