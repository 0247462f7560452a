"""Fixtures for the login, audit, opt-out and secrets tests: a private app folder, a
controllable clock, a fixed OS account name, and a throw-away file keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_support import FakeClock

from tagihlite.settings import Settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("TAGIHLITE_HOME", str(folder))
    monkeypatch.delenv("TAGIHLITE_CONFIG", raising=False)
    # getpass.getuser() reads LOGNAME first: this is the "OS account" of the test.
    monkeypatch.setenv("LOGNAME", "clerk-pc1")
    return folder


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def team(settings: Settings, clock: FakeClock) -> Settings:
    """A store with supervisor 'Siti' and staff 'Budi'; nobody logged in afterwards."""
    from auth_support import STAFF_PW, SUPERVISOR_PW

    from tagihlite.auth.login import login, logout
    from tagihlite.auth.users import add_user

    add_user(settings, "Siti", "supervisor", SUPERVISOR_PW, clock=clock)
    login(settings, "Siti", SUPERVISOR_PW, clock=clock)
    add_user(settings, "Budi", "staff", STAFF_PW, clock=clock)
    logout(settings, clock=clock)
    return settings


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[object]:
    """keyrings.alt's plain-text file backend in a tmp folder, standing in for the OS keyring.

    It reports priority 0.5 ("not recommended"), which tagihlite.auth.secrets refuses on purpose;
    the subclass raises it to 1 because here it plays the part of a real OS keyring.
    """
    keyring = pytest.importorskip("keyring")
    file_mod = pytest.importorskip("keyrings.alt.file",
                                   reason="keyrings.alt (test dependency) not installed")

    class StandInKeyring(file_mod.PlaintextKeyring):
        priority = 1

    backend = StandInKeyring()
    backend.file_path = str(tmp_path / "os-keyring" / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


_FAST: dict[str, object] = {}


@pytest.fixture(autouse=True)
def fast_argon2(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id with a small memory/time cost, so the suite stays fast.

    The dummy hash is swapped for one with the same small cost, keeping unknown names as
    slow as real checks. Tests marked ``real_argon2`` keep the product's parameters.
    """
    if request.node.get_closest_marker("real_argon2"):
        return
    from argon2 import PasswordHasher, Type

    from tagihlite.auth import passwords

    if not _FAST:
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
        _FAST["hasher"], _FAST["dummy"] = hasher, hasher.hash("nobody-knows-this")
    monkeypatch.setattr(passwords, "_HASHER", _FAST["hasher"])
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _FAST["dummy"])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_argon2: use the product's argon2 parameters")
