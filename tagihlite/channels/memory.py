"""An in-memory channel for tests: records what it was given, fails on request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from tagihlite.channels.base import Outcome, Reminder
from tagihlite.core.vocab import JournalState
from tagihlite.errors import ChannelStop
from tagihlite.settings import Settings


class MemoryChannel:
    name: ClassVar[str] = "memory"

    def __init__(self, settings: Settings | None = None, *, concurrency: int = 1,
                 rate_per_second: float | None = None,
                 behaviour: Callable[[Reminder], Outcome | None] | None = None,
                 **_: Any) -> None:
        self.concurrency = concurrency
        self.rate_per_second = rate_per_second
        self.behaviour = behaviour
        self.sent: list[Reminder] = []
        self.opened = self.closed = False

    def open(self) -> None:
        self.opened = True

    def send(self, reminder: Reminder) -> Outcome:
        if self.behaviour is not None:
            outcome = self.behaviour(reminder)  # may raise, to simulate crashes
            if outcome is not None:
                if outcome.state != JournalState.FAILED:
                    self.sent.append(reminder)
                return outcome
        self.sent.append(reminder)
        return Outcome(JournalState.SUBMITTED, note="Diterima saluran memori.",
                       provider_id=f"mem-{len(self.sent)}")

    def close(self) -> None:
        self.closed = True


__all__ = ["ChannelStop", "MemoryChannel"]
