"""MS-OVBA building blocks: compression (2.4.1), data encryption (2.4.3.2), and the
PROJECT, PROJECTwm, dir, _VBA_PROJECT and module stream contents (2.3).

Everything here is a pure function of its arguments so a VBA project builds byte-identically.
Section numbers refer to Microsoft's public [MS-OVBA] specification.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

CODE_PAGE = 1252
CODEC = "cp1252"
LCID_EN_US = 0x0409
SYSKIND_WIN64 = 0x00000003  # what the xlwings standalone quickstart (Excel 64-bit) carries

# 2.3.4.1: Version 0xFFFF and no PerformanceCache, so Office compiles from source.
VBA_PROJECT_STREAM = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)

ModuleType = Literal["procedural", "document_or_class"]

_CHUNK = 4096


# ---------------------------------------------------------------- compression (2.4.1)


def compress(data: bytes, allow_raw: bool = True) -> bytes:
    """CompressedContainer (2.4.1.1.1) of ``data``, following the compression algorithm of
    2.4.1.3 exactly (longest match, nearest candidate on ties), so the spec's worked examples
    (3.2) come out byte for byte.

    A chunk that does not shrink is stored raw (2.4.1.3.10), padded to 4096 bytes. Reports
    say Excel drops modules stored that way, so with ``allow_raw=False`` such input raises
    ValueError instead (real VBA source always compresses)."""
    data = bytes(data)
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = _compress_chunk(data, start, min(start + _CHUNK, len(data)))
        if not allow_raw and not chunk[1] & 0x80:
            raise ValueError(f"bytes {start}-{start + _CHUNK} are incompressible")
        out += chunk
    return bytes(out)


def _compress_chunk(buf: bytes, start: int, end: int) -> bytes:
    # body is the chunk after its 2-byte header; CompressedEnd - (header end) == 4096.
    body = bytearray()
    limit = _CHUNK
    seen: dict[bytes, list[int]] = {}  # 3-byte prefix -> earlier positions in this chunk
    indexed = start
    cur = start
    full = False
    while cur < end and not full and len(body) < limit:
        flag_index = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if cur >= end or len(body) >= limit:
                break
            while indexed < cur:  # make every position before cur a match candidate
                if indexed + 3 <= end:
                    seen.setdefault(buf[indexed : indexed + 3], []).append(indexed)
                indexed += 1
            length, offset = _match(buf, start, cur, end, seen)
            if offset:
                if len(body) + 1 < limit:
                    body += struct.pack("<H", _copy_token(cur - start, offset, length))
                    flags |= 1 << bit
                    cur += length
                else:
                    full = True
                    break
            elif len(body) < limit:
                body.append(buf[cur])
                cur += 1
            else:
                full = True
                break
        body[flag_index] = flags
    if cur < end:
        # 2.4.1.3.10: incompressible chunk stored raw, always 4096 bytes (zero padded).
        raw = buf[start:end].ljust(_CHUNK, b"\x00")
        return struct.pack("<H", (_CHUNK + 2 - 3) | 0x3000) + raw
    header = (len(body) + 2 - 3) | 0x3000 | 0x8000
    return struct.pack("<H", header) + bytes(body)


def _match(
    buf: bytes, start: int, cur: int, end: int, seen: dict[bytes, list[int]]
) -> tuple[int, int]:
    """2.4.1.3.19.4 Matching: (length, offset), offset 0 when no match of 3+ bytes.

    Only candidates sharing the next three bytes can reach length 3, so the spec's scan of
    every earlier position reduces to those; scanning them nearest-first with a strict
    ``>`` keeps the spec's tie-break."""
    remaining = end - cur
    if remaining < 3:
        return 0, 0
    candidates = seen.get(buf[cur : cur + 3])
    if not candidates:
        return 0, 0
    best_len = 0
    best_pos = -1
    for pos in reversed(candidates):
        need = best_len + 1
        if need > 3 and buf[pos : pos + need] != buf[cur : cur + need]:
            continue
        length = _common_length(buf, pos, cur, max(need, 3), remaining)
        if length > best_len:
            best_len, best_pos = length, pos
            if best_len == remaining:
                break
    max_len = (0xFFFF >> _bit_count(cur - start)) + 3
    return min(best_len, max_len), cur - best_pos


def _common_length(buf: bytes, a: int, b: int, known: int, limit: int) -> int:
    """Length of the common prefix of buf[a:] and buf[b:] (at most ``limit``), given that
    the first ``known`` bytes are already equal."""
    n = known
    step = 16
    while n < limit:
        m = min(n + step, limit)
        if buf[a + n : a + m] == buf[b + n : b + m]:
            n = m
            step *= 2
            continue
        while n < m and buf[a + n] == buf[b + n]:
            n += 1
        return n
    return n


def _bit_count(difference: int) -> int:
    """2.4.1.3.19.1 CopyToken Help: max(ceil(log2(difference)), 4)."""
    return max((difference - 1).bit_length(), 4)


def _copy_token(difference: int, offset: int, length: int) -> int:
    """2.4.1.3.19.3 Pack CopyToken."""
    bits = _bit_count(difference)
    return ((offset - 1) << (16 - bits)) | (length - 3)


# -------------------------------------------------------------- data encryption (2.4.3)


