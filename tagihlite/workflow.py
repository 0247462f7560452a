"""The actions both shells run: analyse a sheet, render messages, send, plan write-back.

Shell-independent: takes a :class:`~tagihlite.core.table.SheetTable`, returns data and a
:class:`~tagihlite.core.writeplan.WritePlan`. The command line (files) and the Excel add-in
(xlwings) call exactly these functions, so both write the same values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tagihlite.channels import LABELS
from tagihlite.channels.base import Reminder
from tagihlite.core import columns as C
from tagihlite.core.formats import periode, rupiah, tanggal, waktu
from tagihlite.core.gcpause import paused_gc
from tagihlite.core.ledger import (
    History,
    build,
    mark_already_sent,
    mark_message_too_long,
    mark_sent_by_sheet,
    sheet_only_sent,
)
from tagihlite.core.levels import plan as level_plan
from tagihlite.core.messages import MessageTemplate, MessageTooLong, row_context
from tagihlite.core.report import Report, tally
from tagihlite.core.vocab import JournalState, Status
from tagihlite.core.writeplan import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    KEEP,
    ColumnWrite,
    Highlight,
    WritePlan,
    column_letter,
)
from tagihlite.errors import InputError, where
from tagihlite.journal.pgdb import DatabaseUnavailable
from tagihlite.journal.sqlite import Entry, Journal

if TYPE_CHECKING:
    from tagihlite.core.ledger_table import Ledger, LedgerRow
    from tagihlite.core.table import SheetTable
    from tagihlite.sending import AuditHook, RowResult, SendSummary
    from tagihlite.settings import Settings


@dataclass
class Analysis:
    table: SheetTable
    ledger: Ledger
    settings: Settings
    level: int | None  # forced level; None: each row at its due level
    entries: dict[str, Entry] = field(default_factory=dict)
    history: History = field(default_factory=dict)

    @property
    def eligible(self) -> Ledger:
        return self.ledger.eligible

    def rows_for(self, excel_rows: Collection[int] | None) -> Ledger:
        """The eligible rows, or those of them among these Excel rows."""
        if excel_rows is None:
            return self.eligible
        wanted = set(excel_rows)
        return self.ledger.select([ok and row in wanted for ok, row in zip(
            self.ledger["eligible"], self.ledger["row"], strict=True)])


def analyse(table: SheetTable, settings: Settings, *, journal: Journal | None = None,
            period: str | None = None, level: int | None = None,
            opted_out: frozenset[str] = frozenset(),
            fallback_period: str | None = None) -> Analysis:
    """``period`` overrides the data; ``fallback_period`` (else the setting) covers rows
    whose data and title lines name none (else :class:`~tagihlite.core.ledger.PeriodMissing`).
    ``level`` None: each row at its due level (unless ``reminder_level`` forces one).
    """
    from tagihlite.clock import today
    from tagihlite.core.level_settings import check_level
    from tagihlite.journal.history import sent_history
    from tagihlite.journal.payments import settled_bills

    if level is None and settings.reminder_level != -1:
        level = settings.reminder_level
    check_level(level, settings)
    history = sent_history(journal) if journal is not None else {}
    settled = settled_bills(journal) if journal is not None else frozenset()
    with paused_gc():
        ledger = build(table, region=settings.region, period=period, level=level,
                       opted_out=opted_out, today=today(), levels=settings.levels,
                       history=history, settled=settled, max_amount=settings.max_amount,
                       fallback_period=fallback_period or settings.period or None)
    entries = journal.entries(ledger["key"]) if journal is not None else {}
    blocked = {k: _when_text(e) for k, e in entries.items()
               if e.state in JournalState.BLOCKING}
    mark_already_sent(ledger, blocked)
    own_times = None
    if journal is not None:  # only asked when the sheet claims sends this key lacks
        claimed = sheet_only_sent(ledger, entries.keys())
        if claimed:
            cids = ledger["customer_id"]
            own_times = journal.send_times({cids[i] for i in claimed})
    mark_sent_by_sheet(ledger, entries.keys(), own_times)
    return Analysis(table, ledger, settings, level, entries, history)


def _when_text(entry: Entry) -> str:
    when = entry.when
    label = LABELS.get(entry.channel or "", entry.channel or "")
    text = f"{waktu(when)} WIB" if when else "waktu tidak tercatat"
    return f"{text}, {label}" if label else text


def template_constants(settings: Settings) -> dict[str, Any]:
    return {"company": settings.company, "branch": settings.branch, "contact": settings.contact}


def _context(row: LedgerRow, analysis: Analysis) -> dict[str, Any]:
    return row_context(name=row.name, customer_id=row.customer_id, amount=int(row.amount),
                       due_date=row.due_date, period=row.period, level=row.level,
                       rupiah_style=analysis.settings.rupiah_style)


def render_messages(analysis: Analysis, template: MessageTemplate,
                    excel_rows: Collection[int] | None = None) -> dict[int, str]:
    """Excel row -> message, for every eligible row (or the chosen ones)."""
    led = analysis.rows_for(excel_rows)
    style = analysis.settings.rupiah_style
    # Only the columns the message needs: a whole row costs more than the rendering itself.
    columns = zip(led["row"], led["name"], led["customer_id"], led["amount"],
                  led["due_date"], led["period"], led["level"], strict=True)
    needs = template.variables
    render = template.render
    out: dict[int, str] = {}
    too_long: list[int] = []
    with paused_gc():
        for row, name, cid, amount, due, period, level in columns:
            try:
                out[row] = render(row_context(name=name, customer_id=cid, amount=amount,
                                              due_date=due, period=period, level=level,
                                              rupiah_style=style, needs=needs))
            except MessageTooLong:  # this row's problem; the others still go out
                too_long.append(row)
    if too_long:
        mark_message_too_long(analysis.ledger, too_long)
    return out


def build_reminders(analysis: Analysis, template: MessageTemplate,
                    excel_rows: Collection[int] | None = None) -> list[Reminder]:
    out = []
    too_long: list[int] = []
    for r in analysis.rows_for(excel_rows).rows():
        ctx = _context(r, analysis)
        try:
            message = template.render(ctx)
        except MessageTooLong:  # this row's problem; the others still go out
            too_long.append(r.row)
            continue
        fields = {k: str(v) for k, v in {
            "name": r.name, "customer_id": r.customer_id, "amount_rupiah": ctx["amount_rupiah"],
            "due_date_text": tanggal(r.due_date), "period_text": periode(r.period),
            **template_constants(analysis.settings)}.items()}
        out.append(Reminder(key=r.key, customer_id=r.customer_id, period=r.period,
                            level=int(r.level), row=r.row, name=r.name, phone=r.phone,
                            amount=int(r.amount), due_date=r.due_date,
                            message=message, fields=fields))
    if too_long:
        mark_message_too_long(analysis.ledger, too_long)
    return out


def total_rupiah(reminders: Collection[Reminder], style: str = "puebi") -> str:
    return rupiah(sum(r.amount for r in reminders), style)


def send(analysis: Analysis, reminders: list[Reminder], channel: Any, journal: Journal, *,
         operator: str, on_row: Callable[[RowResult], None] | None = None,
         stop: threading.Event | None = None, audit: AuditHook | None = None,
         workbook: str = "", write_back: Callable[[WritePlan], Any] | None = None,
         before_send: Callable[[Reminder], None] | None = None) -> SendSummary:
    """Send, then project the journal into the sheet: ``write_back`` gets the fresh plan
    whatever happened, a crash or a stop included, so the sheet never lies for long."""
    from tagihlite.sending import send_reminders

    s = analysis.settings
    try:
        window = s.send_schedule
        return send_reminders(reminders, channel, journal, operator=operator,
                              min_interval=s.min_interval_seconds, daily_cap=s.daily_cap,
                              workbook=workbook, on_row=on_row, stop=stop, audit=audit,
                              window=None if window.unlimited else window,
                              before_send=before_send)
    finally:
        try:
            analysis.entries = journal.entries(analysis.ledger["key"])
        except DatabaseUnavailable:  # team server gone mid-run: say what happened instead
            raise DatabaseUnavailable(
                "Server database tim terputus di tengah pengiriman: pengiriman dihentikan, "
                "baris yang sedang dikirim menjadi PERLU CEK, dan buku kerja belum diperbarui "
                "(jalankan 'tagihlite mark' setelah server kembali).") from None
        if write_back is not None:
            write_back(plan_writeback(analysis))


def quiet_hours_now(settings: Settings) -> str | None:
    """Why nothing may be sent right now (quiet hours, a skipped day, a holiday) and when it
    may continue; ``None`` when sending is allowed. Asked before the clerk confirms."""
    from tagihlite.clock import now

    window = settings.send_schedule
    at = now()
    return None if window.allows(at) else window.closed_sentence(at, started=False)


# -- write-back ------------------------------------------------------------------------

def sheet_values(analysis: Analysis, row: LedgerRow, *, message: str | None = None
                 ) -> dict[str, Any]:
    """The owned columns' values for one ledger row (journal first, else the verdict)."""
    # A duplicate row shares its key with the first row: the journal speaks for that one.
    entry = (analysis.entries.get(row.key)
             if row.key and row.reason_code != "duplicate" else None)
    # The journal speaks when the reminder may have gone out, or when the row would still
    # be sent (a failure to retry); otherwise today's verdict does (now paid, held back...).
    if entry is not None and entry.state != JournalState.CLEARED and (
            entry.state in JournalState.BLOCKING or row.eligible):
        status = JournalState.TO_STATUS.get(entry.state, Status.NEEDS_CHECK)
        if row.paid and status != Status.NEEDS_CHECK:
            status = Status.PAID  # paid after the reminder: the bill is closed
        return {
            C.STATUS: status,
            C.SENT_AT: entry.when,
            C.SENT_BY: entry.operator or "",
            C.CHANNEL: LABELS.get(entry.channel or "", entry.channel or ""),
            C.MESSAGE: entry.message or KEEP,
            C.NOTE: entry.note,
            **level_values(analysis, row, entry),
        }
    if row.reason_code == "already_sent":  # the sheet says so, the journal does not know
        return dict.fromkeys(C.OUTPUT_COLUMNS, KEEP)
    if row.paid:
        status = Status.PAID
    elif row.eligible:
        status = Status.READY
    else:
        status = Status.SKIPPED
    note = row.reason if not row.eligible else row.phone_note
    return {C.STATUS: status, C.SENT_AT: KEEP, C.SENT_BY: KEEP, C.CHANNEL: KEEP,
            C.MESSAGE: message if message is not None else KEEP, C.NOTE: note,
            **level_values(analysis, row, entry)}


