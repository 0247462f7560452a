"""Turning raw cell values into typed fields: customer number, amount, paid flag, phone,
dates and billing period. Pure functions, cached where a 100,000-row sheet repeats values.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

from tagihlite.core.columns import header_key

EXCEL_EPOCH = dt.date(1899, 12, 30)

# --- customer number -------------------------------------------------------------------


_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+?\d+")  # "1.41234567891E+11" typed as text


def customer_id(value: Any) -> str | None:
    """Indibiz number as text. Floats Excel made of long numbers come back as digits."""
    kind = type(value)
    if kind is str:
        text = value.strip()
        if text.isdigit():  # the common case, kept cheap for 100,000-row sheets
            return text
        text = text.lstrip("'").strip()
    elif value is None or kind is bool:
        return None
    elif kind is int:
        return str(value)
    elif kind is float:
        if value != value:  # NaN: an empty cell from a numeric column
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    else:
        text = str(value).strip()
    if not text:
        return None
    if _SCIENTIFIC.fullmatch(text):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number == number.to_integral_value():
            return str(int(number))
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


# --- amount ------------------------------------------------------------------------------

_RP = re.compile(r"^(rp\.?|idr)\s*", re.IGNORECASE)
_ID_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")  # 1.250.000 / 1.250.000,00
_EN_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$")  # 1,250,000 / 1,250,000.00
_PLAIN = re.compile(r"^\d+([.,]\d{1,2})?$")  # 1250000 / 1250000,50
_DASH_END = re.compile(r",-+$|\.-+$")


class Amount(NamedTuple):
    value: int | None
    reason: str | None  # None, "amount_zero" or "amount_invalid"


AMOUNT_INVALID = Amount(None, "amount_invalid")
AMOUNT_ZERO = Amount(0, "amount_zero")


_AMOUNTS: dict[int, Amount] = {}  # bills repeat amounts: share one object per value


def _from_int(n: int) -> Amount:
    if n > 0:
        found = _AMOUNTS.get(n)
        if found is None:
            found = _AMOUNTS[n] = Amount(n, None)
            if len(_AMOUNTS) > 100_000:
                _AMOUNTS.clear()
        return found
    return AMOUNT_ZERO if n == 0 else AMOUNT_INVALID


def _whole(number: Decimal | float) -> Amount:
    if number != number or number in (float("inf"), float("-inf")):
        return AMOUNT_INVALID  # NaN / infinity: round() would raise
    rounded = round(number)
    if abs(Decimal(str(number)) - rounded) > Decimal("0.01"):
        return AMOUNT_INVALID  # Rupiah bills have no cents: this is a mistake
    return _from_int(int(rounded))


@lru_cache(maxsize=65536)
def _amount_text(text: str) -> Amount:
    t = _RP.sub("", text.strip()).replace("\u00a0", "").replace(" ", "")
    t = _DASH_END.sub("", t)  # "750.000,-"
    if not t:
        return Amount(None, "amount_invalid")
    if _ID_THOUSANDS.match(t):
        whole, _, cents = t.partition(",")
        return _whole(Decimal(whole.replace(".", "") + ("." + cents if cents else "")))
    if _EN_THOUSANDS.match(t):
        return _whole(Decimal(t.replace(",", "")))
    if _PLAIN.match(t):
        head, sep, tail = t.replace(",", ".").partition(".")
        if sep and len(tail) == 3:  # "1.250": a thousands dot, not decimals
            return _whole(Decimal(head + tail))
        return _whole(Decimal(t.replace(",", ".")))
    return Amount(None, "amount_invalid")


def amount(value: Any) -> Amount:
    kind = type(value)
    if kind is int:
        return _from_int(value)
    if kind is float:
        if value.is_integer():
            return _from_int(int(value))
        return _whole(value)
    if kind is str:
        return _amount_text(value)
    if value is None or kind is bool:
        return AMOUNT_INVALID
    return _amount_text(str(value))


# --- paid status -------------------------------------------------------------------------

PAID_WORDS = frozenset(header_key(w) for w in (
    "LUNAS", "SUDAH BAYAR", "SUDAH LUNAS", "PAID", "TERBAYAR", "SUDAH DIBAYAR", "BAYAR",
    "SELESAI", "Y", "YA", "YES", "OK"))
UNPAID_WORDS = frozenset(header_key(w) for w in (
    "BELUM BAYAR", "BELUM LUNAS", "UNPAID", "BELUM", "TIDAK", "N", "NO", "TUNGGAK",
    "MENUNGGAK", "NUNGGAK", "OUTSTANDING", "BELUM DIBAYAR", "TERTUNGGAK"))


def paid(value: Any) -> bool | None:
    """True paid, False unpaid (blank counts as unpaid), None: a word we do not know."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    key = header_key(value)
    if not key:
        return False
    if key in PAID_WORDS:
        return True
    if key in UNPAID_WORDS:
        return False
    return None


