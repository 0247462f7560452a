"""tagihlite doctor's journal check speaks of the team server in team mode."""

from __future__ import annotations

import pytest

from tagihlite.journal.reach import journal_reachable
from tagihlite.settings import load


def test_a_migrated_team_database_is_reachable(team_url: str) -> None:
    reach = journal_reachable(load())
    assert reach.ok, reach.problem
    assert "@" not in reach.where and reach.where.endswith(team_url.rsplit("/", 1)[1])


def test_an_unmigrated_team_database_asks_for_team_init(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGIHLITE_JOURNAL_URL", pg_url)
    reach = journal_reachable(load())
    assert not reach.ok and "tagihlite team init" in reach.problem


def test_a_server_that_is_down_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGIHLITE_JOURNAL_URL", "postgresql://tagihlite@127.0.0.1:9/nothing")
    reach = journal_reachable(load())
    assert not reach.ok and "tidak dapat dihubungi" in reach.problem
