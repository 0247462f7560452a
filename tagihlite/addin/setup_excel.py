"""``tagihlite setup-excel``: put the add-in workbook and its ``xlwings.conf`` in a folder.

The workbook's VBA (xlwings' standalone module) looks for ``xlwings.conf`` in the workbook's
own folder before the user-wide ``~/.xlwings/xlwings.conf`` and reads one ``"KEY","VALUE"``
pair per line (VBA ``Input #``), so writing the interpreter of this environment beside the
workbook is all RunPython needs. The workbook is built on the fly: its sources ship with the
package and the build is byte-identical to the committed ``tagihlite.xlsm``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tagihlite.addin.build import WORKBOOK_FILE, build_workbook
from tagihlite.errors import TagihError

CONF_FILE: Final = "xlwings.conf"  # xlwings.bas: GetDirectoryConfigFilePath()
MAC_SCRIPTS_DIR: Final = Path("Library/Application Scripts/com.microsoft.Excel")


@dataclass(frozen=True)
class SetupResult:
    workbook: Path
    conf: Path
    interpreter: Path
    workbook_created: bool  # False: an existing workbook was kept (it may hold the clerk's data)
    applescript: Path | None  # macOS only: the script RunPython calls through AppleScriptTask


def excel_interpreter(executable: str | None = None, platform: str | None = None) -> Path:
    """The Python Excel should start: this one, as ``pythonw.exe`` on Windows when present
    (no console window flashing up on every click)."""
    exe = Path(executable or sys.executable)
    if (platform or sys.platform) == "win32":
        pythonw = exe.with_name("pythonw.exe")
        if pythonw.is_file():
            return pythonw
    return exe


def conf_entries(interpreter: Path, platform: str | None = None) -> list[tuple[str, str]]:
    key = "INTERPRETER_WIN" if (platform or sys.platform) == "win32" else "INTERPRETER_MAC"
    # The package is installed in that interpreter: the workbook's folder (which may hold
    # other .py files) need not, and should not, shadow anything on sys.path.
    return [(key, str(interpreter)), ("ADD_WORKBOOK_TO_PYTHONPATH", "false")]


def render_conf(entries: Sequence[tuple[str, str]], newline: str = "\r\n") -> str:
    """``"KEY","VALUE"`` lines as VBA's ``Write #`` makes them (VBA cannot escape quotes)."""
    lines = []
    for key, value in entries:
        if any(ch in f"{key}{value}" for ch in '"\r\n'):
            raise TagihError(f"Nilai '{key}' untuk xlwings.conf tidak boleh berisi tanda kutip "
                             "atau baris baru.")
        lines.append(f'"{key}","{value}"')
    return newline.join(lines) + newline


def write_conf(path: Path, entries: Sequence[tuple[str, str]], platform: str | None = None) -> None:
    windows = (platform or sys.platform) == "win32"
    text = render_conf(entries, "\r\n" if windows else "\n")
    # VBA reads the file in the system's ANSI code page on Windows.
    encoding = "mbcs" if os.name == "nt" else "utf-8"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise TagihError("Lokasi Python berisi huruf yang tidak bisa dibaca Excel. Pasang Python "
                         "di folder dengan nama biasa (tanpa huruf khusus).") from exc
    path.write_bytes(data)


def install_applescript(home: Path) -> Path:
    """macOS: RunPython goes through AppleScriptTask, which only runs scripts from Excel's
    Application Scripts folder (what ``xlwings runpython install`` does)."""
    import xlwings

    source = Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"
    target_dir = home / MAC_SCRIPTS_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(source, target_dir))


def setup_excel(target_dir: Path, *, executable: str | None = None, platform: str | None = None,
                home: Path | None = None) -> SetupResult:
    platform = platform or sys.platform
    target_dir = Path(target_dir).expanduser().resolve()
    if target_dir.exists() and not target_dir.is_dir():
        raise TagihError(f"'{target_dir}' bukan folder.")
    target_dir.mkdir(parents=True, exist_ok=True)
    workbook = target_dir / WORKBOOK_FILE
    created = not workbook.exists()
    if created:
        build_workbook(workbook)
    interpreter = excel_interpreter(executable, platform)
    conf = target_dir / CONF_FILE
    write_conf(conf, conf_entries(interpreter, platform), platform)
    applescript = None
    if platform == "darwin":
        applescript = install_applescript(home or Path.home())
    return SetupResult(workbook, conf, interpreter, created, applescript)
