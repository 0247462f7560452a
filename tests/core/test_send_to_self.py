"""Test send (`send --test-to`): one [UJI] message to the given number only; no row, no
journal entry changes; the audit log records it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from core_helpers import customer, run_cli, sha256, write_book

from tagihlite.auth.audit import AuditLog
from tagihlite.journal.sqlite import Journal
from tagihlite.settings import load


def _outbox(folder: Path) -> list[dict]:
    path = folder / "outbox.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _journal_keys() -> set[str]:
    path = load().journal_file
    if not path.exists():
        return set()
    with Journal(path) as journal:
        return set(journal.entries())


def _audit(event: str) -> list[tuple[str, dict]]:
    return [(actor, json.loads(details))
            for _s, _at, ev, actor, details, _p, _h in AuditLog(load().journal_file).entries()
            if ev == event]


def test_a_test_send_reaches_only_the_given_number_and_changes_no_row(tmp_path: Path) -> None:
    rows = [customer(1, **{"Status Bayar": "LUNAS"}), customer(2), customer(3)]
    path = write_book(tmp_path / "t.xlsx", rows, template_lines=[
        "Yth. {{ name }}, tagihan {{ amount_rupiah }} belum dibayar."])
    before = sha256(path)
    code, out, err = run_cli("send", path, "--test-to", "0812-9999-0001", "--yes",
                             "--outbox", tmp_path / "ob", "--operator", "Budi")
    assert code == 0, err
    (message,) = _outbox(tmp_path / "ob")
    assert message["to"] == "+6281299990001"
    assert message["text"] == "[UJI] Yth. Toko Fiktif 2, tagihan Rp102.000 belum dibayar."
    assert "baris 3" in out  # the first eligible row (row 2 is paid)
    assert sha256(path) == before  # no row marked, the file untouched
    assert _journal_keys() == set()  # not a reminder
    ((actor, details),) = _audit("test_send")
    assert actor == "Budi" and details["to"] == "+6281299990001"
    assert details["channel"] == "outbox" and details["source_row"] == "3"
    # The real send afterwards still sends every eligible row, to the customers.
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert [m["to"] for m in _outbox(tmp_path / "ob")] == [
        "+6281299990001", "+6281270000002", "+6281270000003"]


@pytest.mark.parametrize("number", ["0761-31234", "12", "0812 1111 2222 / 0813 3333 4444"])
def test_the_test_number_must_be_one_mobile_number(tmp_path: Path, number: str) -> None:
    path = write_book(tmp_path / "t.xlsx", [customer(1)])
    code, _, err = run_cli("send", path, "--test-to", number, "--yes",
                           "--outbox", tmp_path / "ob")
    assert code == 2 and "bukan nomor HP WhatsApp yang valid" in err
    assert _outbox(tmp_path / "ob") == []


def test_a_test_send_ignores_quiet_hours_but_real_sends_do_not(tmp_path: Path) -> None:
    import os

    from tagihlite import clock

    Path(os.environ["TAGIHLITE_CONFIG"]).write_text('send_window = "08:00-20:00"\n', "utf-8")
    path = write_book(tmp_path / "t.xlsx", [customer(1)])
    try:
        code, _, err = run_cli("--now", "2026-12-07T06:30", "send", path, "--test-to",
                               "081299990001", "--yes", "--outbox", tmp_path / "ob")
    finally:
        clock.pin(None)
    assert code == 0, err  # to the clerk, not to a customer
    assert len(_outbox(tmp_path / "ob")) == 1


def test_without_eligible_rows_there_is_nothing_to_test(tmp_path: Path) -> None:
    path = write_book(tmp_path / "t.xlsx", [customer(1, **{"Status Bayar": "LUNAS"})])
    code, _, err = run_cli("send", path, "--test-to", "081299990001", "--yes",
                           "--outbox", tmp_path / "ob")
    assert code == 1 and "Tidak ada baris yang siap dikirim" in err
    assert _outbox(tmp_path / "ob") == []
