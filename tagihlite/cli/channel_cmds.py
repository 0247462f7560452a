"""Channel commands: ``tagihlite webhook`` (delivery statuses from the WhatsApp Cloud API)."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "webhook", help="terima laporan terkirim/dibaca dari WhatsApp Cloud API",
        description="Menjalankan penerima webhook status WhatsApp Cloud API. Status "
                    "(terkirim, dibaca, gagal) dicatat di jurnal dan tampil di sheet pada "
                    "penulisan status berikutnya. Butuh rahasia 'webhook_app_secret' dan "
                    "'webhook_verify_token' (tagihlite secrets set ...).")
    p.add_argument("--host", help="alamat yang didengarkan (bawaan: pengaturan webhook.host)")
    p.add_argument("--port", type=int, help="port (bawaan: pengaturan webhook.port)")
    p.set_defaults(handler=_webhook)


def _webhook(args: argparse.Namespace) -> int:
    from tagihlite.auth.secrets import get_secret
    from tagihlite.channels.webhook import Counters, WebhookServer, journal_recorder
    from tagihlite.journal.backend import open_journal
    from tagihlite.settings import load

    settings = load()
    host = args.host or settings.webhook.host
    port = args.port if args.port is not None else settings.webhook.port

    def progress(c: Counters) -> None:  # counts only: payloads carry phone numbers
        print(f"Status diterima: {c.recorded} dicatat, {c.ignored} diabaikan, "
              f"{c.rejected} ditolak.", flush=True)

    journal = open_journal(settings)
    try:
        server = WebhookServer(journal_recorder(journal),
                               app_secret=get_secret("webhook_app_secret") or "",
                               verify_token=get_secret("webhook_verify_token") or "",
                               host=host, port=port, on_post=progress,
                               read_timeout=settings.webhook.read_timeout_seconds,
                               max_connections=settings.webhook.max_connections)
        print(f"Penerima webhook berjalan di {server.url} (Ctrl+C untuk berhenti).",
              flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("Penerima webhook dihentikan.", file=sys.stderr)
        finally:
            server.shutdown()
    finally:
        journal.close()
    return 0
