"""The parts of a reminder key a person can type: the billing period and the level.

Every spelling of a period the clerk may use ("2026/12", "12/2026", "Desember 2026",
"Des 2026", "202612") becomes one canonical "YYYY-MM", so each bill has exactly one key;
anything else is refused, never guessed. A level must be one the settings' [[levels]]
configure.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, Final

from tagihlite.core import parse
from tagihlite.errors import InputError

# Years a billing period can plausibly have: a typo such as 2062 or 206 is refused.
PERIOD_YEARS: Final = range(2000, 2100)

_CANONICAL = re.compile(r"(\d{4})-(\d{2})")


def canonical_period(value: Any, *, what: str = "--period") -> str:
    """``value`` as "YYYY-MM", or an InputError naming ``what`` and the accepted forms."""
    text = str(value).strip() if value is not None else ""
    found = parse.period(text) if text else None
    if found and _CANONICAL.fullmatch(found) and int(found[:4]) in PERIOD_YEARS:
        return found
    raise InputError(
        f"Periode '{text}' ({what}) tidak dikenal. Tulis tahun dan bulan, mis. 2026-12, "
        "12/2026 atau Desember 2026.")


def check_level(value: Any, allowed: Collection[int], *, what: str = "--level") -> int:
    """``value`` as one of the ``allowed`` (configured) level numbers, or an InputError."""
    try:
        level = int(str(value).strip())
    except ValueError:
        level = None
    if level is None or level not in allowed:
        raise InputError(
            f"Tingkat pengingat '{value}' ({what}) tidak berlaku: harus salah satu tingkat "
            f"yang diatur ({', '.join(map(str, sorted(allowed)))}; lihat [[levels]] di "
            "pengaturan).")
    return level


# "Periode: November 2026", "Bulan Tagihan NOVEMBER 2026", "Tagihan bulan 11/2026" ...
_TITLE = re.compile(r"\b(?:periode|period|bulan(?:\s+tagihan)?|tagihan\s+bulan)\b\s*[:=\-]?\s*"
                    r"([A-Za-z]+\.?\s+\d{4}|\d{4}\s*[-/.]\s*\d{1,2}|\d{1,2}\s*[-/.]\s*\d{4})",
                    re.IGNORECASE)


def title_period(lines: list[Any]) -> str | None:
    """The billing period the sheet's title lines state, if they state exactly one."""
    found = set()
    for cell in lines:
        if type(cell) is not str:
            continue
        for m in _TITLE.finditer(cell):
            candidate = re.sub(r"\s+", " ", m.group(1).replace(".", " ")).strip()
            candidate = re.sub(r"\s*([-/])\s*", r"\1", candidate)
            per = parse.period(candidate)
            if per and _CANONICAL.fullmatch(per) and int(per[:4]) in PERIOD_YEARS:
                found.add(per)
    return found.pop() if len(found) == 1 else None


def sheet_name_period(name: str) -> str | None:
    """A sheet named for its period ("Des 2026", "2026-11"): that period."""
    per = parse.period(name.strip()) if re.search(r"\d{4}", name) else None
    return per if per and _CANONICAL.fullmatch(per) and int(per[:4]) in PERIOD_YEARS else None
