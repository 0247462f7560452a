"""The one small interface every WhatsApp channel implements.

In the spirit of Django's e-mail backends: the send loop (``tagihlite.sending``) owns the
journal, the rate limit, the daily cap and the write-back; a channel only turns one
:class:`Reminder` into one :class:`Outcome`, honestly:

* return ``Outcome(JournalState.QUEUED)`` when a person must still press send (outbox, link),
* ``SUBMITTED`` when it was handed to WhatsApp but delivery cannot be known (WhatsApp Web),
* ``ACCEPTED`` with ``provider_id`` when an API accepted it (Cloud API),
* ``FAILED`` with an Indonesian ``note`` when it certainly did not go out,
* raise :class:`~tagihlite.errors.ChannelStop` when the whole run must stop; raise it only when
  *this* reminder certainly did not go out (the loop then marks it failed, not sent).

Any other exception means "we do not know": the loop leaves the key ``PERLU CEK``; raise
:class:`DeliveryUnknown` with an Indonesian sentence (no customer data) to say why in Catatan.
A channel that a person can stop (WhatsApp Web's mouse-in-a-corner) sets
``stop_requested = True``; the loop then stops before committing the next reminder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Protocol, runtime_checkable


class DeliveryUnknown(Exception):
    """The request may have reached WhatsApp but no answer came back: PERLU CEK."""


@dataclass(frozen=True)
class Reminder:
    key: str  # journal key: "<customer_id>|<period>|<level>"
    customer_id: str
    period: str  # "2026-11"
    level: int
    row: int  # Excel row number, for progress messages only
    name: str
    phone: str  # E.164, validated
    amount: int  # whole Rupiah
    due_date: date | None
    message: str  # the rendered text
    # Display-ready strings for template-based channels (Cloud API body parameters).
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    state: str  # a JournalState value
    note: str = ""  # Indonesian, goes to Catatan
    provider_id: str | None = None
    error_code: str | None = None


@runtime_checkable
class Channel(Protocol):
    name: ClassVar[str]  # CLI name: "outbox", "whatsapp-web", "cloud", "link", "memory"
    concurrency: int  # how many sends the loop may run at once (1 for GUI channels)
    rate_per_second: float | None  # channel's own throughput limit, None: no limit

    def open(self) -> None:
        """Check that the channel can work at all; raise ChannelStop before anything is marked."""

    def send(self, reminder: Reminder) -> Outcome:
        ...

    def close(self) -> None:
        ...