def row_level_state(analysis: Analysis, row: LedgerRow, entry: Entry | None = None
                    ) -> tuple[int | None, int | None, Any]:
    """(last level sent, days overdue, next reminder date) of one ledger row, counting a
    reminder this run just sent (``entry``) that the ledger, built before it, does not."""
    last, days, nxt = row.last_level, row.days_overdue, row.next_reminder
    sent_now = (entry is not None and entry.state in JournalState.BLOCKING
                and row.level is not None and (last is None or row.level > last))
    if sent_now and not row.paid:
        from tagihlite.clock import today

        sent = {**analysis.history.get((row.customer_id, row.period), {}),
                int(row.level): today()}
        state = level_plan(row.level_due, today(), sent,
                           analysis.settings.levels)
        last, days, nxt = state.last_level, state.days_overdue, state.next_reminder
    return last, days, nxt


def level_values(analysis: Analysis, row: LedgerRow, entry: Entry | None = None
                 ) -> dict[str, Any]:
    """Tingkat, Pengingat Berikutnya and Hari Terlambat of one row."""
    last, days, nxt = row_level_state(analysis, row, entry)
    return {C.LEVEL: "" if last is None else int(last),
            C.NEXT_REMINDER: nxt if nxt is not None and not row.paid else "",
            C.DAYS_OVERDUE: "" if days is None or row.paid else max(int(days), 0)}


