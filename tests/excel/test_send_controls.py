"""Setujui Template and Kirim Uji on the in-memory Excel engine; quiet hours on Kirim Semua."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite import clock
from tagihlite.auth.audit import AuditLog
from tagihlite.auth.login import login, logout
from tagihlite.core.vocab import Status
from tagihlite.excel import actions as excel_actions
from tagihlite.journal.sqlite import Journal
from tagihlite.settings import load

PASSWORD = "Rahasia-Dumai-2026"
EDITED = "Yth. {{ name }}: bayar {{ amount_rupiah }} ke rekening 987-654 (DIUBAH)."


def _criticals(xl: MemoryExcel) -> list[str]:
    return [a["prompt"] for a in xl.alerts if a["mode"] == "critical"]


def _journal_keys() -> set[str]:
    path = load().journal_file
    if not path.exists():
        return set()
    with Journal(path) as journal:
        return set(journal.entries())


def _outbox() -> list[dict]:
    path = load().outbox_path / "outbox.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _events(name: str) -> list[tuple[str, dict]]:
    path = load().journal_file
    if not path.exists():
        return []
    return [(actor, json.loads(details))
            for _s, _at, ev, actor, details, _p, _h in AuditLog(path).entries() if ev == name]


@pytest.fixture
def team() -> None:
    from tagihlite.auth.users import add_user

    settings = load()
    add_user(settings, "sari", "supervisor", PASSWORD)
    login(settings, "sari", PASSWORD)
    add_user(settings, "budi", "staff", PASSWORD)
    logout(settings)


def as_user(name: str) -> None:
    logout(load())
    login(load(), name, PASSWORD)


def test_setujui_template_for_supervisors_only_then_kirim_semua_sends(
        team: None, xl: MemoryExcel, addin_xlsm: Path) -> None:
    book = xl.open(addin_xlsm)
    book.sheets["Template"].range("A3:D40").clear_contents()  # one column per level
    book.sheets["Template"].range("A3:D3").value = [EDITED] * 4
    before = xl.cells("Tagihan")

    as_user("budi")
    tx.on_ribbon("tl_send_all")  # refused before the question, nothing written
    (refusal,) = _criticals(xl)
    assert "belum disetujui" in refusal and "sari" in refusal and "Setujui Template" in refusal
    assert [a["buttons"] for a in xl.alerts] == ["ok"]
    assert xl.cells("Tagihan") == before and _journal_keys() == set()

    tx.on_ribbon("tl_preview")  # preview works, and says the template is not approved
    assert "belum disetujui" in xl.alerts[-1]["prompt"]
    assert any("DIUBAH" in str(v) for v in xl.cells("Tagihan").values())

    tx.on_ribbon("tl_approve_template")  # staff: refused with a sentence
    assert "Hanya supervisor" in _criticals(xl)[-1]
    assert _events("template_approve") == []

    as_user("sari")
    xl.answer("no")  # the supervisor reads the text and says no: nothing approved
    tx.on_ribbon("tl_approve_template")
    assert "DIUBAH" in xl.alerts[-1]["prompt"] and xl.alerts[-1]["buttons"] == "yes_no"
    assert _events("template_approve") == []
    xl.answer("yes")
    tx.on_ribbon("tl_approve_template")
    assert "disetujui oleh sari" in xl.alerts[-1]["prompt"]
    ((actor, details),) = _events("template_approve")
    assert actor == "sari" and "987-654" in details["text"]
    tx.on_ribbon("tl_approve_template")  # again: already approved, no question
    assert "sudah disetujui" in xl.alerts[-1]["prompt"] and xl.pending_answers == 0

    as_user("budi")
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    sent = _outbox()
    assert len(sent) == 6 and all("DIUBAH" in m["text"] for m in sent)


def test_kirim_uji_asks_the_own_number_remembers_it_per_user_and_changes_no_row(
        team: None, xl: MemoryExcel, addin_xlsm: Path, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    offered: list[str] = []
    typed = iter(["0812-9999-0001", "0813 8888 0002", "+6281299990001"])

    def ask(initial: str = "") -> str:
        offered.append(initial)
        return next(typed)

    monkeypatch.setattr(excel_actions, "_ask_own_number", ask)
    xl.open(addin_xlsm)
    before = xl.cells("Tagihan")
    as_user("budi")
    tx.on_ribbon("tl_send_test")
    as_user("sari")
    tx.on_ribbon("tl_send_test")
    as_user("budi")
    tx.on_ribbon("tl_send_test")
    assert offered == ["", "", "+6281299990001"]  # each clerk's own number comes back
    assert _criticals(xl) == []
    assert "Tidak ada baris yang ditandai" in xl.alerts[-1]["prompt"]
    assert [m["to"] for m in _outbox()] == ["+6281299990001", "+6281388880002",
                                            "+6281299990001"]
    assert all(m["text"].startswith("[UJI] ") for m in _outbox())
    assert xl.cells("Tagihan") == before and _journal_keys() == set()
    assert [actor for actor, _ in _events("test_send")] == ["budi", "sari", "budi"]


def test_kirim_uji_cancelled_or_a_bad_number_sends_nothing(
        xl: MemoryExcel, addin_xlsm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_actions, "_ask_own_number", lambda initial="": None)
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_send_test")
    assert xl.status_texts[-1] == "TagihLite: Kirim uji dibatalkan." and _outbox() == []
    monkeypatch.setattr(excel_actions, "_ask_own_number", lambda initial="": "0761-31234")
    tx.on_ribbon("tl_send_test")
    assert "bukan nomor HP WhatsApp yang valid" in _criticals(xl)[-1] and _outbox() == []


def test_kirim_semua_at_21_00_sends_nothing_and_says_when(
        xl: MemoryExcel, addin_xlsm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    Path(os.environ["TAGIHLITE_CONFIG"]).write_text('send_window = "08:00-20:00"\n', "utf-8")
    monkeypatch.setenv(clock.ENV, "2026-12-05T21:00")  # as the VBA-started Python sees it
    xl.open(addin_xlsm)
    before = xl.cells("Tagihan")
    tx.on_ribbon("tl_send_all")
    assert [a["buttons"] for a in xl.alerts] == ["ok"]  # no "send now?" question
    assert "dapat dilanjutkan mulai Minggu, 06-12-2026 pukul 08:00 WIB" in xl.alerts[0]["prompt"]
    assert xl.cells("Tagihan") == before and _journal_keys() == set() and _outbox() == []
    monkeypatch.setenv(clock.ENV, "2026-12-06T08:00")
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    assert len(_outbox()) == 6
    assert Status.QUEUED in xl.cells("Tagihan").values()


def test_kirim_semua_crossing_20_00_stops_before_the_next_reminder(
        xl: MemoryExcel, addin_xlsm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import os

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
    Path(os.environ["TAGIHLITE_CONFIG"]).write_text('send_window = "08:00-20:00"\n', "utf-8")
    clock.pin("2026-12-07T19:57")
    try:
        xl.open(addin_xlsm)
        xl.answer("yes")
        tx.on_ribbon("tl_send_all")
    finally:
        clock.pin(None)
    assert len(_outbox()) == 3  # 19:57, 19:58, 19:59; at 20:00 the run stops
    summary = xl.alerts[-1]["prompt"]
    assert "sudah berakhir" in summary and "Selasa, 08-12-2026 pukul 08:00 WIB" in summary
    statuses = list(xl.cells("Tagihan").values())
    assert statuses.count(Status.QUEUED) == 3 and statuses.count(Status.READY) == 3
    assert len(_journal_keys()) == 3
