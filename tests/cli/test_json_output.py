"""--json output: valid UTF-8 JSON in one write, whatever the values hold."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import subprocess
import sys

from tagihlite.cli.core_cmds import _print_json


class _Stdout(io.TextIOWrapper):
    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="cp1252")  # a Windows console's code page


def test_values_json_cannot_hold_are_written_as_valid_json(monkeypatch) -> None:
    out = _Stdout()
    monkeypatch.setattr(sys, "stdout", out)
    _print_json({"name": "Kafé Ñusantara ✓", "nan": math.nan, "due": dt.date(2026, 11, 20),
                 "at": dt.datetime(2026, 11, 20, 9, 30), 7: "key"})
    raw = out.buffer.getvalue()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    doc = json.loads(raw.decode("utf-8"))  # UTF-8 whatever the console's code page
    assert doc["name"] == "Kafé Ñusantara ✓"
    assert doc["nan"] is None  # json.dumps would write NaN: not JSON
    assert (doc["due"], doc["at"], doc["7"]) == ("2026-11-20", "2026-11-20 09:30:00", "key")


def test_an_integer_beyond_64_bits_still_prints(monkeypatch) -> None:
    out = _Stdout()
    monkeypatch.setattr(sys, "stdout", out)
    _print_json({"big": 2**70, "name": "Kafé"})  # orjson refuses: the standard encoder's turn
    assert json.loads(out.buffer.getvalue().decode("utf-8")) == {"big": 2**70, "name": "Kafé"}


def test_a_text_only_stream_gets_the_same_text(monkeypatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    _print_json({"rows": [{"a": 1}]})
    assert out.getvalue() == '{"rows":[{"a":1}]}\n'


def test_check_json_through_a_pipe_is_one_document(tmp_path) -> None:
    from tagihlite.workbook.demo import write_demo_xlsx

    book = write_demo_xlsx(tmp_path / "demo.xlsx")
    env_home = tmp_path / "home"
    done = subprocess.run([sys.executable, "-m", "tagihlite", "check", str(book), "--json"],
                          capture_output=True, env={"TAGIHLITE_HOME": str(env_home),
                                                    "TAGIHLITE_CONFIG": str(env_home / "s.toml"),
                                                    "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 0, done.stderr.decode()
    doc = json.loads(done.stdout.decode("utf-8"))
    assert doc["rows"] and doc["summary"]["rows"] == len(doc["rows"])
