"""Reminder levels (penagihan bertingkat): which reminder a bill is due for, and when.

A level is a window of days relative to the bill's due date (negative = before it). A row's
due date is its Jatuh Tempo, else the 20th of its period (IndiHome's published rule). On a
given day a bill is due for the first level above the last one sent whose window is open
and whose minimum gap since the previous reminder has passed; missed levels are skipped,
never sent late. Pure: the caller passes today (``tagihlite.clock.today()``) and what the
journal knows was sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

DUE_DAY: Final = 20  # pay by the 20th of the period's month


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    from_day: int  # first day of the window, relative to the due date (negative = before)
    to_day: int | None = None  # last day (inclusive); None = no end
    template: str = ""  # template file for this level; empty = the packaged one
    min_days_since_previous: int = 0  # quiet days after any earlier reminder of the bill


DEFAULT_LEVELS: Final[tuple[Level, ...]] = (
    Level(0, "Pengingat", -3, 0),
    Level(1, "Jatuh tempo", 1, 10, min_days_since_previous=1),
    Level(2, "Denda dan isolir", 11, 40, min_days_since_previous=5),
    Level(3, "Pemutusan", 41, None, min_days_since_previous=7),
)


def level_numbers(levels: Sequence[Level]) -> tuple[int, ...]:
    return tuple(lv.number for lv in levels)


def level_name(levels: Sequence[Level], number: int | None) -> str:
    return next((lv.name for lv in levels if lv.number == number), "")


def period_due_date(period: str) -> dt.date | None:
    """``2026-11`` -> 20 November 2026."""
    try:
        year, month = int(period[:4]), int(period[5:7])
        return dt.date(year, month, DUE_DAY)
    except (ValueError, TypeError):
        return None


def effective_due(due: dt.date | None, period: str) -> dt.date | None:
    """The row's Jatuh Tempo, else the 20th of its period."""
    if isinstance(due, dt.datetime):
        return due.date()
    return due if due is not None else period_due_date(period)


@dataclass(frozen=True)
class LevelState:
    """Where one unpaid bill stands on ``today``."""

    days_overdue: int | None  # today - due date (negative before it); None: no due date
    due_level: int | None  # the level to send today; None: nothing due today
    next_reminder: dt.date | None  # when a reminder is next due (today when due_level)
    last_level: int | None  # the highest level already sent


def plan(due: dt.date | None, today: dt.date, sent: Mapping[int, dt.date],
         levels: Sequence[Level]) -> LevelState:
    """The level due today for a bill whose levels ``sent`` (level -> date) went out."""
    last_level = max(sent) if sent else None
    last_sent = max(sent.values()) if sent else None
    if due is None:
        return _undated(today, last_level, last_sent, levels)
    days = (today - due).days
    for lv in sorted(levels, key=lambda x: x.number):
        if last_level is not None and lv.number <= last_level:
            continue
        start = due + dt.timedelta(days=lv.from_day)
        earliest = max(start, today)
        if last_sent is not None:
            earliest = max(earliest, last_sent + dt.timedelta(days=lv.min_days_since_previous))
        if lv.to_day is None or earliest <= due + dt.timedelta(days=lv.to_day):
            return LevelState(days, lv.number if earliest == today else None, earliest,
                              last_level)
    return LevelState(days, None, None, last_level)


def _undated(today: dt.date, last_level: int | None, last_sent: dt.date | None,
             levels: Sequence[Level]) -> LevelState:
    """No Jatuh Tempo and no Periode: an arrears list lists overdue bills, so the first
    reminder is the first level after the due date, and each later one climbs one level
    once its minimum gap has passed."""
    after_due = [lv for lv in sorted(levels, key=lambda x: x.number) if lv.from_day >= 1
                 and (last_level is None or lv.number > last_level)]
    if not after_due:
        return LevelState(None, None, None, last_level)
    lv = after_due[0]
    earliest = today if last_sent is None else max(
        today, last_sent + dt.timedelta(days=max(lv.min_days_since_previous, 1)))
    return LevelState(None, lv.number if earliest == today else None, earliest, last_level)


# -- IndiHome's late-fee facts (template variables) ---------------------------------------

def late_fee(amount: int, month: int = 1) -> int:
    """Late fee: from the 21st 5% (at least Rp5.000); in the next month 10% (at least
    Rp10.000)."""
    if month <= 1:
        return max(round(amount * 5 / 100), 5_000)
    return max(round(amount * 10 / 100), 10_000)


def isolation_date(due: dt.date | None) -> dt.date | None:
    """Isolation starts the day after the due date."""
    return None if due is None else due + dt.timedelta(days=1)


def revoke_date(due: dt.date | None) -> dt.date | None:
    """Unpaid for two months: the service may be revoked from the 20th of month N+2."""
    if due is None:
        return None
    month = due.month + 2
    return dt.date(due.year + (month - 1) // 12, (month - 1) % 12 + 1, DUE_DAY)
