"""A real HTTP server on loopback that behaves like the WhatsApp Business Cloud API (Graph API).

Used by the channel tests and the benchmarks. It speaks HTTP/1.1 with keep-alive (like
graph.facebook.com), checks the Bearer token, validates the template payload, and answers with
the JSON bodies Meta documents:

* success: ``{"messaging_product": "whatsapp", "contacts": [...],
  "messages": [{"id": "wamid..."}]}``
* errors: ``{"error": {"message", "type", "code", "error_data": {"details"}, "fbtrace_id"}}``

Behaviours a test can switch on: per-number error codes, a throughput limit (130429 above it),
a per-recipient pair limit (131056), 5xx answers on demand, latency, a hang past the client's
timeout, and a dropped connection after the request was read. Every message it *accepted* is
recorded (id, recipient, template parameters, ``biz_opaque_callback_data``).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Meta's documented codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
ERRORS: dict[int, tuple[int, str, str]] = {
    # code: (HTTP status, type, message)
    190: (401, "OAuthException", "Invalid OAuth access token - Cannot parse access token"),
    100: (400, "OAuthException", "(#100) Invalid parameter"),
    131026: (400, "OAuthException", "(#131026) Message undeliverable"),
    131048: (400, "OAuthException", "(#131048) Spam rate limit hit"),
    131056: (400, "OAuthException",
             "(#131056) (Business Account, Consumer Account) pair rate limit hit"),
    130429: (400, "OAuthException", "(#130429) Rate limit hit"),
    131000: (500, "OAuthException", "(#131000) Something went wrong"),
    132000: (400, "OAuthException",
             "(#132000) Number of parameters does not match the expected number of params"),
    132001: (404, "OAuthException", "(#132001) Template name does not exist in the translation"),
}


@dataclass(frozen=True)
class Accepted:
    id: str
    to: str
    template: str
    language: str
    parameters: tuple[str, ...]
    callback_data: str | None
    at: float


TEST_TOKEN = "EAAG-test-token-" + "q" * 40  # what the tests put in TAGIHLITE_CLOUD_TOKEN


@dataclass
class GraphBehaviour:
    """What the fake API does; tests mutate it between (or during) sends."""

    token: str = "test-token-" + "x" * 20
    phone_number_id: str = "109876543210"
    api_version: str = "v21.0"
    templates: dict[str, int] = field(default_factory=lambda: {"pengingat_tagihan": 4})
    number_errors: dict[str, int] = field(default_factory=dict)  # digits -> error code
    rate_per_second: float | None = None  # sustained rate above it: 130429 (token bucket)
    rate_burst: float | None = None  # bucket size; None: one second's worth
    pair_limit: int | None = None  # accepted messages per recipient, above it: 131056
    latency: float = 0.0  # seconds before each answer
    fail_next: int = 0  # the next N message requests answer 5xx (nothing accepted)
    fail_status: int = 503
    fail_with_graph_body: bool = True  # False: a gateway's HTML page instead of Graph JSON
    fail_page: bytes = b"<html><body>502 Bad Gateway</body></html>"  # b"": no body at all
    fail_page_type: str = "text/html"  # e.g. "text/plain" for a proxy's "Internal Error"
    cut_next: int = 0  # the next N message requests: read, not accepted, connection closed
    hang_numbers: set[str] = field(default_factory=set)  # accept, then answer only after 'hang'
    hang_seconds: float = 5.0
    drop_numbers: set[str] = field(default_factory=set)  # accept, then close without answering


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished (killed, timed out) is normal here: no traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class GraphServer:
    """``with GraphServer() as api: api.base_url ...``; ``api.accepted`` lists what it took."""

    def __init__(self, behaviour: GraphBehaviour | None = None, port: int = 0) -> None:
        self.behaviour = behaviour or GraphBehaviour()
        self.accepted: list[Accepted] = []
        self.requests = 0  # every POST to /messages, accepted or not
        self.auth_failures = 0
        self._tokens: float | None = None
        self._refilled = 0.0
        self._per_recipient: dict[str, int] = {}
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._httpd = _QuietServer(("127.0.0.1", port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> GraphServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut open keep-alive connections (like a server going away)."""
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            conns, self._connections = list(self._connections), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> GraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- queries for tests -----------------------------------------------------
    def accepted_by_callback(self) -> dict[str, list[Accepted]]:
        out: dict[str, list[Accepted]] = {}
        with self._lock:
            for msg in self.accepted:
                out.setdefault(msg.callback_data or "", []).append(msg)
        return out

    # -- the API ---------------------------------------------------------------
    def handle_messages(self, auth: str | None, body: bytes) -> tuple[int, dict[str, Any], str]:
        """Return (HTTP status, JSON body, after); after is "", "hang", "drop" or "html"."""
        b = self.behaviour
        with self._lock:
            self.requests += 1
        if auth != f"Bearer {b.token}":
            with self._lock:
                self.auth_failures += 1
            return _error(190)
        try:
            payload = json.loads(body)
        except ValueError:
            return _error(100, "Request body is not valid JSON")
        to = str(payload.get("to", ""))
        digits = to.lstrip("+")
        if (payload.get("messaging_product") != "whatsapp" or payload.get("type") != "template"
                or not digits.isdigit()):
            return _error(100, "messaging_product, to and type=template are required")
        template = payload.get("template") or {}
        name = template.get("name")
        language = (template.get("language") or {}).get("code", "")
        params: list[str] = []
        for comp in template.get("components") or []:
            if comp.get("type") == "body":
                for p in comp.get("parameters") or []:
                    if p.get("type") != "text" or not str(p.get("text", "")).strip():
                        return _error(100, "Body parameters must be non-empty text")
                    params.append(str(p["text"]))
        if name not in b.templates:
            return _error(132001, f"template name ({name}) does not exist in {language}")
        if len(params) != b.templates[name]:
            return _error(132000, f"body: number of localizable_params ({len(params)}) does "
                                  f"not match the expected number of params ({b.templates[name]})")
        with self._lock:
            if b.cut_next > 0:
                b.cut_next -= 1
                return 0, {}, "drop"
            if b.fail_next > 0:
                b.fail_next -= 1
                if not b.fail_with_graph_body:
                    return b.fail_status, {}, "html"
                return b.fail_status, _error_body(131000, "Service temporarily unavailable"), ""
            if digits in b.number_errors:
                return _error(b.number_errors[digits],
                              "Message failed to send because of a recipient problem")
            if b.rate_per_second is not None and not self._take_token(b):
                return _error(130429, "Cloud API message throughput has been reached")
            if b.pair_limit is not None and self._per_recipient.get(digits, 0) >= b.pair_limit:
                return _error(131056, "Message failed to send because there were too many "
                                      "messages sent from this phone number to the same "
                                      "phone number in a short period of time")
            self._per_recipient[digits] = self._per_recipient.get(digits, 0) + 1
            wamid = "wamid." + secrets.token_urlsafe(24)
            self.accepted.append(Accepted(
                id=wamid, to=digits, template=str(name), language=str(language),
                parameters=tuple(params), callback_data=payload.get("biz_opaque_callback_data"),
                at=time.time()))
        after = "hang" if digits in b.hang_numbers else "drop" if digits in b.drop_numbers else ""
        return 200, {"messaging_product": "whatsapp",
                     "contacts": [{"input": to, "wa_id": digits}],
                     "messages": [{"id": wamid, "message_status": "accepted"}]}, after

    def _take_token(self, b: GraphBehaviour) -> bool:
        """Token bucket: ``rate_per_second`` sustained, ``rate_burst`` at once (lock held)."""
        assert b.rate_per_second is not None
        size = b.rate_burst or b.rate_per_second
        now = time.monotonic()
        if self._tokens is None:
            self._tokens = size
        else:
            self._tokens = min(size, self._tokens + (now - self._refilled) * b.rate_per_second)
        self._refilled = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def handle_phone_number(self, auth: str | None, number_id: str) -> tuple[int, dict[str, Any]]:
        b = self.behaviour
        if auth != f"Bearer {b.token}":
            status, body, _ = _error(190)
            return status, body
        if number_id != b.phone_number_id:
            return 400, _error_body(100, f"Unsupported get request. Object with ID "
                                         f"'{number_id}' does not exist",
                                    kind="GraphMethodException")
        return 200, {"verified_name": "Telkom Dumai", "display_phone_number": "+62 811-0000-000",
                     "id": b.phone_number_id, "quality_rating": "GREEN"}


