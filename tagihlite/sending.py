"""The send loop: exactly once, paced, capped, stoppable, reporting row by row.

For each reminder: commit the intent (journal), call the channel, commit the outcome,
then report the row to the shell (which writes it back). Channels that allow it run on a
small thread pool; the journal serialises, and results are reported on the calling
thread (Excel's COM objects must only be touched there).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tagihlite.channels import LABELS
from tagihlite.channels.base import Channel, DeliveryUnknown, Outcome, Reminder
from tagihlite.clock import now as wib_now
from tagihlite.core.vocab import JournalState
from tagihlite.errors import ChannelStop, TagihError
from tagihlite.journal.pgdb import ConnectionLost, DatabaseUnavailable
from tagihlite.journal.sqlite import Journal

if TYPE_CHECKING:
    from tagihlite.core.schedule import SendWindow

AuditHook = Callable[..., None]
# Team mode: each claim also reads whether the next keys are taken (see Journal.claim).
LOOK_AHEAD = 16


@dataclass(frozen=True)
class RowResult:
    reminder: Reminder
    state: str  # JournalState
    note: str
    at: dt.datetime  # naive WIB, as the sheet shows it
    operator: str
    channel: str  # what the Saluran column shows (channels.LABELS)


@dataclass
class SendSummary:
    planned: int
    states: Counter[str] = field(default_factory=Counter)
    already: int = 0  # keys the journal refused (sent by an earlier run)
    held: Counter[str] = field(default_factory=Counter)  # team mode: claimed by another PC
    lost: list[str] = field(default_factory=list)  # in flight when the database went away
    not_attempted: int = 0  # left for later: stop, cap or error
    stop_reason: str = ""

    @property
    def attempted(self) -> int:
        return sum(self.states.values())

    @property
    def failed(self) -> int:
        return self.states[JournalState.FAILED] + self.states[JournalState.UNKNOWN]


class Pacer:
    """Spaces sends evenly: at most ``rate`` per second and at least ``interval`` apart."""

    def __init__(self, rate: float | None, interval: float,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        gap = 1.0 / rate if rate else 0.0
        self.gap = max(gap, interval)
        # A late send may catch up on the rate (the API's average), never on the interval:
        # ``interval`` is a floor between two messages (WhatsApp Web, the clerk's setting).
        self.catch_up = self.gap - interval
        self.clock, self.sleep = clock, sleep
        self.interval = interval
        self.next_at: float | None = None
        self._before: float | None = None
        self._last_call: float | None = None
        self._call_lock = threading.Lock()

    def wait(self, stop: threading.Event) -> None:
        self._before = self.next_at
        now = self.clock()
        if self.next_at is not None and self.next_at > now:
            # Sleep in short slices so a stop request is honoured quickly.
            while not stop.is_set() and (left := self.next_at - self.clock()) > 0:
                self.sleep(min(left, 0.2))
        self.next_at = max(self.next_at or now, now - self.catch_up) + self.gap

    def spaced(self) -> None:
        """Right before a channel call: at least ``interval`` since the previous call. The
        slot :meth:`wait` gives comes before the claim and the file claim; a slow one of
        those must not bring two messages closer than the clerk's setting."""
        if self.interval <= 0:
            return
        with self._call_lock:
            if self._last_call is not None:
                left = self._last_call + self.interval - self.clock()
                if left > 0:
                    self.sleep(left)
            self._last_call = self.clock()

    def refund(self) -> None:
        """The slot just waited for was not used (no send): the next row may have it."""
        self.next_at = self._before


