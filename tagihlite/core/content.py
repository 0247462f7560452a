"""What a column's values look like: evidence for which field it is.

Used when a header alone does not decide (``Kolom1``, ``Total``, two ``No HP`` columns).
Each value is put in the kinds it could be; :func:`column_evidence` gives the share of a
sample per kind. Also THBL, Telkom's ``YYYYMM`` period (``202611`` -> ``2026-11``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Final

from tagihlite.core.columns import header_key
from tagihlite.core.parse import PAID_WORDS, UNPAID_WORDS, date_value

KINDS: Final = ("phone", "service", "amount", "paid", "date", "period", "name")

_MOBILE = re.compile(r"(?:\+?62|0)?8\d{7,11}")
_SERVICE = re.compile(r"\d{10,13}")
_RUPIAH = re.compile(r"(?:rp\.?|idr)?\s*\d{1,3}(?:[.,]\d{3})+(?:,00|\.00)?|(?:rp\.?|idr)\s*\d+",
                     re.IGNORECASE)
_PERIOD_TEXT = re.compile(r"(20\d\d)[-/.]?(0[1-9]|1[0-2])|(0?[1-9]|1[0-2])[-/.](20\d\d)")
_LETTERS = re.compile(r"[A-Za-z]")
_PHONE_JUNK = re.compile(r"[\s\-().]")


def thbl_period(value: Any) -> str | None:
    """Telkom's THBL (tahun-bulan) period: ``202611`` or ``"202611"`` -> ``"2026-11"``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip()
    if len(text) != 6 or not text.isdigit():
        return None
    year, month = int(text[:4]), int(text[4:])
    if 2000 <= year <= 2099 and 1 <= month <= 12:
        return f"{year:04d}-{month:02d}"
    return None


def value_kinds(value: Any) -> frozenset[str]:
    """Every kind a single (non-blank) cell value could be."""
    if isinstance(value, bool):
        return frozenset()
    if isinstance(value, (dt.date, dt.datetime)):
        return frozenset({"date"})
    kinds: set[str] = set()
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return frozenset({"amount"}) if value > 0 else frozenset()
        digits = str(int(value))
        if thbl_period(value):
            kinds.add("period")
        if _MOBILE.fullmatch(digits):
            kinds.add("phone")
        elif _SERVICE.fullmatch(digits):
            kinds.add("service")
        elif 1000 <= value < 10**10:
            kinds.add("amount")
        return frozenset(kinds)
    text = str(value).strip()
    if not text:
        return frozenset()
    compact = _PHONE_JUNK.sub("", text)
    if compact.lstrip("+").isdigit():
        if _MOBILE.fullmatch(compact):
            kinds.add("phone")
        elif _SERVICE.fullmatch(compact):
            kinds.add("service")
        elif thbl_period(compact):
            kinds.add("period")
        elif len(compact) <= 10 and int(compact.lstrip("+")) >= 1000:
            kinds.add("amount")
        return frozenset(kinds)
    if _RUPIAH.fullmatch(text):
        return frozenset({"amount"})
    key = header_key(text)
    if key in PAID_WORDS or key in UNPAID_WORDS:
        return frozenset({"paid"})
    if _PERIOD_TEXT.fullmatch(text):
        kinds.add("period")
    if date_value(text) is not None:
        kinds.add("date")
    if not kinds and len(_LETTERS.findall(text)) >= max(2, 0.6 * len(text.replace(" ", ""))):
        kinds.add("name")
    return frozenset(kinds)


def column_evidence(values: Sequence[Any]) -> dict[str, float]:
    """Kind -> share of the (non-blank) sample that could be that kind."""
    if not values:
        return {}
    counts: dict[str, int] = {}
    for v in values:
        for k in value_kinds(v):
            counts[k] = counts.get(k, 0) + 1
    return {k: n / len(values) for k, n in counts.items()}
