"""Managing users: bootstrap, add, disable, change password.

With no users, the first ``add`` must create a supervisor (it switches login on); after
that only a logged-in supervisor adds or disables users. A user may change their own
password; a supervisor may reset anyone's. Every change is audited (never the password).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tagihlite.auth import passwords, sessions, store
from tagihlite.auth.audit import open_audit
from tagihlite.auth.identity import Operator, login_enabled, require_login, require_supervisor
from tagihlite.errors import InputError, PermissionDenied
from tagihlite.settings import Settings

Clock = Callable[[], float]


def add_user(settings: Settings, name: str, role: str, password: str, *,
             clock: Clock = time.time) -> Operator:
    """Create a user; returns the operator who did it (OS account when bootstrapping)."""
    name, role = store.check_name(name), store.check_role(role)
    passwords.check_new_password(password)
    bootstrap = not login_enabled(settings)
    if bootstrap:
        if role != store.SUPERVISOR:
            raise PermissionDenied("Pengguna pertama harus supervisor: gunakan "
                                   "'--role supervisor'. Setelah itu login diaktifkan.")
        actor = Operator(sessions.os_account(), "single-user", False)
    else:
        actor = require_supervisor(settings, "menambah pengguna", clock=clock)
    pw_hash = passwords.hash_password(password)
    with store.open_store(settings) as conn, store.write(conn):
        if store.get_user(conn, name) is not None:
            raise InputError(f"Pengguna '{name}' sudah ada.")
        conn.execute("INSERT INTO users (name, role, pw_hash, created_at, created_by) "
                     "VALUES (?, ?, ?, ?, ?)", (name, role, pw_hash, clock(), actor.name))
    open_audit(settings, clock=clock).append(
        "user_add", actor.name, user=name, role=role, bootstrap="ya" if bootstrap else "tidak")
    if bootstrap:
        login_enabled(settings)  # records in the journal that logins are now on
    return actor


def disable_user(settings: Settings, name: str, *, clock: Clock = time.time) -> Operator:
    actor = require_supervisor(settings, "menonaktifkan pengguna", clock=clock)
    with store.open_store(settings) as conn, store.write(conn):
        user = store.get_user(conn, store.check_name(name))
        if user is None:
            raise InputError(f"Pengguna '{name}' tidak ada.")
        if user.disabled:
            raise InputError(f"Pengguna '{user.name}' sudah nonaktif.")
        if user.role == store.SUPERVISOR and store.count_active_supervisors(conn) <= 1:
            raise PermissionDenied("Supervisor aktif terakhir tidak dapat dinonaktifkan: "
                                   "tambahkan supervisor lain dulu.")
        conn.execute("UPDATE users SET disabled = 1 WHERE name = ?", (user.name,))
        sessions.revoke_user(conn, user.name)
    open_audit(settings, clock=clock).append("user_disable", actor.name,
                                                        user=user.name)
    return actor


def is_self(settings: Settings, name: str, *, clock: Clock = time.time) -> bool:
    """Whether ``name`` is the logged-in user (their own password needs the current one)."""
    actor = require_login(settings, clock=clock)
    return actor.logged_in and store.same_name(store.check_name(name), actor.name)


def set_password(settings: Settings, name: str, password: str, *,
                 current_password: str | None = None, clock: Clock = time.time) -> Operator:
    """Own password (with the current one: an unattended session must not be enough to
    take the account over), or (supervisor) anyone else's; ends the user's other sessions."""
    passwords.check_new_password(password)
    actor = require_login(settings, clock=clock)
    if not actor.logged_in:
        raise PermissionDenied("Login belum diaktifkan: belum ada pengguna yang kata sandinya "
                               "dapat diubah.")
    name = store.check_name(name)
    own = store.same_name(name, actor.name)
    if not own and actor.role != store.SUPERVISOR:
        raise PermissionDenied("Hanya supervisor yang boleh mengubah kata sandi pengguna lain.")
    if own:  # the current password is a login: same counters, lockout and audit
        from tagihlite.auth.login import check_current_password

        check_current_password(settings, actor.name, current_password or "", clock=clock)
    pw_hash = passwords.hash_password(password)
    with store.open_store(settings) as conn, store.write(conn):
        user = store.get_user(conn, name)
        if user is None:
            raise InputError(f"Pengguna '{name}' tidak ada.")
        conn.execute("UPDATE users SET pw_hash = ?, failed = 0, locked_until = 0 "
                     "WHERE name = ?", (pw_hash, user.name))
        if not store.same_name(user.name, actor.name):
            sessions.revoke_user(conn, user.name)
    open_audit(settings, clock=clock).append("password_change", actor.name,
                                                        user=user.name)
    return actor


def list_users(settings: Settings) -> list[store.User]:
    if not store.exists(settings):
        return []
    with store.open_store(settings) as conn:
        return store.list_users(conn)
