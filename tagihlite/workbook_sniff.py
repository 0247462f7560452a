"""What kind of file a clerk handed us, decided by its bytes, not its name.

Billing systems export HTML pages named ``.xls``; a password-protected ``.xlsx`` is really an
OLE compound file; a half-copied file from a shared drive is a truncated zip. Each of those
must become one Indonesian sentence naming the file and what to do, never a traceback.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import InputError, where

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
    import olefile  # ships with oletools; pure Python, only needed for OLE files

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=True)}
    except Exception:  # olefile raises plain OSError/struct errors on damage
        raise unusable(path, "rusak (struktur berkas Excel lama tidak terbaca)",
                       "Minta salinan baru berkas itu.") from None
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        raise unusable(path, "dilindungi kata sandi",
                       "Buka di Excel dengan kata sandinya, hapus kata sandi (File > Info > "
                       "Protect Workbook), lalu simpan sebagai .xlsx.")
    if "workbook" in streams or "book" in streams:
        return XLS
    raise unusable(path, "adalah dokumen Office lama yang bukan buku kerja Excel")


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
