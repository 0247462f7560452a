"""Who is operating TagihLite right now, and what they may do.

Single-user mode (no users in the store): the operator is the OS account and nothing is
refused, but every command says that login is not enabled. Once a user exists, sending and
supervisor actions need a valid session (``tagihlite login NAMA`` or "Masuk" in Excel).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from tagihlite.errors import PermissionDenied, TagihError
from tagihlite.settings import Settings

SINGLE_USER = "single-user"
LOGIN_HOW = "Masuk dulu dengan 'tagihlite login NAMA' atau tombol Masuk di Excel."


@dataclass(frozen=True)
class Operator:
    name: str  # what goes into the sheet's "Dikirim Oleh"
    role: str  # "staff" | "supervisor" | "single-user"; "" when nobody is logged in
    logged_in: bool  # False in single-user mode (no users configured)


def _check_store_reachable(settings: Settings) -> None:
    # A shared store on a network drive that is offline must not look like "no users":
    # that would switch login off.
    path = settings.users_file
    if settings.auth.users_path and not path.parent.is_dir():
        raise TagihError(f"Folder berkas pengguna '{path.parent}' tidak dapat dijangkau. "
                         "Periksa koneksi ke folder bersama atau 'auth.users_path' di "
                         "pengaturan.")


def login_enabled(settings: Settings) -> bool:
    """Whether logins are on. Fails closed (TagihError) when this journal once had logins
    and the users store is now missing, empty or a different file."""
    from tagihlite.auth import store
    from tagihlite.auth.binding import logins_enabled

    _check_store_reachable(settings)
    if settings.team_url:  # journal and users in one database: nothing to bind together
        return store.has_users_in(settings)
    return logins_enabled(settings.journal_file, settings.users_file)


def login_notice(settings: Settings) -> str | None:
    """One line for single-user mode, ``None`` when login is enabled."""
    if login_enabled(settings):
        return None
    from tagihlite.auth.sessions import os_account

    return (f"Login belum diaktifkan: TagihLite berjalan sebagai satu pengguna "
            f"(akun '{os_account()}'). Supervisor dapat mengaktifkannya dengan "
            "'tagihlite users add NAMA --role supervisor'.")


def session_problem(state: str) -> str:
    from tagihlite.auth.sessions import SessionState

    if state == SessionState.EXPIRED:
        return f"Sesi Anda sudah berakhir. {LOGIN_HOW}"
    if state == SessionState.OTHER_ACCOUNT:
        return f"Sesi yang ada dibuat oleh akun komputer lain. {LOGIN_HOW}"
    return f"Anda belum masuk. {LOGIN_HOW}"


def current_operator(settings: Settings, *, clock: Callable[[], float] = time.time
                     ) -> Operator:
    """Single-user: the OS account, role "single-user". Users exist: the session's user, or
    ``Operator("", "", False)`` when nobody is logged in on this OS account."""
    from tagihlite.auth import sessions

    if not login_enabled(settings):
        return Operator(sessions.os_account(), SINGLE_USER, False)
    session = sessions.read(settings, clock())
    if session.user is None:
        return Operator("", "", False)
    return Operator(session.user.name, session.user.role, True)


def require_login(settings: Settings, *, clock: Callable[[], float] = time.time) -> Operator:
    """The logged-in operator (or the single-user one); PermissionDenied without a session."""
    from tagihlite.auth import sessions

    if not login_enabled(settings):
        return Operator(sessions.os_account(), SINGLE_USER, False)
    session = sessions.read(settings, clock())
    if session.user is None:
        raise PermissionDenied(session_problem(session.state))
    return Operator(session.user.name, session.user.role, True)


def operator_for_send(settings: Settings, requested: str | None = None, *,
                      clock: Callable[[], float] = time.time) -> Operator:
    """Who a send is attributed to.

    Single-user mode: ``requested`` (``--operator``) or the OS account; show
    :func:`login_notice` to the user. Login enabled: the session's user; ``requested`` may
    only repeat that name, never impersonate someone else.
    """
    requested = " ".join(requested.split()) if requested else None
    if not login_enabled(settings):
        from tagihlite.auth.sessions import os_account

        return Operator(requested or os_account(), SINGLE_USER, False)
    operator = require_login(settings, clock=clock)
    from tagihlite.auth.store import same_name

    if requested and not same_name(requested, operator.name):
        raise PermissionDenied(f"Anda masuk sebagai '{operator.name}': tidak dapat mengirim "
                               f"atas nama '{requested}'.")
    return operator


def require_supervisor(settings: Settings, action: str = "melakukan tindakan ini", *,
                       clock: Callable[[], float] = time.time) -> Operator:
    """The operator if they may act as supervisor (single-user mode: anyone)."""
    operator = require_login(settings, clock=clock)
    if operator.role == "staff":
        raise PermissionDenied(f"Hanya supervisor yang boleh {action}. Anda masuk sebagai "
                               f"'{operator.name}' (staff).")
    return operator
