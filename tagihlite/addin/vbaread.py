"""Read VBA module source back out of a workbook (MS-OVBA 2.4.1 decompression, dir stream).

``tagihlite doctor`` uses it to compare the xlwings VBA module inside the clerk's workbook
with the xlwings package Excel will start: a workbook made by an older TagihLite (or a
hand-edited one) can carry another version, and RunPython then fails in confusing ways.
olefile reads the compound file; the rest follows [MS-OVBA] 2.3.4.2 and 2.4.1.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

VBA_PART = "xl/vbaProject.bin"
_CHUNK = 4096
_VERSION_RE = re.compile(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]*)"', re.IGNORECASE)

# dir stream record ids (2.3.4.2)
_PROJECTCODEPAGE = 0x0003
_PROJECTVERSION = 0x0009  # its Size field says 4 but 6 bytes follow
_MODULENAME = 0x0019
_MODULESTREAMNAME = 0x001A
_MODULEOFFSET = 0x0031
_MODULE_TERMINATOR = 0x002B


def decompress(data: bytes) -> bytes:
    """The bytes of a CompressedContainer (2.4.1.1.1): the inverse of ``ovba.compress``."""
    if not data or data[0] != 0x01:
        raise ValueError("not an MS-OVBA compressed container")
    out = bytearray()
    pos = 1
    while pos + 2 <= len(data):
        (header,) = struct.unpack_from("<H", data, pos)
        size = (header & 0x0FFF) + 3
        end = min(pos + size, len(data))
        pos += 2
        if not header & 0x8000:  # raw chunk: 4096 bytes as they are
            out += data[pos:pos + _CHUNK]
            pos = end
            continue
        start = len(out)
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                (token,) = struct.unpack_from("<H", data, pos)
                pos += 2
                # 2.4.1.3.19.1: offset/length split depends on how far into the chunk we are
                bits = max((len(out) - start - 1).bit_length(), 4)
                length_mask = 0xFFFF >> bits
                offset = (token >> (16 - bits)) + 1
                length = (token & length_mask) + 3
                for _ in range(length):  # byte by byte: the copy may overlap itself
                    out.append(out[-offset])
        pos = end
    return bytes(out)


def _records(dir_data: bytes) -> list[tuple[int, bytes]]:
    records, pos = [], 0
    while pos + 6 <= len(dir_data):
        record_id, size = struct.unpack_from("<HI", dir_data, pos)
        pos += 6
        if record_id == _PROJECTVERSION:
            size = 6
        records.append((record_id, dir_data[pos:pos + size]))
        pos += size
    return records


def module_sources(vba_project: bytes) -> dict[str, str]:
    """Module name -> source text (LF line ends) of every module in a ``vbaProject.bin``."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(vba_project)) as ole:
        records = _records(decompress(ole.openstream("VBA/dir").read()))
        codec = "cp1252"
        modules: list[dict[str, object]] = []
        for record_id, payload in records:
            if record_id == _PROJECTCODEPAGE and len(payload) == 2:
                codec = f"cp{struct.unpack('<H', payload)[0]}"
            elif record_id == _MODULENAME:
                modules.append({"name": payload})
            elif record_id == _MODULESTREAMNAME and modules:
                modules[-1]["stream"] = payload
            elif record_id == _MODULEOFFSET and modules:
                modules[-1]["offset"] = struct.unpack("<I", payload)[0]
        sources = {}
        for module in modules:
            name = bytes(module["name"]).decode(codec)  # type: ignore[call-overload]
            stream = bytes(module.get("stream", module["name"])).decode(  # type: ignore[call-overload]
                codec)
            data = ole.openstream(f"VBA/{stream}").read()
            text = decompress(data[int(module.get("offset", 0)):])  # type: ignore[call-overload]
            sources[name] = text.decode(codec).replace("\r\n", "\n")
        return sources


def workbook_vba_sources(path: Path) -> dict[str, str]:
    """The VBA modules of an ``.xlsm``; empty when it has no VBA project.

    Raises ``OSError``/``zipfile.BadZipFile``/``ValueError`` for unreadable files."""
    with zipfile.ZipFile(path) as package:
        if VBA_PART not in package.namelist():
            return {}
        data = package.read(VBA_PART)
    return module_sources(data)


def xlwings_vba_version(path: Path) -> str | None:
    """``XLWINGS_VERSION`` declared by the workbook's ``xlwings`` module, or ``None``."""
    for name, source in workbook_vba_sources(path).items():
        if name.lower() == "xlwings":
            match = _VERSION_RE.search(source)
            return match.group(1) if match else None
    return None
