"""Everything the supervisor's dashboard shows, gathered once for every output
(``report --json``, ``report --html``, ``report --write`` and the ribbon's Laporan)."""

from __future__ import annotations

from typing import Any

from tagihlite import clock
from tagihlite.core.effectiveness import collection_curve, outcomes, summarise


def effectiveness(journal: Any, settings: Any) -> dict[str, Any]:
    """The "effectiveness" object plus the collection curve, from the journal."""
    from tagihlite.channels import LABELS
    from tagihlite.core.payments import settlements
    from tagihlite.journal.history import sent_reminders
    from tagihlite.journal.payments import open_payments

    reminders = sent_reminders(journal)
    book = open_payments(journal)
    payments = book.payments() if book is not None else []
    bills = book.bills() if book is not None else {}
    settled = {k: s.settled_on for k, s in settlements(payments, bills).items()}
    items = outcomes(reminders, payments, settled)
    names = {lv.number: lv.name for lv in settings.levels}
    out = summarise(items, level_names=names, channel_labels=LABELS)
    out["curve"] = collection_curve(payments, {(r.customer_id, r.period) for r in reminders})
    return out


def dashboard(analysis: Any, journal: Any, report: Any) -> dict[str, Any]:
    """Status summary (``report``) + effectiveness, as plain JSON-ready data."""
    return {
        "generated": clock.now().replace(tzinfo=None, microsecond=0).isoformat(),
        "sheet": analysis.table.sheet,
        "rows": len(analysis.ledger),
        **report.as_dict(),
        "effectiveness": effectiveness(journal, analysis.settings),
    }
