"""One ribbon click: the calling workbook and the ways to talk to the clerk (alert, status bar).

Its own module so that the actions can name it without importing the entry point that
imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xlwings as xw

TITLE = "TagihLite"


class Click:
    """One ribbon click: the calling book and the clerk-facing channels (alert, status)."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self.app = book.app
        self._settings: Any = None

    @property
    def settings(self) -> Any:
        if self._settings is None:
            from tagihlite.settings import load

            self._settings = load()
        return self._settings

    def alert(self, text: str, *, critical: bool = False) -> None:
        self.app.alert(text, title=TITLE, buttons="ok", mode="critical" if critical else "info")

    def confirm(self, text: str) -> bool:
        return self.app.alert(text, title=TITLE, buttons="yes_no", mode="info") == "yes"

    def status(self, text: str) -> None:
        self.app.status_bar = f"{TITLE}: {text}"
