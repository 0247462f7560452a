"""Technical log for unexpected errors, in the user's app folder.

Customer data must not land here: we log exception types and stack frames (file, line,
function), never exception messages or local values, because messages from parsers and
channels can carry names, numbers or amounts.
"""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from pathlib import Path

from tagihlite.paths import log_dir


def log_exception(context: str) -> Path:
    exc_type, _exc, tb = sys.exc_info()
    path = log_dir() / "tagihlite-error.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = traceback.extract_tb(tb)
    lines = [f"{dt.datetime.now(dt.timezone.utc).isoformat()} [{context}] "
             f"{exc_type.__module__ if exc_type else ''}.{exc_type.__name__ if exc_type else ''}"]
    lines += [f"    {f.filename}:{f.lineno} in {f.name}" for f in frames]
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path
