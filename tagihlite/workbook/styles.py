"""styles.xml, append-only: the cell formats and conditional-format fills TagihLite needs.

Existing indexes never move: new ``numFmt``/``xf``/``dxf`` entries go to the end of their
lists, and an entry that is already there (e.g. from an earlier run) is reused, so writing
the same workbook again does not grow the part.
"""

from __future__ import annotations

import re

from tagihlite.errors import InputError
from tagihlite.workbook.xmlbits import attrs, escape_attr, set_attr, unescape

_XF = re.compile(rb"<xf\b[^>]*?/>|<xf\b[^>]*>.*?</xf>", re.S)
_DXF = re.compile(rb"<dxf\b[^>]*?/>|<dxf\b[^>]*>.*?</dxf>", re.S)
_NUMFMT = re.compile(rb"<numFmt\b[^>]*?/?>")
# openpyxl's built-in number formats (id -> code) with the codes Excel itself uses.
BUILTIN = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
           11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy",
           16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm",
           21: "h:mm:ss", 22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
           39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
           46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@"}


class Styles:
    def __init__(self, xml: bytes) -> None:
        if not re.search(rb"<styleSheet\b", xml):
            raise InputError("Bagian gaya (styles.xml) buku kerja tidak dikenali. Buka di "
                             "Excel, simpan ulang, lalu coba lagi.")
        self.xml = xml
        self.formats: dict[int, str] = dict(BUILTIN)
        block = _block(xml, b"numFmts")
        self.numfmt_count = 0
        if block is not None:
            for m in _NUMFMT.finditer(xml, block[0], block[1]):
                a = attrs(m.group(0))
                if b"numFmtId" in a:
                    self.numfmt_count += 1
                    self.formats[int(a[b"numFmtId"])] = unescape(
                        a.get(b"formatCode", b"").decode("utf-8"))
        xfs = _block(xml, b"cellXfs")
        if xfs is None:
            raise InputError("Daftar format sel (cellXfs) tidak ada di styles.xml. Buka di "
                             "Excel, simpan ulang, lalu coba lagi.")
        self.xfs = [m.group(0) for m in _XF.finditer(xml, xfs[0], xfs[1])]
        self._xf_index = {x: i for i, x in reversed(list(enumerate(self.xfs)))}
        dxfs = _block(xml, b"dxfs")
        self.dxfs = [m.group(0) for m in _DXF.finditer(xml, *dxfs)] if dxfs else []
        self.new_formats: dict[int, str] = {}
        self.new_xfs: list[bytes] = []
        self.new_dxfs: list[bytes] = []
        self._derived: dict[tuple[int, str], int] = {}

    @property
    def changed(self) -> bool:
        return bool(self.new_formats or self.new_xfs or self.new_dxfs)

    def format_code(self, xf: int) -> str:
        if not 0 <= xf < len(self.xfs):
            return "General"
        fid = attrs(self.xfs[xf].split(b">", 1)[0]).get(b"numFmtId", b"0")
        return self.formats.get(int(fid), "General")

    def format_id(self, code: str) -> int:
        for fid, known in self.formats.items():
            if known == code:
                return fid
        fid = max([163, *self.formats]) + 1
        self.formats[fid] = self.new_formats[fid] = code
        return fid

    def with_format(self, xf: int, code: str) -> int:
        """The index of a cell format like ``xf`` but with number format ``code``."""
        key = (xf, code)
        found = self._derived.get(key)
        if found is not None:
            return found
        if self.format_code(xf) == code:
            found = xf
        else:
            base = self.xfs[xf] if 0 <= xf < len(self.xfs) else b'<xf numFmtId="0"/>'
            head, sep, rest = base.partition(b">")
            if head.endswith(b"/"):
                head, sep = head[:-1], b"/>"
            fid = str(self.format_id(code)).encode()
            head = set_attr(head + b">", b"numFmtId", fid)[:-1]
            head = set_attr(head + b">", b"applyNumberFormat", b"1")[:-1]
            found = self._xf(head + sep + rest)
        self._derived[key] = found
        return found

    def _xf(self, xml: bytes) -> int:
        found = self._xf_index.get(xml)
        if found is None:
            found = self._xf_index[xml] = len(self.xfs)
            self.xfs.append(xml)
            self.new_xfs.append(xml)
        return found

    def fill_dxf(self, rgb: str) -> int:
        """A differential format with a solid fill (for conditional formatting)."""
        color = f'<fgColor rgb="FF{rgb}"/><bgColor rgb="FF{rgb}"/>'
        xml = f'<dxf><fill><patternFill patternType="solid">{color}</patternFill></fill></dxf>'
        data = xml.encode()
        if data in self.dxfs:
            return self.dxfs.index(data)
        self.dxfs.append(data)
        self.new_dxfs.append(data)
        return len(self.dxfs) - 1

    def render(self) -> bytes:
        xml = self.xml
        if self.new_formats:
            items = "".join(f'<numFmt numFmtId="{i}" formatCode="{escape_attr(c)}"/>'
                            for i, c in self.new_formats.items()).encode()
            xml = _append(xml, b"numFmts", items, self.numfmt_count + len(self.new_formats),
                          after_open=b"styleSheet")
        if self.new_xfs:
            xml = _append(xml, b"cellXfs", b"".join(self.new_xfs), len(self.xfs))
        if self.new_dxfs:
            xml = _append(xml, b"dxfs", b"".join(self.new_dxfs), len(self.dxfs),
                          after=(b"cellStyles", b"cellXfs"))
        return xml


def _block(xml: bytes, name: bytes) -> tuple[int, int] | None:
    """(content start, content end) of the one ``<name>`` element; None if absent/empty."""
    m = re.search(rb"<" + name + rb"\b[^>]*?(/?)>", xml)
    if m is None or m.group(1):
        return None
    end = xml.find(b"</" + name + b">", m.end())
    return (m.end(), end) if end >= 0 else None


def _append(xml: bytes, name: bytes, items: bytes, count: int, *,
            after_open: bytes | None = None, after: tuple[bytes, ...] = ()) -> bytes:
    m = re.search(rb"<" + name + rb"\b[^>]*?(/?)>", xml)
    if m is not None:
        tag = set_attr(m.group(0), b"count", str(count).encode())
        if m.group(1):  # <dxfs count="0"/>
            tag = tag[:-2].rstrip() + b">"
            return xml[:m.start()] + tag + items + b"</" + name + b">" + xml[m.end():]
        end = xml.index(b"</" + name + b">", m.end())
        return xml[:m.start()] + tag + xml[m.end():end] + items + xml[end:]
    block = b"<" + name + b' count="' + str(count).encode() + b'">' + items + b"</" + name + b">"
    if after_open is not None:
        at = re.search(rb"<" + after_open + rb"\b[^>]*>", xml).end()  # type: ignore[union-attr]
        return xml[:at] + block + xml[at:]
    for prev in after:
        end = xml.find(b"</" + prev + b">")
        if end >= 0:
            at = end + len(prev) + 3
            return xml[:at] + block + xml[at:]
    raise InputError("styles.xml tidak dapat dilengkapi. Buka di Excel, simpan ulang, lalu "
                     "coba lagi.")
