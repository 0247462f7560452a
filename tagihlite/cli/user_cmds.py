"""Commands for people and accountability: users, login/logout/whoami, audit, secrets,
opt-out list and clearing a PERLU CEK key."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import sys
from pathlib import Path

from tagihlite.core.formats import WIB
from tagihlite.errors import InputError, PermissionDenied, TagihError
from tagihlite.settings import Settings, load


# -- helpers -------------------------------------------------------------------------
def _settings() -> Settings:
    return load()


def _say(text: str) -> None:
    print(text)


def _notice(settings: Settings) -> bool:
    """Print the single-user notice (stderr, so scripts can still parse stdout)."""
    from tagihlite.auth.identity import login_notice

    notice = login_notice(settings)
    if notice:
        print(notice, file=sys.stderr)
    return notice is not None


def _read_stdin_line(what: str) -> str:
    line = sys.stdin.readline()
    value = line[:-1] if line.endswith("\n") else line
    value = value[:-1] if value.endswith("\r") else value
    if not value:
        raise InputError(f"{what} kosong: tidak ada yang dibaca dari input standar.")
    return value


def _new_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return _read_stdin_line("Kata sandi")
    first = getpass.getpass("Kata sandi baru: ")
    second = getpass.getpass("Ulangi kata sandi baru: ")
    if first != second:
        raise InputError("Kedua kata sandi tidak sama. Tidak ada yang diubah.")
    return first


def _wib(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, WIB).strftime("%d-%m-%Y %H:%M WIB")


# -- users -----------------------------------------------------------------------------
def _users_add(args: argparse.Namespace) -> int:
    from tagihlite.auth.identity import login_enabled
    from tagihlite.auth.users import add_user

    settings = _settings()
    if args.role != "supervisor" and not login_enabled(settings):
        raise PermissionDenied("Pengguna pertama harus supervisor: gunakan '--role "
                               "supervisor'. Setelah itu login diaktifkan.")
    password = _new_password(args)
    actor = add_user(settings, args.name, args.role, password)
    _say(f"Pengguna '{' '.join(args.name.split())}' ({args.role}) ditambahkan.")
    if not actor.logged_in:
        _say("Login sekarang aktif: setiap pengiriman memerlukan 'tagihlite login NAMA'.")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    import time

    from tagihlite.auth.users import list_users

    settings = _settings()
    if _notice(settings):
        return 0
    now = time.time()
    for user in list_users(settings):
        state = ("nonaktif" if user.disabled else
                 "terkunci" if user.locked_until > now else "aktif")
        _say(f"{user.name}\t{user.role}\t{state}")
    return 0


def _users_disable(args: argparse.Namespace) -> int:
    from tagihlite.auth.users import disable_user

    settings = _settings()
    if _notice(settings):
        return 2
    disable_user(settings, args.name)
    _say(f"Pengguna '{args.name}' dinonaktifkan; sesinya diakhiri.")
    return 0


def _users_passwd(args: argparse.Namespace) -> int:
    from tagihlite.auth.users import is_self, set_password

    settings = _settings()
    if _notice(settings):
        return 2
    current = None
    if is_self(settings, args.name):  # own password: the current one first
        current = (_read_stdin_line("Kata sandi sekarang") if args.password_stdin
                   else getpass.getpass("Kata sandi sekarang: "))
    set_password(settings, args.name, _new_password(args), current_password=current)
    _say(f"Kata sandi '{args.name}' diubah.")
    return 0


# -- login -----------------------------------------------------------------------------
def _login(args: argparse.Namespace) -> int:
    from tagihlite.auth.login import login

    settings = _settings()
    if _notice(settings):
        return 2
    password = (_read_stdin_line("Kata sandi") if args.password_stdin
                else getpass.getpass("Kata sandi: "))
    operator = login(settings, args.name, password)
    del password
    _say(f"Masuk sebagai {operator.name} ({operator.role}).")
    return 0


def _logout(args: argparse.Namespace) -> int:
    from tagihlite.auth.login import logout

    settings = _settings()
    _notice(settings)
    name = logout(settings)
    _say(f"{name} telah keluar." if name else "Tidak ada sesi yang aktif.")
    return 0


def _whoami(args: argparse.Namespace) -> int:
    from tagihlite.auth import sessions
    from tagihlite.auth.identity import current_operator

    settings = _settings()
    if _notice(settings):
        _say(current_operator(settings).name)
        return 0
    import time

    session = sessions.read(settings, time.time())
    if session.user is None:
        from tagihlite.auth.identity import session_problem

        print(session_problem(session.state), file=sys.stderr)
        return 1
    _say(f"{session.user.name} ({session.user.role}), sesi berakhir {_wib(session.expires_at)}")
    return 0


# -- audit -----------------------------------------------------------------------------
def _audit_verify(args: argparse.Namespace) -> int:
    from tagihlite.auth.audit import open_audit

    settings = _settings()
    _notice(settings)
    log = open_audit(settings)
    problems = log.verify()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"Jejak audit TIDAK utuh: {len(problems)} masalah ditemukan.", file=sys.stderr)
        return 1
    _say(f"Jejak audit utuh: {len(log.entries())} entri.")
    return 0


def _audit_export(args: argparse.Namespace) -> int:
    from tagihlite.auth.audit import open_audit
    from tagihlite.auth.identity import require_supervisor

    settings = _settings()
    _notice(settings)
    actor = require_supervisor(settings, "mengekspor jejak audit")
    log = open_audit(settings)
    count = log.export_csv(Path(args.path))
    log.append("audit_export", actor.name, rows=str(count))
    _say(f"{count} entri audit ditulis ke '{args.path}'.")
    return 0


# -- secrets ---------------------------------------------------------------------------
def _secrets_set(args: argparse.Namespace) -> int:
    from tagihlite.auth.audit import open_audit
    from tagihlite.auth.identity import require_login
    from tagihlite.auth.secrets import check_name, set_secret

    settings = _settings()
    _notice(settings)
    name = check_name(args.name)
    actor = require_login(settings)
    value = (_read_stdin_line("Nilai rahasia") if args.value_stdin
             else getpass.getpass(f"Nilai rahasia '{name}': "))
    set_secret(name, value)
    del value
    open_audit(settings).append("secret_set", actor.name, name=name)
    _say(f"Rahasia '{name}' disimpan di keyring sistem.")
    return 0


def _secrets_unset(args: argparse.Namespace) -> int:
    from tagihlite.auth.audit import open_audit
    from tagihlite.auth.identity import require_login
    from tagihlite.auth.secrets import check_name, delete_secret

    settings = _settings()
    _notice(settings)
    name = check_name(args.name)
    actor = require_login(settings)
    delete_secret(name)
    open_audit(settings).append("secret_unset", actor.name, name=name)
    _say(f"Rahasia '{name}' dihapus dari keyring sistem.")
    return 0


# -- opt-out -----------------------------------------------------------------------------
def _optout_add(args: argparse.Namespace) -> int:
    from tagihlite.auth.optout import add_opt_out

    settings = _settings()
    _notice(settings)
    number, added = add_opt_out(settings, args.number, args.reason or "")
    _say(f"{number} ditambahkan ke daftar tolak." if added
         else f"{number} sudah ada di daftar tolak.")
    return 0


def _optout_remove(args: argparse.Namespace) -> int:
    from tagihlite.auth.optout import remove_opt_out

    settings = _settings()
    _notice(settings)
    number, removed = remove_opt_out(settings, args.number)
    _say(f"{number} dihapus dari daftar tolak." if removed
         else f"{number} tidak ada di daftar tolak.")
    return 0 if removed else 1


def _optout_list(args: argparse.Namespace) -> int:
    from tagihlite.auth.identity import require_supervisor
    from tagihlite.auth.optout import list_opt_outs

    settings = _settings()
    _notice(settings)
    require_supervisor(settings, "melihat daftar tolak")
    entries = list_opt_outs(settings)
    for e in entries:
        _say(f"{e.number}\t{_wib(e.added_at)}\t{e.added_by}\t{e.reason}")
    if not entries:
        _say("Daftar tolak kosong.")
    return 0


# -- clear a PERLU CEK key ---------------------------------------------------------------
def _clear(args: argparse.Namespace) -> int:
    from tagihlite.auth.audit import open_audit
    from tagihlite.auth.identity import require_supervisor
    from tagihlite.journal.backend import open_journal
    from tagihlite.journal.sqlite import SendInProgress

    settings = _settings()
    _notice(settings)
    reason = " ".join(args.reason.split())
    if not reason:
        raise InputError("Alasan wajib diisi: --reason \"...\".")
    actor = require_supervisor(settings, "membuka kembali baris PERLU CEK")
    with open_journal(settings) as journal:
        # Holding the run lock proves no send is in flight for a pending key.
        with contextlib.suppress(SendInProgress):
            journal.acquire_run_lock()
        cleared = journal.clear_needs_check(args.key, by=actor.name, reason=reason)
    if not cleared:
        raise TagihError(f"Kunci '{args.key}' tidak berstatus PERLU CEK (atau pengiriman "
                         "sedang berjalan); tidak ada yang diubah.", exit_code=1)
    open_audit(settings).append("clear_needs_check", actor.name, key=args.key,
                                           reason=reason)
    _say(f"Kunci '{args.key}' dibuka kembali dan dapat dikirim lagi.")
    return 0


# -- registration ------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = subparsers.add_parser("users", help="kelola pengguna (login staf)")
    users_sub = users.add_subparsers(dest="users_command", metavar="AKSI", required=True)
    p = users_sub.add_parser("add", help="tambah pengguna (pengguna pertama: supervisor)")
    p.add_argument("name", metavar="NAMA")
    p.add_argument("--role", required=True, choices=("staff", "supervisor"))
    p.add_argument("--password-stdin", action="store_true",
                   help="baca kata sandi dari satu baris input standar")
    p.set_defaults(handler=_users_add)
    p = users_sub.add_parser("list", help="daftar pengguna")
    p.set_defaults(handler=_users_list)
    p = users_sub.add_parser("disable", help="nonaktifkan pengguna (supervisor)")
    p.add_argument("name", metavar="NAMA")
    p.set_defaults(handler=_users_disable)
    p = users_sub.add_parser("passwd", help="ganti kata sandi (sendiri: kata sandi sekarang "
                             "dulu; supervisor: pengguna lain)")
    p.add_argument("name", metavar="NAMA")
    p.add_argument("--password-stdin", action="store_true",
                   help="baca dari input standar: kata sandi sekarang (jika mengganti milik "
                   "sendiri) lalu kata sandi baru, satu per baris")
    p.set_defaults(handler=_users_passwd)

    p = subparsers.add_parser("login", help="masuk sebagai pengguna")
    p.add_argument("name", metavar="NAMA")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(handler=_login)
    subparsers.add_parser("logout", help="keluar").set_defaults(handler=_logout)
    subparsers.add_parser("whoami", help="siapa yang sedang masuk").set_defaults(handler=_whoami)

    audit = subparsers.add_parser("audit", help="jejak audit")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="AKSI", required=True)
    audit_sub.add_parser("verify", help="periksa keutuhan jejak audit").set_defaults(
        handler=_audit_verify)
    p = audit_sub.add_parser("export", help="ekspor jejak audit ke CSV (supervisor)")
    p.add_argument("path", metavar="BERKAS")
    p.set_defaults(handler=_audit_export)

    sec = subparsers.add_parser("secrets", help="simpan token/rahasia di keyring sistem")
    sec_sub = sec.add_subparsers(dest="secrets_command", metavar="AKSI", required=True)
    p = sec_sub.add_parser("set", help="simpan rahasia, mis. cloud_token")
    p.add_argument("name", metavar="NAMA")
    p.add_argument("--value-stdin", action="store_true",
                   help="baca nilai dari satu baris input standar")
    p.set_defaults(handler=_secrets_set)
    p = sec_sub.add_parser("unset", help="hapus rahasia")
    p.add_argument("name", metavar="NAMA")
    p.set_defaults(handler=_secrets_unset)

    opt = subparsers.add_parser("optout", help="daftar nomor yang tidak boleh dihubungi")
    opt_sub = opt.add_subparsers(dest="optout_command", metavar="AKSI", required=True)
    p = opt_sub.add_parser("add", help="tambah nomor (supervisor)")
    p.add_argument("number", metavar="NOMOR")
    p.add_argument("--reason", default="", metavar="ALASAN")
    p.set_defaults(handler=_optout_add)
    p = opt_sub.add_parser("remove", help="hapus nomor (supervisor)")
    p.add_argument("number", metavar="NOMOR")
    p.set_defaults(handler=_optout_remove)
    opt_sub.add_parser("list", help="tampilkan daftar (supervisor)").set_defaults(
        handler=_optout_list)

    p = subparsers.add_parser("clear", help="buka kembali baris PERLU CEK (supervisor)")
    p.add_argument("key", metavar="KUNCI")
    p.add_argument("--reason", required=True, metavar="ALASAN")
    p.set_defaults(handler=_clear)
