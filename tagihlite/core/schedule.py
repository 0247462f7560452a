"""Quiet hours: when reminders may go out (WIB), as pure rules.

Indonesian collection practice is to contact customers in daytime only. Settings give a
daily window (``send_window = "08:00-20:00"``; empty = all day), weekdays to skip
(``skip_days = ["Minggu"]``) and holiday dates (``holidays = ["2026-12-25"]``). The send
loop asks :meth:`SendWindow.allows` before every reminder, with the pinned clock
(:mod:`tagihlite.clock`), and :meth:`SendWindow.next_open` says when sending may resume.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tagihlite.core.formats import WIB
from tagihlite.errors import InputError

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")  # weekday()
_DAY_ALIASES = {
    **{name.casefold(): i for i, name in enumerate(DAY_NAMES)},
    "jum'at": 4, "ahad": 6,
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
}
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
_MIDNIGHT_END = dt.time(23, 59, 59, 999999)  # "24:00": to the end of the day


def _time(text: str, what: str) -> dt.time:
    m = _TIME.match(text)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
        if (hour, minute) == (24, 0):
            return _MIDNIGHT_END
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise InputError(f"Pengaturan 'send_window': {what} '{text.strip()}' tidak dikenali; "
                     "tulis JJ:MM, mis. \"08:00-20:00\".")


def hhmm(t: dt.time) -> str:
    return "24:00" if t == _MIDNIGHT_END else t.strftime("%H:%M")


@dataclass(frozen=True)
class SendWindow:
    """Daily window [start, end) in WIB, days to skip (weekday numbers) and holidays."""

    start: dt.time = dt.time(0, 0)
    end: dt.time = _MIDNIGHT_END
    skip_days: frozenset[int] = field(default_factory=frozenset)
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, window: str = "", skip_days: Iterable[str] = (),
              holidays: Iterable[str] = ()) -> SendWindow:
        """From the settings' texts; InputError names the key and the bad value."""
        start, end = dt.time(0, 0), _MIDNIGHT_END
        if window.strip():
            parts = window.split("-")
            if len(parts) != 2:
                raise InputError(f"Pengaturan 'send_window' = \"{window}\" tidak dikenali; "
                                 "tulis \"JJ:MM-JJ:MM\" (WIB), mis. \"08:00-20:00\", atau "
                                 "kosongkan.")
            start, end = _time(parts[0], "jam mulai"), _time(parts[1], "jam selesai")
            if start >= end:
                raise InputError(f"Pengaturan 'send_window' = \"{window}\": jam mulai harus "
                                 "sebelum jam selesai (jendela tidak boleh melewati tengah "
                                 "malam).")
        days = set()
        for name in skip_days:
            key = name.strip().casefold()
            if key not in _DAY_ALIASES:
                raise InputError(f"Pengaturan 'skip_days': hari '{name}' tidak dikenal; "
                                 f"pakai {', '.join(DAY_NAMES)}.")
            days.add(_DAY_ALIASES[key])
        if len(days) == 7:
            raise InputError("Pengaturan 'skip_days' melewati ketujuh hari: pengingat tidak "
                             "akan pernah terkirim.")
        dates = set()
        for text in holidays:
            try:
                dates.add(dt.date.fromisoformat(text.strip()))
            except ValueError:
                raise InputError(f"Pengaturan 'holidays': tanggal '{text}' tidak dikenali; "
                                 "tulis YYYY-MM-DD, mis. \"2026-12-25\".") from None
        return cls(start, end, frozenset(days), frozenset(dates))

    @property
    def unlimited(self) -> bool:
        return (self.start == dt.time(0, 0) and self.end == _MIDNIGHT_END
                and not self.skip_days and not self.holidays)

    def describe(self) -> str:
        return f"{hhmm(self.start)}-{hhmm(self.end)} WIB"

    def _day_open(self, day: dt.date) -> bool:
        return day.weekday() not in self.skip_days and day not in self.holidays

    def allows(self, now: dt.datetime) -> bool:
        local = _wib(now)
        return self._day_open(local.date()) and self.start <= local.time() < self.end

    def next_open(self, now: dt.datetime) -> dt.datetime:
        """``now`` when sending is allowed, else the next moment it is (WIB)."""
        local = _wib(now)
        if self.allows(local):
            return local
        day = local.date()
        if self._day_open(day) and local.time() < self.start:
            return dt.datetime.combine(day, self.start, WIB)
        # Holidays are finite and at most six weekdays are skipped: this ends.
        for _ in range(len(self.holidays) + 8):
            day += dt.timedelta(days=1)
            if self._day_open(day):
                return dt.datetime.combine(day, self.start, WIB)
        raise AssertionError("no open day found")  # pragma: no cover - see parse()

    def closed_sentence(self, now: dt.datetime, *, started: bool) -> str:
        """Why nothing (more) is sent now, and when it may continue, in Indonesian."""
        local = _wib(now)
        resume = self.next_open(local)
        if local.date() in self.holidays:
            why = f"hari ini ({local:%d-%m-%Y}) hari libur"
        elif local.weekday() in self.skip_days:
            why = f"hari {DAY_NAMES[local.weekday()]} tidak ada pengiriman"
        elif started and local.time() >= self.end:
            why = f"jam kirim ({self.describe()}) sudah berakhir"
        else:
            why = f"di luar jam kirim ({self.describe()})"
        stop = ("pengiriman dihentikan sebelum pengingat berikutnya" if started
                else "tidak ada pengingat yang dikirim")
        return (f"Sekarang {local:%H:%M} WIB: {why}; {stop}. Pengiriman dapat dilanjutkan "
                f"mulai {when_text(resume)} (jalankan kirim lagi; yang sudah terkirim tidak "
                "dikirim ulang).")


def when_text(moment: dt.datetime) -> str:
    """``Senin, 07-12-2026 pukul 08:00 WIB``."""
    local = _wib(moment)
    return f"{DAY_NAMES[local.weekday()]}, {local:%d-%m-%Y} pukul {local:%H:%M} WIB"


def _wib(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(WIB) if moment.tzinfo else moment.replace(tzinfo=WIB)
