"""``tagihlite doctor``: one checklist of what must be true for the ribbon to work on this PC.

Each check answers OK, or names the problem (``detail``) and the one Indonesian sentence
that fixes it (``fix``). The machine is asked through a :class:`~tagihlite.doctor.probes.Probe`,
so every check, the Windows ones included, runs on Linux against fakes in the tests.
The order follows the path of a ribbon click: Python, packages, workbook, ``xlwings.conf``
(:mod:`~tagihlite.doctor.xlwings_conf`), Office security (:mod:`~tagihlite.doctor.office`),
then what a send needs (keyring, journal, channel, settings).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tagihlite.doctor.context import (
    PYTHON_DOWNLOAD,
    CheckResult,
    Context,
    default_workbook,
    is_store_alias,
)
from tagihlite.doctor.office import (
    check_macro_policy,
    check_mark_of_the_web,
    check_trusted_location,
)
from tagihlite.doctor.probes import Probe, SystemProbe
from tagihlite.doctor.xlwings_conf import check_interpreter, check_xlwings_conf

MIN_PYTHON = (3, 10)  # pyproject.toml requires-python


def check_python(ctx: Context) -> CheckResult:
    info = ctx.probe.python()
    version = ".".join(map(str, info.version))
    detail = f"Python {version} {info.bits}-bit ({info.executable})"
    # A venv made from the Store's Python lives elsewhere, but its base is under WindowsApps.
    if is_store_alias(info.executable) or is_store_alias(info.base_prefix + "\\"):
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
