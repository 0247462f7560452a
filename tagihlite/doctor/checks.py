"""``tagihlite doctor``: one checklist of what must be true for the ribbon to work on this PC.

Each check answers OK, or names the problem (``detail``) and the one Indonesian sentence
that fixes it (``fix``). The machine is asked through a :class:`~tagihlite.doctor.probes.Probe`,
so every check, the Windows ones included, runs on Linux against fakes in the tests.
The order follows the path of a ribbon click: Python, packages, workbook, ``xlwings.conf``,
Office security, then what a send needs (keyring, journal, channel, settings).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tagihlite.doctor.probes import Probe, SystemProbe

MIN_PYTHON = (3, 10)  # pyproject.toml requires-python
OFFICE_KEY = r"Software\Microsoft\Office\16.0\Excel\Security"
POLICY_KEY = r"Software\Policies\Microsoft\Office\16.0\Excel\Security"
TRUSTED_LOCATIONS = "Trusted Locations"
WORKBOOK_DIR_NAME = "TagihLite"  # Documents\TagihLite: where the install kit puts the workbook
WORKBOOK_FILE = "tagihlite.xlsm"
CONF_FILE = "xlwings.conf"
PYTHON_DOWNLOAD = "https://www.python.org/downloads/windows/"

_CONF_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')
_CONF_BARE = re.compile(r"^\s*([^\",]+?)\s*,\s*([^\"]*?)\s*$")
_ENV_VAR = re.compile(r"%([^%]+)%")
_ZONE_ID = re.compile(r"^\s*ZoneId\s*=\s*(\d+)", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class CheckResult:
    id: str
    ok: bool
    detail: str
    fix: str = ""  # one Indonesian sentence; empty when ok

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    """What the checks share: the machine, the workbook to check, results worked out once."""

    probe: Probe
    workbook: Path
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def windows(self) -> bool:
        return self.probe.platform == "win32"

    @property
    def folder(self) -> Path:
        return self.workbook.parent

    @cached_property
    def settings(self) -> Any:
        """The settings, or the SettingsError that makes them unusable."""
        from tagihlite.errors import SettingsError
        from tagihlite.settings import load

        try:
            return load()
        except SettingsError as exc:
            return exc

    @cached_property
    def trusted(self) -> bool:
        return trusted_location_of(self.probe, self.folder) is not None


def default_workbook() -> Path:
    """``Documents/TagihLite/tagihlite.xlsm``: where ``install.ps1`` runs ``setup-excel``."""
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / WORKBOOK_DIR_NAME / WORKBOOK_FILE


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """``%VAR%`` expanded as VBA's ExpandEnvironmentStrings does (names ignore case)."""
    lower = {k.lower(): v for k, v in env.items()}
    return _ENV_VAR.sub(lambda m: lower.get(m.group(1).lower(), m.group(0)), text)


# --- Python and packages ------------------------------------------------------------------

def is_store_alias(path: str) -> bool:
    """The Microsoft Store's python.exe stub (App Execution Alias) under ...\\WindowsApps."""
    return "\\windowsapps\\" in path.replace("/", "\\").lower()


def check_python(ctx: Context) -> CheckResult:
    info = ctx.probe.python()
    version = ".".join(map(str, info.version))
    detail = f"Python {version} {info.bits}-bit ({info.executable})"
    if is_store_alias(info.executable):
        return CheckResult("python", False, detail + ": Python dari Microsoft Store",
                           f"Pasang Python 3.12 64-bit dari {PYTHON_DOWNLOAD} lalu jalankan "
                           "ulang install.cmd dari paket instalasi TagihLite.")
    if info.version[:2] < MIN_PYTHON:
        return CheckResult("python", False, detail + ": terlalu lama",
                           f"Pasang Python 3.12 64-bit dari {PYTHON_DOWNLOAD} lalu jalankan "
                           "ulang install.cmd dari paket instalasi TagihLite.")
    if info.bits != 64:
        return CheckResult("python", False, detail + ": bukan 64-bit",
                           f"Pasang Python 3.12 versi 64-bit dari {PYTHON_DOWNLOAD} lalu "
                           "jalankan ulang install.cmd dari paket instalasi TagihLite.")
    return CheckResult("python", True, detail)


