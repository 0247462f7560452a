"""``tagihlite send PATH --test-to 08...``: one ``[UJI]`` message to the clerk's own number.

Registered after the core commands: it adds ``--test-to`` to their ``send`` and routes a
test send here, so the send command itself stays as it is.
"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    send = sub.choices["send"]
    send.add_argument("--test-to", metavar="NOMOR",
                      help="kirim uji: pesan baris pertama yang siap kirim, berawalan [UJI], "
                      "hanya ke nomor ini (nomor Anda sendiri); tidak ada baris yang berubah")
    real_send = send.get_default("handler")

    def handler(args: argparse.Namespace) -> int:
        return cmd_test_send(args) if args.test_to is not None else real_send(args)

    send.set_defaults(handler=handler)


def cmd_test_send(args: argparse.Namespace) -> int:
    from tagihlite.auth.identity import operator_for_send
    from tagihlite.channels import LABELS, get_channel
    from tagihlite.cli.core_cmds import (
        _analyse,
        _confirm,
        _journal,
        _login_notice,
        _settings,
        _template,
        _template_verdict,
        parse_rows,
    )
    from tagihlite.send_to_self import own_number, send_test

    settings = _settings(channel=args.via)
    to = own_number(args.test_to, settings.region)
    rows = parse_rows(args.rows) if args.rows is not None else None
    operator = operator_for_send(settings, args.operator)
    _login_notice(settings)
    with _journal(settings) as journal:  # read only: a test send is not a reminder
        analysis, sheet_template = _analyse(args, settings, journal)
    template = _template(args, settings, sheet_template)
    verdict = _template_verdict(settings, template)
    via = settings.channel
    label = LABELS.get(via, via)
    print(f"Kirim uji ke {to} lewat {label}, atas nama {operator.name} (template: "
          f"{verdict.label}). Tidak ada baris yang ditandai dan tidak ada pelanggan yang "
          "dikirimi.")
    if not args.yes and not _confirm("Kirim pesan uji sekarang?"):
        print("Dibatalkan; tidak ada yang dikirim.")
        return 0
    channel = get_channel(via, settings, outbox_dir=args.outbox)
    result = send_test(analysis, template, channel, to=to, operator=operator.name,
                       settings=settings, excel_rows=rows)
    note = result.outcome.note if via != "link" else ""  # its note speaks of the sheet
    print(f"Pesan uji (dari baris {result.source_row}) untuk {to}: {result.status}."
          + (f" {note}" if note else ""))
    if via == "link":
        from tagihlite.channels.link import wa_me_url

        print(f"Buka tautan ini untuk mengirimnya: {wa_me_url(to, result.reminder.message)}")
    hint = getattr(channel, "summary_hint", None)
    if hint and result.ok:
        print(hint)
    if not result.ok:
        print("Kirim uji gagal; periksa saluran sebelum mengirim ke pelanggan.", file=sys.stderr)
    return 0 if result.ok else 1
