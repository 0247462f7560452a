"""The send loop and the journal (issue 2, "Sending"): exactly once, paced, capped, stoppable."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from core_helpers import column_values, customer, run_cli, write_book

from tagihlite.channels.base import Outcome, Reminder
from tagihlite.channels.memory import MemoryChannel
from tagihlite.core.vocab import JournalState, Status
from tagihlite.errors import ChannelStop
from tagihlite.journal.sqlite import Journal, SendInProgress
from tagihlite.sending import Pacer, send_reminders, stop_on_sigint


def reminders(n: int, start: int = 1) -> list[Reminder]:
    out = []
    for i in range(start, start + n):
        cid = f"1412345{i:05d}"
        out.append(Reminder(key=f"{cid}|2026-11|1", customer_id=cid, period="2026-11",
                            level=1, row=i + 1, name=f"Toko Fiktif {i}",
                            phone=f"+62812700{i:05d}", amount=100_000 + i,
                            due_date=dt.date(2026, 11, 20), message=f"Pesan {i}"))
    return out


@pytest.fixture
def journal(tmp_path):
    with Journal(tmp_path / "journal.sqlite") as j:
        yield j


def _states(j: Journal) -> dict[str, str]:
    return {k: e.state for k, e in j.entries().items()}


def test_journal_is_sqlite_wal(journal):
    db = sqlite3.connect(journal.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_each_key_sent_once_and_rerun_sends_nothing(journal):
    rs = reminders(5)
    ch = MemoryChannel()
    s = send_reminders(rs, ch, journal, operator="Budi")
    assert [r.key for r in ch.sent] == [r.key for r in rs]
    assert s.states[JournalState.SUBMITTED] == 5 and s.already == 0 and s.not_attempted == 0
    again = MemoryChannel()
    s2 = send_reminders(rs, again, journal, operator="Budi")
    assert again.sent == [] and s2.already == 5 and s2.attempted == 0
    assert set(_states(journal).values()) == {JournalState.SUBMITTED}


def test_intent_is_committed_before_the_channel_is_called(journal):
    seen = []

    def behaviour(r: Reminder) -> None:
        # Another connection (another process would see the same) reads the committed intent.
        db = sqlite3.connect(journal.path)
        seen.append(db.execute("SELECT state, operator, message FROM reminders WHERE key=?",
                               (r.key,)).fetchone())
        db.close()

    send_reminders(reminders(2), MemoryChannel(behaviour=behaviour), journal, operator="Budi")
    assert seen == [(JournalState.PENDING, "Budi", "Pesan 1"),
                    (JournalState.PENDING, "Budi", "Pesan 2")]


def test_channel_stop_marks_the_row_failed_and_stops_the_run(journal):
    rs = reminders(5)

    def behaviour(r: Reminder) -> Outcome | None:
        if r.row == 4:
            raise ChannelStop("Token ditolak.")
        return None

    ch = MemoryChannel(behaviour=behaviour)
    s = send_reminders(rs, ch, journal, operator="Budi")
    assert [r.row for r in ch.sent] == [2, 3]
    st = _states(journal)
    assert st[rs[2].key] == JournalState.FAILED  # certainly not sent
    assert rs[3].key not in st and rs[4].key not in st
    assert "Token ditolak" in s.stop_reason and s.not_attempted == 2
    # a failed row is safe to try again later; the sent ones are not re-sent
    ch2 = MemoryChannel()
    s2 = send_reminders(rs, ch2, journal, operator="Budi")
    assert [r.row for r in ch2.sent] == [4, 5, 6] and s2.already == 2


def test_unexpected_channel_error_is_perlu_cek_and_stops(journal, tmp_path):
    rs = reminders(4)

    def behaviour(r: Reminder) -> None:
        if r.row == 3:
            raise RuntimeError(f"socket closed while sending to {r.phone}")

    ch = MemoryChannel(behaviour=behaviour)
    s = send_reminders(rs, ch, journal, operator="Budi")
    st = _states(journal)
    assert st[rs[1].key] == JournalState.UNKNOWN
    assert JournalState.TO_STATUS[st[rs[1].key]] == Status.NEEDS_CHECK
    assert rs[2].key not in st and s.stop_reason and s.failed == 1
    ch2 = MemoryChannel()
    send_reminders(rs, ch2, journal, operator="Budi")
    assert [r.row for r in ch2.sent] == [4, 5]  # never the one that may have gone out
    log = Path(os.environ["TAGIHLITE_HOME"]) / "logs" / "tagihlite-error.log"
    assert log.exists() and rs[1].phone not in log.read_text()  # no customer data in logs


def test_failed_outcome_does_not_block_a_later_send(journal):
    rs = reminders(1)
    send_reminders(rs, MemoryChannel(behaviour=lambda r: Outcome(JournalState.FAILED, "x")),
                   journal, operator="Budi")
    ch = MemoryChannel()
    send_reminders(rs, ch, journal, operator="Budi")
    assert len(ch.sent) == 1 and _states(journal)[rs[0].key] == JournalState.SUBMITTED


# --- pacing and the daily cap -------------------------------------------------------------

class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(("rate", "interval", "gap"), [(None, 3.0, 3.0), (4.0, 0.0, 0.25),
                                                       (10.0, 1.5, 1.5), (0.5, 1.0, 2.0)])
def test_pacer_spaces_sends(rate, interval, gap):
    t = FakeTime()
    pacer = Pacer(rate, interval, clock=t.clock, sleep=t.sleep)
    stop = threading.Event()
    times = []
    for _ in range(4):
        pacer.wait(stop)
        times.append(t.now)
    assert [round(b - a, 6) for a, b in itertools.pairwise(times)] == [gap] * 3
    assert times[0] == 1000.0  # the first one does not wait


def test_pacer_does_not_wait_when_the_channel_was_slow_anyway():
    t = FakeTime()
    pacer = Pacer(None, 2.0, clock=t.clock, sleep=t.sleep)
    stop = threading.Event()
    pacer.wait(stop)
    t.now += 5.0  # the send itself took longer than the interval
    pacer.wait(stop)
    assert t.slept == []


@pytest.mark.parametrize(("rate", "interval"), [(None, 2.0), (0.25, 2.0)])
def test_a_late_send_never_brings_the_next_one_closer_than_the_interval(rate, interval):
    """Catching up on a rate is fine (an API limit is an average); the interval is a floor."""
    t = FakeTime()
    pacer = Pacer(rate, interval, clock=t.clock, sleep=t.sleep)
    stop = threading.Event()
    pacer.wait(stop)
    t.now += pacer.gap + 0.5  # this send started late (a busy machine)
    pacer.wait(stop)
    late = t.now
    pacer.wait(stop)
    assert t.now - late >= interval


def test_pacer_honours_stop_while_waiting():
    t = FakeTime()
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        t.sleep(seconds)
        stop.set()

    pacer = Pacer(None, 60.0, clock=t.clock, sleep=sleep)
    pacer.wait(stop)
    pacer.wait(stop)
    assert sum(t.slept) <= 0.2 + 1e-9  # one short slice, not a minute


def test_min_interval_between_messages(journal):
    stamps: list[float] = []
    ch = MemoryChannel(behaviour=lambda r: stamps.append(time.monotonic()))
    send_reminders(reminders(4), ch, journal, operator="Budi", min_interval=0.1)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert len(gaps) == 3 and min(gaps) >= 0.099  # a floor between calls, not between slots


def test_min_interval_holds_when_the_file_claim_is_slow_and_uneven(journal):
    """The slot is taken before the claim and the file claim; a slow one followed by a
    fast one must not bring two messages closer than the setting."""
    stamps: list[float] = []
    delays = iter([0.08, 0.0, 0.08, 0.0, 0.08, 0.0])
    ch = MemoryChannel(behaviour=lambda r: stamps.append(time.monotonic()))
    send_reminders(reminders(6), ch, journal, operator="Budi", min_interval=0.1,
                   before_send=lambda r: time.sleep(next(delays)))
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert len(gaps) == 5 and min(gaps) >= 0.099, gaps


def test_daily_cap(journal):
    rs = reminders(5)
    ch = MemoryChannel()
    s = send_reminders(rs, ch, journal, operator="Budi", daily_cap=3)
    assert len(ch.sent) == 3 and s.not_attempted == 2 and "harian" in s.stop_reason
    ch2 = MemoryChannel()
    s2 = send_reminders(rs, ch2, journal, operator="Budi", daily_cap=3)
    assert ch2.sent == [] and "harian" in s2.stop_reason
    assert send_reminders(rs, MemoryChannel(), journal, operator="Budi",
                          daily_cap=5).states[JournalState.SUBMITTED] == 2


def test_failed_sends_do_not_use_up_the_daily_cap(journal):
    send_reminders(reminders(2), MemoryChannel(
        behaviour=lambda r: Outcome(JournalState.FAILED, "ditolak")), journal,
        operator="Budi")
    ch = MemoryChannel()
    send_reminders(reminders(2, start=10), ch, journal, operator="Budi", daily_cap=2)
    assert len(ch.sent) == 2


def test_concurrent_channel_sends_each_once_and_reports_on_the_calling_thread(journal):
    rs = reminders(24)
    lock = threading.Lock()
    threads, running, peak = set(), [0], [0]

    def behaviour(r: Reminder) -> None:
        with lock:
            threads.add(threading.current_thread().name)
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    reported = []
    ch = MemoryChannel(concurrency=4, behaviour=behaviour)
    s = send_reminders(rs, ch, journal, operator="Budi",
                       on_row=lambda res: reported.append(threading.current_thread()))
    assert sorted(r.key for r in ch.sent) == sorted(r.key for r in rs)
    assert s.states[JournalState.SUBMITTED] == 24
    assert all(t is threading.main_thread() for t in reported) and len(reported) == 24
    assert 1 < peak[0] <= 4


# --- Ctrl-C -------------------------------------------------------------------------------

@pytest.fixture
def default_sigint():
    """Python's own Ctrl-C handler, whatever this process inherited (SIG_IGN in a background
    job); the one before the test comes back afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_stops_after_the_current_row(journal, default_sigint):
    rs = reminders(5)
    stop = threading.Event()

    def behaviour(r: Reminder) -> None:
        if r.row == 3:
            os.kill(os.getpid(), signal.SIGINT)  # the clerk presses Ctrl-C mid-row

    ch = MemoryChannel(behaviour=behaviour)
    with stop_on_sigint(stop):
        s = send_reminders(rs, ch, journal, operator="Budi", stop=stop)
    assert [r.row for r in ch.sent] == [2, 3]  # the current row finished
    assert _states(journal) == {rs[0].key: JournalState.SUBMITTED,
                                rs[1].key: JournalState.SUBMITTED}
    assert s.not_attempted == 3 and stop.is_set()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


