"""Small byte-level XML helpers for the part patcher (no DOM, no re-serialisation).

The patcher edits SpreadsheetML by splicing bytes: whatever it does not touch keeps its
exact bytes. These helpers parse and rewrite single start tags and escape text.
"""

from __future__ import annotations

import re

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# One attribute: name = "value" | 'value' (values may hold '>' but never '<').
ATTR = re.compile(rb"""([^\s=/<>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(rb"([A-Z]{1,3})(\d+)")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
# openpyxl's ILLEGAL_CHARACTERS_RE: control characters XML 1.0 cannot carry.
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def attrs(tag: bytes) -> dict[bytes, bytes]:
    """The attributes of one start tag (raw, still escaped)."""
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in ATTR.finditer(tag)}


def set_attr(tag: bytes, name: bytes, value: bytes | None) -> bytes:
    """``tag`` with attribute ``name`` set to ``value`` (added before the end), or removed."""
    pattern = re.compile(rb"""\s""" + re.escape(name) + rb"""\s*=\s*(?:"[^"]*"|'[^']*')""")
    found = pattern.search(tag)
    if value is None:
        return pattern.sub(b"", tag, count=1) if found else tag
    new = b" " + name + b'="' + value + b'"'
    if found:
        return tag[:found.start()] + new + tag[found.end():]
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    while end > 0 and tag[end - 1:end].isspace():
        end -= 1
    return tag[:end] + new + tag[end:]


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    return escape_text(text).replace('"', "&quot;")


def unescape(text: str) -> str:
    if "&" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(one, text)


def col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def split_ref(ref: bytes) -> tuple[int, int] | None:
    """b'K12' -> (12, 11); None when it is not a plain cell reference."""
    m = _CELL_REF.fullmatch(ref.replace(b"$", b""))
    return (int(m.group(2)), col_number(m.group(1))) if m else None


def range_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """'B5:K40' (or 'B5') -> (top, left, bottom, right); None for whole rows/columns."""
    a, _, b = ref.partition(":")
    first, last = split_ref(a.encode()), split_ref((b or a).encode())
    if first is None or last is None:
        return None
    return first[0], first[1], last[0], last[1]


def prefix_of(start_tag: bytes) -> bytes:
    """b'<x:worksheet ...' -> b'x:'; b'<worksheet' -> b''."""
    name = re.match(rb"<([^\s>/]+)", start_tag)
    local = name.group(1) if name else b""
    return local[:local.index(b":") + 1] if b":" in local else b""