def link_formulas(analysis: Analysis) -> dict[int, str]:
    """Tautan WA cells for rows whose reminder the link channel made (Excel row -> formula)."""
    from tagihlite.channels.link import link_cell

    out = {}
    for r in analysis.ledger.rows():
        entry = analysis.entries.get(r.key) if r.key else None
        if (entry is not None and entry.channel == "link" and r.reason_code != "duplicate"
                and entry.state == JournalState.QUEUED and r.phone and entry.message):
            out[r.row] = link_cell(r.phone, entry.message).formula
    return out


def plan_writeback(analysis: Analysis, *, messages: Mapping[int, str] | None = None
                   ) -> WritePlan:
    """Every owned column for every data row, plus the highlight rectangle.

    ``messages`` fills Pesan for rows without a journal entry (preview --write). Rows the
    link channel handled also get their click-to-chat formula in the Tautan WA column.
    """
    t = analysis.table
    messages = messages or {}
    links = link_formulas(analysis)
    # Column lists filled row by row: no 100,000 row dicts alive at once (peak memory).
    by_header: dict[str, list[Any]] = {h: [] for h in C.OUTPUT_COLUMNS}
    add = {h: values.append for h, values in by_header.items()}
    for r in analysis.ledger.rows():
        for header, value in sheet_values(analysis, r, message=messages.get(r.row)).items():
            add[header](value)
    plan = WritePlan(sheet=t.sheet, header_row=t.header_row, row_numbers=list(t.row_numbers))
    next_col = t.last_col + 1
    wanted = [*C.OUTPUT_COLUMNS, *([C.LINK] if links or C.LINK in t.outputs else [])]
    for header in wanted:
        if header in t.outputs:
            col, new = t.first_col + t.outputs[header], False
        else:
            col, new = next_col, True
            next_col += 1
            if col in t.occupied:
                row, _ = t.occupied[col]
                cell = f"{column_letter(col)}{row}"
                raise InputError(
                    f"Kolom '{header}' perlu dibuat di kolom {column_letter(col)}, tetapi sel "
                    f"{cell} ({where(t.file, t.sheet)}) sudah berisi data. Pindahkan data di "
                    "kanan tabel itu (atau beri judul kolomnya), lalu coba lagi; buku kerja "
                    "tidak diubah.")
        if header == C.LINK:
            vals: list[Any] = [links.get(n, KEEP) for n in t.row_numbers]
        else:
            vals = by_header.get(header, [])
        plan.columns.append(ColumnWrite(
            col=col, header=header, new=new, values=vals, formulas=header == C.LINK,
            number_format=DATETIME_FORMAT if header == C.SENT_AT
            else DATE_FORMAT if header == C.NEXT_REMINDER else None))
    if t.row_numbers:
        plan.highlight = Highlight(first_row=t.header_row + 1, last_row=max(t.row_numbers),
                                   first_col=t.first_col,
                                   last_col=max(next_col - 1, t.last_col),
                                   status_col=plan.column(C.STATUS).col)
    return plan


