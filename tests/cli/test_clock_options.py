"""--now / --today pin the clock for every command, before or after the command name."""

from __future__ import annotations

import datetime as dt

import pytest

from tagihlite import clock
from tagihlite.cli import build_parser, main, parse_args
from tagihlite.core.formats import WIB


@pytest.fixture(autouse=True)
def _real_clock():
    yield
    clock.pin(None)


@pytest.mark.parametrize("argv", [["--today", "2026-12-05", "config", "path"],
                                  ["config", "path", "--today", "2026-12-05"]])
def test_today_before_or_after_command(argv: list[str]) -> None:
    assert parse_args(build_parser(), argv).today == "2026-12-05"


def test_now_is_read_as_wib() -> None:
    clock.pin("2026-12-05T21:00")
    assert clock.now() == dt.datetime(2026, 12, 5, 21, 0, tzinfo=WIB)
    assert clock.today() == dt.date(2026, 12, 5)


def test_env_pins_child_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "2027-01-31")
    assert clock.today() == dt.date(2027, 1, 31)


def test_bad_time_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--now", "besok pagi", "config", "path"]) == 2
    err = capsys.readouterr().err
    assert "YYYY-MM-DD" in err and "Traceback" not in err


def test_unknown_option_still_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["config", "path", "--bogus"])
    assert exc.value.code == 2
