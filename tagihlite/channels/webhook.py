"""Receiver for Meta's WhatsApp status webhooks (``tagihlite webhook``).

* ``GET``: the verify-token handshake (``hub.mode=subscribe``, ``hub.verify_token`` equal to
  the secret ``webhook_verify_token``) answers ``hub.challenge``.
* ``POST``: only with a valid ``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body
  keyed with the secret webhook_app_secret>`` (401 without a signature, 403 with a wrong one).
  Each ``statuses[]`` entry (sent / delivered / read / failed) goes to
  :meth:`Journal.record_provider_status`; the sheet shows it on the next write-back.

Meta needs a public HTTPS address: run this behind the branch's reverse proxy or a tunnel.
Nothing customer-related is printed or logged: the payload carries phone numbers, and the
GET query carries the verify token, so the default request log is switched off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tagihlite.core.vocab import JournalState
from tagihlite.errors import TagihError

MAX_BODY = 1_000_000  # Meta batches at most a few hundred KB
READ_TIMEOUT = 10.0  # seconds a connection may stay silent (slow or idle clients)
MAX_CONNECTIONS = 32  # connections served at once; more get 503 and are closed
STATE_OF = {"sent": JournalState.SENT, "delivered": JournalState.DELIVERED,
            "read": JournalState.READ, "failed": JournalState.FAILED}


@dataclass(frozen=True)
class StatusUpdate:
    provider_id: str  # the wamid returned when the message was accepted
    state: str  # a JournalState value
    at: dt.datetime  # aware, UTC
    error_code: str | None = None
    callback_key: str | None = None  # our biz_opaque_callback_data (the journal key)


def signature_ok(body: bytes, header: str | None, app_secret: str) -> bool:
    """Constant-time check of ``X-Hub-Signature-256`` against the raw body."""
    if not header or not header.startswith("sha256=") or not header.isascii():
        return False  # compare_digest raises on non-ASCII text: that is a wrong signature
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def parse_statuses(payload: Any) -> list[StatusUpdate]:
    """The status entries of a WhatsApp Business Account webhook payload (others ignored)."""
    updates: list[StatusUpdate] = []
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return updates
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            for status in _dicts(value.get("statuses")):
                state = STATE_OF.get(str(status.get("status", "")))
                provider_id = status.get("id")
                if state is None or not isinstance(provider_id, str) or not provider_id:
                    continue
                code = next((str(e["code"]) for e in _dicts(status.get("errors"))
                             if "code" in e), None)
                callback = status.get("biz_opaque_callback_data")
                updates.append(StatusUpdate(provider_id, state, _timestamp(status.get(
                    "timestamp")), code, callback if isinstance(callback, str) else None))
    return updates


def _dicts(items: Any) -> Iterable[dict[str, Any]]:
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _timestamp(value: Any) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return dt.datetime.now(dt.timezone.utc)


@dataclass
class Counters:
    posts: int = 0
    recorded: int = 0  # the journal moved forward
    ignored: int = 0  # unknown message id or an older state
    rejected: int = 0  # unsigned / wrong signature / bad request


class WebhookServer:
    """``ThreadingHTTPServer`` on ``host:port``; ``record`` receives each status update."""

    def __init__(self, record: Callable[[StatusUpdate], bool], *, app_secret: str,
                 verify_token: str, host: str = "127.0.0.1", port: int = 8787,
                 on_post: Callable[[Counters], None] | None = None,
                 read_timeout: float = READ_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        if not app_secret or not verify_token:
            raise TagihError("Rahasia webhook belum lengkap. Simpan dengan 'tagihlite secrets "
                             "set webhook_app_secret' dan 'tagihlite secrets set "
                             "webhook_verify_token'.")
        self.counters = Counters()
        self._record = record
        self._secret = app_secret
        self._verify_token = verify_token
        self._on_post = on_post
        self._lock = threading.Lock()
        try:
            self._httpd = _BoundedServer((host, port), _handler(self, read_timeout),
                                         max_connections)
        except OSError as exc:
            raise TagihError(f"Penerima webhook tidak dapat memakai {host}:{port} "
                             f"({exc.strerror or exc}). Pilih port lain dengan --port.") from None
        self._httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def start(self) -> WebhookServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def shutdown(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> WebhookServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- request logic, kept off the handler for clarity ---------------------------------
    def verify(self, query: str) -> tuple[int, str]:
        q = {k: v[0] for k, v in parse_qs(query).items()}
        token_ok = hmac.compare_digest(q.get("hub.verify_token", "").encode(),
                                       self._verify_token.encode())
        if q.get("hub.mode") == "subscribe" and token_ok and "hub.challenge" in q:
            return 200, q["hub.challenge"]
        return 403, "forbidden"

    def receive(self, body: bytes, signature: str | None) -> tuple[int, str]:
        if not signature:
            return self._reject(401, "signature required")
        if not signature_ok(body, signature, self._secret):
            return self._reject(403, "invalid signature")
        try:
            payload = json.loads(body)
        except ValueError:
            return self._reject(400, "invalid JSON")
        recorded = ignored = 0
        for update in parse_statuses(payload):
            if self._record(update):
                recorded += 1
            else:
                ignored += 1
        with self._lock:
            self.counters.posts += 1
            self.counters.recorded += recorded
            self.counters.ignored += ignored
            snapshot = Counters(**vars(self.counters))
        if self._on_post:
            self._on_post(snapshot)
        return 200, "EVENT_RECEIVED"

    def _reject(self, status: int, text: str) -> tuple[int, str]:
        with self._lock:
            self.counters.rejected += 1
        return status, text


class _BoundedServer(ThreadingHTTPServer):
    """A thread per connection, but at most ``max_connections`` at once: a flood of (slow)
    connections gets a bare 503 instead of one thread each."""

    daemon_threads = True
    _BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
             b"Connection: close\r\nRetry-After: 5\r\n\r\n")

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 max_connections: int) -> None:
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(self._BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a broken client connection is not ours to print (and no traceback to stderr)


def _handler(server: WebhookServer, read_timeout: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "TagihLiteWebhook"
        sys_version = ""
        timeout = read_timeout  # socket timeout for every read: a silent client is dropped

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the query carries the verify token, the body phone numbers: no access log

        def setup(self) -> None:
            super().setup()
            # Headers and body are two writes: avoid Nagle + delayed-ACK stalls (~40 ms).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _answer(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer(*server.verify(urlsplit(self.path).query))

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                self.close_connection = True
                self._answer(413, "payload too large")
                return
            body = self.rfile.read(length)
            try:
                status, text = server.receive(body, self.headers.get("X-Hub-Signature-256"))
            except Exception:  # journal trouble: 500 makes Meta retry later
                from tagihlite.logs import log_exception

                log_exception("webhook")
                status, text = 500, "error"
            self._answer(status, text)

    return Handler


def journal_recorder(journal: Any) -> Callable[[StatusUpdate], bool]:
    """Adapter: StatusUpdate -> ``Journal.record_provider_status``."""

    def record(update: StatusUpdate) -> bool:
        return bool(journal.record_provider_status(update.provider_id, update.state, update.at,
                                                   error_code=update.error_code,
                                                   key=update.callback_key))

    return record
