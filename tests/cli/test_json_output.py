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


def test_rows_stream_in_slices_and_come_last(monkeypatch) -> None:
    out = _Stdout()
    monkeypatch.setattr(sys, "stdout", out)
    slices = ([{"row": i, "due": dt.date(2026, 11, 20)} for i in range(k, k + 3)]
              for k in (4, 7, 10))
    _print_json({"file": "a.xlsx", "summary": {"rows": 9}}, rows=slices)
    doc = json.loads(out.buffer.getvalue().decode("utf-8"))
    assert list(doc) == ["file", "summary", "rows"]
    assert [r["row"] for r in doc["rows"]] == list(range(4, 13))
    assert doc["rows"][0]["due"] == "2026-11-20"


def test_no_rows_is_an_empty_list(monkeypatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    _print_json({}, rows=iter([]))
    assert json.loads(out.getvalue()) == {"rows": []}


def test_check_json_rows_span_several_slices(tmp_path, monkeypatch, capsysbinary) -> None:
    import tagihlite.cli.core_cmds as core_cmds
    from tagihlite.cli import main
    from tagihlite.workbook.demo import write_demo_xlsx

    monkeypatch.setenv("TAGIHLITE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(tmp_path / "home" / "s.toml"))
    book = write_demo_xlsx(tmp_path / "demo.xlsx")
    assert main(["check", str(book), "--json"]) == 0
    whole = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    monkeypatch.setattr(core_cmds, "_SLICE", 2)
    assert main(["check", str(book), "--json"]) == 0
    sliced = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    assert len(whole["rows"]) > 4 and sliced == whole
