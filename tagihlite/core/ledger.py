"""The ledger: one typed row per customer row, with a verdict (eligible, or why not).

Built once per click from a :class:`~tagihlite.core.table.SheetTable` into a
:class:`~tagihlite.core.ledger_table.Ledger` (plain column lists, no pandas: see that module);
everything later (messages, sending, write-back, reports) reads from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from tagihlite.core import parse
from tagihlite.core.columns import NOTE, SENT_AT, STATUS
from tagihlite.core.content import thbl_period
from tagihlite.core.ledger_table import Ledger
from tagihlite.core.levels import Level, effective_due
from tagihlite.core.levels import plan as level_plan
from tagihlite.core.vocab import (
    ABSENT_PREFIX,
    AMOUNT_CEILING_TEXT,
    REASONS,
    Status,
    reason_text,
)
from tagihlite.errors import InputError, where

if TYPE_CHECKING:
    from tagihlite.core.table import SheetTable

# No Indibiz bill comes near this; a bigger amount is a typo or a pasted ID (settings
# ``max_amount``). Also keeps every amount inside SQLite's and numpy's 64-bit integers.
DEFAULT_MAX_AMOUNT = 1_000_000_000


# (customer_id, period) -> {level: date sent} for reminders that may have gone out.
History = Mapping[tuple[str, str], Mapping[int, dt.date]]



class PeriodMissing(InputError):
    """No period for a row: neither the data, the title lines, --period nor the setting."""

    def __init__(self, table: SheetTable, row: int) -> None:
        self.row = row
        super().__init__(
            f"Periode tagihan tidak diketahui ({where(table.file, table.sheet, row)}): "
            "tidak ada kolom Periode atau Jatuh Tempo, dan judul di atas tabel tidak menyebut "
            "periode. Tulis mis. 'Periode: Desember 2026' di atas tabel, atau jalankan "
            "dengan --period 2026-12.")


def today_wib() -> dt.date:
    from tagihlite import clock

    return clock.today()


def reminder_key(customer_id: str, period: str, level: int) -> str:
    return f"{customer_id}|{period}|{level}"


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _map_unique(fn: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``[fn(v) for v in values]``, computing each distinct value once (a column such as
    Status Bayar or Periode holds a handful of values over 100,000 rows). The distinct
    values are found and looked up by C code (``dict.fromkeys``, ``map``)."""
    try:
        memo = dict.fromkeys(values)
    except TypeError:  # an unhashable cell: see below
        memo = None
    if memo is None or any(isinstance(k, _NUMBERS) for k in memo):
        return _map_unique_typed(fn, values)
    for k in memo:
        memo[k] = fn(k)
    return list(map(memo.__getitem__, values))


_NUMBERS = (int, float, complex, Decimal)  # 1, 1.0 and True are one dict key


