"""The ribbon and the command line write the same cells and the same highlights.

Each test runs one action on a copy of the same real workbook twice: through the command
line (file mode, ``tagihlite.cli.main``) and through ``tagihlite.excel.on_ribbon`` on the
memory engine; then both results are read back with openpyxl and compared.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from xlcompare import cells, columns, highlight_rules
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite.cli import main
from tagihlite.core import columns as C
from tagihlite.core.vocab import Status


def _two_copies(src: Path, tmp_path: Path) -> tuple[Path, Path]:
    cli, excel = tmp_path / f"cli{src.suffix}", tmp_path / f"excel{src.suffix}"
    shutil.copy(src, cli)
    shutil.copy(src, excel)
    return cli, excel


def _excel(xl: MemoryExcel, path: Path, control_id: str, out: Path, *answers: str) -> Path:
    xl.open(path)
    xl.answer(*answers)
    tx.on_ribbon(control_id)
    assert not [a for a in xl.alerts if a["mode"] == "critical"], xl.alerts
    assert xl.pending_answers == 0
    return xl.save(out)


@pytest.mark.parametrize("fixture", ["demo_xlsx", "addin_xlsm"])
def test_mark_writes_what_the_command_line_writes(fixture: str, request: pytest.FixtureRequest,
                                                  xl: MemoryExcel, tmp_path: Path) -> None:
    cli, excel = _two_copies(request.getfixturevalue(fixture), tmp_path)
    assert main(["mark", str(cli)]) == 0
    out = _excel(xl, excel, "tl_mark", tmp_path / f"out{cli.suffix}")
    assert cells(out, "Tagihan") == cells(cli, "Tagihan")
    status = next(v for (r, _), v in cells(out, "Tagihan").items() if v == C.STATUS)
    assert status  # the owned columns exist
    rules = [r for h in xl.highlights for r in h.rules()]
    assert rules and sorted(rules) == sorted(highlight_rules(cli, "Tagihan"))


def test_preview_fills_the_same_messages(addin_xlsm: Path, xl: MemoryExcel,
                                         tmp_path: Path) -> None:
    cli, excel = _two_copies(addin_xlsm, tmp_path)
    assert main(["preview", str(cli), "--write"]) == 0
    out = _excel(xl, excel, "tl_preview", tmp_path / "out.xlsm")
    assert cells(out, "Tagihan") == cells(cli, "Tagihan")
    messages = columns(out, "Tagihan", 1)[C.MESSAGE]
    assert len(messages) == 6 and all("Rp" in m for m in messages.values())


def test_send_all_matches_the_command_line(addin_xlsm: Path, xl: MemoryExcel, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    cli, excel = _two_copies(addin_xlsm, tmp_path)
    outbox = tmp_path / "outbox"  # one outbox for both runs: Catatan names the folder
    Path(os.environ["TAGIHLITE_CONFIG"]).write_text(f'outbox_dir = "{outbox}"\n', "utf-8")
    monkeypatch.setenv("TAGIHLITE_HOME", str(tmp_path / "home-cli"))
    assert main(["send", str(cli), "--yes"]) == 0
    monkeypatch.setenv("TAGIHLITE_HOME", str(tmp_path / "home-excel"))  # its own journal
    out = _excel(xl, excel, "tl_send_all", tmp_path / "out.xlsm", "yes")

    confirm = next(a for a in xl.alerts if a["buttons"] == "yes_no")["prompt"]
    assert "Kirim 6 pengingat" in confirm and "Rp7.245.000" in confirm
    progress = [t for t in xl.status_texts if isinstance(t, str) and "Mengirim" in t]
    assert progress[-1] == "TagihLite: Mengirim 6/6 ..." and len(progress) == 7

    got, want = columns(out, "Tagihan", 1), columns(cli, "Tagihan", 1)
    assert set(got) == set(want)
    for header in want:
        if header == C.SENT_AT:  # two runs, two clocks: same rows, both WIB timestamps
            assert got[header].keys() == want[header].keys()
            continue
        assert got[header] == want[header], header
    assert sorted(got[C.STATUS].values()).count(Status.QUEUED) == 6
    assert sorted([r for h in xl.highlights for r in h.rules()])[-3:] == sorted(
        highlight_rules(cli, "Tagihan"))


def test_report_counts_what_the_command_line_reports(addin_xlsm: Path, xl: MemoryExcel,
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["report", str(addin_xlsm), "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)["by_status"]
    out = _excel(xl, addin_xlsm, "tl_report", tmp_path / "out.xlsm")
    laporan = cells(out, "Laporan")
    header_row = next(r for (r, c), v in laporan.items() if v == "Status" and c == 1)
    shown = {}
    for row in range(header_row + 1, header_row + 1 + len(expected)):
        shown[laporan[(row, 1)]] = int(laporan[(row, 2)])
    assert shown == {k: v["count"] for k, v in expected.items()}
