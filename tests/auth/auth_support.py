"""Constants and helpers shared by the tests in tests/auth (a unique module name, so it
never collides with another folder's conftest)."""

from __future__ import annotations

SUPERVISOR_PW = "Supervisor#2026"
STAFF_PW = "StafDumai!77"


class FakeClock:
    """Seconds since the epoch, moved only by the test."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