def installed_version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def check_packages(ctx: Context) -> CheckResult:
    from tagihlite import __version__
    from tagihlite.addin.xlwings_modules import XLWINGS_VERSION

    xlwings = installed_version("xlwings")
    detail = f"tagihlite {__version__}, xlwings {xlwings or 'tidak terpasang'}"
    if xlwings != XLWINGS_VERSION:
        return CheckResult("packages", False,
                           f"{detail} (TagihLite {__version__} butuh xlwings {XLWINGS_VERSION})",
                           "Pasang ulang TagihLite dengan install.cmd dari paket instalasi "
                           "supaya versi xlwings yang benar ikut terpasang.")
    return CheckResult("packages", True, detail)


def check_workbook_vba(ctx: Context) -> CheckResult:
    from tagihlite.addin.vbaread import xlwings_vba_version

    workbook = ctx.workbook
    if not workbook.is_file():
        return CheckResult("workbook_vba", False, f"buku kerja '{workbook}' tidak ada",
                           f"Jalankan 'tagihlite setup-excel \"{ctx.folder}\"' untuk menaruh "
                           "tagihlite.xlsm dan xlwings.conf di folder itu.")
    try:
        vba = xlwings_vba_version(workbook)
    except Exception as exc:  # not a zip, no readable VBA project: the workbook is damaged
        return CheckResult("workbook_vba", False,
                           f"modul VBA di '{workbook}' tidak terbaca ({type(exc).__name__})",
                           "Ganti tagihlite.xlsm dengan salinan dari paket instalasi lalu "
                           "salin data lembar Tagihan ke dalamnya.")
    installed = installed_version("xlwings")
    detail = f"modul VBA xlwings {vba or 'tidak ada'} di '{workbook.name}'"
    if vba is None or vba != installed:
        return CheckResult("workbook_vba", False,
                           f"{detail}, paket xlwings {installed or 'tidak terpasang'}",
                           "Pakai tagihlite.xlsm dari paket instalasi yang sama dengan Python "
                           "TagihLite ini lalu salin data lembar Tagihan ke dalamnya.")
    return CheckResult("workbook_vba", True, f"{detail} sama dengan paket xlwings")


# --- xlwings.conf ---------------------------------------------------------------------------

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
    if "conf" not in ctx._cache:
        found = []
        for path in (ctx.folder / CONF_FILE, user_conf_path(ctx)):
            conf = read_conf(path)
            if conf is not None:
                found.append(conf)
        ctx._cache["conf"] = found
    return ctx._cache["conf"]


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


# --- Office security (Windows) -------------------------------------------------------------

def _norm(path: str) -> str:
    return path.replace("/", "\\").rstrip("\\").casefold()


def trusted_location_of(probe: Probe, folder: Path) -> str | None:
    """The Trusted Location (HKCU, or set by policy) that covers ``folder``, else ``None``."""
    registry = probe.registry
    if registry.value(rf"{POLICY_KEY}\{TRUSTED_LOCATIONS}", "AllLocationsDisabled") == 1:
        return None
    target = _norm(str(folder))
    for base in (rf"{OFFICE_KEY}\{TRUSTED_LOCATIONS}", rf"{POLICY_KEY}\{TRUSTED_LOCATIONS}"):
        for name in registry.subkeys(base):
            raw = registry.value(rf"{base}\{name}", "Path")
            if not isinstance(raw, str) or not raw.strip():
                continue
            location = _norm(expand_env(raw, probe.env))
            subfolders = registry.value(rf"{base}\{name}", "AllowSubfolders") == 1
            if target == location or (subfolders and target.startswith(location + "\\")):
                return raw
    return None


