"""Keeping the workbook file true while a command-line send runs.

Before a reminder leaves, its row is *claimed* in the file: ``PERLU CEK`` with a Catatan
saying who is sending it from which computer since when. Outcomes replace the claims as
the run goes. So the file never under-reports: if the process is killed (power cut,
``kill -9``), every row whose reminder may have left says so, and another computer (which
reads the sheet's status when its own journal does not know the row) will not send it
again. Rows claimed but never attempted stay ``PERLU CEK`` until a person checks them;
claims are made in small batches so that is never more than a batch.

Cost: each status write streams the sheet once (:mod:`tagihlite.workbook.sheetpatch`).
Batches are sized so writing takes at most ``OVERHEAD`` of the sending time, and outcomes
are written at least every ``EVERY_SECONDS`` when that budget allows. The pace is measured
in rows of the sending order passed, not rows this PC sent: in team mode the other PCs
take most rows, so a batch of the order is used up several times faster than this PC's
own results come in.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tagihlite.channels.base import Reminder
from tagihlite.clock import now
from tagihlite.core import columns as C
from tagihlite.core.vocab import Status
from tagihlite.core.writeplan import KEEP, ColumnWrite, WritePlan
from tagihlite.errors import TagihError
from tagihlite.sending import RowResult
from tagihlite.workflow import Analysis, row_values

OVERHEAD = 0.1
EVERY_SECONDS = 10.0
MIN_BATCH, MAX_BATCH = 5, 2000


def claim_note(operator: str) -> str:
    return (f"Sedang dikirim oleh {operator} dari komputer {socket.gethostname()} sejak "
            f"{now().strftime('%d-%m-%Y %H:%M')} WIB. Jika status ini tidak berubah, "
            "periksa di WhatsApp sebelum mengirim ulang.")


class SendProgress:
    """Claims rows before sending and writes outcomes during the run (main thread only)."""

    def __init__(self, path: Path, analysis: Analysis, plan: WritePlan, *, operator: str,
                 write: Callable[[Path, WritePlan], Any],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path, self.analysis, self.plan = path, analysis, plan
        self.write, self.clock = write, clock
        self.note = claim_note(operator)
        self.order: list[int] = []  # rows in sending order
        self.position: dict[int, int] = {}  # row -> index in order
        self.next = 0  # index into order of the first unclaimed row
        self.reached = 0  # index into order just past the last row handed to the channel
        self.claimed: set[int] = set()
        self.handed: set[int] = set()  # rows handed to the channel (journal claim won)
        self.outcomes: dict[int, dict[str, Any]] = {}
        self.last_flush = clock()
        self.last_cost = 0.0
        self.batch_started = clock()
        self.batch_from = 0  # index into order of the first row after the last claim write
        self.writes = 0
        self.error: TagihError | None = None

    def start(self, reminders: list[Reminder]) -> None:
        """The first write, before the first message: the whole plan (every conflict is
        found now, while nothing has been sent) with the first batch claimed."""
        self.order = [r.row for r in reminders]
        self.position = {row: i for i, row in enumerate(self.order)}
        rows = self._claim_batch(MIN_BATCH)
        plan = self.plan
        status, note = plan.column(C.STATUS), plan.column(C.NOTE)
        index = {r: i for i, r in enumerate(plan.row_numbers)}
        saved = list(status.values), list(note.values)
        for r in rows:
            status.values[index[r]] = Status.NEEDS_CHECK
            note.values[index[r]] = self.note
        try:
            self._timed(plan)
        finally:
            status.values, note.values = saved
        self.batch_started = self.last_flush

    def before_send(self, reminder: Reminder) -> None:
        """Called once the journal has claimed the reminder, before the channel is: the
        file must say so before the message can leave."""
        if self.error is not None:  # an outcome write failed: stop before the next send
            raise self.error
        self.reached = max(self.reached, self.position.get(reminder.row, -1) + 1)
        self.handed.add(reminder.row)
        if reminder.row in self.claimed:
            return
        self.flush(claim=True, also=reminder.row)

    def done(self, result: RowResult) -> None:
        self.outcomes[result.reminder.row] = row_values(result, self.analysis)
        waited = self.clock() - self.last_flush
        if self.error is None and waited >= max(EVERY_SECONDS, self.last_cost / OVERHEAD):
            try:
                self.flush(claim=False)
            except TagihError as exc:  # e.g. Excel opened the file: the send loop stops
                self.error = exc

    def abandon(self) -> None:
        """The run ended without the journal (team server gone), so the usual write-back
        from the journal cannot happen: write the outcomes known here, and give rows
        claimed in the file but never handed to the channel their status back. Those rows
        were certainly not sent from this PC; left PERLU CEK in every PC's copy they would
        be sent by no one. Rows handed to the channel keep their claim or outcome."""
        index = {r: i for i, r in enumerate(self.plan.row_numbers)}
        unsent = sorted(r for r in self.claimed - self.handed if r in index)
        outcomes, self.outcomes = self.outcomes, {}
        touched = sorted({*unsent, *outcomes})
        if not touched:
            return
        self._timed(self._rows_plan(touched, outcomes, lambda c, r: (
            c.values[index[r]] if c.header in (C.STATUS, C.NOTE)  # as the first write left it
            else KEEP)))
        self.claimed -= set(unsent)

    def flush(self, *, claim: bool, also: int | None = None) -> None:
        size = self._batch_size() if claim else 0
        rows = self._claim_batch(size) if claim else []
        if also is not None and also not in self.claimed:  # sent out of the planned order
            self.claimed.add(also)
            rows.append(also)
        outcomes, self.outcomes = self.outcomes, {}
        touched = sorted({*rows, *outcomes})
        if not touched:
            return
        claim_values = {C.STATUS: Status.NEEDS_CHECK, C.NOTE: self.note}
        self._timed(self._rows_plan(touched, outcomes,
                                    lambda c, r: claim_values.get(c.header, KEEP)))
        if claim:  # the pace is measured from here, from the row that asked for it
            self.batch_started, self.batch_from = self.clock(), max(self.reached - 1, 0)
        else:  # an outcome write is no sending time
            self.batch_started += self.last_cost

    def _rows_plan(self, rows: list[int], outcomes: dict[int, dict[str, Any]],
                   other: Callable[[ColumnWrite, int], Any]) -> WritePlan:
        """A write of ``rows`` only: a row's outcome where there is one, else ``other``."""
        columns = [ColumnWrite(col=c.col, header=c.header, new=False,
                               values=[outcomes[r].get(c.header, KEEP) if r in outcomes
                                       else other(c, r) for r in rows],
                               formulas=c.formulas, number_format=c.number_format)
                   for c in self.plan.columns]
        return WritePlan(sheet=self.plan.sheet, header_row=self.plan.header_row,
                         row_numbers=rows, columns=columns)

    def _batch_size(self) -> int:
        """Rows of the order that take ``last_cost / OVERHEAD`` to pass at the pace seen
        since the last claim write (the row that asks for this write excluded)."""
        passed = self.reached - 1 - self.batch_from
        if passed <= 0:
            return MIN_BATCH
        per_row = max((self.clock() - self.batch_started) / passed, 1e-6)
        return max(MIN_BATCH, min(MAX_BATCH, int(self.last_cost / OVERHEAD / per_row)))

    def _claim_batch(self, size: int) -> list[int]:
        # Rows passed without a send (another PC's, or refused) need no claim from us.
        self.next = max(self.next, self.reached - 1)
        rows = self.order[self.next:self.next + size]
        self.next += len(rows)
        self.claimed.update(rows)
        return rows

    def _timed(self, plan: WritePlan) -> None:
        began = self.clock()
        self.write(self.path, plan)
        self.last_flush = self.clock()
        self.last_cost = self.last_flush - began
        self.writes += 1