@contextlib.contextmanager
def stop_on_sigint(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C: finish the current row(s), then stop. Second Ctrl-C: interrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_LOST_ROW_NOTE = ("Koneksi ke database tim terputus saat pesan ini dikirim: pesan mungkin "
                  "sudah terkirim. Periksa di WhatsApp sebelum mengirim ulang.")


def _midrun(exc: DatabaseUnavailable) -> str:
    if isinstance(exc, ConnectionLost):
        return str(exc)
    return ("Server database tim tidak dapat dihubungi lagi di tengah pengiriman: pengiriman "
            "dihentikan dan baris yang sedang dikirim ditandai PERLU CEK.")


def send_reminders(
    reminders: Sequence[Reminder],
    channel: Channel,
    journal: Journal,
    *,
    operator: str,
    min_interval: float = 0.0,
    daily_cap: int = 0,
    workbook: str = "",
    on_row: Callable[[RowResult], None] | None = None,
    stop: threading.Event | None = None,
    audit: AuditHook | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    window: SendWindow | None = None,
    now: Callable[[], dt.datetime] = wib_now,
    before_send: Callable[[Reminder], None] | None = None,
) -> SendSummary:
    """Send each reminder at most once. ``daily_cap`` 0 means no cap.

    ``window`` (quiet hours) is asked with ``now()`` right before each reminder is claimed,
    so a run that reaches the window's end stops cleanly before the next one."""
    stop = stop or threading.Event()
    summary = SendSummary(planned=len(reminders))
    journal.acquire_run_lock()
    try:
        journal.recover()
        channel.open()  # may raise ChannelStop: nothing has been marked yet
        try:
            _loop(reminders, channel, journal, summary, operator=operator,
                  pacer=Pacer(channel.rate_per_second, min_interval, clock=clock,
                              sleep=sleep),
                  daily_cap=daily_cap, workbook=workbook, on_row=on_row, stop=stop,
                  audit=audit, window=window, now=now, before_send=before_send)
        finally:
            channel.close()
            if summary.lost:  # team mode: the rows in flight become PERLU CEK
                getattr(journal, "settle_lost", lambda keys: None)(summary.lost)
    finally:
        with contextlib.suppress(DatabaseUnavailable):
            journal.release_run_lock()
    summary.not_attempted = (summary.planned - summary.attempted - summary.already
                             - sum(summary.held.values()))
    return summary


def _loop(reminders: Sequence[Reminder], channel: Channel, journal: Journal,
          summary: SendSummary, *, operator: str, pacer: Pacer, daily_cap: int,
          workbook: str, on_row: Callable[[RowResult], None] | None,
          stop: threading.Event, audit: AuditHook | None,
          window: SendWindow | None = None,
          now: Callable[[], dt.datetime] = wib_now,
          before_send: Callable[[Reminder], None] | None = None) -> None:
    results: queue.Queue[RowResult | BaseException] = queue.Queue()
    workers = max(1, int(getattr(channel, "concurrency", 1) or 1))
    slots = threading.Semaphore(workers)
    budget = daily_cap - journal.count_today() if daily_cap else None
    claimed = 0  # reminders this run handed to the channel

    def one(r: Reminder) -> None:
        try:
            try:
                pacer.spaced()
                outcome = channel.send(r)
            except ChannelStop as exc:  # certainly not sent; the whole run stops
                outcome = Outcome(JournalState.FAILED, note=str(exc))
                summary.stop_reason = summary.stop_reason or str(exc)
                stop.set()
            except Exception as exc:  # we cannot know whether it left: a human checks
                from tagihlite.logs import log_exception

                log_exception(f"channel {channel.name}")
                why = (str(exc) if isinstance(exc, DeliveryUnknown)
                       else f"Hasil pengiriman tidak diketahui ({type(exc).__name__}).")
                outcome = Outcome(JournalState.UNKNOWN,
                                  note=f"{why} Periksa di WhatsApp sebelum mengirim ulang.")
                summary.stop_reason = summary.stop_reason or (
                    "Saluran mengalami kesalahan tak terduga; pengiriman dihentikan.")
                stop.set()
            try:
                journal.finish(r.key, outcome.state, note=outcome.note,
                               provider_id=outcome.provider_id, error_code=outcome.error_code)
            except DatabaseUnavailable as exc:  # the outcome is not recorded: a human checks
                summary.lost.append(r.key)
                summary.stop_reason = summary.stop_reason or _midrun(exc)
                stop.set()
                outcome = Outcome(JournalState.UNKNOWN, note=_LOST_ROW_NOTE)
            results.put(RowResult(r, outcome.state, outcome.note,
                                  wib_now().replace(tzinfo=None, microsecond=0),
                                  operator, LABELS.get(channel.name, channel.name)))
        except BaseException as exc:  # journal trouble: surface it on the main thread
            results.put(exc)
            stop.set()
        finally:
            slots.release()

    def report(item: RowResult | BaseException) -> None:
        if isinstance(item, BaseException):
            raise item
        summary.states[item.state] += 1
        if audit is not None:
            try:
                audit("send", item.operator, key=item.reminder.key, channel=channel.name,
                      outcome=item.state)
            except DatabaseUnavailable as exc:  # team database gone: stop, the row is reported
                summary.stop_reason = summary.stop_reason or _midrun(exc)
                stop.set()
        if on_row is not None:
            on_row(item)

    def drain(block: bool = False) -> None:
        while True:
            try:
                item = results.get(block=block, timeout=0.05) if block else results.get_nowait()
            except queue.Empty:
                return
            report(item)
            block = False

    taken: dict[str, str | None] = {}  # keys ahead the last claim saw held or done
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tagihlite-send") as pool:
        for i, r in enumerate(reminders):
            drain()
            if stop.is_set():
                break
            if budget is not None and budget <= 0:
                summary.stop_reason = ("Batas kirim harian tercapai; sisa pengingat dikirim "
                                       "besok.")
                break
            if r.key in taken:  # team mode: another PC has it; no claim, no pacing
                holder = taken.pop(r.key)
                if holder:
                    summary.held[holder] += 1
                else:
                    summary.already += 1
                continue
            while not slots.acquire(timeout=0.05):
                drain()
            pacer.wait(stop)
            if getattr(channel, "stop_requested", False):  # a person asked the channel to stop
                summary.stop_reason = summary.stop_reason or "Dihentikan oleh petugas."
                stop.set()
            if not stop.is_set() and window is not None and not window.allows(at := now()):
                summary.stop_reason = summary.stop_reason or window.closed_sentence(
                    at, started=claimed > 0)
                stop.set()
            if stop.is_set():
                slots.release()
                break
            try:
                won, holder, taken = journal.claim(
                    r.key, channel=channel.name, operator=operator, message=r.message,
                    phone=r.phone, amount=r.amount, workbook=workbook, sheet_row=r.row,
                    ahead=[x.key for x in reminders[i + 1:i + 1 + LOOK_AHEAD]])
            except DatabaseUnavailable as exc:  # a claim may have committed: its lease expires
                slots.release()
                summary.stop_reason = summary.stop_reason or _midrun(exc)
                stop.set()
                break
            if not won:
                slots.release()
                pacer.refund()  # a skipped row costs no pacing (team mode: catch up fast)
                if holder:  # another PC is sending it right now
                    summary.held[holder] += 1
                else:
                    summary.already += 1
                continue
            if before_send is not None:  # e.g. claim the row in the workbook file too
                # After the journal's claim: a row another PC holds costs no file write. A
                # failure here leaves this claim pending: PERLU CEK later, never a resend.
                try:
                    before_send(r)
                except TagihError as exc:
                    summary.stop_reason = summary.stop_reason or str(exc)
                    stop.set()
                    slots.release()
                    break
            claimed += 1
            if budget is not None:
                budget -= 1
            if workers == 1:
                one(r)  # same thread: GUI channels (pyautogui) want the main thread
            else:
                pool.submit(one, r)
        pool.shutdown(wait=True)
    drain()
