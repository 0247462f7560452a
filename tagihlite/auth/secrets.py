"""Secrets (API tokens, webhook keys): the OS keyring first, then an environment variable.

Never the workbook, ``xlwings.conf``, the settings file or a log. ``keyring`` is imported
only when a secret is asked for, so ``import tagihlite`` stays lean.

Only a keyring that ``keyring`` itself recommends (priority >= 1: Windows Credential Manager,
macOS Keychain, Secret Service) counts. Lower-priority backends such as keyrings.alt's
plain-text file would put the token on disk readable as text, which is exactly what this
module exists to avoid; on such a machine (and on a headless Linux box, which usually has no
backend at all) ``set_secret`` refuses with an Indonesian explanation and ``get_secret``
reads the environment.
"""

from __future__ import annotations

import os
import re
from typing import Any

from tagihlite.errors import TagihError

SERVICE = "TagihLite"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class SecretStoreUnavailable(TagihError):
    """No secure OS keyring: the secret must come from the environment instead."""


def env_name(name: str) -> str:
    """``cloud_token`` -> ``TAGIHLITE_CLOUD_TOKEN``."""
    return "TAGIHLITE_" + name.upper()


def check_name(name: str) -> str:
    """Secret names are short snake_case words (they become environment variable names)."""
    if not _NAME_RE.match(name):
        raise TagihError(f"Nama rahasia '{name}' tidak valid: gunakan huruf kecil, angka dan "
                         "garis bawah, mis. 'cloud_token'.")
    return name


def secure_keyring() -> Any | None:
    """The active keyring backend when it is one we trust with a token, else ``None``."""
    try:
        import keyring
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    backend = keyring.get_keyring()
    try:
        priority = float(backend.priority)
    except Exception:  # a backend may raise to say it is unusable here
        return None
    return backend if priority >= 1 else None


def keyring_available() -> bool:
    return secure_keyring() is not None


def get_secret(name: str) -> str | None:
    """The secret called ``name`` from the OS keyring (service "TagihLite"), else from the
    environment variable ``TAGIHLITE_<NAME>``; ``None`` (or empty) when set in neither."""
    value = None
    backend = secure_keyring()
    if backend is not None:
        from keyring.errors import KeyringError

        try:
            value = backend.get_password(SERVICE, name)
        except KeyringError:  # locked or broken keyring: fall back to the env
            value = None
    if value:
        return value
    return os.environ.get(env_name(name)) or None


def _no_keyring(name: str, doing: str) -> SecretStoreUnavailable:
    return SecretStoreUnavailable(
        f"Komputer ini tidak punya penyimpanan rahasia (keyring) yang aman, jadi rahasia "
        f"'{name}' tidak dapat {doing}. Isi variabel lingkungan {env_name(name)} sebagai "
        "gantinya.")


def set_secret(name: str, value: str) -> None:
    """Store ``value`` in the OS keyring; SecretStoreUnavailable when there is none."""
    check_name(name)
    if not value:
        raise TagihError(f"Rahasia '{name}' kosong: tidak ada yang disimpan.")
    backend = secure_keyring()
    if backend is None:
        raise _no_keyring(name, "disimpan")
    from keyring.errors import KeyringError

    try:
        backend.set_password(SERVICE, name, value)
    except KeyringError as exc:  # the backend's message never contains the value
        raise _no_keyring(name, "disimpan") from exc


def delete_secret(name: str) -> None:
    """Remove the secret from the OS keyring (absent: nothing to do)."""
    check_name(name)
    backend = secure_keyring()
    if backend is None:
        raise _no_keyring(name, "dihapus")
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        backend.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return
    except KeyringError as exc:
        raise _no_keyring(name, "dihapus") from exc
