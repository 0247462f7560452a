"""Supervisor-approved message templates, identified by the hash of their text.

A reminder tells a customer how much to pay and where, so the text that goes out is data a
supervisor signs off. Every template used for sending (the workbook's Template sheet, a
``--template`` file, per-level templates, the packaged default) is identified by the
SHA-256 of its normalised text. The state lives in the audit log, as entries of its own:

* ``template_approve`` (hash, source, a copy of the text; actor = the approver),
* ``template_revoke`` (hash, reason; actor = the supervisor who withdrew it),
* ``template_first_use`` (single-user mode: no approval exists, but the first use of each
  new text is still recorded with a copy of it).

Packaged templates (``tagihlite/templates/*.j2``) count as approved. The one hook for
sending is :func:`require_approved_template` (template text, source name): each template a
send will use passes through it before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Protocol

from tagihlite.core.formats import WIB
from tagihlite.errors import InputError, PermissionDenied, TagihError

if TYPE_CHECKING:
    from collections.abc import Collection

    from tagihlite.auth.audit import AuditLog
    from tagihlite.auth.identity import Operator
    from tagihlite.core.messages import TemplateSource
    from tagihlite.settings import Settings

APPROVE, REVOKE, FIRST_USE = "template_approve", "template_revoke", "template_first_use"
SHORT = 12  # hash characters shown to people; revoke accepts any unique prefix >= MIN_PREFIX
MIN_PREFIX = 6
NOT_APPROVED = "belum disetujui"
PACKAGED = "disetujui (bawaan TagihLite)"
IMPLICIT = "tanpa login: disetujui otomatis"


def normalise(text: str) -> str:
    """The same message text hashes the same from a sheet, a file (BOM, CRLF) or the package:
    line endings unified, trailing blank lines dropped."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n"


def template_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def short(digest: str) -> str:
    return digest[:SHORT]


@lru_cache(maxsize=1)
def packaged_hashes() -> frozenset[str]:
    """Hashes of every template shipped in the package (these count as approved)."""
    folder = resources.files("tagihlite").joinpath("templates")
    return frozenset(template_hash(f.read_text("utf-8")) for f in folder.iterdir()
                     if f.name.endswith(".j2"))


@dataclass(frozen=True)
class Approval:
    hash: str
    approved_by: str
    at: dt.datetime  # WIB
    source: str
    text: str


@dataclass(frozen=True)
class TemplateVerdict:
    hash: str
    source: str
    approved: bool
    how: str  # Indonesian: PACKAGED, IMPLICIT, "disetujui Sari, 05-12-2026 09:10 WIB", ...
    parts: tuple[TemplateVerdict, ...] = ()  # one per text when a send uses several (levels)

    @property
    def label(self) -> str:
        """What a preview or send line says about the template."""
        if self.parts:
            return "; ".join(p.label for p in self.parts)
        state = self.how if self.approved else NOT_APPROVED
        return f"{self.source}, hash {short(self.hash)}, {state}"


class TemplateSet(Protocol):
    """A loaded template: one text (MessageTemplate) or one per level (LevelTemplates)."""

    def sources(self, levels: Collection[int] | None = None
                ) -> tuple[TemplateSource, ...]: ...


def combine(verdicts: list[TemplateVerdict]) -> TemplateVerdict:
    """One verdict for a send that uses several texts: approved only when every text is."""
    if len(verdicts) == 1:
        return verdicts[0]
    refused = [v for v in verdicts if not v.approved]
    digest = refused[0].hash if refused else template_hash("\n".join(v.hash for v in verdicts))
    return TemplateVerdict(digest, "; ".join(v.source for v in verdicts), not refused,
                           refused[0].how if refused else "disetujui", tuple(verdicts))


def verdict_for(settings: Settings, template: TemplateSet) -> TemplateVerdict:
    """Read-only verdict over every text ``template`` would send (Preview asks this)."""
    return combine([template_verdict(settings, s.text, s.origin) for s in template.sources()])


def pending(settings: Settings, template: TemplateSet
            ) -> list[tuple[TemplateSource, TemplateVerdict]]:
    """The texts of ``template`` a supervisor still has to approve (implicit ones included)."""
    out = []
    for source in template.sources():
        verdict = template_verdict(settings, source.text, source.origin)
        if not verdict.approved or verdict.how == IMPLICIT:
            out.append((source, verdict))
    return out


def require_approved(settings: Settings, template: TemplateSet, *, actor: str,
                     levels: Collection[int] | None = None) -> TemplateVerdict:
    """:func:`require_approved_template` for every text this send uses (its ``levels``)."""
    return combine([require_approved_template(settings, s.text, s.origin, actor=actor)
                    for s in template.sources(levels)])


def audit_log(settings: Settings) -> AuditLog:
    # The audit log where the journal is: the SQLite file, or the team database.
    from tagihlite.auth.audit import open_audit

    return open_audit(settings)


def _template_entries(log: AuditLog) -> list[tuple[str, str, dt.datetime, dict[str, str]]]:
    """(event, actor, when in WIB, details) of the template entries, oldest first."""
    out = []
    for _seq, at, event, actor, details, _prev, _hash in log.entries():
        if event in (APPROVE, REVOKE, FIRST_USE):
            when = dt.datetime.fromisoformat(at).astimezone(WIB)
            out.append((event, actor, when, json.loads(details)))
    return out


