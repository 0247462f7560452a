"""``tagihlite template approve|list|revoke``: supervisor approval of message templates."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tagihlite.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("template", help="persetujuan template pesan (supervisor)")
    tsub = p.add_subparsers(dest="template_command", metavar="AKSI", required=True)
    a = tsub.add_parser("approve", help="setujui template yang akan dipakai untuk mengirim")
    a.add_argument("path", nargs="?", type=Path,
                   help="buku kerja (sheet Template-nya); tanpa ini: --template atau bawaan")
    a.add_argument("--template", help="berkas template Jinja")
    a.add_argument("--sheet", help="nama sheet tabel pelanggan (jika ada beberapa)")
    a.add_argument("--yes", "-y", action="store_true",
                   help="setujui tanpa bertanya (teksnya tetap ditampilkan)")
    a.set_defaults(handler=cmd_approve)
    tsub.add_parser("list", help="daftar template yang disetujui").set_defaults(
        handler=cmd_list)
    r = tsub.add_parser("revoke", help="cabut persetujuan (supervisor)")
    r.add_argument("hash", metavar="HASH", help="hash (awalannya) dari 'template list'")
    r.add_argument("--reason", default="", metavar="ALASAN")
    r.set_defaults(handler=cmd_revoke)


def _notice() -> None:
    from tagihlite.cli.core_cmds import _login_notice, _settings

    _login_notice(_settings())


def cmd_approve(args: argparse.Namespace) -> int:
    from tagihlite.auth.identity import require_supervisor
    from tagihlite.auth.template_approval import approve, pending, short, verdict_for
    from tagihlite.cli.core_cmds import _confirm, _read, _settings, _template

    settings = _settings()
    _notice()
    actor = require_supervisor(settings, "menyetujui template")
    sheet_template = _read(args.path, args.sheet)[1] if args.path is not None else None
    if args.path is not None and sheet_template is None and not args.template:
        raise InputError(f"Buku kerja '{args.path.name}' tidak memiliki sheet Template berisi "
                         "pesan: tidak ada yang perlu disetujui (template bawaan sudah "
                         "disetujui).")
    # The same choice of template a send makes, checked completely (a broken one is refused).
    template = _template(args, settings, sheet_template)
    todo = pending(settings, template)
    if not todo:
        print(f"Template ini sudah disetujui ({verdict_for(settings, template).label}).")
        return 0
    for source, verdict in todo:
        print(f"Template dari {source.origin} (hash {short(verdict.hash)}):")
        print("-" * 60)
        print(source.text.rstrip("\n"))
        print("-" * 60)
    if not args.yes and not _confirm(f"Setujui {len(todo)} template ini untuk pengiriman?"):
        print("Dibatalkan; tidak ada yang disetujui.")
        return 0
    for source, _verdict in todo:
        verdict, _new = approve(settings, source.text, source.origin, actor=actor)
        print(f"Template disetujui oleh {actor.name}: hash {short(verdict.hash)} "
              f"({source.origin}). Tercatat di jejak audit.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from tagihlite.auth.template_approval import approvals, short, template_hash
    from tagihlite.cli.core_cmds import _settings
    from tagihlite.core.messages import default_template

    settings = _settings()
    _notice()
    found = approvals(settings)
    default = template_hash(default_template().text)
    print(f"{short(default)}\t-\tTagihLite\ttemplate bawaan\t(selalu disetujui)")
    for a in sorted(found.values(), key=lambda a: a.at):
        first = next((ln.strip() for ln in a.text.splitlines() if ln.strip()), "")
        print(f"{short(a.hash)}\t{a.at:%d-%m-%Y %H:%M} WIB\t{a.approved_by}\t{a.source}\t"
              f"{first[:40]}")
    if not found:
        print("Belum ada template lain yang disetujui.", file=sys.stderr)
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from tagihlite.auth.identity import require_supervisor
    from tagihlite.auth.template_approval import revoke, short
    from tagihlite.cli.core_cmds import _settings

    settings = _settings()
    _notice()
    actor = require_supervisor(settings, "mencabut persetujuan template")
    found = revoke(settings, args.hash, actor=actor, reason=args.reason)
    print(f"Persetujuan template {short(found.hash)} ({found.source}, disetujui "
          f"{found.approved_by}) dicabut oleh {actor.name}. Pengiriman dengan template itu "
          "ditolak sampai disetujui lagi.")
    return 0
