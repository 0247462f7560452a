"""Clerk-facing lines are Indonesian through and through (issue 11: "(queued 6)")."""

from __future__ import annotations

import re
from pathlib import Path

from core_helpers import customer, run_cli, write_book

from tagihlite.core.vocab import STATE_LABELS, JournalState, states_text


def test_send_summary_names_states_in_indonesian(tmp_path: Path) -> None:
    path = write_book(tmp_path / "t.xlsx", [customer(i) for i in range(1, 4)])
    code, out, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "outbox")
    assert code == 0, err
    line = next(ln for ln in out.splitlines() if ln.startswith("Selesai:"))
    assert line.startswith("Selesai: 3 diproses (3 menunggu dikirim petugas);")
    english = {v for k, v in vars(JournalState).items() if k.isupper() and isinstance(v, str)}
    assert not set(re.findall(r"[a-z]+", line)) & english


def test_every_journal_state_has_a_label() -> None:
    states = {v for k, v in vars(JournalState).items() if k.isupper() and isinstance(v, str)}
    assert states <= set(STATE_LABELS)
    assert states_text({"queued": 2, "failed": 1}) == "1 gagal, 2 menunggu dikirim petugas"
    assert states_text({}) == "-"
