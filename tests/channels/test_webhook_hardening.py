"""Issue 9: webhook states only move forward; hostile requests cost a 403, a timeout or a
503, never a stack trace in the log or a thread per connection (real server, loopback)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_webhook_receiver import APP_SECRET, PHONE, VERIFY, sign, status, status_payload

from tagihlite.channels.webhook import WebhookServer, journal_recorder
from tagihlite.core.vocab import JournalState
from tagihlite.journal.sqlite import Journal

KEY = "K0|2026-11|1"


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite")
    assert j.begin(KEY, channel="cloud", operator="ani", message="m", phone="+" + PHONE,
                   amount=1000)
    j.finish(KEY, JournalState.ACCEPTED, provider_id="wamid.M0")
    yield j
    j.close()


def _post(url: str, *statuses: dict[str, object]) -> httpx.Response:
    body = status_payload(*statuses)
    return httpx.post(url, content=body, headers={"X-Hub-Signature-256": sign(body)})


@pytest.mark.parametrize("before", ["read", "delivered"])
def test_failed_after_delivery_does_not_move_back_or_resend(journal: Journal, tmp_path: Path,
                                                            before: str) -> None:
    with WebhookServer(journal_recorder(journal), app_secret=APP_SECRET, verify_token=VERIFY,
                       port=0) as server:
        assert _post(server.url, status("wamid.M0", before, 1_764_300_100)).status_code == 200
        late = status("wamid.M0", "failed", 1_764_300_200, errors=[{"code": 131026}])
        assert _post(server.url, late).status_code == 200
    assert journal.entries([KEY])[KEY].state == before
    # ... so the key still blocks: a new begin() is refused (never sent twice).
    assert not journal.begin(KEY, channel="cloud", operator="ani", message="m",
                             phone="+" + PHONE, amount=1000)


def test_failed_before_delivery_is_still_recorded(journal: Journal) -> None:
    import datetime as dt

    at = dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc)
    assert journal.record_provider_status("wamid.M0", JournalState.FAILED, at)
    assert journal.entries([KEY])[KEY].state == JournalState.FAILED


def _log_size() -> int:
    from tagihlite.paths import log_dir

    return sum(p.stat().st_size for p in log_dir().glob("*") if p.is_file()) \
        if log_dir().exists() else 0


def test_non_ascii_signature_is_403_and_logs_nothing(journal: Journal) -> None:
    before = _log_size()
    with WebhookServer(journal_recorder(journal), app_secret=APP_SECRET, verify_token=VERIFY,
                       port=0) as server:
        body = status_payload(status("wamid.M0", "read"))
        host, port = server.url.split("//")[1].rstrip("/").split(":")
        for _ in range(3):  # raw bytes: httpx itself refuses non-ASCII header values
            with socket.create_connection((host, int(port)), timeout=5) as s:
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                          b"X-Hub-Signature-256: sha256=\xc3\xa9\xc3\xa9\r\n"
                          b"Connection: close\r\n\r\n" % len(body) + body)
                answer = s.recv(200)
            assert answer.startswith(b"HTTP/1.0 403") or answer.startswith(b"HTTP/1.1 403")
        assert server.counters.rejected == 3
    assert journal.entries([KEY])[KEY].state == JournalState.ACCEPTED
    assert _log_size() == before


def test_silent_connections_time_out_and_their_number_is_capped(journal: Journal) -> None:
    with WebhookServer(journal_recorder(journal), app_secret=APP_SECRET, verify_token=VERIFY,
                       port=0, read_timeout=1.0, max_connections=3) as server:
        host, port = server.url.split("//")[1].rstrip("/").split(":")
        silent = [socket.create_connection((host, int(port)), timeout=5) for _ in range(3)]
        time.sleep(0.3)
        with socket.create_connection((host, int(port)), timeout=5) as extra:
            extra.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert extra.recv(100).startswith(b"HTTP/1.1 503")  # the fourth: refused
        for s in silent:  # each silent client is dropped by the server's read timeout
            s.settimeout(8)  # (without the timeout recv() would block: socket.timeout)
            assert s.recv(100) == b""
            s.close()
        time.sleep(0.2)
        ok = httpx.get(server.url, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                           "hub.challenge": "42"})
        assert (ok.status_code, ok.text) == (200, "42")  # slots are free again
