"""Where TagihLite keeps its own files (never next to customer data by accident).

``TAGIHLITE_HOME`` redirects everything to one folder: tests and portable installs use it.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "TagihLite"


def _home() -> Path | None:
    value = os.environ.get("TAGIHLITE_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = _home()
    if home:
        return home
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    home = _home()
    if home:
        return home
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    home = _home()
    if home:
        return home / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def settings_file() -> Path:
    explicit = os.environ.get("TAGIHLITE_CONFIG")
    return Path(explicit).expanduser() if explicit else config_dir() / "settings.toml"
