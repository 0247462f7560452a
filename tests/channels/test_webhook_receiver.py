"""The status webhook receiver: a real server on loopback, real signed requests, a real journal."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tagihlite.channels.webhook import WebhookServer, journal_recorder, parse_statuses
from tagihlite.core.vocab import JournalState
from tagihlite.journal.sqlite import Journal

APP_SECRET = "app-secret-" + "s" * 24
VERIFY = "verify-" + "v" * 16
PHONE = "6281234567801"


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def status_payload(*statuses: dict[str, object]) -> bytes:
    return json.dumps({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "628110000000",
                         "phone_number_id": "109876543210"},
            "statuses": list(statuses)}}]}],
    }).encode()


def status(wamid: str, state: str, ts: int = 1_764_300_000, **extra: object) -> dict[str, object]:
    return {"id": wamid, "status": state, "timestamp": str(ts), "recipient_id": PHONE, **extra}


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite")
    for i in range(3):
        key = f"K{i}|2026-11|1"
        assert j.begin(key, channel="cloud", operator="ani", message="m", phone="+" + PHONE,
                       amount=1000)
        j.finish(key, JournalState.ACCEPTED, provider_id=f"wamid.M{i}")
    yield j
    j.close()


@pytest.fixture
def receiver(journal: Journal) -> Iterator[WebhookServer]:
    with WebhookServer(journal_recorder(journal), app_secret=APP_SECRET, verify_token=VERIFY,
                       port=0) as server:
        yield server


def state_of(journal: Journal, i: int) -> str:
    return journal.entries([f"K{i}|2026-11|1"])[f"K{i}|2026-11|1"].state


def test_verify_handshake_echoes_the_challenge_only_for_our_token(
        receiver: WebhookServer) -> None:
    ok = httpx.get(receiver.url, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                         "hub.challenge": "1158201444"})
    assert (ok.status_code, ok.text) == (200, "1158201444")
    for params in ({"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
                   {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
                   {}):
        r = httpx.get(receiver.url, params=params)
        assert r.status_code == 403 and "1" not in r.text


def test_signed_statuses_move_the_journal_forward_only(receiver: WebhookServer,
                                                      journal: Journal) -> None:
    def post(*sts: dict[str, object]) -> httpx.Response:
        body = status_payload(*sts)
        return httpx.post(receiver.url, content=body,
                          headers={"X-Hub-Signature-256": sign(body),
                                   "Content-Type": "application/json"})

    assert post(status("wamid.M0", "sent"), status("wamid.M1", "delivered")).status_code == 200
    assert (state_of(journal, 0), state_of(journal, 1)) == ("sent", "delivered")
    assert post(status("wamid.M0", "read", 1_764_300_100)).status_code == 200
    assert post(status("wamid.M0", "delivered", 1_764_300_050)).status_code == 200  # late
    assert state_of(journal, 0) == JournalState.READ
    failed = status("wamid.M2", "failed", errors=[{"code": 131026, "title": "undeliverable"}])
    assert post(failed, status("wamid.UNKNOWN", "delivered")).status_code == 200
    entry = journal.entries(["K2|2026-11|1"])["K2|2026-11|1"]
    assert (entry.state, entry.error_code) == (JournalState.FAILED, "131026")
    c = receiver.counters
    assert (c.posts, c.recorded, c.ignored, c.rejected) == (4, 4, 2, 0)


def test_unsigned_or_wrongly_signed_posts_are_rejected(receiver: WebhookServer,
                                                      journal: Journal) -> None:
    body = status_payload(status("wamid.M0", "read"))
    assert httpx.post(receiver.url, content=body).status_code == 401
    for header in (sign(body, "other-secret"), "sha256=" + "0" * 64, sign(body + b" "),
                   sign(body).replace("sha256=", "sha1=")):
        r = httpx.post(receiver.url, content=body, headers={"X-Hub-Signature-256": header})
        assert r.status_code == 403
    assert state_of(journal, 0) == JournalState.ACCEPTED
    assert receiver.counters.rejected == 5 and receiver.counters.recorded == 0


def test_bad_json_and_oversized_bodies(receiver: WebhookServer) -> None:
    body = b"{not json"
    r = httpx.post(receiver.url, content=body, headers={"X-Hub-Signature-256": sign(body)})
    assert r.status_code == 400
    big = b"x" * 1_000_001
    r = httpx.post(receiver.url, content=big, headers={"X-Hub-Signature-256": sign(big)})
    assert r.status_code == 413


def test_parse_ignores_other_events_and_keeps_callback_data() -> None:
    body = json.loads(status_payload(
        status("wamid.A", "delivered", biz_opaque_callback_data="K9|2026-11|1"),
        status("wamid.B", "deleted"), {"status": "read"}))
    body["entry"][0]["changes"].append({"field": "messages", "value": {"messages": [{}]}})
    updates = parse_statuses(body)
    assert [(u.provider_id, u.state, u.callback_key) for u in updates] == [
        ("wamid.A", JournalState.DELIVERED, "K9|2026-11|1")]
    assert updates[0].at.timestamp() == 1_764_300_000
    assert parse_statuses({"object": "page", "entry": []}) == []


def test_missing_secrets_refuse_to_start(journal: Journal) -> None:
    with pytest.raises(Exception, match="webhook_app_secret"):
        WebhookServer(journal_recorder(journal), app_secret="", verify_token=VERIFY, port=0)


def _sigint_as_in_a_terminal() -> None:
    """In the child before exec: a background job (``&``, nohup, some CI runners) starts
    with SIGINT ignored, and Python then never installs its Ctrl-C handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_webhook_records_and_prints_no_secrets_or_numbers(tmp_path: Path,
                                                             journal: Journal) -> None:
    home = Path(os.environ["TAGIHLITE_HOME"])
    (home / "settings.toml").write_text(f'journal_path = "{journal.path.as_posix()}"\n')
    port = _free_port()
    env = {**os.environ, "TAGIHLITE_WEBHOOK_APP_SECRET": APP_SECRET,
           "TAGIHLITE_WEBHOOK_VERIFY_TOKEN": VERIFY}
    proc = subprocess.Popen([sys.executable, "-m", "tagihlite", "webhook", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_as_in_a_terminal)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                httpx.get(url, timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        r = httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                   "hub.challenge": "42"})
        assert r.text == "42"
        body = status_payload(status("wamid.M1", "read"))
        assert httpx.post(url, content=body,
                          headers={"X-Hub-Signature-256": sign(body)}).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # never leave the server running after the test
            proc.kill()
            proc.communicate()
            raise
    assert proc.returncode == 0, err
    assert state_of(journal, 1) == JournalState.READ
    assert "1 dicatat" in out
    logs = "".join(p.read_text() for p in home.rglob("*.log"))
    for secret in (APP_SECRET, VERIFY, PHONE):
        assert secret not in out + err + logs


def test_cli_webhook_without_secrets_says_how_to_set_them() -> None:
    proc = subprocess.run([sys.executable, "-m", "tagihlite", "webhook", "--port", "0"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "tagihlite secrets set webhook_app_secret" in proc.stderr
