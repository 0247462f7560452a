"""A PERLU CEK row of the Cloud channel is settled by WhatsApp's own status report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tagihlite.channels.webhook import StatusUpdate, journal_recorder
from tagihlite.core.vocab import JournalState
from tagihlite.journal.sqlite import Journal

KEY = "141234500001|2026-11|1"
NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.timezone.utc)


def _crashed_send(journal: Journal, channel: str = "cloud") -> None:
    journal.acquire_run_lock()
    journal.begin(KEY, channel=channel, operator="uji", message="Pesan", phone="+6281270001001",
                  amount=1000)
    journal.recover()  # the run died after the intent: the next run finds it pending
    journal.release_run_lock()


def test_status_report_with_our_key_settles_perlu_cek(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        _crashed_send(journal)
        assert journal.entries()[KEY].state == JournalState.UNKNOWN
        record = journal_recorder(journal)
        assert record(StatusUpdate("wamid.X1", JournalState.DELIVERED, NOW, callback_key=KEY))
        entry = journal.entries()[KEY]
        assert (entry.state, entry.provider_id) == (JournalState.DELIVERED, "wamid.X1")
        # Later news for the same message id moves it on as usual.
        assert record(StatusUpdate("wamid.X1", JournalState.READ, NOW))
        assert journal.entries()[KEY].state == JournalState.READ


def test_unknown_key_or_other_channel_is_left_for_a_human(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        _crashed_send(journal, channel="whatsapp-web")
        record = journal_recorder(journal)
        assert not record(StatusUpdate("wamid.X2", JournalState.SENT, NOW, callback_key=KEY))
        assert not record(StatusUpdate("wamid.X3", JournalState.SENT, NOW,
                                       callback_key="999|2026-11|1"))
        assert journal.entries()[KEY].state == JournalState.UNKNOWN
