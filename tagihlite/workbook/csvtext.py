"""A CSV file's bytes to rows, in an encoding we are sure of, or one sentence saying why not.

Excel saves CSV as UTF-8 (with a BOM), as the PC's ANSI code page (cp1252 here) or, for
"Unicode Text", as UTF-16. Reading UTF-16 or a Chinese/Cyrillic code page as cp1252 does not
fail, it silently turns every name into garbage; so cp1252 is only the last guess, taken when
the bytes decode strictly and look like Latin text.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from tagihlite.errors import InputError, where

SAVE_AS_UTF8 = ("Buka berkas itu di Excel lalu simpan sebagai \"CSV UTF-8 (Comma delimited)\" "
                "atau sebagai .xlsx.")

_BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# C0 controls that never occur in a text export (tab, LF, CR and form feed are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Two or more bytes >= 0x80 in a row: every character of a multi-byte code page (GBK,
# Shift-JIS, Big5) or of a Cyrillic/Greek/Thai single-byte one, rare in Latin text.
_HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")


def _subject(path: Path) -> str:
    text = where(path.name)
    return text[:1].upper() + text[1:]


def _refuse(path: Path, problem: str) -> InputError:
    return InputError(f"{_subject(path)} {problem}. {SAVE_AS_UTF8}")


def decode(path: Path, data: bytes) -> str:
    """The text of a CSV file: BOM, then UTF-16 without BOM, UTF-8, then cp1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(path, data, encoding)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(path, data, utf16)
    if b"\x00" in data:
        raise _refuse(path, "bukan teks CSV (berisi byte biner), mungkin berkas lain yang "
                      "diberi nama .csv")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    high = sum(len(m) for m in _HIGH_RUN.findall(data))
    if text is None or _CONTROL.search(text) or high > max(8, data.count(b"\n") // 2):
        raise _refuse(path, "memakai pengodean huruf yang tidak dikenali (bukan UTF-8, "
                      "UTF-16 atau Windows-1252), sehingga nama dan angka akan terbaca "
                      "rusak")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit in every other byte of the first 4 KB."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    pairs = len(sample) // 2
    if odd >= 0.9 * pairs * 0.5 and even < odd // 10:
        return "utf-16-le"
    if even >= 0.9 * pairs * 0.5 and odd < even // 10:
        return "utf-16-be"
    return None


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise _refuse(path, f"tampak berformat {encoding.upper().replace('-SIG', '')} "
                      "tetapi isinya tidak sah (rusak atau terpotong)") from None
    if "\x00" in text:
        raise _refuse(path, "bukan teks CSV (berisi byte biner)")
    return text


def rows(path: Path, text: str, delimiter: str) -> list[list[str]]:
    """Parse with the csv module's own field limit (131,072 characters, larger than any
    Excel cell); a longer field is nearly always a quote that was never closed."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            limit = f"{csv.field_size_limit():,}".replace(",", ".")
            raise InputError(
                f"{_subject(path)} baris {line} berisi satu kolom lebih dari {limit} karakter "
                "(mungkin tanda kutip \" yang tidak ditutup). Periksa baris itu atau ekspor "
                "ulang berkasnya.") from None
        raise InputError(f"{_subject(path)} baris {line} tidak dapat dibaca sebagai CSV "
                         f"({exc}). Periksa baris itu atau ekspor ulang berkasnya.") from None
