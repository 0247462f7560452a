"""Did reminders work? For each reminder: was the bill paid after it, and how fast.

A payment is credited to the last reminder sent before it (same bill): a reminder counts
as *paid* when its bill was settled (payments reached what it owed) on or after the day it
was sent and before the bill's next reminder. ``days`` is settlement day minus sending day.
Rupiah *collected* after a reminder is every payment of the bill in that same window
(partial payments included). Figures are grouped per level, per channel and per operator.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

WINDOWS = (3, 7, 14)  # "paid within N days"


@dataclass(frozen=True)
class ReminderOutcome:
    customer_id: str
    period: str
    level: int
    channel: str
    operator: str
    sent_on: dt.date
    paid_days: int | None  # None: not settled in this reminder's window
    collected: int


def outcomes(reminders: Iterable[Any], payments: Iterable[Any],
             settled_on: Mapping[tuple[str, str], dt.date | None]) -> list[ReminderOutcome]:
    """``reminders``: customer_id, period, level, channel, operator, sent_on;
    ``payments``: customer_id, period, paid_on, amount; ``settled_on``: bill -> day."""
    by_bill: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in reminders:
        by_bill[(r.customer_id, r.period)].append(r)
    paid_by_bill: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for p in payments:
        paid_by_bill[(p.customer_id, p.period)].append(p)
    out = []
    for bill, rems in by_bill.items():
        rems.sort(key=lambda r: (r.sent_on, r.level))
        settled = settled_on.get(bill)
        for i, r in enumerate(rems):
            until = rems[i + 1].sent_on if i + 1 < len(rems) else None

            def inside(day: dt.date, start: dt.date = r.sent_on,
                       until: dt.date | None = until) -> bool:
                return day >= start and (until is None or day < until)

            days = (settled - r.sent_on).days if settled and inside(settled) else None
            collected = sum(p.amount for p in paid_by_bill.get(bill, ()) if inside(p.paid_on))
            out.append(ReminderOutcome(r.customer_id, r.period, r.level, r.channel,
                                       r.operator, r.sent_on, days, collected))
    return out


def _figures(items: list[ReminderOutcome]) -> dict[str, Any]:
    paid = [o.paid_days for o in items if o.paid_days is not None]
    reminded = len(items)
    return {
        "reminded": reminded,
        "paid": len(paid),
        **{f"paid_within_{n}_days": sum(1 for d in paid if d <= n) for n in WINDOWS},
        "rate": round(len(paid) / reminded, 4) if reminded else 0.0,
        "median_days_to_pay": statistics.median(paid) if paid else None,
        "collected": sum(o.collected for o in items),
    }


def summarise(items: list[ReminderOutcome], *, level_names: Mapping[int, str] | None = None,
              channel_labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``report --json`` "effectiveness" object."""
    level_names = level_names or {}
    channel_labels = channel_labels or {}

    def grouped(key: Any, label: Any = None) -> list[dict[str, Any]]:
        groups: dict[Any, list[ReminderOutcome]] = defaultdict(list)
        for o in items:
            groups[key(o)].append(o)
        return [{**({"label": label(k)} if label else {}), "key": k, **_figures(v)}
                for k, v in sorted(groups.items(), key=lambda kv: str(kv[0]))]

    by_level = grouped(lambda o: o.level, lambda k: level_names.get(k, f"Tingkat {k}"))
    for row in by_level:
        row["level"] = row.pop("key")
    by_channel = grouped(lambda o: o.channel, lambda k: channel_labels.get(k, k))
    for row in by_channel:
        row["channel"] = row.pop("key")
    by_operator = grouped(lambda o: o.operator)
    for row in by_operator:
        row["operator"] = row.pop("key")
    return {"total": _figures(items), "by_level": by_level, "by_channel": by_channel,
            "by_operator": by_operator}


def collection_curve(payments: Iterable[Any], reminded: Iterable[tuple[str, str]]
                     ) -> list[dict[str, Any]]:
    """Rupiah paid per day on reminded bills, with the running total (the dashboard curve)."""
    bills = set(reminded)
    per_day: dict[dt.date, int] = defaultdict(int)
    for p in payments:
        if (p.customer_id, p.period) in bills:
            per_day[p.paid_on] += p.amount
    total, out = 0, []
    for day in sorted(per_day):
        total += per_day[day]
        out.append({"date": day.isoformat(), "collected": per_day[day], "cumulative": total})
    return out
