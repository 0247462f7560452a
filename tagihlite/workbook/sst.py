"""The shared strings part: look strings up, append new ones, keep count/uniqueCount true.

Existing items are never moved or rewritten (cells elsewhere point at them by index); new
strings go to the end. Plain items are indexed so a string already there is reused, which
keeps repeated writes (every status flush of a send) from growing the part.
"""

from __future__ import annotations

import re

from tagihlite.errors import InputError
from tagihlite.workbook.xmlbits import attrs, escape_text, set_attr, unescape

_ITEM = re.compile(rb"<si>(.*?)</si>|<si/>|<si\s[^>]*?/>|<si\s[^>]*>(.*?)</si>", re.S)
_PLAIN = re.compile(rb"<t(?:\s+xml:space=\"preserve\")?>([^<]*)</t>|<t\s*/>")
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>")
_ROOT = re.compile(rb"<sst\b[^>]*>|<sst\b[^>]*/>")

EMPTY_SST = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'count="0" uniqueCount="0"/>')


class SharedStrings:
    def __init__(self, xml: bytes | None) -> None:
        self.xml = xml if xml is not None else EMPTY_SST
        self.created = xml is None
        root = _ROOT.search(self.xml)
        if root is None:
            raise InputError("Bagian teks bersama (sharedStrings.xml) buku kerja tidak "
                             "dikenali. Buka di Excel, simpan ulang, lalu coba lagi.")
        self._root = root
        head = attrs(root.group(0))
        self.texts: list[str | None] = []  # index -> plain text (None: rich text etc.)
        self.index: dict[str, int] = {}
        for m in _ITEM.finditer(self.xml, root.end()):
            inner = m.group(1) if m.group(1) is not None else (m.group(2) or b"")
            plain = _PLAIN.fullmatch(inner)
            if plain is not None:
                text = unescape((plain.group(1) or b"").decode("utf-8"))
                self.index.setdefault(text, len(self.texts))
                self.texts.append(text)
            else:  # rich text / phonetic runs: readable for checks, never reused
                self.texts.append(unescape(b"".join(_TEXT.findall(inner)).decode("utf-8")))
                self.texts[-1] = self.texts[-1] or None
        self.count = int(head.get(b"count", b"0") or 0)
        self.added: list[str] = []
        self.delta = 0  # change in references to shared strings (kept by the sheet writer)

    def text(self, i: int) -> str | None:
        return self.texts[i] if 0 <= i < len(self.texts) else None

    def get(self, text: str) -> int:
        """The index of ``text``, appended when it is new."""
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.texts)
            self.texts.append(text)
            self.added.append(text)
        return found

    @property
    def changed(self) -> bool:
        return bool(self.added) or self.delta != 0 or self.created

    def render(self) -> bytes:
        xml, root = self.xml, self._root
        tag = root.group(0)
        items = b"".join(_item(t) for t in self.added)
        tag = set_attr(tag, b"count", str(max(0, self.count + self.delta)).encode())
        tag = set_attr(tag, b"uniqueCount", str(len(self.texts)).encode())
        if tag.endswith(b"/>"):
            tag = tag[:-2].rstrip() + b">"
            return xml[:root.start()] + tag + items + b"</sst>" + xml[root.end():]
        close = xml.rindex(b"</")
        return xml[:root.start()] + tag + xml[root.end():close] + items + xml[close:]


def _item(text: str) -> bytes:
    body = escape_text(text).replace("\r", "&#13;")
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f"<si><t{space}>{body}</t></si>".encode()
