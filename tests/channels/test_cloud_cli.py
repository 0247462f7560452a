"""``tagihlite send --via cloud`` end to end against the loopback Graph API, and a scan of every
output (terminal, logs, journal, audit, workbook parts) for the token."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from support.graph_server import TEST_TOKEN as TOKEN
from support.graph_server import GraphServer, post_status_webhook, status_webhook_body

from tagihlite.channels.webhook import WebhookServer, journal_recorder
from tagihlite.journal.sqlite import Journal

PHONES = ["0812-7000-1001", "0812-7000-1002", "0812-7000-1003"]


def workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp",
               "Status Bayar", "Jatuh Tempo", "Periode"])
    for i, phone in enumerate(PHONES, 1):
        ws.append([f"Toko {i}", f"14123450000{i}", 100_000 * i, phone, "BELUM BAYAR",
                   "20-11-2026", "2026-11"])
    wb.save(path)
    return path


@pytest.fixture
def setup_cli(graph: GraphServer, tmp_path: Path) -> Path:
    config = Path(os.environ["TAGIHLITE_CONFIG"])
    config.write_text(f'[cloud]\nbase_url = "{graph.base_url}"\n'
                      f'phone_number_id = "{graph.behaviour.phone_number_id}"\n'
                      "timeout_seconds = 0.5\nmax_retries = 1\n", encoding="utf-8")
    return workbook(tmp_path / "tagihan.xlsx")


def send(book: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tagihlite", "send", str(book), "--via",
                           "cloud", "--yes", "--operator", "Ani"],
                          env={**os.environ, "TAGIHLITE_CLOUD_TOKEN": TOKEN},
                          capture_output=True, text=True, timeout=60)


def statuses(book: Path) -> list[tuple[str, str]]:
    rows = list(openpyxl.load_workbook(book).active.iter_rows(values_only=True))
    h = rows[0]
    return [(r[h.index("Status Kirim")], r[h.index("Catatan")] or "") for r in rows[1:]]


def assert_token_nowhere(proc: subprocess.CompletedProcess[str], book: Path) -> None:
    home = Path(os.environ["TAGIHLITE_HOME"])
    token = TOKEN.encode()
    assert TOKEN not in proc.stdout + proc.stderr
    for f in [*home.rglob("*"), *book.parent.glob("*.xlsx")]:
        if f.is_file():
            assert token not in f.read_bytes(), f
    for f in book.parent.glob("*.xlsx"):
        with zipfile.ZipFile(f) as z:
            for name in z.namelist():
                assert token not in z.read(name), (f, name)


def test_cloud_send_marks_rows_and_stores_message_ids(setup_cli: Path,
                                                      graph: GraphServer) -> None:
    graph.behaviour.number_errors["6281270001002"] = 131026
    proc = send(setup_cli)
    assert proc.returncode == 1, proc.stderr  # done, with one failure
    got = statuses(setup_cli)
    assert [s for s, _ in got] == ["DIKIRIM", "GAGAL", "DIKIRIM"]
    assert "bukan pengguna WhatsApp" in got[1][1]
    with Journal(Path(os.environ["TAGIHLITE_HOME"]) / "journal.sqlite") as j:
        ids = {e.provider_id for e in j.entries().values() if e.provider_id}
        codes = {e.error_code for e in j.entries().values() if e.error_code}
    assert ids == {m.id for m in graph.accepted} and len(ids) == 2
    assert codes == {"131026"}
    assert_token_nowhere(proc, setup_cli)
    again = send(setup_cli)  # nothing goes out twice
    assert len(graph.accepted) == 2, again.stderr


def test_bad_token_stops_before_any_row_is_marked(setup_cli: Path, graph: GraphServer) -> None:
    graph.behaviour.token = "another-token"
    proc = send(setup_cli)
    assert proc.returncode == 1
    assert "Token WhatsApp Cloud API ditolak" in proc.stderr
    assert all(s in ("SIAP KIRIM", None) for s, _ in statuses(setup_cli))
    assert graph.accepted == []
    assert_token_nowhere(proc, setup_cli)


def test_no_answer_after_sending_leaves_perlu_cek(setup_cli: Path, graph: GraphServer) -> None:
    graph.behaviour.hang_numbers.add("6281270001001")
    graph.behaviour.hang_seconds = 2.0
    proc = send(setup_cli)
    assert proc.returncode == 1
    first = statuses(setup_cli)[0]
    assert first[0] == "PERLU CEK"
    assert len([m for m in graph.accepted if m.to == "6281270001001"]) == 1
    assert_token_nowhere(proc, setup_cli)
    graph.behaviour.hang_numbers.clear()
    send(setup_cli)  # the unknown row is never sent again by itself
    assert len([m for m in graph.accepted if m.to == "6281270001001"]) == 1


def test_delivery_reports_reach_the_sheet_on_the_next_write_back(setup_cli: Path,
                                                                 graph: GraphServer) -> None:
    assert send(setup_cli).returncode == 0
    first, second, third = sorted(graph.accepted, key=lambda m: m.to)
    journal = Journal(Path(os.environ["TAGIHLITE_HOME"]) / "journal.sqlite")
    try:
        with WebhookServer(journal_recorder(journal), app_secret="app-secret",
                           verify_token="verify", port=0) as receiver:
            body = status_webhook_body([(first, "sent"), (second, "sent"), (third, "sent"),
                                        (first, "delivered"), (second, "delivered")])
            assert post_status_webhook(receiver.url, "app-secret", body) == 200
            body = status_webhook_body([(second, "read")], at=int(time.time()) + 5)
            assert post_status_webhook(receiver.url, "app-secret", body) == 200
    finally:
        journal.close()
    proc = subprocess.run([sys.executable, "-m", "tagihlite", "mark", str(setup_cli)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert [s for s, _ in statuses(setup_cli)] == ["TERKIRIM", "DIBACA", "DIKIRIM"]
