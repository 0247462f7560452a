"""Doctor checks of Excel's macro security on Windows: the workbook's folder is a Trusted
Location, the workbook carries no Mark of the Web, and the macro policy lets it run."""

from __future__ import annotations

import re
from pathlib import Path

from tagihlite.doctor.context import CheckResult, Context, expand_env
from tagihlite.doctor.probes import Probe

OFFICE_KEY = r"Software\Microsoft\Office\16.0\Excel\Security"
POLICY_KEY = r"Software\Policies\Microsoft\Office\16.0\Excel\Security"
TRUSTED_LOCATIONS = "Trusted Locations"
_ZONE_ID = re.compile(r"^\s*ZoneId\s*=\s*(\d+)", re.MULTILINE | re.IGNORECASE)


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
        if trusted_location_of(ctx.probe, ctx.folder) is not None:  # Office trusts it first
            return CheckResult("mark_of_the_web", True,
                               f"bertanda unduhan dari {where} (ZoneId={zone}), tetapi foldernya "
                               "Trusted Location sehingga makro tetap jalan")
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
    trusted = trusted_location_of(ctx.probe, ctx.folder) is not None
    if trusted or value in (1, 2):  # a Trusted Location runs macros under every setting
        return CheckResult("macro_policy", True, detail)
    fix = ("Minta tim TI mengizinkan folder TagihLite sebagai Trusted Location lewat kebijakan."
           if policy is not None else "Jalankan ulang install.cmd supaya folder TagihLite "
           "menjadi Trusted Location.")
    return CheckResult("macro_policy", False, detail + " dan folder bukan Trusted Location", fix)
