"""SendProgress sizes its claim batches by the pace of the sending ORDER, so in team mode
(other PCs take most rows) the file claims still cost about OVERHEAD of the time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tagihlite.channels.base import Reminder
from tagihlite.core import columns as C
from tagihlite.core.vocab import Status
from tagihlite.core.writeplan import ColumnWrite, WritePlan
from tagihlite.sending import RowResult
from tagihlite.workbook import progress
from tagihlite.workbook.progress import SendProgress

ROWS = 4000
WRITE_COST = 0.5  # seconds per file write (streams the whole sheet whatever the batch)
PER_POSITION = 0.005  # seconds per row of the order, whoever sends it


def _reminder(row: int) -> Reminder:
    return Reminder(key=f"{row}|2026-11|1", customer_id=str(row), period="2026-11", level=1,
                    row=row, name=f"P{row}", phone="+6281270000001", amount=1, due_date=None,
                    message="m")


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _run(monkeypatch: pytest.MonkeyPatch, own_every: int, gap: range = range(0)
         ) -> tuple[float, int, list[list[tuple[Any, ...]]]]:
    """This PC sends every ``own_every``-th row but none in ``gap`` (the others are the
    other PCs'). Returns the share of time spent writing, the writes, and what each write
    claimed."""
    monkeypatch.setattr(progress, "row_values", lambda result, analysis: {})
    clock = Clock()
    rows = list(range(2, ROWS + 2))
    plan = WritePlan("Tagihan", 1, rows, [
        ColumnWrite(10, C.STATUS, False, [""] * ROWS),
        ColumnWrite(11, C.NOTE, False, [""] * ROWS)])
    written: list[list[tuple[Any, ...]]] = []

    def write(path: Path, p: WritePlan) -> None:
        clock.t += WRITE_COST
        written.append(list(zip(p.row_numbers, p.columns[0].values, strict=True)))

    sheet = SendProgress(Path("t.xlsx"), None, plan, operator="Budi",  # type: ignore[arg-type]
                         write=write, clock=clock)
    reminders = [_reminder(r) for r in rows]
    sheet.start(reminders)
    started = clock.t
    for i, r in enumerate(reminders):
        clock.t += PER_POSITION
        if i % own_every == 0 and r.row not in gap:
            sheet.before_send(r)
            assert r.row in sheet.claimed  # in the file before the message leaves
            sheet.done(RowResult(r, "accepted", "", dt.datetime(2026, 11, 1), "Budi", "cloud"))
    claims = [w for w in written[1:] if any(v == Status.NEEDS_CHECK for _, v in w)]
    writing = WRITE_COST * len(claims) / (clock.t - started)
    return writing, len(claims), written


@pytest.mark.parametrize("own_every", [1, 4])
def test_claim_writes_cost_about_overhead_alone_and_in_a_team(
        monkeypatch: pytest.MonkeyPatch, own_every: int) -> None:
    writing, writes, _ = _run(monkeypatch, own_every)
    assert writes > 3
    assert writing <= progress.OVERHEAD * 1.2  # 4 PCs: not 4 times the budget


def test_rows_other_pcs_took_meanwhile_are_not_claimed_in_this_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    gap = range(500, 2500)  # e.g. this PC waited while the others sent these
    _, _, written = _run(monkeypatch, 1, gap)
    claimed = {row for w in written for row, value in w if value == Status.NEEDS_CHECK}
    assert set(range(2, ROWS + 2)) - set(gap) <= claimed
    # only the batch claimed just before the pause reaches into the gap
    assert len(claimed & set(gap)) <= max(len(w) for w in written[1:])


def test_abandon_gives_unsent_claims_back_and_keeps_every_row_handed_over(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The team server went away: no journal write-back. Rows this PC handed to the channel
    keep their claim (or outcome); rows only claimed get their first status back, so the
    rerun on any PC's copy can send them."""
    monkeypatch.setattr(progress, "row_values", lambda result, analysis: {C.STATUS: "SENT"})
    rows = list(range(2, 42))
    plan = WritePlan("Tagihan", 1, rows, [
        ColumnWrite(10, C.STATUS, False, ["SIAP"] * 40),
        ColumnWrite(11, C.NOTE, False, [""] * 40)])
    written: list[dict[int, Any]] = []

    def write(path: Path, p: WritePlan) -> None:
        written.append(dict(zip(p.row_numbers, p.columns[0].values, strict=True)))

    sheet = SendProgress(Path("t.xlsx"), None, plan, operator="Budi",  # type: ignore[arg-type]
                         write=write, clock=Clock())
    reminders = [_reminder(r) for r in rows]
    sheet.start(reminders)
    for r in reminders[:7]:
        sheet.before_send(r)
    sheet.done(RowResult(reminders[0], "accepted", "", dt.datetime(2026, 11, 1), "B", "cloud"))
    claimed_only = sheet.claimed - {r.row for r in reminders[:7]}
    assert claimed_only  # a batch runs ahead of the sends
    sheet.abandon()
    last = written[-1]
    assert last[2] == "SENT"  # its outcome
    assert all(row not in last for row in range(3, 9))  # in flight: still PERLU CEK
    assert {row for row, v in last.items() if v == "SIAP"} == claimed_only
