"""Team mode on PostgreSQL: ``team init``, ``team import-journal``, ``team status``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tagihlite.errors import TagihError
from tagihlite.settings import Settings, load


def register(sub: argparse._SubParsersAction) -> None:
    team = sub.add_parser("team", help="mode tim: satu database PostgreSQL untuk semua PC")
    tsub = team.add_subparsers(dest="team_command", metavar="PERINTAH")
    tsub.required = True
    p = tsub.add_parser("init", help="buat/perbarui skema database tim (aman diulang)")
    p.add_argument("url", nargs="?", help="postgresql://pengguna@host:port/database "
                                          "(tanpa kata sandi; default: journal_url)")
    p.set_defaults(handler=cmd_init)
    p = tsub.add_parser("import-journal",
                        help="salin jurnal, pembayaran, pengguna dan audit SQLite PC ini "
                             "ke database tim")
    p.add_argument("--journal", type=Path, help="berkas jurnal SQLite (default: milik PC ini)")
    p.add_argument("--users", type=Path, help="berkas pengguna SQLite (default: milik PC ini)")
    p.set_defaults(handler=cmd_import)
    p = tsub.add_parser("status", help="siapa sedang mengirim apa sekarang")
    p.set_defaults(handler=cmd_status)


def _team_url(settings: Settings) -> str:
    url = settings.team_url
    if not url:
        raise TagihError("Mode tim belum diatur: isi 'journal_url = \"postgresql://...\"' di "
                         "pengaturan (atau TAGIHLITE_JOURNAL_URL).")
    return url


def cmd_init(args: argparse.Namespace) -> int:
    from tagihlite.journal import migrations, pgdb

    url = args.url or _team_url(load())
    conn = pgdb.connect(url, application="tagihlite-init")
    try:
        applied = migrations.migrate(conn)
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise TagihError(f"Skema database tim ({pgdb.describe(url)}) tidak dapat dibuat: "
                             f"{exc.diag.message_primary or type(exc).__name__}.") from None
        raise
    finally:
        conn.close()
    version = migrations.latest()
    if applied:
        print(f"Database tim {pgdb.describe(url)} siap (skema versi {version}; diterapkan: "
              f"{', '.join(map(str, applied))}).")
    else:
        print(f"Database tim {pgdb.describe(url)} sudah pada skema versi {version}; tidak "
              "ada yang diubah.")
    print(f"Di setiap PC, tulis di pengaturan: journal_url = \"{url}\"")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tagihlite.auth.audit import open_audit
    from tagihlite.auth.identity import require_supervisor
    from tagihlite.journal.team_import import import_sqlite

    settings = load()
    url = _team_url(settings)
    journal = args.journal or settings.journal_file
    users = args.users or settings.users_file
    if not journal.is_file() and not users.is_file():
        raise TagihError(f"Tidak ada jurnal '{journal}' atau berkas pengguna '{users}' untuk "
                         "diimpor.")
    actor = require_supervisor(settings, "mengimpor jurnal ke database tim")
    rep = import_sqlite(url, journal, users)
    for problem in rep.audit_problems:
        print(f"Peringatan audit sumber: {problem}", file=sys.stderr)
    open_audit(settings).append("journal_import", actor.name,
                                source=journal.name, reminders=str(rep.reminders),
                                users=str(rep.users), audit=str(rep.audit),
                                payments=str(rep.payments))
    print(f"Diimpor: {rep.reminders} pengingat ({rep.reminders_kept} sudah ada di database "
          f"tim, dibiarkan), {rep.attempts} riwayat, {rep.payments} pembayaran, "
          f"{rep.bills} tagihan awal, {rep.users} pengguna, {rep.opt_outs} "
          f"nomor tolak, {rep.audit} entri audit"
          f"{' (rantai hash utuh)' if rep.audit_verbatim else ' (disambung ke rantai tim)'}.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from tagihlite.journal.postgres import PostgresJournal

    settings = load()
    with PostgresJournal(_team_url(settings),
                         lease_seconds=settings.claim_lease_seconds) as journal:
        runs = journal.live_runs()
        claims = journal.claims()
    if not runs:
        print("Tidak ada PC yang sedang mengirim.")
    for host, operator, started, done in runs:
        print(f"Sedang mengirim: {operator or '-'} di {host}, mulai {started} WIB, "
              f"{done} baris selesai.")
    live = [c for c in claims if c.alive]
    dead = [c for c in claims if not c.alive]
    for c in live[:50]:
        print(f"  {c.key}: {c.operator} ({c.host})")
    if len(live) > 50:
        print(f"  ... dan {len(live) - 50} lagi.")
    if dead:
        print(f"{len(dead)} klaim tanpa kabar melewati batas waktu: menjadi PERLU CEK pada "
              "pengiriman berikutnya (jangan dikirim ulang tanpa diperiksa).")
    return 0
