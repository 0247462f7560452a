"""Quiet hours at the send button: nothing outside the window, a run reaching its end stops
cleanly before the next reminder and says when it may continue."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from core_helpers import column_values, customer, run_cli, sha256, write_book

from tagihlite import clock
from tagihlite.channels.memory import MemoryChannel
from tagihlite.core.formats import WIB
from tagihlite.core.schedule import SendWindow
from tagihlite.core.vocab import Status
from tagihlite.journal.sqlite import Journal
from tagihlite.sending import send_reminders
from tagihlite.settings import load

WINDOW = 'send_window = "08:00-20:00"\nskip_days = ["Minggu"]\n'


@pytest.fixture(autouse=True)
def _unpin() -> Iterator[None]:
    yield
    clock.pin(None)


@pytest.fixture
def quiet_hours() -> None:
    Path(os.environ["TAGIHLITE_CONFIG"]).write_text(WINDOW, encoding="utf-8")


def _outbox(folder: Path) -> list[dict]:
    path = folder / "outbox.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _journal_keys() -> set[str]:
    path = load().journal_file
    if not path.exists():
        return set()
    with Journal(path) as journal:
        return set(journal.entries())


def test_the_loop_asks_the_clock_before_every_reminder(tmp_path: Path) -> None:
    from test_core_sending import reminders

    times = iter([dt.datetime(2026, 12, 7, 19, 58, tzinfo=WIB),
                  dt.datetime(2026, 12, 7, 19, 59, tzinfo=WIB),
                  dt.datetime(2026, 12, 7, 20, 0, tzinfo=WIB)])

    def now() -> dt.datetime:  # time moves on between reminders, as in a real run
        return next(times)

    channel = MemoryChannel()
    with Journal(tmp_path / "j.sqlite") as journal:
        summary = send_reminders(reminders(3), channel, journal, operator="Budi",
                                 window=SendWindow.parse("08:00-20:00"), now=now)
        assert len(journal.entries()) == 2  # the third was never claimed
    assert len(channel.sent) == 2 and summary.not_attempted == 1
    assert "sudah berakhir" in summary.stop_reason
    assert "Selasa, 08-12-2026 pukul 08:00 WIB" in summary.stop_reason


def test_at_21_00_nothing_is_sent_and_it_says_when(tmp_path: Path, quiet_hours: None) -> None:
    path = write_book(tmp_path / "t.xlsx", [customer(i) for i in range(1, 4)])
    before = sha256(path)
    code, _out, err = run_cli("--now", "2026-12-05T21:00", "send", path, "--yes",
                             "--outbox", tmp_path / "ob")
    assert code == 1, err
    assert "tidak ada pengingat yang dikirim" in err
    assert "dapat dilanjutkan mulai Senin, 07-12-2026 pukul 08:00 WIB" in err
    assert sha256(path) == before and _outbox(tmp_path / "ob") == []
    assert _journal_keys() == set()
    # Inside the window the same command sends.
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob",
                           "--now", "2026-12-07T09:00")
    assert code == 0, err
    assert len(_outbox(tmp_path / "ob")) == 3


def test_a_run_crossing_20_00_stops_before_the_next_reminder(
        tmp_path: Path, quiet_hours: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import tagihlite.channels as channels

    real_get_channel = channels.get_channel

    class ClockAdvancingChannel:
        """The real outbox channel; each send takes "a minute" on the pinned clock."""

        def __init__(self, inner: object) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def send(self, reminder: object) -> object:
            outcome = self.inner.send(reminder)
            clock.pin(clock.now() + dt.timedelta(minutes=1))
            return outcome

    monkeypatch.setattr(channels, "get_channel", lambda *a, **kw: ClockAdvancingChannel(
        real_get_channel(*a, **kw)))
    path = write_book(tmp_path / "t.xlsx", [customer(i) for i in range(1, 5)])
    code, out, err = run_cli("--now", "2026-12-07T19:58", "send", path, "--yes",
                             "--outbox", tmp_path / "ob")
    assert code == 1
    assert [m["key"].split("|")[0] for m in _outbox(tmp_path / "ob")] == [
        "141234500001", "141234500002"]  # 19:58 and 19:59; at 20:00 the run stops
    assert "sudah berakhir" in err and "Selasa, 08-12-2026 pukul 08:00 WIB" in err
    assert "2 diproses" in out and "2 belum diproses" in out
    assert column_values(path, "Status Kirim", [2, 3, 4, 5]) == [
        Status.QUEUED, Status.QUEUED, Status.READY, Status.READY]
    assert len(_journal_keys()) == 2
