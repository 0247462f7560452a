"""Staff logins: users store, sessions, lockout, roles (see :mod:`tagihlite.identity`)."""

from __future__ import annotations

from .login import LoginFailed, login, logout
from .store import ROLES, SUPERVISOR, User
from .users import add_user, disable_user, list_users, set_password

__all__ = ["ROLES", "SUPERVISOR", "LoginFailed", "User", "add_user", "disable_user",
           "list_users", "login", "logout", "set_password"]
