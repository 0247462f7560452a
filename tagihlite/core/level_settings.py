"""Reading and checking the ``[[levels]]`` tables of the settings file.

Every problem names the key it is about (``levels[2].to_day``), so a supervisor can fix the
file without guessing.
"""

from __future__ import annotations

import itertools
from typing import Any

from tagihlite.core.levels import Level
from tagihlite.errors import SettingsError

_KEYS = {"number": int, "name": str, "from_day": int, "to_day": int, "template": str,
         "min_days_since_previous": int}
_WORDS = {int: "bilangan bulat", str: "teks"}


def parse_levels(value: Any, name: str = "levels") -> list[Level]:
    """TOML ``[[levels]]`` (list of tables) or already-built :class:`Level` objects."""
    if not isinstance(value, list) or not value:
        raise SettingsError(f"Pengaturan '{name}' harus berupa satu atau lebih tabel "
                            f"[[{name}]].")
    levels = [v if isinstance(v, Level) else _one(v, f"{name}[{i}]")
              for i, v in enumerate(value)]
    _check(levels, name)
    return levels


def _one(table: Any, where: str) -> Level:
    if not isinstance(table, dict):
        raise SettingsError(f"Pengaturan '{where}' harus berupa tabel [[levels]].")
    for key, val in table.items():
        kind = _KEYS.get(key)
        if kind is None:
            raise SettingsError(f"Pengaturan '{where}.{key}' tidak dikenal. Kunci yang ada: "
                                f"{', '.join(_KEYS)}.")
        if not isinstance(val, kind) or isinstance(val, bool):
            raise SettingsError(f"Pengaturan '{where}.{key}' harus {_WORDS[kind]}, "
                                f"bukan {val!r}.")
    for key in ("number", "name", "from_day"):
        if key not in table:
            raise SettingsError(f"Pengaturan '{where}.{key}' wajib diisi.")
    return Level(**table)


def _check(levels: list[Level], name: str) -> None:
    seen: set[int] = set()
    for i, lv in enumerate(levels):
        where = f"{name}[{i}]"
        if lv.number < 0:
            raise SettingsError(f"Pengaturan '{where}.number' tidak boleh negatif.")
        if lv.number in seen:
            raise SettingsError(f"Pengaturan '{where}.number': tingkat {lv.number} sudah ada.")
        seen.add(lv.number)
        if not lv.name.strip():
            raise SettingsError(f"Pengaturan '{where}.name' tidak boleh kosong.")
        if lv.to_day is not None and lv.to_day < lv.from_day:
            raise SettingsError(f"Pengaturan '{where}.to_day' ({lv.to_day}) tidak boleh "
                                f"sebelum from_day ({lv.from_day}).")
        if lv.min_days_since_previous < 0:
            raise SettingsError(f"Pengaturan '{where}.min_days_since_previous' tidak boleh "
                                "negatif.")
    ordered = sorted(range(len(levels)), key=lambda i: levels[i].number)
    for a, b in itertools.pairwise(ordered):
        prev, nxt = levels[a], levels[b]
        if prev.to_day is None or nxt.from_day <= prev.to_day:
            raise SettingsError(
                f"Pengaturan '{name}[{b}].from_day' ({nxt.from_day}) harus sesudah akhir "
                f"tingkat {prev.number} ('{name}[{a}].to_day'): jendela hari tiap tingkat "
                "berurutan dan tidak bertumpuk.")


def check_level(level: int | None, settings: Any) -> None:
    """``--level N`` (or ``reminder_level``): exactly the configured level numbers."""
    if level is None:
        return
    numbers = [lv.number for lv in settings.levels]
    if level not in numbers:
        from tagihlite.errors import InputError

        raise InputError(f"--level {level} tidak ada. Tingkat pengingat yang diatur: "
                         f"{', '.join(map(str, numbers))} (lihat [[levels]] di pengaturan).")
