"""The opt-out list: phone numbers that must never be messaged (the customer asked).

Kept in the users store (``settings.users_file``, or the team database in team mode), not
in the journal: a team that shares its users store shares the opt-out list with it, so a
customer who said "stop" to one clerk is skipped by every clerk; and it is edited under the
same roles (supervisor only, once users exist). Numbers are stored and compared in E.164.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

from tagihlite.auth.audit import open_audit
from tagihlite.auth.identity import require_supervisor
from tagihlite.errors import InputError
from tagihlite.settings import Settings

Clock = Callable[[], float]


@dataclass(frozen=True)
class OptOut:
    number: str  # E.164
    reason: str
    added_by: str
    added_at: float


def to_e164(number: str, region: str = "ID") -> str:
    """``0812-3456-7890`` / ``62812...`` / ``+62 812 ...`` -> ``+628123456789``."""
    from tagihlite.core.parse import phone

    read = phone(number, region)  # the number a person reads, as for the sheet's cells
    if read.e164:
        return read.e164
    if read.reason != "phone_not_mobile":  # "0812 3456 7891 2" is not +62812345678912
        raise InputError("Nomor telepon tidak valid. Tulis mis. 0812-3456-7890 atau "
                         "+62 812 3456 7890.")
    text = number.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("62") and len(digits) > 9:
        text = "+" + digits  # 62812... written without the plus
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise InputError("Nomor telepon tidak valid. Tulis mis. 0812-3456-7890 atau "
                         "+62 812 3456 7890.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: str) -> str:
    """What the audit log keeps of a number: enough to recognise, not to dial."""
    return e164[:5] + "*" * max(0, len(e164) - 8) + e164[-3:]


def load_opted_out(settings: Settings) -> frozenset[str]:
    """Every opted-out number in E.164 (empty when there is no store yet)."""
    from tagihlite.auth import store

    if not store.exists(settings):
        return frozenset()
    with store.open_store(settings) as conn:
        return frozenset(str(r[0]) for r in conn.execute("SELECT number FROM opt_out"))


def list_opt_outs(settings: Settings) -> list[OptOut]:
    from tagihlite.auth import store

    if not store.exists(settings):
        return []
    with store.open_store(settings) as conn:
        rows = conn.execute("SELECT number, reason, added_by, added_at FROM opt_out "
                            "ORDER BY added_at, number").fetchall()
    return [OptOut(r[0], r[1], r[2], float(r[3])) for r in rows]


def add_opt_out(settings: Settings, number: str, reason: str = "", *,
                clock: Clock = time.time) -> tuple[str, bool]:
    """Add a number (supervisor only once users exist): (E.164, newly added?)."""
    from tagihlite.auth import store

    actor = require_supervisor(settings, "mengubah daftar tolak", clock=clock)
    e164 = to_e164(number, settings.region)
    with store.open_store(settings) as conn:
        cursor = conn.execute("INSERT OR IGNORE INTO opt_out (number, reason, added_by, "
                              "added_at) VALUES (?, ?, ?, ?)",
                              (e164, reason.strip(), actor.name, clock()))
        added = cursor.rowcount == 1
    if added:
        open_audit(settings, clock=clock).append("optout_add", actor.name,
                                                            number=mask(e164))
    return e164, added


def remove_opt_out(settings: Settings, number: str, *, clock: Clock = time.time
                   ) -> tuple[str, bool]:
    from tagihlite.auth import store

    actor = require_supervisor(settings, "mengubah daftar tolak", clock=clock)
    e164 = to_e164(number, settings.region)
    if not store.exists(settings):
        return e164, False
    with store.open_store(settings) as conn:
        removed = conn.execute("DELETE FROM opt_out WHERE number = ?", (e164,)).rowcount == 1
    if removed:
        open_audit(settings, clock=clock).append("optout_remove", actor.name,
                                                            number=mask(e164))
    return e164, removed
