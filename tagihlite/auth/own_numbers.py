"""Each clerk's own WhatsApp number for test sends ("Kirim Uji"), remembered per user.

A small JSON file in the app folder (never the workbook, never the settings file), keyed by
the operator's name, so the dialog offers the number this clerk used last time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tagihlite.paths import data_dir

FILE = "own_numbers.json"


def _path() -> Path:
    return data_dir() / FILE


def _load() -> dict[str, str]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def recall(user: str) -> str | None:
    """The number ``user`` used for their last test send, if any."""
    return _load().get(user.casefold())


def remember(user: str, number: str) -> None:
    numbers = _load()
    numbers[user.casefold()] = number
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(numbers, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
