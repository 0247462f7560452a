"""Errors a clerk can act on.

Anything raised as :class:`TagihError` is shown to the user as its Indonesian message,
with no traceback, by both shells (command line and Excel). Everything else is a bug:
the shells log it to the app folder and say where.
"""

from __future__ import annotations


class TagihError(Exception):
    """A problem the user can fix. ``str(err)`` is a complete Indonesian sentence."""

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(TagihError):
    """The workbook, template or another input cannot be used as it is."""


class SettingsError(TagihError):
    """A settings value is wrong; the message names the key."""


class ChannelStop(TagihError):
    """The channel cannot go on at all (no display, bad token, spam limit): stop the run."""

    exit_code = 1


class PermissionDenied(TagihError):
    """The logged-in user may not do this (role), or nobody is logged in."""


def where(file: str | None = None, sheet: str | None = None, row: int | None = None,
          column: str | None = None) -> str:
    """Indonesian location phrase: ``berkas 'x.xlsx', sheet 'Tagihan', baris 7, kolom 'No HP'``."""
    parts = []
    if file:
        parts.append(f"berkas '{file}'")
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if row is not None:
        parts.append(f"baris {row}")
    if column:
        parts.append(f"kolom '{column}'")
    return ", ".join(parts)
