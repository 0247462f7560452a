"""The doctor's checklist as text for a person (clerk, helpdesk) or as JSON for a tool."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tagihlite.doctor.checks import CheckResult

# What each check id means, for the text checklist (ids stay English and stable for --json).
TITLES: dict[str, str] = {
    "python": "Python",
    "packages": "Paket tagihlite dan xlwings",
    "workbook_vba": "Modul VBA di buku kerja",
    "xlwings_conf": "xlwings.conf",
    "interpreter": "Python untuk Excel",
    "trusted_location": "Trusted Location",
    "mark_of_the_web": "Tanda unduhan (Mark of the Web)",
    "macro_policy": "Kebijakan makro",
    "keyring": "Penyimpanan rahasia",
    "journal": "Jurnal pengiriman",
    "channel": "Saluran kirim",
    "settings": "Berkas pengaturan",
}


def all_ok(results: Sequence[CheckResult]) -> bool:
    return all(r.ok for r in results)


def as_json(results: Sequence[CheckResult]) -> dict[str, Any]:
    return {"checks": [r.as_dict() for r in results], "ok": all_ok(results)}


def as_text(results: Sequence[CheckResult]) -> str:
    lines = []
    for r in results:
        lines.append(f"[{'OK' if r.ok else 'PERLU DIPERBAIKI'}] {TITLES.get(r.id, r.id)}: "
                     f"{r.detail}")
        if not r.ok:
            lines.append(f"    Cara memperbaiki: {r.fix}")
    bad = sum(not r.ok for r in results)
    lines.append("Semua pemeriksaan OK." if not bad else
                 f"{bad} dari {len(results)} pemeriksaan perlu diperbaiki.")
    return "\n".join(lines)


def as_alert(results: Sequence[CheckResult], limit: int = 900) -> str:
    """Short enough for Excel's message box (about 1,000 characters): problems first."""
    bad = [r for r in results if not r.ok]
    if not bad:
        return f"Semua {len(results)} pemeriksaan OK. TagihLite siap dipakai di komputer ini."
    text = f"{len(bad)} dari {len(results)} pemeriksaan perlu diperbaiki:"
    for shown, r in enumerate(bad):
        item = f"\n\n{TITLES.get(r.id, r.id)}: {r.fix}"
        if len(text) + len(item) > limit:
            text += (f"\n\n(dan {len(bad) - shown} lagi: jalankan 'tagihlite doctor' di "
                     "command prompt)")
            break
        text += item
    return text