def status_webhook_body(updates: list[tuple[Accepted, str]], *, at: int | None = None,
                        error_code: int | None = None) -> bytes:
    """The JSON Meta POSTs to a webhook for message statuses (sent/delivered/read/failed)."""
    ts = str(at if at is not None else int(time.time()))
    statuses = []
    for msg, status in updates:
        item: dict[str, Any] = {"id": msg.id, "status": status, "timestamp": ts,
                                "recipient_id": msg.to}
        if msg.callback_data:
            item["biz_opaque_callback_data"] = msg.callback_data
        if status == "failed":
            item["errors"] = [{"code": error_code or 131026, "title": "Message undeliverable"}]
        statuses.append(item)
    return json.dumps({"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "628110000000",
                         "phone_number_id": GraphBehaviour().phone_number_id},
            "statuses": statuses}}]}]}).encode()


def post_status_webhook(url: str, app_secret: str, body: bytes) -> int:
    """Deliver a webhook the way Meta does: signed with X-Hub-Signature-256. Returns status."""
    import hashlib
    import hmac
    import urllib.request

    sig = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": sig})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return int(resp.status)


def _error_body(code: int, details: str, kind: str = "OAuthException") -> dict[str, Any]:
    message = ERRORS.get(code, (400, kind, f"(#{code}) Error"))[2]
    return {"error": {"message": message, "type": kind, "code": code,
                      "error_data": {"messaging_product": "whatsapp", "details": details},
                      "fbtrace_id": "A" + secrets.token_hex(10)}}


