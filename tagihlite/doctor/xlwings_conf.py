"""Doctor checks of ``xlwings.conf``: found where xlwings.bas looks, readable by VBA's
``Input #`` (no empty lines), and naming a Python that exists and is not the Store alias."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tagihlite.doctor.context import (
    PYTHON_DOWNLOAD,
    CheckResult,
    Context,
    expand_env,
    is_store_alias,
)

CONF_FILE = "xlwings.conf"
_CONF_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')
_CONF_BARE = re.compile(r"^\s*([^\",]+?)\s*,\s*([^\"]*?)\s*$")


def user_conf_path(ctx: Context) -> Path:
    """The user-wide file xlwings.bas reads after the workbook folder's own one."""
    if ctx.windows:
        profile = ctx.probe.env.get("USERPROFILE") or str(ctx.probe.home())
        return Path(profile) / ".xlwings" / CONF_FILE
    if ctx.probe.platform == "darwin":  # Excel's sandbox home (xlwings.bas GetMacDir)
        return ctx.probe.home() / "Library/Containers/com.microsoft.Excel/Data" / CONF_FILE
    return ctx.probe.home() / ".xlwings" / CONF_FILE


@dataclass(frozen=True)
class ConfFile:
    path: Path
    entries: dict[str, str]  # lower-cased key -> value; the first line of a key wins, as in VBA
    problems: list[str]


def read_conf(path: Path) -> ConfFile | None:
    """Parse an ``xlwings.conf`` as VBA's ``Input #`` would see it; ``None`` when absent."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # VBA reads the ANSI code page
    entries: dict[str, str] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            problems.append(f"baris {number} kosong")
            continue
        match = _CONF_LINE.match(line) or _CONF_BARE.match(line)
        if match is None:
            problems.append(f'baris {number} tidak berbentuk "KUNCI","NILAI"')
            continue
        entries.setdefault(match.group(1).strip().lower(), match.group(2))
    return ConfFile(path, entries, problems)


def _conf_files(ctx: Context) -> list[ConfFile]:
    if "conf" not in ctx.cache:
        found = []
        for path in (ctx.folder / CONF_FILE, user_conf_path(ctx)):
            conf = read_conf(path)
            if conf is not None:
                found.append(conf)
        ctx.cache["conf"] = found
    return ctx.cache["conf"]


def interpreter_keys(ctx: Context) -> tuple[str, ...]:
    return ("INTERPRETER_WIN", "INTERPRETER") if ctx.windows else ("INTERPRETER_MAC",
                                                                    "INTERPRETER")


def configured_interpreter(ctx: Context) -> tuple[str, str, Path] | None:
    """(key, expanded value, file) the way xlwings.bas resolves the Python it starts."""
    for key in interpreter_keys(ctx):
        for conf in _conf_files(ctx):
            value = conf.entries.get(key.lower())
            if value:
                return key, expand_env(value, ctx.probe.env), conf.path
    return None


def check_xlwings_conf(ctx: Context) -> CheckResult:
    files = _conf_files(ctx)
    if not files:
        return CheckResult("xlwings_conf", False,
                           f"tidak ada {CONF_FILE} di '{ctx.folder}' maupun "
                           f"'{user_conf_path(ctx)}'",
                           f"Jalankan 'tagihlite setup-excel \"{ctx.folder}\"' untuk menulis "
                           f"{CONF_FILE} di sebelah buku kerja.")
    for conf in files:
        if conf.problems:
            return CheckResult("xlwings_conf", False,
                               f"'{conf.path}': {', '.join(conf.problems)}",
                               f"Hapus baris kosong atau rusak di '{conf.path}', atau tulis "
                               "ulang dengan 'tagihlite setup-excel'.")
    return CheckResult("xlwings_conf", True, ", ".join(f"'{c.path}'" for c in files))


def check_interpreter(ctx: Context) -> CheckResult:
    found = configured_interpreter(ctx)
    if found is None:
        return CheckResult("interpreter", False,
                           f"{interpreter_keys(ctx)[0]} tidak diisi di {CONF_FILE}, jadi Excel "
                           "akan memakai Python apa pun yang pertama ditemukan",
                           f"Jalankan 'tagihlite setup-excel \"{ctx.folder}\"' dengan Python "
                           "TagihLite untuk mengisi lokasi Python di xlwings.conf.")
    key, value, source = found
    detail = f"{key} = {value} ({source})"
    if is_store_alias(value):
        return CheckResult("interpreter", False, detail + ": Python dari Microsoft Store",
                           f"Pasang Python 3.12 64-bit dari {PYTHON_DOWNLOAD} lalu jalankan "
                           "ulang install.cmd dari paket instalasi TagihLite.")
    if not Path(value).is_file():
        return CheckResult("interpreter", False, detail + ": berkas tidak ada",
                           f"Jalankan 'tagihlite setup-excel \"{ctx.folder}\"' dengan Python "
                           "TagihLite supaya xlwings.conf menunjuk Python yang benar.")
    return CheckResult("interpreter", True, detail)
