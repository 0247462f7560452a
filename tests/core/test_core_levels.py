"""Reminder level rules (pure): windows, gaps, skipped levels, undated bills, fee facts."""

from __future__ import annotations

import datetime as dt

import pytest

from tagihlite.core.levels import (
    DEFAULT_LEVELS,
    effective_due,
    isolation_date,
    late_fee,
    plan,
    revoke_date,
)

DUE = dt.date(2026, 12, 20)


def d(day: int, month: int = 12) -> dt.date:
    return dt.date(2026 if month == 12 else 2027, month, day)


@pytest.mark.parametrize(("today", "level", "next_date"), [
    (d(16), None, d(17)),  # 4 days before: level 0 opens on the 17th
    (d(17), 0, d(17)),
    (d(20), 0, d(20)),  # the due date itself is still the friendly reminder
    (d(21), 1, d(21)),
    (d(30), 1, d(30)),
    (d(31), 2, d(31)),
    (d(29, 1), 2, d(29, 1)),
    (d(30, 1), 3, d(30, 1)),
])
def test_due_level_by_days_overdue_with_nothing_sent(today, level, next_date):
    state = plan(DUE, today, {}, DEFAULT_LEVELS)
    assert (state.due_level, state.next_reminder) == (level, next_date)
    assert state.days_overdue == (today - DUE).days


def test_a_sent_level_is_never_due_again_and_the_gap_holds_the_next():
    sent = {0: d(20)}
    assert plan(DUE, d(20), sent, DEFAULT_LEVELS).due_level is None
    state = plan(DUE, d(20), sent, DEFAULT_LEVELS)
    assert state.next_reminder == d(21) and state.last_level == 0
    # level 1 sent on the 25th: level 2 waits for its window (31st), not for the gap (30th)
    state = plan(DUE, d(26), {0: d(20), 1: d(25)}, DEFAULT_LEVELS)
    assert (state.due_level, state.next_reminder) == (None, d(31))
    # level 2 sent late (28 Jan): level 3 opens on 30 Jan, but the 7-day gap says 4 Feb
    state = plan(DUE, d(30, 1), {2: d(28, 1)}, DEFAULT_LEVELS)
    assert (state.due_level, state.next_reminder) == (None, dt.date(2027, 2, 4))


def test_missed_levels_are_skipped_and_a_forced_higher_level_stops_lower_ones():
    # first seen 15 days late: straight to level 2, never level 0 or 1 afterwards
    assert plan(DUE, d(4, 1), {}, DEFAULT_LEVELS).due_level == 2
    state = plan(DUE, d(22), {3: d(21)}, DEFAULT_LEVELS)  # someone forced level 3
    assert (state.due_level, state.next_reminder, state.last_level) == (None, None, 3)


def test_undated_bill_starts_after_the_due_date_and_climbs_per_gap():
    assert plan(None, d(5), {}, DEFAULT_LEVELS).due_level == 1
    state = plan(None, d(5), {1: d(4)}, DEFAULT_LEVELS)
    assert (state.due_level, state.next_reminder) == (None, d(9))  # level 2 gap: 5 days
    assert plan(None, d(9), {1: d(4)}, DEFAULT_LEVELS).due_level == 2
    assert plan(None, d(9), {3: d(4)}, DEFAULT_LEVELS).next_reminder is None


def test_due_date_falls_back_to_the_periods_20th_and_fee_facts():
    assert effective_due(None, "2026-11") == dt.date(2026, 11, 20)
    assert effective_due(dt.date(2026, 11, 25), "2026-11") == dt.date(2026, 11, 25)
    assert (late_fee(1_250_000), late_fee(50_000)) == (62_500, 5_000)
    assert (late_fee(1_250_000, 2), late_fee(50_000, 2)) == (125_000, 10_000)
    assert isolation_date(dt.date(2026, 11, 20)) == dt.date(2026, 11, 21)
    assert revoke_date(dt.date(2026, 11, 20)) == dt.date(2027, 1, 20)
