"""Test send ("Kirim Uji"): one real message to the clerk's own number before a batch.

The first eligible row's message is rendered with the template a send would use, prefixed
``[UJI]``, and handed to the chosen channel addressed to the given number only. It is not a
reminder: the journal gets no entry, no row is marked, the daily cap is untouched. The audit
log records who sent which test, where, through which channel, with which template.
Quiet hours do not apply: the message goes to the clerk, not to a customer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagihlite.channels.base import DeliveryUnknown, Outcome, Reminder
from tagihlite.core.vocab import JournalState
from tagihlite.errors import ChannelStop, InputError, TagihError

if TYPE_CHECKING:
    from tagihlite.core.messages import MessageTemplate
    from tagihlite.settings import Settings
    from tagihlite.workflow import Analysis

PREFIX = "[UJI]"
KEY_PREFIX = "UJI|"  # never a journal key: the journal is not asked


@dataclass(frozen=True)
class SelfSendResult:
    reminder: Reminder  # what went to the channel (the clerk's number, "[UJI] ...")
    source_row: int  # the Excel row whose message was used
    outcome: Outcome

    @property
    def status(self) -> str:
        """The outcome in the sheet's vocabulary (MENUNGGU, DIKIRIM, GAGAL, ...)."""
        from tagihlite.core.vocab import Status

        return JournalState.TO_STATUS.get(self.outcome.state, Status.NEEDS_CHECK)

    @property
    def ok(self) -> bool:
        return self.outcome.state not in (JournalState.FAILED, JournalState.UNKNOWN)


def own_number(text: str, region: str = "ID") -> str:
    """The clerk's number as E.164; InputError unless it is a valid mobile number."""
    from tagihlite.core.parse import phone

    found = phone(text, region)
    if found.e164 is None or found.note:
        raise InputError(f"Nomor uji '{text.strip()}' bukan nomor HP WhatsApp yang valid. "
                         "Tulis satu nomor HP Anda sendiri, mis. 0812xxxxxxxx.")
    return found.e164


def reminder_to_self(analysis: Analysis, template: MessageTemplate, to: str,
                  excel_rows: Collection[int] | None = None) -> tuple[Reminder, int]:
    """The first eligible row's reminder, readdressed to ``to`` and prefixed ``[UJI]``."""
    from tagihlite.workflow import build_reminders

    eligible = analysis.rows_for(excel_rows)
    if not len(eligible):
        raise TagihError("Tidak ada baris yang siap dikirim, jadi tidak ada pesan untuk "
                         "dikirim uji. Lihat kolom Status Kirim dan Catatan.", exit_code=1)
    first = eligible["row"][0]
    (real,) = build_reminders(analysis, template, {first})
    fields = {**real.fields, "name": f"{PREFIX} {real.fields.get('name', real.name)}"}
    return dataclasses.replace(real, key=KEY_PREFIX + real.key, phone=to,
                               message=f"{PREFIX} {real.message}", fields=fields), first


def send_test(analysis: Analysis, template: MessageTemplate, channel: Any, *, to: str,
              operator: str, settings: Settings,
              excel_rows: Collection[int] | None = None) -> SelfSendResult:
    """Send one ``[UJI]`` message to ``to`` through ``channel``; audit it; touch no row."""
    from tagihlite.auth.template_approval import audit_log, template_hash

    reminder, row = reminder_to_self(analysis, template, to, excel_rows)
    channel.open()  # ChannelStop here: nothing was sent
    try:
        try:
            outcome = channel.send(reminder)
        except ChannelStop as exc:
            outcome = Outcome(JournalState.FAILED, note=str(exc))
        except Exception as exc:  # not a customer: say so, and let the clerk look
            from tagihlite.logs import log_exception

            log_exception(f"test send {channel.name}")
            why = (str(exc) if isinstance(exc, DeliveryUnknown)
                   else f"Hasil kirim uji tidak diketahui ({type(exc).__name__}).")
            outcome = Outcome(JournalState.UNKNOWN, note=why)
    finally:
        channel.close()
    audit_log(settings).append("test_send", operator, to=to, channel=channel.name,
                          source_row=str(row), template=template_hash(template.source.text),
                          outcome=outcome.state)
    return SelfSendResult(reminder, row, outcome)