def check_trusted_location(ctx: Context) -> CheckResult:
    key = rf"HKCU\{OFFICE_KEY}\{TRUSTED_LOCATIONS}"
    if ctx.probe.registry.value(rf"{POLICY_KEY}\{TRUSTED_LOCATIONS}",
                                "AllLocationsDisabled") == 1:
        return CheckResult("trusted_location", False,
                           "kebijakan kantor mematikan semua Trusted Location Excel",
                           "Minta tim TI mengizinkan Trusted Location atau menandatangani "
                           "makro tagihlite.xlsm.")
    location = trusted_location_of(ctx.probe, ctx.folder)
    if location is None:
        return CheckResult("trusted_location", False,
                           f"folder '{ctx.folder}' bukan Trusted Location ({key})",
                           "Jalankan ulang install.cmd, atau di Excel buka File > Options > "
                           f"Trust Center > Trusted Locations dan tambahkan '{ctx.folder}'.")
    return CheckResult("trusted_location", True, f"'{ctx.folder}' tercatat sebagai "
                                                 f"Trusted Location ('{location}')")


def zone_id(text: str | None) -> int | None:
    if text is None:
        return None
    match = _ZONE_ID.search(text)
    return int(match.group(1)) if match else None


def check_mark_of_the_web(ctx: Context) -> CheckResult:
    zone = zone_id(ctx.probe.zone_identifier(ctx.workbook))
    if zone is not None and zone >= 3:  # 3 Internet, 4 Restricted: Office blocks the macros
        where = "Internet" if zone == 3 else "Restricted"
        return CheckResult("mark_of_the_web", False,
                           f"'{ctx.workbook.name}' bertanda unduhan dari {where} "
                           f"(Zone.Identifier ZoneId={zone}), Excel memblokir makronya",
                           f"Tutup Excel lalu jalankan di PowerShell: Unblock-File "
                           f"'{ctx.workbook}' (atau centang Unblock di Properties berkas).")
    return CheckResult("mark_of_the_web", True,
                       "tanpa tanda unduhan" if zone is None else f"ZoneId={zone}")


_VBA_WARNINGS = {1: "semua makro diaktifkan",
                 2: "makro dimatikan dengan pemberitahuan",
                 3: "hanya makro bertanda tangan digital",
                 4: "semua makro dimatikan tanpa pemberitahuan"}


def check_macro_policy(ctx: Context) -> CheckResult:
    registry = ctx.probe.registry
    policy = registry.value(POLICY_KEY, "VBAWarnings")
    value = policy if policy is not None else registry.value(OFFICE_KEY, "VBAWarnings")
    value = value if value in _VBA_WARNINGS else 2  # absent: Excel's default
    source = "kebijakan kantor" if policy is not None else "Trust Center"
    detail = f"VBAWarnings={value} ({_VBA_WARNINGS[value]}, {source})"
    if ctx.trusted or value in (1, 2):  # a Trusted Location runs macros under every setting
        return CheckResult("macro_policy", True, detail)
    fix = ("Minta tim TI mengizinkan folder TagihLite sebagai Trusted Location lewat kebijakan."
           if policy is not None else "Jalankan ulang install.cmd supaya folder TagihLite "
           "menjadi Trusted Location.")
    return CheckResult("macro_policy", False, detail + " dan folder bukan Trusted Location", fix)


# --- what a send needs ----------------------------------------------------------------------

def check_settings(ctx: Context) -> CheckResult:
    from tagihlite.paths import settings_file

    path = settings_file()
    if isinstance(ctx.settings, Exception):
        return CheckResult("settings", False, str(ctx.settings),
                           f"Perbaiki berkas pengaturan '{path}' sesuai pesan ini, atau "
                           "hapus berkas itu untuk kembali ke pengaturan bawaan.")
    state = "ada" if path.exists() else "tidak ada, memakai pengaturan bawaan"
    return CheckResult("settings", True, f"'{path}' ({state})")


def _unusable_settings(check_id: str) -> CheckResult:
    return CheckResult(check_id, False, "tidak diperiksa karena pengaturan tidak valid",
                       "Perbaiki dulu berkas pengaturan (lihat pemeriksaan 'settings').")


