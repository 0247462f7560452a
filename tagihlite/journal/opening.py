"""Why the journal could not be opened, as one sentence the clerk (or the IT person) can act on.

``journal_path`` comes from a settings file a person typed: a folder without write access, a
folder where a file name was meant, a path through a file, a journal copied from a read-only
share. SQLite says only "unable to open database file"; this module looks at the path to say
which of those it is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tagihlite.errors import TagihError
from tagihlite.paths import settings_file


def _setting_hint() -> str:
    return (f"Ubah journal_path di berkas pengaturan '{settings_file()}' ke folder yang dapat "
            "ditulisi (atau kosongkan untuk memakai folder aplikasi), atau minta izin tulis "
            "untuk folder itu.")


def _file_in_the_way(path: Path) -> Path | None:
    """The first ancestor of ``path`` that exists but is not a folder."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def cannot_open(path: Path, exc: BaseException) -> TagihError:
    """The sentence for a journal at ``path`` that failed with ``exc`` while opening."""
    if path.is_dir():
        return TagihError(f"journal_path '{path}' adalah folder, bukan berkas jurnal. Isi "
                          f"journal_path dengan nama berkas, mis. '{path / 'journal.sqlite'}', "
                          f"di berkas pengaturan '{settings_file()}'.")
    blocker = _file_in_the_way(path)
    if blocker is not None:
        return TagihError(f"Jurnal pengiriman '{path}' tidak dapat dibuat karena '{blocker}' "
                          f"adalah berkas, bukan folder. {_setting_hint()}")
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and "readonly" in text.replace("-", ""):
        return TagihError(f"Jurnal pengiriman '{path}' hanya dapat dibaca (read-only), jadi "
                          "TagihLite tidak dapat mencatat pengiriman. Beri izin tulis untuk "
                          f"berkas itu dan foldernya '{path.parent}', atau ubah journal_path "
                          f"di berkas pengaturan '{settings_file()}' ke folder lain.")
    if isinstance(exc, OSError) or "unable to open" in text:
        reason = f" ({exc.strerror})" if isinstance(exc, OSError) and exc.strerror else ""
        return TagihError(f"Jurnal pengiriman '{path}' tidak dapat dibuat atau dibuka: folder "
                          f"'{path.parent}' tidak dapat ditulisi{reason}. {_setting_hint()}")
    return TagihError(f"Jurnal pengiriman '{path}' tidak dapat dibuka ({exc}). Jika "
                      f"journal_path di berkas pengaturan '{settings_file()}' menunjuk berkas "
                      "yang salah, perbaiki; jika benar, jangan hapus berkas ini dan hubungi "
                      "tim TagihLite.")
