"""Shared fixtures for the channel tests: isolated app folder, no OS keyring, a fake Graph API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from support.graph_server import TEST_TOKEN as TOKEN
from support.graph_server import GraphBehaviour, GraphServer

from tagihlite.channels.base import Reminder
from tagihlite.settings import CloudSettings, Settings


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TAGIHLITE_HOME", str(home))
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(home / "settings.toml"))
    # Never read or write the real OS keyring: secrets come from the environment in tests.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    for name in ("CLOUD_TOKEN", "WEBHOOK_APP_SECRET", "WEBHOOK_VERIFY_TOKEN"):
        monkeypatch.delenv(f"TAGIHLITE_{name}", raising=False)
    return home


@pytest.fixture
def graph() -> Iterator[GraphServer]:
    with GraphServer(GraphBehaviour(token=TOKEN)) as server:
        yield server


@pytest.fixture
def cloud_settings(graph: GraphServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TAGIHLITE_CLOUD_TOKEN", TOKEN)
    return Settings(cloud=CloudSettings(base_url=graph.base_url,
                                        phone_number_id=graph.behaviour.phone_number_id,
                                        timeout_seconds=2.0, max_retries=3))


@pytest.fixture
def reminder_factory() -> Callable[..., Reminder]:
    return build_reminder


def build_reminder(i: int = 1, phone: str | None = None, *,
                   message: str | None = None) -> Reminder:
    phone = phone or f"+628123{i:07d}"
    customer = f"1234{i:08d}"
    return Reminder(
        key=f"{customer}|2026-11|1", customer_id=customer, period="2026-11", level=1,
        row=i + 1, name=f"Toko Maju {i}", phone=phone, amount=1_250_000 + i,
        due_date=date(2026, 12, 20),
        message=message or (f"Yth. Toko Maju {i}, tagihan Indibiz {customer} sebesar "
                            f"Rp{1_250_000 + i:,} jatuh tempo 20 Desember 2026.".replace(",", ".")),
        fields={"name": f"Toko Maju {i}", "customer_id": customer,
                "amount_rupiah": f"Rp{1_250_000 + i:,}".replace(",", "."),
                "due_date_text": "20 Desember 2026", "period_text": "November 2026",
                "company": "PT Telkom Indonesia", "branch": "Dumai"},
    )
