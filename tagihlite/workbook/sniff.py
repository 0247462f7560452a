"""What kind of file a clerk handed us, decided by its bytes, not its name.

Billing systems export HTML pages named ``.xls``; a password-protected ``.xlsx`` is really an
OLE compound file; a half-copied file from a shared drive is a truncated zip. Each of those
must become one Indonesian sentence naming the file and what to do, never a traceback.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from tagihlite.errors import InputError, where

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY_MAGIC = b"PK\x05\x06"  # a zip with no members at all

# Formats we read; only the OOXML ones are written back.
XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
WRITABLE_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt")

SAVE_AS_XLSX = "Buka berkas di Excel lalu simpan ulang sebagai Buku Kerja Excel (.xlsx)."


def unusable(path: Path, problem: str, todo: str = SAVE_AS_XLSX) -> InputError:
    return InputError(f"{_subject(path)} {problem}. {todo}")


def _subject(path: Path) -> str:
    text = where(path.name)
    return text[:1].upper() + text[1:]


def detect_format(path: Path) -> str:
    """Return one of XLSX, XLS, ODS, CSV, or raise InputError saying why the file is unusable."""
    if not path.exists():
        raise InputError(f"{_subject(path)} tidak ditemukan. Periksa nama dan "
                         "folder berkas.")
    if path.is_dir():
        raise unusable(path, "adalah folder, bukan berkas Excel",
                       "Pilih berkas .xlsx di dalam folder itu.")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise unusable(path, f"tidak dapat dibuka ({exc.strerror or 'akses ditolak'})",
                       "Periksa izin berkas atau salin berkas ke folder Anda sendiri.") from None
    if not head:
        raise unusable(path, "kosong (0 byte), mungkin belum selesai disalin",
                       "Salin ulang berkas aslinya.")
    if head.startswith(CFB_MAGIC):
        return _cfb_kind(path)
    if head.startswith((ZIP_MAGIC, ZIP_EMPTY_MAGIC)):
        return _zip_kind(path)
    if _looks_like_markup(head):
        text = head.replace(b"\x00", b"").decode("latin-1").lower()
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            raise unusable(path, "berformat XML Spreadsheet 2003 yang tidak didukung")
        if "<html" in text or "<table" in text or "<!doctype" in text:
            raise unusable(path, "sebenarnya halaman web (HTML) hasil ekspor, bukan berkas "
                           "Excel")
        raise unusable(path, "berisi XML, bukan berkas Excel")
    if path.suffix.lower() in TEXT_SUFFIXES:
        return CSV
    raise unusable(path, "bukan berkas Excel yang dikenali (mungkin rusak atau bukan "
                   "spreadsheet)", "Gunakan berkas .xlsx, .xlsm, .xls, .ods atau .csv.")


def _looks_like_markup(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    if stripped.startswith((b"<", b"<\x00")):
        return True
    # UTF-16 exports start with a BOM and "<" interleaved with NULs
    return stripped.replace(b"\x00", b"").startswith(b"<")


def _cfb_kind(path: Path) -> str:
    try:
        streams = {name.lower() for name in cfb_entry_names(path)}
    except (OSError, ValueError, struct.error):
        raise unusable(path, "rusak (struktur berkas Excel lama tidak terbaca)",
                       "Minta salinan baru berkas itu.") from None
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        raise unusable(path, "dilindungi kata sandi",
                       "Buka di Excel dengan kata sandinya, hapus kata sandi (File > Info > "
                       "Protect Workbook), lalu simpan sebagai .xlsx.")
    if "workbook" in streams or "book" in streams:
        return XLS
    raise unusable(path, "adalah dokumen Office lama yang bukan buku kerja Excel")


_END_OF_CHAIN = 0xFFFFFFFE
_MAX_SECTORS = 1 << 22  # a bound for damaged chains (16 GiB of 4 KiB sectors)


def cfb_entry_names(path: Path) -> list[str]:
    """Names of the storages and streams at the top of an OLE compound file.

    Just enough of [MS-CFB] to tell a password-protected OOXML file (``EncryptedPackage``)
    from a BIFF workbook (``Workbook``/``Book``) without another dependency. Raises
    ValueError on a damaged structure.
    """
    with path.open("rb") as fh:
        header = fh.read(512)
        if len(header) < 512 or not header.startswith(CFB_MAGIC):
            raise ValueError("not a compound file")
        shift = struct.unpack_from("<H", header, 0x1E)[0]
        if shift not in (9, 12):
            raise ValueError("bad sector size")
        size = 1 << shift
        n_fat, first_dir = struct.unpack_from("<II", header, 0x2C)
        first_difat, n_difat = struct.unpack_from("<II", header, 0x44)

        def sector(n: int) -> bytes:
            fh.seek((n + 1) << shift)
            data = fh.read(size)
            if len(data) != size:
                raise ValueError("truncated compound file")
            return data

        fat_sectors = [v for v in struct.unpack_from("<109I", header, 0x4C) if v < 0xFFFFFFFA]
        nxt, per = first_difat, size // 4 - 1
        for _ in range(min(n_difat, _MAX_SECTORS)):
            if nxt >= 0xFFFFFFFA:
                break
            values = struct.unpack(f"<{per + 1}I", sector(nxt))
            fat_sectors += [v for v in values[:per] if v < 0xFFFFFFFA]
            nxt = values[per]
        fat: list[int] = []
        for n in fat_sectors[:n_fat]:
            fat += struct.unpack(f"<{size // 4}I", sector(n))
        entries: list[tuple[str, int, int, int]] = []  # name, left, right, child
        current, seen = first_dir, set()
        while current != _END_OF_CHAIN:
            if current in seen or current >= len(fat) or len(seen) > _MAX_SECTORS:
                raise ValueError("broken directory chain")
            seen.add(current)
            data = sector(current)
            for off in range(0, size, 128):
                length = struct.unpack_from("<H", data, off + 64)[0]
                left, right, child = struct.unpack_from("<III", data, off + 68)
                name = ""
                if data[off + 66] in (1, 2, 5) and 2 <= length <= 64:
                    name = data[off:off + length - 2].decode("utf-16-le", "replace")
                entries.append((name, left, right, child))
            current = fat[current]
    if not entries:
        raise ValueError("empty directory")
    # Only the root storage's own children: a Word file with an embedded workbook has a
    # "Workbook" stream too, deeper down.
    names: list[str] = []
    todo, visited = [entries[0][3]], set()
    while todo:
        i = todo.pop()
        if i >= len(entries) or i in visited:
            continue  # NOSTREAM (0xFFFFFFFF) or a damaged pointer
        visited.add(i)
        name, left, right, _child = entries[i]
        if name:
            names.append(name)
        todo += [left, right]
    return names


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:80] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        raise unusable(path, "rusak atau terpotong (isi zip tidak lengkap), mungkin karena "
                       "unduhan/salinan belum selesai",
                       "Salin ulang atau unduh ulang berkas aslinya.") from None
    if b"opendocument.spreadsheet" in mimetype:
        return ODS
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return XLSX
    if not names:
        raise unusable(path, "kosong (arsip tanpa isi)", "Salin ulang berkas aslinya.")
    raise unusable(path, "bukan buku kerja Excel (arsip zip berisi berkas lain)",
                   "Pilih berkas .xlsx yang benar.")