def row_values(result: RowResult, analysis: Analysis) -> dict[str, Any]:
    """Owned-column values for one row just sent (the send loop's per-row write-back)."""
    return {
        C.STATUS: JournalState.TO_STATUS.get(result.state, Status.NEEDS_CHECK),
        C.SENT_AT: result.at,
        C.SENT_BY: result.operator,
        C.CHANNEL: result.channel,
        C.MESSAGE: result.reminder.message,
        C.NOTE: result.note,
        C.LEVEL: (result.reminder.level if result.state in JournalState.BLOCKING else KEEP),
        C.NEXT_REMINDER: KEEP,
        C.DAYS_OVERDUE: KEEP,
    }


def summarise(analysis: Analysis) -> Report:
    """The report's figures. Each row's status and sender come from the journal (as the
    write-back shows them); :func:`~tagihlite.core.report.tally` adds them up (pandas)."""
    statuses: list[str] = []
    senders: list[str | None] = []
    for r in analysis.ledger.rows():
        values = sheet_values(analysis, r)
        status = values[C.STATUS]
        # KEEP: sent according to the sheet only: count what it says.
        statuses.append(r.sheet_status if status is KEEP else status)
        who = values[C.SENT_BY]
        senders.append(who if isinstance(who, str) and who else None)
    return tally(analysis.ledger, statuses, senders)
