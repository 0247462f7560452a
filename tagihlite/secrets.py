"""Secrets (API tokens, webhook keys): the OS keyring first, then an environment variable.

Never the workbook, ``xlwings.conf``, the settings file or a log. ``keyring`` is imported
only when a secret is asked for, so ``import tagihlite`` stays lean.
"""

from __future__ import annotations

import os

SERVICE = "TagihLite"


def env_name(name: str) -> str:
    """``cloud_token`` -> ``TAGIHLITE_CLOUD_TOKEN``."""
    return "TAGIHLITE_" + name.upper()


def get_secret(name: str) -> str | None:
    """The secret called ``name`` from the OS keyring (service "TagihLite"), else from the
    environment variable ``TAGIHLITE_<NAME>``; ``None`` (or empty) when set in neither."""
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(SERVICE, name)
        except KeyringError:  # no usable backend (headless Linux): fall back to the env
            value = None
    except ImportError:  # pragma: no cover - keyring is a dependency
        value = None
    if value:
        return value
    return os.environ.get(env_name(name)) or None