# --- the run lock -------------------------------------------------------------------------

def test_second_journal_user_cannot_take_the_run_lock(tmp_path):
    with Journal(tmp_path / "j.sqlite") as a, Journal(tmp_path / "j.sqlite") as b:
        a.acquire_run_lock()
        with pytest.raises(SendInProgress):
            b.acquire_run_lock()
        with pytest.raises(SendInProgress):
            send_reminders(reminders(1), MemoryChannel(), b, operator="Budi")
        a.release_run_lock()
        b.acquire_run_lock()


HOLD_LOCK = """
import sys
from tagihlite.journal.sqlite import Journal
j = Journal(sys.argv[1])
j.acquire_run_lock()
print("locked", flush=True)
sys.stdin.read()
"""


def test_concurrent_cli_sender_is_refused(tmp_path):
    from tagihlite.settings import load

    path = write_book(tmp_path / "b.xlsx", [customer(1), customer(2)])
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(load().journal_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
        assert code == 2 and "Pengiriman lain sedang berjalan" in err
        assert "Traceback" not in err
        assert not (tmp_path / "ob" / "outbox.jsonl").exists()
        with Journal(load().journal_file) as j:
            assert j.entries() == {}
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert len((tmp_path / "ob" / "outbox.jsonl").read_text().splitlines()) == 2


# --- a crash between intent and outcome (a real process dying) ----------------------------

CRASH_SEND = """
import os, sys
from pathlib import Path
from tagihlite.channels.memory import MemoryChannel
from tagihlite.journal.sqlite import Journal
from tagihlite.core.messages import load_template
from tagihlite.settings import load
from tagihlite.workbook.file import read_table
from tagihlite.workflow import analyse, build_reminders, send, template_constants

path, crash_row = Path(sys.argv[1]), int(sys.argv[2])
settings = load()

def behaviour(r):
    if r.row == crash_row:
        os._exit(17)  # power cut / killed process: no finally, no outcome

with Journal(settings.journal_file) as journal:
    analysis = analyse(read_table(path), settings, journal=journal)
    rems = build_reminders(analysis, load_template(constants=template_constants(settings)))
    send(analysis, rems, MemoryChannel(behaviour=behaviour), journal, operator="Budi")
"""


def test_crash_between_intent_and_outcome_is_perlu_cek_never_resent(tmp_path, monkeypatch):
    from tagihlite.settings import load

    monkeypatch.setenv("TAGIHLITE_NOW", "2026-11-25")  # due 20 Nov: level 1 for every run

    path = write_book(tmp_path / "b.xlsx", [customer(i) for i in range(1, 6)])
    proc = subprocess.run([sys.executable, "-c", CRASH_SEND, str(path), "4"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 17, proc.stderr
    keys = [f"1412345{i:05d}|2026-11|1" for i in range(1, 6)]
    with Journal(load().journal_file) as j:
        assert _states(j) == {keys[0]: JournalState.SUBMITTED, keys[1]: JournalState.SUBMITTED,
                              keys[2]: JournalState.PENDING}
    # resume with the real command line and the outbox channel
    ob = tmp_path / "ob"
    code, _, err = run_cli("send", path, "--yes", "--outbox", ob)
    assert code == 0, err
    sent_rows = (ob / "outbox.jsonl").read_text().splitlines()
    assert len(sent_rows) == 2 and '"row": 5' in sent_rows[0] and '"row": 6' in sent_rows[1]
    assert column_values(path, "Status Kirim", range(2, 7)) == [
        Status.SUBMITTED, Status.SUBMITTED, Status.NEEDS_CHECK, Status.QUEUED, Status.QUEUED]
    note = column_values(path, "Catatan", [4])[0]
    assert "terputus" in note
    with Journal(load().journal_file) as j:
        assert _states(j)[keys[2]] == JournalState.UNKNOWN
    # and again: nothing at all goes out
    code, _out, err = run_cli("send", path, "--yes", "--outbox", ob)
    assert code == 0, err
    assert len((ob / "outbox.jsonl").read_text().splitlines()) == 2
    assert column_values(path, "Status Kirim", [4]) == [Status.NEEDS_CHECK]


# --- Ctrl-C on the real command line -----------------------------------------------------

def _sigint_as_in_a_terminal() -> None:
    """In the child before exec: a background job (``&``, nohup, some CI runners) starts
    with SIGINT ignored, and Python then never installs its Ctrl-C handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


SLOW_CLI = """
import sys, time
from pathlib import Path
from tagihlite.channels import outbox

marker = Path(sys.argv[1])
original = outbox.OutboxChannel.send

def slow_send(self, reminder):
    with marker.open("a") as fh:
        fh.write(f"{reminder.row}\\n")
    time.sleep(0.6)
    return original(self, reminder)

outbox.OutboxChannel.send = slow_send
from tagihlite.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_ctrl_c_on_the_command_line_leaves_sheet_and_journal_true(tmp_path):
    from tagihlite.settings import load

    path = write_book(tmp_path / "b.xlsx", [customer(i) for i in range(1, 9)])
    marker, ob = tmp_path / "started.txt", tmp_path / "ob"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_CLI, str(marker), "send", str(path), "--yes",
         "--outbox", str(ob)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_sigint_as_in_a_terminal)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().split() == ["2", "3"]:
                break
            time.sleep(0.01)
        else:
            pytest.fail("the send never reached row 3")
        proc.send_signal(signal.SIGINT)  # during row 3
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode in (0, 1), err
    assert "Traceback" not in err and "Dihentikan" in err
    assert marker.read_text().split() == ["2", "3"]
    assert len((ob / "outbox.jsonl").read_text().splitlines()) == 2  # row 3 finished
    assert column_values(path, "Status Kirim", range(2, 10)) == (
        [Status.QUEUED] * 2 + [Status.READY] * 6)
    with Journal(load().journal_file) as j:
        assert sorted(_states(j).values()) == [JournalState.QUEUED] * 2