def encrypt(data: bytes, project_id: str, seed: int = 0x00, ignored: bytes = b"") -> str:
    """2.4.3.2 Data Encryption of ``data`` for the project ``project_id`` ("{GUID}"),
    as the upper-case hex text that PROJECT's CMG/DPB/GC carry.

    ``seed`` and the ``ignored`` filler are free choices in the spec; fixing them keeps
    the output deterministic. ``ignored`` must be (seed & 6) // 2 bytes long."""
    if len(ignored) != (seed & 6) // 2:
        raise ValueError("ignored filler must be (seed & 6) // 2 bytes long")
    version = 2
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    version_enc = seed ^ version
    proj_key_enc = seed ^ proj_key
    out = bytearray([seed, version_enc, proj_key_enc])
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc
    for byte in bytes(ignored) + struct.pack("<I", len(data)) + bytes(data):
        byte_enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(byte_enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte_enc, byte
    return out.hex().upper()


# ------------------------------------------------------------------- PROJECT (2.3.1)


@dataclass(frozen=True)
class ProjectModule:
    """One module as the PROJECT, PROJECTwm and dir streams see it."""

    name: str
    project_kind: Literal["Document", "Module", "Class"]

    @property
    def module_type(self) -> ModuleType:
        return "procedural" if self.project_kind == "Module" else "document_or_class"


HOST_EXTENDER_VBE = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


def project_stream(project_id: str, project_name: str, modules: Sequence[ProjectModule]) -> bytes:
    """VBAPROJECTText (2.3.1): module lines, Name, protection fields (unprotected, no
    password, visible), the VBE host extender and a workspace entry per module."""
    # Fixed seeds (even, so no filler bytes) keep the build deterministic.
    protection = encrypt(bytes(4), project_id, seed=0x08)  # not locked
    password = encrypt(bytes(1), project_id, seed=0x10)  # no password
    visibility = encrypt(bytes([0xFF]), project_id, seed=0x18)  # visible
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.project_kind == "Document":
            lines.append(f"Document={module.name}/&H00000000")
        else:
            lines.append(f"{module.project_kind}={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{protection}"',
        f'DPB="{password}"',
        f'GC="{visibility}"',
        "",
        "[Host Extender Info]",
        HOST_EXTENDER_VBE,
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return ("\r\n".join(lines) + "\r\n").encode(CODEC)


def projectwm_stream(modules: Sequence[ProjectModule]) -> bytes:
    """PROJECTwm (2.3.3): each module name in MBCS and UTF-16LE, null terminated."""
    out = bytearray()
    for module in modules:
        out += module.name.encode(CODEC) + b"\x00"
        out += module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


# ----------------------------------------------------------------------- dir (2.3.4.2)


@dataclass(frozen=True)
class Reference:
    """A REFERENCEREGISTERED (2.3.4.2.2.5) with its REFERENCENAME."""

    name: str
    libid: str  # LibidReference (2.1.1.8): *\G{GUID}#major.minor#lcid#path#description


STDOLE = Reference(
    "stdole",
    r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb"
    r"#OLE Automation",
)
OFFICE = Reference(
    "Office",
    r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0"
    r"#C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL"
    r"#Microsoft Office 16.0 Object Library",
)


def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _mbcs(text: str) -> bytes:
    return text.encode(CODEC)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _name_pair(record_id: int, unicode_id: int, text: str) -> bytes:
    """A record whose MBCS text is followed by a Reserved id and the UTF-16 copy."""
    return _record(record_id, _mbcs(text)) + _record(unicode_id, _utf16(text))


def dir_stream(
    project_name: str,
    modules: Sequence[ProjectModule],
    references: Sequence[Reference] = (STDOLE, OFFICE),
    version: tuple[int, int] = (1, 0),
) -> bytes:
    """The decompressed dir stream (2.3.4.2): PROJECTINFORMATION, PROJECTREFERENCES,
    PROJECTMODULES and the terminator. Every module's source sits at offset 0 of its
    stream (no performance cache)."""
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", SYSKIND_WIN64))
    out += _record(0x0002, struct.pack("<I", LCID_EN_US))
    out += _record(0x0014, struct.pack("<I", LCID_EN_US))
    out += _record(0x0003, struct.pack("<H", CODE_PAGE))
    out += _record(0x0004, _mbcs(project_name))
    out += _name_pair(0x0005, 0x0040, "")  # PROJECTDOCSTRING
    out += _name_pair(0x0006, 0x003D, "")  # PROJECTHELPFILEPATH (both copies empty)
    out += _record(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    # PROJECTVERSION: Reserved is 4 though the record holds 6 bytes.
    out += struct.pack("<HIIH", 0x0009, 4, version[0], version[1])
    out += _name_pair(0x000C, 0x003C, "")  # PROJECTCONSTANTS
    for ref in references:
        out += _name_pair(0x0016, 0x003E, ref.name)  # REFERENCENAME
        libid = _mbcs(ref.libid)
        out += _record(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE: 0xFFFF on write
    for module in modules:
        out += _name_pair(0x0019, 0x0047, module.name)  # MODULENAME + MODULENAMEUNICODE
        out += _name_pair(0x001A, 0x0032, module.name)  # MODULESTREAMNAME
        out += _name_pair(0x001C, 0x0048, "")  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if module.module_type == "procedural" else 0x0022, b"")
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")
    return bytes(out)
