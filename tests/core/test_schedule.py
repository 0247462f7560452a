"""Quiet hours as pure rules (core/schedule.py): parsing, allowed now, next allowed time."""

from __future__ import annotations

import datetime as dt

import pytest

from tagihlite.core.formats import WIB
from tagihlite.core.schedule import SendWindow
from tagihlite.errors import InputError


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=WIB)


WINDOW = SendWindow.parse("08:00-20:00", ["Minggu"], ["2026-12-25"])


@pytest.mark.parametrize(("moment", "allowed"), [
    ("2026-12-05T07:59", False), ("2026-12-05T08:00", True), ("2026-12-05T19:59", True),
    ("2026-12-05T20:00", False), ("2026-12-06T10:00", False),  # Sunday
    ("2026-12-25T10:00", False),  # holiday (Friday)
    ("2026-12-07T12:00", True),
])
def test_allows(moment: str, allowed: bool) -> None:
    assert WINDOW.allows(at(moment)) is allowed


@pytest.mark.parametrize(("moment", "resume"), [
    ("2026-12-05T06:30", "2026-12-05T08:00"),  # Saturday morning: later today
    ("2026-12-05T21:00", "2026-12-07T08:00"),  # Saturday night: Sunday skipped
    ("2026-12-24T20:00", "2026-12-26T08:00"),  # Christmas skipped
    ("2026-12-07T09:15", "2026-12-07T09:15"),  # open: now
])
def test_next_open(moment: str, resume: str) -> None:
    assert WINDOW.next_open(at(moment)) == at(resume)


def test_utc_moments_are_read_in_wib() -> None:
    utc = dt.datetime(2026, 12, 5, 13, 30, tzinfo=dt.timezone.utc)  # 20:30 WIB
    assert not WINDOW.allows(utc)


def test_sentences_say_when_to_continue() -> None:
    text = WINDOW.closed_sentence(at("2026-12-05T21:00"), started=False)
    assert "tidak ada pengingat yang dikirim" in text
    assert "Senin, 07-12-2026 pukul 08:00 WIB" in text
    text = WINDOW.closed_sentence(at("2026-12-07T20:00"), started=True)
    assert "sudah berakhir" in text and "sebelum pengingat berikutnya" in text
    assert "Selasa, 08-12-2026 pukul 08:00 WIB" in text


def test_empty_window_is_unlimited_and_24_00_ends_the_day() -> None:
    assert SendWindow.parse("").unlimited
    late = SendWindow.parse("06:00-24:00")
    assert late.allows(at("2026-12-05T23:59")) and not late.allows(at("2026-12-05T05:59"))


@pytest.mark.parametrize(("window", "days", "holidays", "words"), [
    ("8-20", [], [], "send_window"),
    ("20:00-08:00", [], [], "sebelum jam selesai"),
    ("08:00-25:00", [], [], "jam selesai"),
    ("", ["Minggu", "Funday"], [], "Funday"),
    ("", ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Ahad"], [], "ketujuh"),
    ("", [], ["25-12-2026"], "holidays"),
])
def test_bad_settings_are_one_sentence(window: str, days: list[str], holidays: list[str],
                                       words: str) -> None:
    with pytest.raises(InputError, match=words):
        SendWindow.parse(window, days, holidays)


def test_settings_file_is_validated(tmp_path, monkeypatch) -> None:
    from tagihlite.errors import SettingsError
    from tagihlite.settings import load

    path = tmp_path / "settings.toml"
    path.write_text('send_window = "08:00-20:00"\nskip_days = ["Sunday"]\n', "utf-8")
    assert load(path).send_schedule.skip_days == frozenset({6})
    path.write_text('send_window = "20:00"\n', "utf-8")
    with pytest.raises(SettingsError, match="send_window"):
        load(path)