# --- phone ------------------------------------------------------------------------------


class Phone(NamedTuple):
    e164: str | None
    reason: str | None  # None or phone_missing / phone_invalid / phone_not_mobile
    note: str = ""  # e.g. a second number in the same cell


_JUNK = frozenset({"", "-", "--", "0", "na", "n/a", "tidakada", "kosong", "null", "none"})


def _phone_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _kind(number: Any) -> str:
    import phonenumbers
    from phonenumbers import PhoneNumberType

    if not phonenumbers.is_valid_number(number):
        return "invalid"
    kind = phonenumbers.number_type(number)
    return "mobile" if kind in (PhoneNumberType.MOBILE,
                                PhoneNumberType.FIXED_LINE_OR_MOBILE) else "fixed"


# An Indonesian number written the usual ways, separators removed: a mobile "+62 812-...",
# "62812...", "0812...", "812..." (lost its 0), or any other national number after "0",
# "+62" or "0062" ("0761 31005"). Other shapes ("62761...": country code or not?) take
# phonenumbers' full parse.
# Groups: the national number, and the part of it its kind depends on (see _shape).
_ID_SHAPE = re.compile(r"(?:\+?62|0062|0)?((8\d{3})\d{3,9})"
                       r"|(?:\+62|0062|0)(([1-79]\d{4})\d{1,8})")
_SHAPE_KINDS: dict[tuple[str, int], str] = {}
# The ID metadata _id_kind was derived from (tests/core/test_phone_fastpath.py pins it).
_SHAPE_PREFIX = 5


def _shape(nsn: str) -> tuple[str, int]:
    """The part of an Indonesian national number phonenumbers' verdict depends on.

    Every pattern of the ID metadata (general, fixed line, mobile, toll-free, premium,
    shared cost, UAN) is a literal prefix of at most five digits ("21500") followed by
    digits of a given count: one number of a shape (prefix, length) stands for all. Numbers
    starting with 8 need only four ("8071"): mobile prefixes stay a few dozen shapes.
    """
    return (nsn[:4] if nsn[0] == "8" else nsn[:_SHAPE_PREFIX]), len(nsn)


def _id_kind(nsn: str) -> str:
    """phonenumbers' verdict ('mobile', 'fixed', 'invalid') for an Indonesian national
    number, computed once per shape: parsing costs 30-60 us a number, and 100,000 rows
    would spend seconds there. A test checks it against phonenumbers on random numbers."""
    shape = _shape(nsn)
    kind = _SHAPE_KINDS.get(shape)
    if kind is None:
        import phonenumbers

        kind = _kind(phonenumbers.PhoneNumber(country_code=62, national_number=int(nsn)))
        _SHAPE_KINDS[shape] = kind
    return kind


def _id_number(compact: str) -> tuple[str | None, str] | None:
    """(E.164, kind) of a separator-free Indonesian number; None if it has no usual shape."""
    fast = _ID_SHAPE.fullmatch(compact)
    if fast is None:
        return None
    nsn, head, nsn2, head2 = fast.groups()
    nsn, head = (nsn, head) if nsn else (nsn2, head2)
    kind = _SHAPE_KINDS.get((head, len(nsn))) or _id_kind(nsn)
    return (None if kind == "invalid" else "+62" + nsn), kind