def _error(code: int, details: str = "") -> tuple[int, dict[str, Any], str]:
    status, kind, _ = ERRORS.get(code, (400, "OAuthException", ""))
    return status, _error_body(code, details or ERRORS.get(code, (0, "", "Error"))[2], kind), ""


def _handler_for(server: GraphServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real Graph API

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def setup(self) -> None:
            super().setup()
            # Headers and body go out as two writes: without this, Nagle + delayed ACK add
            # ~40 ms to every answer, which the real Graph API does not have.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with server._lock:
                server._connections.add(self.connection)

        def finish(self) -> None:
            with server._lock:
                server._connections.discard(self.connection)
            with contextlib.suppress(OSError):
                super().finish()

        def _parts(self) -> list[str]:
            return [p for p in self.path.split("?")[0].split("/") if p]

        def _send_json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            parts = self._parts()
            b = server.behaviour
            if len(parts) != 3 or parts[0] != b.api_version or parts[2] != "messages":
                self._send_json(404, _error_body(100, "Unknown path"))
                return
            if parts[1] != b.phone_number_id:
                self._send_json(400, _error_body(100, "Object does not exist",
                                                 kind="GraphMethodException"))
                return
            status, payload, after = server.handle_messages(self.headers.get("Authorization"),
                                                            body)
            if b.latency:
                time.sleep(b.latency)
            if after == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if after == "hang":
                time.sleep(b.hang_seconds)
            if after == "html":
                data = b.fail_page
                self.send_response(status)
                self.send_header("Content-Type", b.fail_page_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            try:
                self._send_json(status, payload)
            except OSError:  # the client gave up (timeout): nothing more to say
                self.close_connection = True

        def do_GET(self) -> None:
            parts = self._parts()
            b = server.behaviour
            if len(parts) != 2 or parts[0] != b.api_version:
                self._send_json(404, _error_body(100, "Unknown path"))
                return
            status, payload = server.handle_phone_number(self.headers.get("Authorization"),
                                                         parts[1])
            if b.latency:
                time.sleep(b.latency)
            self._send_json(status, payload)

    return Handler


def main() -> None:  # pragma: no cover - manual use: python tests/support/graph_server.py
    import argparse

    ap = argparse.ArgumentParser(description="Fake WhatsApp Cloud API on loopback")
    ap.add_argument("--port", type=int, default=8799)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--rate", type=float, default=None)
    args = ap.parse_args()
    srv = GraphServer(GraphBehaviour(latency=args.latency, rate_per_second=args.rate),
                      port=args.port).start()
    print(f"listening on {srv.base_url}, token {srv.behaviour.token}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
