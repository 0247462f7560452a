"""WhatsApp Business Cloud API (``--via cloud``): the official channel, template messages.

``POST {base_url}/{api_version}/{phone_number_id}/messages`` with a Bearer token from
:func:`tagihlite.auth.secrets.get_secret` ("cloud_token"). The token is never written anywhere and
never put into a message or an exception text.

Exactly once, with retries. The Cloud API has no idempotency key, so a request may only be
repeated when the server certainly did not create a message:

* safe to retry (backoff, at most ``cloud.max_retries`` times): the connection could not be
  opened (connect error / connect timeout / no free connection: nothing was sent), Meta's
  throughput limits 130429 / 131056 / 80007 / 4 and a bare HTTP 429 (the message was
  refused), and a 5xx answer carrying a Graph API error body (the API itself answered
  "not done");
* *unknown*, never retried: the request went out but no answer proves it was refused (read
  timeout, the connection cut after the request was written, any 5xx without a Graph error
  body: plain text, a gateway page, or no body at all). The message may have
  been accepted, so :class:`DeliveryUnknown` is raised and the send loop leaves the row
  ``PERLU CEK`` for a human. ``biz_opaque_callback_data`` carries the journal key, so Meta's
  status webhooks for such a message still name the reminder it belongs to.

Stops the run (:class:`ChannelStop`, the current reminder certainly not sent): 190 (bad or
expired token), 131048 (spam limit), template errors (132000/132001: every row would fail),
and the API unreachable after all retries.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from tagihlite.auth.secrets import get_secret
from tagihlite.channels import base
from tagihlite.channels.base import Outcome, Reminder
from tagihlite.core.vocab import JournalState
from tagihlite.errors import ChannelStop

if TYPE_CHECKING:
    from tagihlite.settings import Settings

RATE_LIMIT_CODES = frozenset({4, 80007, 130429})
PAIR_LIMIT_CODE = 131056
NOT_ON_WHATSAPP = 131026
SPAM_LIMIT = 131048
BAD_TOKEN = 190
TEMPLATE_CODES = {
    132000: "jumlah parameter template tidak cocok dengan template yang disetujui "
            "(periksa 'cloud.body_parameters')",
    132001: "template tidak ditemukan atau belum disetujui untuk bahasa ini "
            "(periksa 'cloud.template_name' dan 'cloud.template_language')",
}
# Short Indonesian reasons for row-level refusals we know; others keep only the code.
ROW_REASONS = {
    NOT_ON_WHATSAPP: "Nomor ini tidak dapat menerima WhatsApp (bukan pengguna WhatsApp atau "
                     "belum menyetujui ketentuan terbaru). Hubungi lewat telepon/SMS.",
    131030: "Nomor ini belum ada di daftar nomor uji akun WhatsApp Business.",
    131049: "WhatsApp menahan pesan ini agar pelanggan tidak menerima terlalu banyak pesan "
            "bisnis. Coba lagi besok.",
    131021: "Nomor penerima sama dengan nomor pengirim.",
}
TOKEN_HELP = "Perbarui token dengan 'tagihlite secrets set cloud_token'."


class DeliveryUnknown(base.DeliveryUnknown):
    """The request left but no answer came back: the message may have been accepted.

    Deliberately not a ChannelStop: the send loop leaves the key PERLU CEK."""


class _Retry(Exception):
    """A refusal that is safe to repeat. kind: "connect", "rate" or "server"."""

    def __init__(self, kind: str, code: str, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.code = code
        self.reason = reason
        self.delay = delay


class CloudChannel:
    name: ClassVar[str] = "cloud"

    def __init__(self, settings: Settings, *, backoff_base: float = 0.5,
                 backoff_cap: float = 20.0, transport: httpx.BaseTransport | None = None,
                 **_: Any) -> None:
        self.settings = settings
        self.cfg = settings.cloud
        self.concurrency = self.cfg.concurrency
        self.rate_per_second: float | None = self.cfg.messages_per_second
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._transport = transport
        self._client: httpx.Client | None = None
        self._stop_reason: str | None = None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------
    def open(self) -> None:
        token = get_secret("cloud_token")
        if not token:
            raise ChannelStop("Token WhatsApp Cloud API belum diatur. Simpan dengan "
                              "'tagihlite secrets set cloud_token' (atau variabel lingkungan "
                              "TAGIHLITE_CLOUD_TOKEN).")
        if not self.cfg.phone_number_id.strip():
            raise ChannelStop("Pengaturan 'cloud.phone_number_id' belum diisi. Salin ID nomor "
                              "telepon dari WhatsApp Manager ke berkas pengaturan.")
        timeout = self.cfg.timeout_seconds
        self._client = httpx.Client(
            base_url=f"{self.cfg.base_url.rstrip('/')}/{self.cfg.api_version}/",
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=self.concurrency * 2,
                                max_keepalive_connections=self.concurrency * 2),
            transport=self._transport,
        )
        try:
            self._check_account()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _check_account(self) -> None:
        """One GET before anything is marked: a wrong token or number id stops here."""
        assert self._client is not None
        try:
            resp = self._client.get(self.cfg.phone_number_id,
                                    params={"fields": "display_phone_number,quality_rating"})
        except httpx.HTTPError:
            raise ChannelStop(self._unreachable()) from None
        if resp.status_code == 200:
            return
        code = _graph_code(resp)
        if code == BAD_TOKEN:
            raise ChannelStop(f"Token WhatsApp Cloud API ditolak (tidak valid atau "
                              f"kedaluwarsa). {TOKEN_HELP}")
        if resp.status_code >= 500:
            raise ChannelStop(self._unreachable())
        raise ChannelStop(f"Nomor pengirim 'cloud.phone_number_id' tidak dikenali WhatsApp "
                          f"Cloud API (kode {code or resp.status_code}). Periksa pengaturannya.")

    def _unreachable(self) -> str:
        return (f"WhatsApp Cloud API di {self.cfg.base_url} tidak dapat dihubungi. Periksa "
                "koneksi internet lalu kirim ulang; baris yang belum terkirim tetap SIAP KIRIM.")

    # -- sending ---------------------------------------------------------------
    def payload(self, reminder: Reminder) -> dict[str, Any]:
        params = []
        for fld in self.cfg.body_parameters:
            value = _field(reminder.fields, fld)
            params.append({"type": "text", "text": value})
        template: dict[str, Any] = {"name": self.cfg.template_name,
                                    "language": {"code": self.cfg.template_language}}
        if params:
            template["components"] = [{"type": "body", "parameters": params}]
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": reminder.phone.lstrip("+"),
            "type": "template",
            "template": template,
            # Echoed in Meta's status webhooks: ties a message to its journal key even when
            # our process died before it could store the message id.
            "biz_opaque_callback_data": reminder.key,
        }

    def send(self, reminder: Reminder) -> Outcome:
        if self._stop_reason:  # another worker hit a run-stopping error
            raise ChannelStop(self._stop_reason)
        if self._client is None:
            raise RuntimeError("CloudChannel.send() before open()")
        body = self.payload(reminder)
        last: _Retry | None = None
        for attempt in range(self.cfg.max_retries + 1):
            if attempt:
                time.sleep(self._delay(attempt - 1, last))
                if self._stop_reason:
                    raise ChannelStop(self._stop_reason)
            try:
                return self._attempt(body)
            except _Retry as retry:
                last = retry
        assert last is not None
        if last.kind == "connect":
            self._stop(self._unreachable())
        if last.kind == "server":
            self._stop("WhatsApp Cloud API sedang bermasalah (kode "
                       f"{last.code}). Coba kirim ulang nanti.")
        return Outcome(JournalState.FAILED, note=last.reason, error_code=last.code)

    def _delay(self, n: int, last: _Retry | None) -> float:
        if last is not None and last.delay is not None:
            return min(last.delay, self._backoff_cap)
        return min(self._backoff_cap, self._backoff_base * 2 ** n) * random.uniform(0.5, 1.0)

    def _attempt(self, body: dict[str, Any]) -> Outcome:
        assert self._client is not None
        try:
            resp = self._client.post(f"{self.cfg.phone_number_id}/messages", json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The request never left this machine: repeating it cannot duplicate a message.
            raise _Retry("connect", "connect", "WhatsApp Cloud API tidak dapat dihubungi; belum "
                                    "terkirim.") from exc
        except httpx.TransportError as exc:
            # Read timeout, dropped connection, ...: the request may have been accepted.
            raise DeliveryUnknown(
                "Tidak ada jawaban dari WhatsApp Cloud API setelah pesan dikirim "
                f"({type(exc).__name__}); pesan mungkin sudah terkirim. Periksa sebelum "
                "mengirim ulang.") from None
        return self._outcome(resp)

    def _outcome(self, resp: httpx.Response) -> Outcome:
        if resp.status_code == 200:
            try:
                message_id = resp.json()["messages"][0]["id"]
            except (ValueError, KeyError, IndexError, TypeError):
                raise DeliveryUnknown("WhatsApp Cloud API menjawab tanpa ID pesan; pesan "
                                      "mungkin sudah terkirim. Periksa sebelum mengirim ulang."
                                      ) from None
            return Outcome(JournalState.ACCEPTED, note="Diterima WhatsApp Cloud API, menunggu "
                           "laporan terkirim.", provider_id=str(message_id))
        code = _graph_code(resp)
        if code is None:
            if resp.status_code == 429:  # Too Many Requests: refused before any processing
                raise _Retry("rate", "http_429", "WhatsApp Cloud API sibuk; belum terkirim.",
                             _retry_after(resp))
            if resp.status_code >= 500:
                # No Graph error body (plain text, a gateway page, nothing): nobody says the
                # message was not created, so it is unknown, never repeated on its own.
                raise DeliveryUnknown(f"WhatsApp Cloud API menjawab HTTP {resp.status_code} "
                                      "tanpa keterangan; pesan mungkin sudah terkirim. Periksa "
                                      "sebelum mengirim ulang.")
            return Outcome(JournalState.FAILED, error_code=f"http_{resp.status_code}",
                           note=f"Ditolak WhatsApp Cloud API (HTTP {resp.status_code}).")
        if code == BAD_TOKEN:
            self._stop(f"Token WhatsApp Cloud API ditolak (tidak valid atau kedaluwarsa). "
                       f"{TOKEN_HELP} Pengiriman dihentikan.")
        if code == SPAM_LIMIT:
            self._stop("WhatsApp membatasi akun ini karena terlalu banyak pesan ditandai spam "
                       "(kode 131048). Pengiriman dihentikan; hubungi admin WhatsApp Business "
                       "dan coba lagi besok.")
        if code in TEMPLATE_CODES:
            self._stop(f"Template WhatsApp bermasalah: {TEMPLATE_CODES[code]} (kode {code}). "
                       "Pengiriman dihentikan.")
        if code in RATE_LIMIT_CODES:
            raise _Retry("rate", str(code), "WhatsApp Cloud API membatasi kecepatan "
                         f"(kode {code}); belum terkirim, coba lagi nanti.", _retry_after(resp))
        if code == PAIR_LIMIT_CODE:
            raise _Retry("rate", str(code), "Terlalu banyak pesan ke nomor ini dalam waktu singkat "
                         "(kode 131056); belum terkirim, coba lagi nanti.", _retry_after(resp))
        if resp.status_code >= 500:
            raise _Retry("server", str(code), "WhatsApp Cloud API sedang bermasalah "
                         f"(kode {code}); belum terkirim.", _retry_after(resp))
        note = ROW_REASONS.get(code) or (f"Ditolak WhatsApp Cloud API (kode {code}). Bila "
                                         "berulang, laporkan kode ini ke admin TagihLite.")
        return Outcome(JournalState.FAILED, note=note, error_code=str(code))

    def _stop(self, reason: str) -> None:
        with self._lock:
            if self._stop_reason is None:
                self._stop_reason = reason
        raise ChannelStop(reason)


def _field(fields: Mapping[str, str], name: str) -> str:
    try:
        value = fields[name]
    except KeyError:
        raise ChannelStop(f"Pengaturan 'cloud.body_parameters' memuat '{name}' yang tidak "
                          f"dikenal. Pilih dari: {', '.join(sorted(fields))}.") from None
    text = str(value).strip()
    return text or "-"  # the API refuses empty parameters


def _graph_code(resp: httpx.Response) -> int | None:
    try:
        code = resp.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
    return code if isinstance(code, int) else None


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
