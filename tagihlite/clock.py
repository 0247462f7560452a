"""The one clock every time-dependent rule reads (WIB), and how tests and clerks pin it.

``tagihlite --now 2026-12-05T21:00`` or ``--today 2026-12-05`` (any command), or the
environment variable ``TAGIHLITE_NOW`` (same formats; reaches the Excel shell and child
processes), fix "now" so quiet hours, reminder levels and dates are reproducible. Nothing
else in TagihLite should call ``datetime.now()`` for a business decision.
"""

from __future__ import annotations

import datetime as dt
import os

from tagihlite.core.formats import WIB
from tagihlite.errors import InputError

ENV = "TAGIHLITE_NOW"
_pinned: dt.datetime | None = None


def parse(text: str) -> dt.datetime:
    """``YYYY-MM-DD`` (start of that day) or ``YYYY-MM-DDTHH:MM[:SS]``, read as WIB."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"Waktu '{text}' tidak dikenali: tulis YYYY-MM-DD atau "
                         "YYYY-MM-DDTHH:MM (WIB), mis. 2026-12-05T09:30.") from None
    return value.astimezone(WIB) if value.tzinfo else value.replace(tzinfo=WIB)


def pin(value: dt.datetime | str | None) -> None:
    """Fix "now" for this process (``None`` = the real clock again)."""
    global _pinned
    _pinned = parse(value) if isinstance(value, str) else value


def now() -> dt.datetime:
    """Aware datetime in WIB."""
    if _pinned is not None:
        return _pinned
    if os.environ.get(ENV):
        return parse(os.environ[ENV])
    return dt.datetime.now(WIB)


def today() -> dt.date:
    return now().date()
