"""What the journal says was sent, shaped for the level rules and the effectiveness report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tagihlite.core.ledger import History
from tagihlite.core.vocab import JournalState
from tagihlite.journal.sqlite import to_wib


@dataclass(frozen=True)
class SentReminder:
    customer_id: str
    period: str
    level: int
    sent_on: dt.date  # WIB date the intent was committed
    channel: str
    operator: str
    amount: int


def split_key(key: str) -> tuple[str, str, int] | None:
    """``customer|period|level`` -> parts; None for a key of another shape."""
    parts = key.rsplit("|", 2)
    if len(parts) != 3:
        return None
    try:
        return parts[0], parts[1], int(parts[2])
    except ValueError:
        return None


def _rows(journal: Any) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(key, state, when, channel, operator) of every reminder, without message texts
    (every click reads this: a large journal's messages would cost megabytes)."""
    path = getattr(journal, "path", None)
    if path is not None and Path(path).exists():
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(path, timeout=30)) as db:
            return db.execute("SELECT key, state, COALESCE(intent_at, finished_at), channel, "
                              "operator FROM reminders").fetchall()
    return [(k, e.state, e.intent_at or e.finished_at, e.channel, e.operator)
            for k, e in journal.entries().items()]


def sent_reminders(journal: Any) -> list[SentReminder]:
    """Every reminder that may have left (the journal's blocking states), oldest first."""
    out = []
    for key, state, at, channel, operator in _rows(journal):
        parts = split_key(key)
        when = to_wib(at)
        if parts is None or when is None or state not in JournalState.BLOCKING:
            continue
        out.append(SentReminder(*parts, when.date(), channel or "", operator or "", 0))
    return sorted(out, key=lambda r: (r.sent_on, r.customer_id, r.level))


def sent_history(journal: Any) -> History:
    """(customer, period) -> {level: date sent} for reminders that may have left."""
    history: dict[tuple[str, str], dict[int, dt.date]] = {}
    for r in sent_reminders(journal):
        history.setdefault((r.customer_id, r.period), {})[r.level] = r.sent_on
    return history
