"""Click-to-chat links (``--via link``): a ``Tautan WA`` cell per row; the clerk clicks it.

Nothing is sent by us, so the outcome is QUEUED ("tautan dibuat, belum dikirim").

Excel limits shape the design: a text constant in a formula and HYPERLINK's link location are
both at most 255 characters (a whole formula at most 8,192). A ``wa.me`` link carrying the
message URL-encoded rarely fits a real reminder (every space becomes ``%20``), so:

* when ``https://wa.me/<digits>?text=<message>`` fits in 255 characters the formula opens the
  chat with the message filled in;
* otherwise the formula opens the chat only (label "Buka chat WhatsApp") and the note tells
  the clerk to paste the text from the ``Pesan`` column. :attr:`LinkCell.url` still holds the
  full link for a shell that can set a native cell hyperlink instead of a formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from tagihlite.channels.base import Outcome, Reminder
from tagihlite.core.vocab import JournalState

if TYPE_CHECKING:
    from tagihlite.settings import Settings

HYPERLINK_URL_MAX = 255  # HYPERLINK's link_location, and any text constant in a formula
FORMULA_MAX = 8192
LABEL_WITH_TEXT = "Buka WhatsApp"
LABEL_CHAT_ONLY = "Buka chat WhatsApp"
NOTE_QUEUED = "Tautan dibuat, belum dikirim: klik tautan di kolom Tautan WA lalu tekan Kirim."
NOTE_TOO_LONG = ("Tautan dibuat, belum dikirim. Pesan terlalu panjang untuk tautan: klik "
                 "tautan, lalu tempel teks dari kolom Pesan dan tekan Kirim.")

_NON_DIGITS = re.compile(r"\D+")


def wa_me_url(phone_e164: str, text: str) -> str:
    """``https://wa.me/<digits>?text=<urlencoded>``; without ``?text=`` when text is empty."""
    digits = _NON_DIGITS.sub("", phone_e164)
    if not digits:
        raise ValueError("phone number has no digits")
    url = f"https://wa.me/{digits}"
    return f"{url}?text={quote(text, safe='')}" if text else url


def _literal(text: str) -> str:
    if len(text) > HYPERLINK_URL_MAX:
        raise ValueError(f"text constant longer than {HYPERLINK_URL_MAX} characters")
    return '"' + text.replace('"', '""') + '"'


def hyperlink_formula(url: str, label: str = LABEL_WITH_TEXT) -> str:
    """``=HYPERLINK("url","label")``; ValueError when Excel could not hold it."""
    formula = f"=HYPERLINK({_literal(url)},{_literal(label)})"
    if len(formula) > FORMULA_MAX:  # pragma: no cover - two 255-char literals cannot reach it
        raise ValueError("formula too long")
    return formula


@dataclass(frozen=True)
class LinkCell:
    formula: str  # what goes into the Tautan WA cell
    url: str  # the full link, message included (may exceed what a formula can hold)
    with_text: bool  # the formula's link carries the message

    @property
    def note(self) -> str:
        return NOTE_QUEUED if self.with_text else NOTE_TOO_LONG


def link_cell(phone_e164: str, text: str) -> LinkCell:
    """The ``Tautan WA`` cell for one reminder: message in the link when it fits."""
    full = wa_me_url(phone_e164, text)
    if len(full) <= HYPERLINK_URL_MAX:
        return LinkCell(hyperlink_formula(full, LABEL_WITH_TEXT), full, True)
    chat = wa_me_url(phone_e164, "")
    return LinkCell(hyperlink_formula(chat, LABEL_CHAT_ONLY), full, False)


class LinkChannel:
    name: ClassVar[str] = "link"
    concurrency = 1
    rate_per_second: float | None = None

    def __init__(self, settings: Settings, **_: Any) -> None:
        self.settings = settings

    def open(self) -> None:
        pass

    def send(self, reminder: Reminder) -> Outcome:
        cell = link_cell(reminder.phone, reminder.message)
        return Outcome(JournalState.QUEUED, note=cell.note)

    def close(self) -> None:
        pass