def approvals(settings: Settings) -> dict[str, Approval]:
    """The approvals in force (approved and not revoked since), by hash, oldest first."""
    current: dict[str, Approval] = {}
    for event, actor, when, details in _template_entries(audit_log(settings)):
        digest = details.get("hash", "")
        if event == APPROVE:
            current[digest] = Approval(digest, actor, when, details.get("source", ""),
                                       details.get("text", ""))
        elif event == REVOKE:
            current.pop(digest, None)
    return current


def _when(at: dt.datetime) -> str:
    return at.strftime("%d-%m-%Y %H:%M WIB")


def template_verdict(settings: Settings, text: str, source: str) -> TemplateVerdict:
    """Read-only: is this text approved for sending? (Preview asks this.)"""
    from tagihlite.auth.identity import login_enabled

    digest = template_hash(text)
    if digest in packaged_hashes():
        return TemplateVerdict(digest, source, True, PACKAGED)
    found = approvals(settings).get(digest)
    if found is not None:
        return TemplateVerdict(digest, source, True,
                               f"disetujui {found.approved_by}, {_when(found.at)}")
    if not login_enabled(settings):
        return TemplateVerdict(digest, source, True, IMPLICIT)
    return TemplateVerdict(digest, source, False, NOT_APPROVED)


def _supervisors(settings: Settings) -> list[str]:
    from tagihlite.auth.users import list_users

    return [u.name for u in list_users(settings) if u.role == "supervisor" and not u.disabled]


def require_approved_template(settings: Settings, text: str, source: str, *,
                              actor: str) -> TemplateVerdict:
    """The approval hook for sending: every template a send will use passes here first.

    Approved (or packaged): returns the verdict. Logins on and not approved: raises
    :class:`PermissionDenied` saying who can approve it and how; nothing has been sent.
    Logins off: approval is implicit, but the first use of each new text is audited.
    """
    verdict = template_verdict(settings, text, source)
    if not verdict.approved:
        names = ", ".join(_supervisors(settings)) or "supervisor"
        raise PermissionDenied(
            f"Template pesan dari {source} (hash {short(verdict.hash)}) belum disetujui "
            f"supervisor, jadi belum ada pesan yang dikirim. Yang dapat menyetujuinya: "
            f"{names}; setelah memeriksa teksnya, supervisor menekan tombol Setujui Template "
            "di Excel atau menjalankan 'tagihlite template approve BUKU_KERJA' (atau "
            "'--template BERKAS'). Pratinjau Pesan tetap dapat dipakai.")
    if verdict.how == IMPLICIT:
        log = audit_log(settings)
        seen = {d.get("hash") for _e, _a, _w, d in _template_entries(log)}
        if verdict.hash not in seen:
            log.append(FIRST_USE, actor, hash=verdict.hash, source=source,
                       text=normalise(text))
    return verdict


def approve(settings: Settings, text: str, source: str, *, actor: Operator
            ) -> tuple[TemplateVerdict, bool]:
    """Record ``actor``'s approval (a supervisor; anyone in single-user mode).

    Returns the verdict and whether a new approval was written (False: already approved)."""
    if actor.role == "staff":
        raise PermissionDenied(f"Hanya supervisor yang boleh menyetujui template. Anda masuk "
                               f"sebagai '{actor.name}' (staff).")
    digest = template_hash(text)
    if digest in packaged_hashes():
        return TemplateVerdict(digest, source, True, PACKAGED), False
    found = approvals(settings).get(digest)
    if found is not None:
        return TemplateVerdict(digest, source, True,
                               f"disetujui {found.approved_by}, {_when(found.at)}"), False
    audit_log(settings).append(APPROVE, actor.name, hash=digest, source=source,
                          text=normalise(text))
    return template_verdict(settings, text, source), True


def revoke(settings: Settings, prefix: str, *, actor: Operator, reason: str = ""
           ) -> Approval:
    """Withdraw the approval whose hash starts with ``prefix`` (a supervisor only)."""
    if actor.role == "staff":
        raise PermissionDenied(f"Hanya supervisor yang boleh mencabut persetujuan template. "
                               f"Anda masuk sebagai '{actor.name}' (staff).")
    key = prefix.strip().lower()
    if len(key) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in key):
        raise InputError(f"Hash '{prefix}' tidak valid: tulis minimal {MIN_PREFIX} karakter "
                         "heksadesimal seperti yang ditampilkan 'tagihlite template list'.")
    matches = [a for h, a in approvals(settings).items() if h.startswith(key)]
    if not matches:
        if any(h.startswith(key) for h in packaged_hashes()):
            raise TagihError("Template bawaan tidak dapat dicabut: ia bagian dari TagihLite. "
                             "Ganti teksnya di sheet Template bila perlu.")
        raise TagihError(f"Tidak ada template disetujui dengan hash '{prefix}'. Lihat "
                         "'tagihlite template list'.", exit_code=1)
    if len(matches) > 1:
        raise InputError(f"Hash '{prefix}' cocok dengan {len(matches)} template; tulis lebih "
                         "banyak karakternya.")
    (found,) = matches
    details = {"hash": found.hash}
    if reason.strip():
        details["reason"] = " ".join(reason.split())
    audit_log(settings).append(REVOKE, actor.name, **details)
    return found