def _map_unique_typed(fn: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """:func:`_map_unique` for columns holding numbers: keys carry their type."""
    seen: dict[Any, Any] = {}
    out = []
    for v in values:
        key = v if type(v) is str else (type(v), v)
        try:
            out.append(seen[key])
        except KeyError:
            out.append(seen.setdefault(key, fn(v)))
        except TypeError:  # unhashable: just compute it
            out.append(fn(v))
    return out


def _period(value: Any) -> str | None:
    """Telkom's THBL (``202611``) first, then every other way of writing a period."""
    return thbl_period(value) or parse.period(value)


_UNKNOWN = object()


def build(
    table: SheetTable,
    *,
    region: str = "ID",
    period: str | None = None,
    level: int | None = 1,
    opted_out: frozenset[str] = frozenset(),
    today: dt.date | None = None,
    levels: Sequence[Level] | None = None,
    history: History | None = None,
    settled: Collection[tuple[str, str]] = frozenset(),
    max_amount: int = DEFAULT_MAX_AMOUNT,
    fallback_period: str | None = None,
) -> Ledger:
    """Parse and judge every data row.

    ``period`` overrides the sheet; otherwise the row's Periode, else its due date's month,
    else the period the sheet's title lines state, else ``fallback_period`` (the setting),
    else :class:`PeriodMissing`: never today's month, or next month would send again.
    Journal knowledge is added by :func:`mark_already_sent`.
    ``level`` None sends each row at its due level (``levels``, ``history`` of what was
    sent); a number forces that level. ``settled`` bills (customer, period) were paid
    according to the journal's payments, whatever the sheet says.
    """
    f = table.fields
    col = {name: list(map(itemgetter(i), table.rows)) for name, i in f.items()}
    n = len(table.rows)
    none = [None] * n
    today = today or today_wib()
    default_period = period or table.title_period or fallback_period
    history = history or {}
    row_levels: list[int | None] = []
    last_levels: list[int | None] = []
    overdue: list[int | None] = []
    next_dates: list[dt.date | None] = []
    level_dues: list[dt.date | None] = []
    plans: dict[tuple[Any, ...], Any] = {}
    due_memo: dict[tuple[Any, str], dt.date | None] = {}  # a handful of (due, period) pairs

    names = [v.strip() if type(v) is str else _text(v) for v in col["name"]]
    ids = [parse.customer_id(v) for v in col["customer_id"]]
    phones = [parse.phone(v, region) for v in col["phone"]]
    amounts = [parse.amount(v) for v in col["amount"]]
    paid_raw = col.get("paid_status", none)
    paid_flags = _map_unique(parse.paid, paid_raw)
    dues = _map_unique(parse.date_value, col.get("due_date", none))
    row_periods = _map_unique(_period, col.get("period", none))

    note_idx = table.outputs.get(NOTE)
    notes = [_text(r[note_idx]) for r in table.rows] if note_idx is not None else [""] * n
    status_idx = table.outputs.get(STATUS)
    sheet_status = ([_text(r[status_idx]).upper() for r in table.rows]
                    if status_idx is not None else [""] * n)
    sent_idx = table.outputs.get(SENT_AT)
    sheet_sent_at = ([_as_datetime(r[sent_idx]) for r in table.rows]
                     if sent_idx is not None else none)

    # Reason texts without details are the same for every row: format them once.
    plain = {code: reason_text(code) for code, text in REASONS.items() if "{" not in text}
    periods, keys, eligible, codes, reasons = [], [], [], [], []
    first_seen: dict[tuple[str, str], int] = {}  # one bill = customer number + period
    rows = zip(table.row_numbers, ids, phones, amounts, paid_flags, notes, row_periods, dues,
               paid_raw, names, strict=True)
    for rown, cid, ph, am, paid_flag, note, row_period, due, raw_paid, name in rows:
        per = period or row_period or (f"{due:%Y-%m}" if due else default_period)
        if per is None:
            raise PeriodMissing(table, rown)
        periods.append(per)
        bill = (cid, per)
        # A period guessed from today's date says nothing about when the bill was due.
        if period or row_period or due:
            level_due = due_memo.get((due, per), _UNKNOWN)
            if level_due is _UNKNOWN:
                level_due = due_memo[due, per] = effective_due(due, per)
        else:
            level_due = None
        level_dues.append(level_due)
        state = None
        if levels is not None:
            # Due dates repeat (a period's 20th) and most bills have no history: compute
            # each distinct case once (100,000 rows, a handful of cases).
            sent = history.get(bill) if history else None
            case = (level_due, tuple(sorted(sent.items())) if sent else ())
            state = plans.get(case)
            if state is None:
                state = plans[case] = level_plan(level_due, today, sent or {}, levels)
        row_level = level if level is not None or state is None else (
            state.due_level if state.due_level is not None else state.last_level)
        is_paid = paid_flag is True or (bool(settled) and bill in settled)
        row_levels.append(row_level)
        if state is None:
            last_levels.append(None)
            overdue.append(None)
            next_dates.append(None)
        else:
            last_levels.append(state.last_level)
            overdue.append(state.days_overdue)
            next_dates.append(None if is_paid else state.next_reminder)
        # reminder_key(), inline: one call less per row
        keys.append(f"{cid}|{per}|{row_level}" if cid and row_level is not None else "")
        code, detail = None, None
        if is_paid:
            code = "paid"
        elif note and note.startswith(ABSENT_PREFIX):
            code, detail = "absent_from_import", {"note": note}
        elif cid and bill in first_seen:
            code, detail = "duplicate", {"first_row": first_seen[bill]}
        elif paid_flag is None:
            code, detail = "paid_status_unknown", {"value": _text(raw_paid)}
        elif not cid:
            code = "customer_id_missing"
        elif not name:
            code = "name_missing"
        elif ph.reason:
            code = ph.reason
        elif am.reason:
            code = am.reason
        elif am.value > max_amount:
            code, detail = "amount_invalid", {"ceiling": max_amount, "amount": am.value}
        elif ph.e164 in opted_out:
            code = "opted_out"
        elif row_level is None:  # automatic levels, nothing sent yet, no window open
            nxt = state.next_reminder if state else None
            code, detail = "not_due", {"next": f"{nxt:%d-%m-%Y}" if nxt else "-"}
        if cid and bill not in first_seen:
            first_seen[bill] = rown
        eligible.append(code is None)
        codes.append(code)
        reasons.append("" if code is None else
                       plain[code] if detail is None else
                       _ceiling_text(**detail) if "ceiling" in detail else
                       reason_text(code, **detail))

    return Ledger({
        "row": list(table.row_numbers),
        "name": names,
        "customer_id": ids,
        "phone": [p.e164 for p in phones],
        "phone_note": [p.note for p in phones],
        # An amount over the ceiling is kept out of the numbers downstream (sums, SQLite).
        "amount": [a.value if a.value is None or a.value <= max_amount else None
                   for a in amounts],
        "paid": [c == "paid" for c in codes],
        "paid_raw": _map_unique(_text, paid_raw),
        "due_date": dues,
        "period": periods,
        "key": keys,
        "eligible": eligible,
        "reason_code": codes,
        "reason": reasons,
        "sheet_status": sheet_status,
        "level": row_levels,
        "last_level": last_levels,
        "days_overdue": overdue,
        "next_reminder": next_dates,
        "level_due": level_dues,  # the due date the level rules used (None: unknown)
        "sheet_sent_at": sheet_sent_at,
    })


def _as_datetime(value: Any) -> dt.datetime | None:
    # A reader may hand a send at exactly midnight (a pinned --today) back as a date.
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def _ceiling_text(*, ceiling: int, amount: int) -> str:
    from tagihlite.core.formats import rupiah

    digits = len(str(amount))
    shown = rupiah(amount) if digits <= 18 else f"({digits} digit)"
    return AMOUNT_CEILING_TEXT.format(amount=shown, ceiling=rupiah(ceiling))


# What the Status Kirim cell says when this row's reminder may already have gone out.
SENT_STATUSES = frozenset({*Status.DONE, Status.NEEDS_CHECK})


def sheet_only_sent(ledger: Ledger, known_keys: Collection[str]) -> list[int]:
    """Positions of the eligible rows whose Status Kirim says the reminder went out although
    this journal has no entry for that row's own key."""
    known = set(known_keys)
    return [i for i, (ok, status, key) in enumerate(zip(
                ledger["eligible"], ledger["sheet_status"], ledger["key"], strict=True))
            if ok and status in SENT_STATUSES and key not in known]


# The sheet's Waktu Kirim and the journal's time of the same send differ by rounding only.
_SAME_SEND = dt.timedelta(seconds=2)


def mark_sent_by_sheet(ledger: Ledger, known_keys: Collection[str],
                       own_times: Mapping[str, Collection[dt.datetime]] | None = None
                       ) -> Ledger:
    """Rows the sheet says were sent although this journal has no entry for that exact key
    (another computer, another period on this one, a reinstall, the old app): never send
    those again.

    The one exception is this journal's own projection: the row's Waktu Kirim is the time
    of one of this journal's sends to the same customer (``own_times``: customer -> WIB
    times), e.g. last period's or the previous level's reminder written by this PC. A
    status written by another computer carries another time and keeps blocking.
    """
    own_times = own_times or {}
    for i in sheet_only_sent(ledger, known_keys):
        r = ledger.row(i)
        if r.sheet_sent_at is not None and any(abs(r.sheet_sent_at - t) <= _SAME_SEND
                                               for t in own_times.get(r.customer_id, ())):
            continue  # this journal's own write of another key
        ledger.update(i, eligible=False, reason_code="already_sent", reason=reason_text(
            "already_sent", when=f"menurut kolom Status Kirim: {r.sheet_status}; kosongkan "
            "status itu jika Anda yakin belum terkirim"))
    return ledger


def mark_message_too_long(ledger: Ledger, rows: Collection[int]) -> None:
    """Rows whose message exceeds WhatsApp's limit: held back, the others still go out."""
    rows = set(rows)
    text = reason_text("message_too_long")
    for i, (row, ok) in enumerate(zip(ledger["row"], ledger["eligible"], strict=True)):
        if ok and row in rows:
            ledger.update(i, eligible=False, reason_code="message_too_long", reason=text)


def mark_already_sent(ledger: Ledger, blocked: Mapping[str, str]) -> Ledger:
    """Rows whose key may already have gone out (``blocked``: key -> "when" text)."""
    for i, (ok, key) in enumerate(zip(ledger["eligible"], ledger["key"], strict=True)):
        if ok and key in blocked:
            ledger.update(i, eligible=False, reason_code="already_sent",
                          reason=reason_text("already_sent", when=blocked[key]))
    return ledger