@lru_cache(maxsize=200_000)
def _one_number(candidate: str, region: str) -> tuple[str | None, str]:
    """(E.164, kind) where kind is 'mobile', 'fixed', or 'invalid'."""
    import phonenumbers

    digits = re.sub(r"[^\d+]", "", candidate)
    if not digits:
        return None, "invalid"
    if region == "ID":
        fast = _id_number(digits)
        if fast is not None:
            return fast
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None, "invalid"
    kind = _kind(number)
    if kind == "invalid":
        return None, kind
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind


_COMPACT = str.maketrans("", "", " -.()\u00a0\t")
PHONE_MISSING = Phone(None, "phone_missing")
_BY_KIND = {"fixed": Phone(None, "phone_not_mobile"), "invalid": Phone(None, "phone_invalid")}


def _fast_id_phone(text: str) -> Phone | None:
    """One Indonesian number and nothing else, the common case (no cache: nearly every
    cell is a different number). Only when the cell ends in three digits: "…7891 2",
    "…890.0" or "…789.12" may be a number plus something else, and gluing those digits
    on would text a stranger."""
    if not text[-3:].isdigit():
        return None
    found = _id_number(text if text.isdigit() else text.translate(_COMPACT))
    if found is None:
        return None
    e164, kind = found
    return Phone(e164, None) if kind == "mobile" else _BY_KIND[kind]


@lru_cache(maxsize=20_000)
def _phone_cached(text: str, region: str) -> Phone:
    if region == "ID":
        fast = _fast_id_phone(text)
        if fast is not None:
            return fast
    tail = _FLOAT_TAIL.fullmatch(text)
    if tail:  # 81234567890.0: a number cell exported as text; a person reads the integer
        return _phone_cached(tail.group(1), region)
    if header_key(text) in _JUNK or not re.search(r"\d", text):
        return Phone(None, "phone_missing" if header_key(text) in _JUNK else "phone_invalid")
    parts = [p for p in _SPLIT.split(text) if p]
    if all(_CLEAN.fullmatch(p) for p in parts):
        # Only digits and separators, each part ending in a full digit group: each part is
        # one candidate and cannot hide a glued extension; no need for the (slow) matcher.
        found = [(e, kind, p) for p in parts for e, kind in [_clean_number(p, region)]]
    else:
        found = _numbers_in(text, region)
    if not found:
        return Phone(None, "phone_invalid")
    mobiles = [e for e, kind, _ in found if kind == "mobile"]
    if mobiles:
        notes = []
        if len(found) > 1:
            others = [e or raw for e, _, raw in found if e != mobiles[0]]
            notes.append(f"Sel berisi {len(found)} nomor: dipakai {mobiles[0]}, "
                         f"nomor lain ({', '.join(others)}) tidak dipakai.")
        if _EXTENSION.search(text):
            notes.append("Nomor ekstensi diabaikan.")
        return Phone(mobiles[0], None, " ".join(notes))
    if any(kind == "fixed" for _, kind, _ in found):
        return Phone(None, "phone_not_mobile")
    return Phone(None, "phone_invalid")


_FLOAT_TAIL = re.compile(r"(\+?\d{6,})\.0+")
_SPLIT = re.compile(r"\s*(?:/|;|,|\bdan\b|\batau\b|\bor\b|\n|\|)\s*", re.IGNORECASE)
# Digits and separators only, ending in a group of at least three digits.
_CLEAN = re.compile(r"\+?\(?\d[\d ().\-\u00a0]*[ ().\-\u00a0]\d{3,}|\+?\d{3,}")


def _clean_number(part: str, region: str) -> tuple[str | None, str]:
    """One candidate made of digits and separators only: (E.164, kind)."""
    if region == "ID":
        fast = _id_number(part.translate(_COMPACT))
        if fast is not None:
            return fast
    return _one_number(part, region)


_EXTENSION = re.compile(r"\b(?:ext|ekst|x)\.?\s*\d", re.IGNORECASE)
_GROUPS = re.compile(r"\d+")


