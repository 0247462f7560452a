"""A lock file next to the workbook that every TagihLite process respects.

While a TagihLite process writes a workbook, or sends from it, ``.~tagihlite-lock.NAME``
sits beside it, saying which computer, process and operator hold it and since when.
Another TagihLite (another window, another computer on the same shared folder) refuses
to send from or write to that workbook with a sentence naming the holder.

Stale locks: on the same computer a lock whose process is gone is taken over (and said
so). A lock from another computer cannot be checked from here; the sentence says how to
remove it once the clerk is sure that computer is no longer sending. The lock is
re-entrant within one process (a send holds it and its status writes pass).

Also here: removing the temp files a killed write left beside the workbook.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from tagihlite.clock import now
from tagihlite.errors import InputError, where

LOCK_PREFIX = ".~tagihlite-lock."
TEMP_PREFIX = ".~tagihlite-"
_held: dict[str, int] = {}  # lock path -> depth, in this process
STALE_LEGACY_SECONDS = 3600


def lock_path(path: Path) -> Path:
    return path.with_name(LOCK_PREFIX + path.name)


def _me() -> dict[str, object]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _read(lock: Path) -> dict[str, object] | None:
    try:
        return json.loads(lock.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl-C there
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _alive_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def holder(path: Path) -> dict[str, object] | None:
    """Who holds the lock of ``path`` now (None: nobody, or this very process)."""
    info = _read(lock_path(path))
    if info is None:
        return None
    if info.get("host") == socket.gethostname():
        pid = int(info.get("pid", 0) or 0)  # type: ignore[call-overload]
        if pid == os.getpid() or not _alive(pid):
            return None
    return info


def refusal(path: Path, info: dict[str, object]) -> InputError:
    who = info.get("operator") or "pengguna lain"
    host = info.get("host") or "komputer lain"
    since = info.get("since") or "waktu tidak diketahui"
    what = "mengirim pengingat dari" if info.get("sending") else "menulis"
    return InputError(
        f"{where(path.name).capitalize()} sedang dipakai TagihLite lain: {who} di komputer "
        f"'{host}' sedang {what} buku kerja ini (sejak {since}). Tunggu sampai selesai, "
        "lalu jalankan lagi. Jika Anda yakin proses itu sudah berhenti, hapus berkas "
        f"'{lock_path(path).name}' di folder yang sama.")


@contextlib.contextmanager
def workbook_lock(path: Path, *, operator: str = "", sending: bool = False,
                  notice: list[str] | None = None) -> Iterator[None]:
    """Hold the lock of ``path`` (re-entrant within this process)."""
    lock = lock_path(Path(path))
    key = str(lock.resolve()) if lock.parent.exists() else str(lock)
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    info = {**_me(), "operator": operator, "sending": sending,
            "since": now().strftime("%d-%m-%Y %H:%M WIB")}
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            other = _read(lock)
            if other is None:
                continue  # removed meanwhile: try again
            if holder(Path(path)) is not None or other == {}:
                raise refusal(Path(path), other or {}) from None
            _break_stale(lock, other)
            if notice is not None:
                notice.append(f"Kunci lama dari proses TagihLite yang sudah berhenti (pid "
                              f"{other.get('pid')}) dibuang.")
            continue
        except OSError as exc:
            raise InputError(f"Kunci untuk {where(Path(path).name)} tidak dapat dibuat "
                             f"({exc.strerror or exc}). Pastikan folder bisa ditulisi.") from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(info, fh)
        break
    else:
        raise refusal(Path(path), _read(lock) or {})
    _held[key] = 1
    try:
        yield
    finally:
        _held.pop(key, None)
        with contextlib.suppress(FileNotFoundError):
            if _read(lock) == json.loads(json.dumps(info)):
                lock.unlink()


def _break_stale(lock: Path, seen: dict[str, object]) -> None:
    """Move a dead process's lock aside, atomically: of two processes breaking it, one wins;
    a lock another process took meanwhile is put back."""
    aside = lock.with_name(f"{lock.name}.stale-{os.getpid()}")
    try:
        os.replace(lock, aside)
    except FileNotFoundError:
        return
    if _read(aside) != seen:  # not the one we judged stale: put it back
        with contextlib.suppress(OSError):
            os.link(aside, lock)
    with contextlib.suppress(FileNotFoundError):
        aside.unlink()


def clean_leftovers(path: Path) -> list[Path]:
    """Remove temp files a killed TagihLite write left beside ``path``. Call with the lock
    held: temp files named after this workbook are then certainly nobody's; older unnamed
    ones (earlier versions) only when they are over an hour old."""
    path = Path(path)
    removed = []
    mine = f"{TEMP_PREFIX}{path.name}."
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        name = p.name
        if not name.startswith(TEMP_PREFIX) or name.startswith(LOCK_PREFIX):
            continue
        if not name.endswith((".tmp", ".fix", ".bak", ".sheet")):
            continue
        if not name.startswith(mine):
            try:
                if time.time() - p.stat().st_mtime < STALE_LEGACY_SECONDS:
                    continue
            except OSError:
                continue
            if "." in name[len(TEMP_PREFIX):-4]:
                continue  # another workbook's temp file: its own next run cleans it
        with contextlib.suppress(OSError):
            p.unlink()
            removed.append(p)
    return removed