def check_keyring(ctx: Context) -> CheckResult:
    from tagihlite.auth.secrets import secure_keyring

    backend = secure_keyring()
    if backend is not None:
        return CheckResult("keyring", True, f"{type(backend).__name__}")
    channel = getattr(ctx.settings, "channel", "")
    detail = "tidak ada penyimpanan rahasia (keyring) yang aman"
    if channel != "cloud":  # only the Cloud API token needs one
        return CheckResult("keyring", True, f"{detail}; hanya perlu untuk saluran cloud")
    return CheckResult("keyring", False, detail,
                       "Pakai Windows Credential Manager (akun Windows biasa) atau isi "
                       "variabel lingkungan TAGIHLITE_CLOUD_TOKEN.")


def check_journal(ctx: Context) -> CheckResult:
    from tagihlite.journal.reach import journal_reachable

    if isinstance(ctx.settings, Exception):
        return _unusable_settings("journal")
    reach = journal_reachable(ctx.settings)
    if not reach.ok:
        return CheckResult("journal", False, f"{reach.where}: {reach.problem}",
                           "Pastikan folder jurnal ada dan boleh ditulis akun Windows ini, "
                           "atau ubah journal_path di berkas pengaturan.")
    return CheckResult("journal", True, reach.where)


def has_display(probe: Probe) -> bool:
    if probe.platform in ("win32", "darwin"):
        return True
    return bool(probe.env.get("DISPLAY") or probe.env.get("WAYLAND_DISPLAY"))


def check_channel(ctx: Context) -> CheckResult:
    if isinstance(ctx.settings, Exception):
        return _unusable_settings("channel")
    settings = ctx.settings
    channel = settings.channel
    if channel == "cloud":
        from tagihlite.auth.secrets import get_secret

        missing = []
        if not get_secret("cloud_token"):
            missing.append("token (rahasia cloud_token)")
        if not settings.cloud.phone_number_id:
            missing.append("cloud.phone_number_id")
        if missing:
            return CheckResult("channel", False, f"saluran cloud: {', '.join(missing)} belum ada",
                               "Simpan token dengan 'tagihlite secrets set cloud_token' dan isi "
                               "cloud.phone_number_id di berkas pengaturan.")
        return CheckResult("channel", True, "saluran cloud: token dan phone_number_id ada")
    if channel == "whatsapp-web" and not has_display(ctx.probe):
        return CheckResult("channel", False, "saluran whatsapp-web butuh layar, tetapi tidak ada",
                           "Jalankan TagihLite di komputer dengan layar dan browser, atau pakai "
                           "saluran outbox.")
    return CheckResult("channel", True, f"saluran {channel}")


Check = Callable[[Context], CheckResult]
CHECKS: tuple[Check, ...] = (check_python, check_packages, check_workbook_vba,
                             check_xlwings_conf, check_interpreter)
WINDOWS_CHECKS: tuple[Check, ...] = (check_trusted_location, check_mark_of_the_web,
                                     check_macro_policy)
SEND_CHECKS: tuple[Check, ...] = (check_keyring, check_journal, check_channel, check_settings)


def run_checks(workbook: Path | str | None = None,
               probe: Probe | None = None) -> list[CheckResult]:
    """Every check, in order; a check that crashes becomes a failed item, never a traceback."""
    probe = probe or SystemProbe()
    ctx = Context(probe, _workbook_path(probe, workbook))
    checks = CHECKS + (WINDOWS_CHECKS if ctx.windows else ()) + SEND_CHECKS
    results = []
    for check in checks:
        try:
            results.append(check(ctx))
        except Exception as exc:
            from tagihlite.logs import log_exception

            where = log_exception("doctor")
            name = check.__name__.removeprefix("check_")
            results.append(CheckResult(name, False, f"pemeriksaan gagal ({type(exc).__name__})",
                                       f"Kirim berkas '{where}' ke tim TagihLite."))
    return results


def _workbook_path(probe: Probe, workbook: Path | str | None) -> Path:
    if workbook is None:
        return default_workbook()
    return Path(workbook).expanduser().absolute()
