"""How the send loop ends a run early: a person's stop request, an unknown delivery."""

from __future__ import annotations

from pathlib import Path

from tagihlite.channels.base import DeliveryUnknown, Outcome, Reminder
from tagihlite.channels.memory import MemoryChannel
from tagihlite.core.vocab import JournalState
from tagihlite.journal.sqlite import Journal
from tagihlite.sending import send_reminders


def _reminders(n: int) -> list[Reminder]:
    return [Reminder(key=f"14123450000{i}|2026-11|1", customer_id=f"14123450000{i}",
                     period="2026-11", level=1, row=i + 2, name=f"Toko Fiktif {i}",
                     phone=f"+62812700010{i:02d}", amount=100_000, due_date=None,
                     message=f"Pesan {i}") for i in range(n)]


def test_a_stop_request_ends_the_run_before_the_next_intent(tmp_path: Path) -> None:
    channel = MemoryChannel()

    def stop_after_second(r: Reminder) -> Outcome | None:
        if len(channel.sent) == 1:  # this is the second send: the clerk asks to stop now
            channel.stop_requested = True  # type: ignore[attr-defined]
        return None

    channel.behaviour = stop_after_second
    reminders = _reminders(5)
    with Journal(tmp_path / "j.sqlite") as journal:
        summary = send_reminders(reminders, channel, journal, operator="uji")
        entries = journal.entries()
    assert len(channel.sent) == 2
    assert summary.attempted == 2 and summary.not_attempted == 3
    assert summary.stop_reason == "Dihentikan oleh petugas."
    # The rows never tried carry no intent: they are not GAGAL, they are simply still to do.
    assert set(entries) == {r.key for r in reminders[:2]}


def test_delivery_unknown_leaves_perlu_cek_with_the_channels_reason(tmp_path: Path) -> None:
    def time_out(r: Reminder) -> Outcome:
        raise DeliveryUnknown("Server WhatsApp tidak menjawab (batas waktu habis).")

    reminders = _reminders(3)
    with Journal(tmp_path / "j.sqlite") as journal:
        summary = send_reminders(reminders, MemoryChannel(behaviour=time_out), journal,
                                 operator="uji")
        entry = journal.entries()[reminders[0].key]
        again = send_reminders(reminders[:1], MemoryChannel(), journal, operator="uji")
    assert entry.state == JournalState.UNKNOWN
    assert entry.note.startswith("Server WhatsApp tidak menjawab (batas waktu habis).")
    assert summary.attempted == 1 and summary.stop_reason  # the run stops at the first unknown
    assert again.already == 1 and again.attempted == 0  # never silently re-sent