def _numbers_in(text: str, region: str) -> list[tuple[str | None, str, str]]:
    """Every phone number a person reads in the cell: (E.164 or None, kind, raw text).

    phonenumbers' matcher finds numbers among words, brackets and separators. It also
    happily reads "0812 3456 7891 2" or "08123456789.12" as one longer number; a number
    whose last digit group is one or two digits long is ambiguous (a complete number plus
    an extension, a decimal tail, a typo) and counts as invalid: no number beats a
    stranger's.
    """
    import phonenumbers
    from phonenumbers import Leniency, PhoneNumberMatcher

    out: list[tuple[str | None, str, str]] = []
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
        raw = match.raw_string
        number = match.number
        body = raw[:_EXTENSION.search(raw).start()] if _EXTENSION.search(raw) else raw
        groups = _GROUPS.findall(body)
        if len(groups) > 1 and len(groups[-1]) <= 2:
            out.append((None, "invalid", raw.strip()))
            continue
        number.extension = None
        kind = _kind(number)
        e164 = (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                if kind != "invalid" else None)
        out.append((e164, kind, raw.strip()))
    # The matcher skips a bare national number that lost its leading 0 ("812345678"),
    # and numbers of other regions written without +: one candidate, digits only.
    if not out and re.fullmatch(r"\+?\d[\d .\-()]*", text) and len(_GROUPS.findall(text)) == 1:
        e164, kind = _one_number(text, region)
        if kind != "invalid":
            out.append((e164, kind, text))
    return out


def phone(value: Any, region: str = "ID") -> Phone:
    if type(value) is str:
        text = value.strip()
    elif value is None or isinstance(value, bool):
        return PHONE_MISSING
    else:
        text = _phone_text(value)
    if region == "ID" and text:
        fast = _fast_id_phone(text)
        if fast is not None:
            return fast
    return _phone_cached(text, region)


def e164(value: Any, region: str = "ID") -> str | None:
    """Any phone format to E.164 (for opt-out lists); None if not a valid number."""
    number, kind = _one_number(_phone_text(value), region)
    return number if kind != "invalid" else None


# --- dates and period --------------------------------------------------------------------

_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "aug": 8, "august": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "october": 10, "november": 11,
    "nov": 11, "nopember": 11, "desember": 12, "des": 12, "dec": 12, "december": 12,
    "january": 1, "february": 2, "march": 3, "june": 6, "july": 7,
}


def date_value(value: Any) -> dt.date | None:
    """A due date from a date cell, an Excel serial number or common Indonesian text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        if 20000 < value < 80000:  # an Excel serial date (1954..2119)
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    return _date_text(str(value).strip())


@lru_cache(maxsize=4096)
def _date_text(text: str) -> dt.date | None:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", text)
    if m:
        y, mo, d = map(int, m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})", text)
        if m:
            d, mo, y = map(int, m.groups())  # Indonesia writes day first
        else:
            m = re.fullmatch(r"(\d{1,2})[\s-]+([A-Za-z]+)[\s-]+(\d{2,4})", text)
            if not m or m.group(2).lower() not in _MONTHS:
                return None
            d, mo, y = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
        if y < 100:
            y += 2000
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def period(value: Any) -> str | None:
    """Billing period as "YYYY-MM" from a date, "2026-11", "11/2026", "November 2026"..."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (int, float)):
        if 190001 <= value <= 299912 and float(value).is_integer():  # 202611
            v = int(value)
            return f"{v // 100:04d}-{v % 100:02d}" if 1 <= v % 100 <= 12 else None
        d = date_value(value)
        return period(d)
    return _period_text(str(value).strip())


@lru_cache(maxsize=4096)
def _period_text(text: str) -> str | None:
    m = re.fullmatch(r"(\d{4})[-/.]?(\d{1,2})", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{int(m.group(2)):04d}-{int(m.group(1)):02d}"
    m = re.fullmatch(r"([A-Za-z]+)[\s'-]*(\d{2,4})", text)
    if m and m.group(1).lower() in _MONTHS:
        y = int(m.group(2))
        return f"{y + 2000 if y < 100 else y:04d}-{_MONTHS[m.group(1).lower()]:02d}"
    d = _date_text(text)
    return period(d) if d else None
