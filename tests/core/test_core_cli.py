"""The command line contract (issue 2, "Command line" and "Settings")."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from core_helpers import column_values, customer, run_cli, sha256, write_book

from tagihlite.core.vocab import Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROW_KEYS = {"row", "name", "customer_id", "phone", "amount", "paid", "eligible",
            "reason_code", "reason", "level", "days_overdue", "next_reminder"}


def _strict_json(text: str):
    def refuse(const: str):
        raise ValueError(f"not JSON: {const}")

    return json.loads(text, parse_constant=refuse)


def _book(tmp_path: Path, n: int = 4, **kw) -> Path:
    rows = [customer(i) for i in range(1, n + 1)]
    rows.append(customer(n + 1, **{"Status Bayar": "LUNAS"}))
    rows.append(customer(n + 2, **{"No WhatsApp": "0761-31234"}))
    return write_book(tmp_path / "tagihan.xlsx", rows, **kw)


def _outbox(folder: Path) -> list[dict]:
    path = folder / "outbox.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


# --- check ----------------------------------------------------------------------------------

def test_check_json_shape(tmp_path):
    path = _book(tmp_path, header_row=3)
    code, out, err = run_cli("check", path, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"file", "sheet", "header_row", "columns", "rows", "summary"}
    assert (data["file"], data["sheet"], data["header_row"]) == (str(path), "Tagihan", 3)
    assert data["columns"]["phone"] == {"header": "No WhatsApp", "column": "E", "how": "alias"}
    assert [r["row"] for r in data["rows"]] == [4, 5, 6, 7, 8, 9]
    for r in data["rows"]:
        assert set(r) == ROW_KEYS
        assert isinstance(r["amount"], int) and isinstance(r["paid"], bool)
        assert isinstance(r["eligible"], bool)
    first, paid, landline = data["rows"][0], data["rows"][4], data["rows"][5]
    assert (first["name"], first["customer_id"], first["phone"], first["amount"],
            first["paid"], first["eligible"]) == ("Toko Fiktif 1", "141234500001",
                                                  "+6281270000001", 101000, False, True)
    assert (paid["paid"], paid["eligible"], paid["reason_code"]) == (True, False, "paid")
    assert landline["reason_code"] == "phone_not_mobile" and landline["reason"]
    s = data["summary"]
    assert (s["rows"], s["eligible"], s["paid"]) == (6, 4, 1)


def test_check_json_is_strict_json_with_null_for_eligible_rows(tmp_path):
    code, out, _ = run_cli("check", _book(tmp_path), "--json")
    assert code == 0
    data = _strict_json(out)
    assert [r["reason_code"] for r in data["rows"] if r["eligible"]] == [None] * 4
    assert [r["reason"] for r in data["rows"] if r["eligible"]] == [None] * 4
    assert data["rows"][5]["phone"] is None  # landline: "E.164 or null"


def test_report_reasons_only_name_real_codes(tmp_path):
    code, out, _ = run_cli("report", _book(tmp_path), "--json")
    assert code == 0
    assert _strict_json(out)["reasons"] == {"phone_not_mobile": 1}


def test_check_text_lists_every_row(tmp_path):
    code, out, err = run_cli("check", _book(tmp_path))
    assert code == 0, err
    assert out.count("baris") >= 6 and "phone_not_mobile" in out and "4 dari 6" in out


# --- exit codes and unusable input ------------------------------------------------------

UNUSABLE = ["corrupt.xlsx", "truncated.xlsx", "zero_bytes.xlsx", "empty.xlsx", "no_table.xlsx",
            "html_export.xls", "password.xlsx", "not_a_workbook.xls"]


@pytest.mark.parametrize("name", UNUSABLE)
@pytest.mark.parametrize("command", [["check", "--json"], ["mark"], ["preview", "--write"],
                                     ["send", "--yes"], ["report"]])
def test_unusable_input_one_sentence_and_file_untouched(tmp_path, name, command):
    path = shutil.copy(FIXTURES / name, tmp_path / name)
    before = sha256(path)
    code, _out, err = run_cli(command[0], path, *command[1:], "--outbox", tmp_path / "ob") \
        if command[0] == "send" else run_cli(command[0], path, *command[1:])
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("Login belum")]
    assert len(lines) == 1, err
    assert name in lines[0] and "Traceback" not in err and "kesalahan tak terduga" not in err
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no backup, no temp, no outbox


def test_usage_errors_exit_2(tmp_path):
    path = _book(tmp_path)
    assert run_cli("check")[0] == 2
    assert run_cli("send", path, "--bogus")[0] == 2
    code, _, err = run_cli("send", path, "--yes", "--rows", "5-x")
    assert code == 2 and "--rows" in err


def test_missing_file_exit_2(tmp_path):
    code, _, err = run_cli("check", tmp_path / "tidak-ada.xlsx")
    assert code == 2 and "tidak-ada.xlsx" in err and "Traceback" not in err


def test_open_in_excel_is_refused_and_nothing_is_sent(tmp_path):
    path = _book(tmp_path)
    (tmp_path / f"~${path.name}").write_bytes(b"owner")
    before = sha256(path)
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 2 and "Excel" in err
    assert sha256(path) == before and _outbox(tmp_path / "ob") == []


# --- send -----------------------------------------------------------------------------------

def test_send_without_tty_needs_yes(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", open(__file__))  # a file: never a terminal  # noqa: SIM115
    path = _book(tmp_path)
    before = sha256(path)
    try:
        code, out, err = run_cli("send", path, "--outbox", tmp_path / "ob")
    finally:
        sys.stdin.close()
    assert code == 2 and "--yes" in err
    assert "4 pengingat" in out  # it said what it would send before asking
    assert sha256(path) == before and _outbox(tmp_path / "ob") == []


def test_send_rows_option(tmp_path):
    path = _book(tmp_path, n=6)  # customers on rows 2..7, paid row 8, landline row 9
    code, _out, err = run_cli("send", path, "--yes", "--rows", "3,5-6,8-9",
                             "--outbox", tmp_path / "ob", "--operator", "Siti")
    assert code == 0, err
    assert [r["row"] for r in _outbox(tmp_path / "ob")] == [3, 5, 6]
    assert column_values(path, "Status Kirim", range(2, 10)) == [
        Status.READY, Status.QUEUED, Status.READY, Status.QUEUED, Status.QUEUED, Status.READY,
        Status.PAID, Status.SKIPPED]
    assert column_values(path, "Dikirim Oleh", [3, 4]) == ["Siti", None]


@pytest.mark.parametrize(("text", "rows"), [("5", {5}), ("5,7-9", {5, 7, 8, 9}),
                                            (" 2 - 3 , 9", {2, 3, 9})])
def test_parse_rows(text, rows):
    from tagihlite.cli.core_cmds import parse_rows

    assert parse_rows(text) == rows


@pytest.mark.parametrize("text", ["", "a", "9-5", "5,,6", "1-2-3"])
def test_parse_rows_refuses(text):
    from tagihlite.cli.core_cmds import parse_rows
    from tagihlite.errors import InputError

    with pytest.raises(InputError):
        parse_rows(text)


def test_send_summary_and_rerun(tmp_path):
    path = _book(tmp_path)
    code, out, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert "4 pengingat" in out and "Rp410.000" in out  # 101000+102000+103000+104000
    code, out, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0 and "0 pengingat" in out
    assert len(_outbox(tmp_path / "ob")) == 4
    page = (tmp_path / "ob" / "outbox.html").read_text()
    assert page.count("https://wa.me/6281270000001") == 1 and "Toko Fiktif 4" in page


def test_exit_1_when_the_channel_cannot_work(tmp_path):
    path = _book(tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    code, _, err = run_cli("send", path, "--yes", "--outbox", blocked)
    assert code == 1 and "outbox" in err.lower()


def test_exit_1_when_some_rows_failed(tmp_path, monkeypatch):
    # A refused message cannot happen in the outbox itself: stand in for a WhatsApp refusal.
    from tagihlite.channels import outbox
    from tagihlite.channels.base import Outcome
    from tagihlite.core.vocab import JournalState

    original = outbox.OutboxChannel.send

    def refuse_row_3(self, r):
        if r.row == 3:
            return Outcome(JournalState.FAILED, note="Nomor tidak terdaftar di WhatsApp.")
        return original(self, r)

    monkeypatch.setattr(outbox.OutboxChannel, "send", refuse_row_3)
    path = _book(tmp_path)
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 1, err
    assert column_values(path, "Status Kirim", [2, 3, 4]) == [
        Status.QUEUED, Status.FAILED, Status.QUEUED]
    assert column_values(path, "Catatan", [3]) == ["Nomor tidak terdaftar di WhatsApp."]


# --- preview, mark, report, demo ------------------------------------------------------------

def test_preview_json_adds_message_and_write_fills_pesan(tmp_path):
    path = _book(tmp_path)
    before = sha256(path)
    code, out, err = run_cli("preview", path, "--json")
    assert code == 0, err
    assert sha256(path) == before  # without --write the file is not touched
    rows = json.loads(out)["rows"]
    assert all(set(r) == ROW_KEYS | {"message"} for r in rows)
    assert [r["message"] is not None for r in rows] == [True] * 4 + [False] * 2
    assert "Toko Fiktif 2" in rows[1]["message"] and "Rp102.000" in rows[1]["message"]
    code, _, err = run_cli("preview", path, "--write")
    assert code == 0, err
    pesan = column_values(path, "Pesan", range(2, 8))
    assert pesan[:4] == [r["message"] for r in rows[:4]] and pesan[4:] == [None, None]
    assert column_values(path, "Status Kirim", range(2, 8)) == [Status.READY] * 4 + [
        Status.PAID, Status.SKIPPED]


def test_mark_writes_status_without_sending(tmp_path):
    path = _book(tmp_path)
    code, _out, err = run_cli("mark", path)
    assert code == 0, err
    assert column_values(path, "Status Kirim", range(2, 8)) == [Status.READY] * 4 + [
        Status.PAID, Status.SKIPPED]
    assert "telepon" in column_values(path, "Catatan", [7])[0]


def test_report_counts_and_rupiah_by_status(tmp_path):
    path = _book(tmp_path)
    run_cli("send", path, "--yes", "--rows", "2-3", "--outbox", tmp_path / "ob")
    code, out, err = run_cli("report", path, "--json")
    assert code == 0, err
    by = json.loads(out)["by_status"]
    assert by[Status.QUEUED] == {"count": 2, "amount": 203000}
    assert by[Status.READY] == {"count": 2, "amount": 207000}
    assert by[Status.PAID] == {"count": 1, "amount": 105000}
    assert by[Status.SKIPPED] == {"count": 1, "amount": 106000}
    code, text, _ = run_cli("report", path)
    assert code == 0 and "MENUNGGU" in text and "Rp203.000" in text


def test_demo_then_check(tmp_path):
    code, out, err = run_cli("demo", tmp_path / "d")
    assert code == 0, err
    made = tmp_path / "d" / "tagihan-demo.xlsx"
    assert made.exists() and "tagihlite send" in out
    code, out, err = run_cli("check", made, "--json")
    assert code == 0, err
    codes = {r["reason_code"] for r in json.loads(out)["rows"] if not r["eligible"]}
    assert {"paid", "duplicate", "phone_missing", "phone_not_mobile", "amount_zero"} <= codes


# --- settings --------------------------------------------------------------------------------

def _settings_file() -> Path:
    from tagihlite.paths import settings_file

    return settings_file()


def test_config_path_and_show_defaults():
    import tomllib

    from tagihlite.settings import Settings

    code, out, _err = run_cli("config", "path")
    assert code == 0 and out.strip() == str(_settings_file())
    code, out, _ = run_cli("config", "show")
    expected = Settings().as_dict()
    # TOML has no null: an open-ended level window is shown without to_day.
    expected["levels"] = [{k: v for k, v in lv.items() if v is not None}
                          for lv in expected["levels"]]
    assert code == 0 and tomllib.loads(out) == expected


def test_config_show_reflects_the_file():
    import tomllib

    _settings_file().write_text('daily_cap = 25\nrupiah_style = "spasi"\n'
                                '[cloud]\nconcurrency = 2\n', encoding="utf-8")
    code, out, _ = run_cli("config", "show")
    shown = tomllib.loads(out)
    assert code == 0
    assert (shown["daily_cap"], shown["rupiah_style"], shown["cloud"]["concurrency"]) == (
        25, "spasi", 2)
    assert shown["min_interval_seconds"] == 0.0  # the rest keeps its defaults


@pytest.mark.parametrize(("content", "key"), [
    ("daily_cap = -1", "daily_cap"),
    ('daily_cap = "seratus"', "daily_cap"),
    ("min_interval_seconds = -2.5", "min_interval_seconds"),
    ('channel = "telegram"', "channel"),
    ('rupiah_style = "dolar"', "rupiah_style"),
    ("dialy_cap = 5", "dialy_cap"),
    ("[cloud]\nconcurrency = 0", "cloud.concurrency"),
    ("cloud = 3", "cloud"),
])
def test_bad_setting_names_the_key(tmp_path, content, key):
    _settings_file().write_text(content + "\n", encoding="utf-8")
    for args in (["config", "show"], ["check", _book(tmp_path)]):
        code, _, err = run_cli(*args)
        assert code == 2 and f"'{key}'" in err and "Traceback" not in err


def test_broken_toml_is_a_message():
    _settings_file().write_text("daily_cap = = 3\n", encoding="utf-8")
    code, _, err = run_cli("config", "show")
    assert code == 2 and "settings.toml" in err and "Traceback" not in err


def test_settings_drive_template_and_sending(tmp_path):
    ob_file = tmp_path / "ob-from-settings"
    _settings_file().write_text(
        f'rupiah_style = "spasi"\ncompany = "PT Fiktif"\nbranch = "Cabang Uji"\n'
        f'daily_cap = 2\noutbox_dir = "{ob_file}"\njournal_path = "{tmp_path / "j.sqlite"}"\n',
        encoding="utf-8")
    path = _book(tmp_path)
    code, out, _ = run_cli("preview", path, "--json")
    msg = json.loads(out)["rows"][0]["message"]
    assert "Rp 101.000" in msg and "PT Fiktif Cabang Uji" in msg
    code, _, err = run_cli("send", path, "--yes")
    assert code in (0, 1) and "harian" in err
    assert len(_outbox(ob_file)) == 2  # the daily cap of the settings file
    assert (tmp_path / "j.sqlite").exists()


def test_command_line_overrides_settings(tmp_path):
    _settings_file().write_text(f'channel = "cloud"\noutbox_dir = "{tmp_path / "a"}"\n',
                                encoding="utf-8")
    path = _book(tmp_path)
    code, _, err = run_cli("send", path, "--yes", "--via", "outbox", "--outbox", tmp_path / "b")
    assert code == 0, err
    assert len(_outbox(tmp_path / "b")) == 4 and not (tmp_path / "a").exists()
    assert column_values(path, "Saluran", [2]) == ["Outbox"]


def test_unknown_channel_on_the_command_line(tmp_path):
    code, _, err = run_cli("send", _book(tmp_path), "--yes", "--via", "pos")
    assert code == 2 and "'channel'" in err


# --- the journal key: customer number, period, reminder level -------------------------------

def test_sent_rows_are_already_sent_in_check(tmp_path):
    path = _book(tmp_path)
    run_cli("send", path, "--yes", "--rows", "2", "--outbox", tmp_path / "ob")
    code, out, _ = run_cli("check", path, "--json")
    rows = {r["row"]: r for r in json.loads(out)["rows"]}
    assert code == 0
    assert (rows[2]["eligible"], rows[2]["reason_code"]) == (False, "already_sent")
    assert "WIB" in rows[2]["reason"] and "Outbox" in rows[2]["reason"]
    assert rows[3]["eligible"] is True


def test_new_level_or_period_is_a_new_reminder(tmp_path):
    path = _book(tmp_path)
    ob = tmp_path / "ob"
    assert run_cli("send", path, "--yes", "--outbox", ob, "--level", "1")[0] == 0
    assert run_cli("send", path, "--yes", "--outbox", ob, "--level", "1")[0] == 0
    assert len(_outbox(ob)) == 4
    assert run_cli("send", path, "--yes", "--outbox", ob, "--level", "2")[0] == 0
    assert len(_outbox(ob)) == 8
    assert run_cli("send", path, "--yes", "--outbox", ob, "--period", "2026-12",
                   "--level", "1")[0] == 0
    keys = [r["key"] for r in _outbox(ob)]
    assert len(keys) == len(set(keys)) == 12
    assert {k.split("|", 1)[1] for k in keys} == {"2026-11|1", "2026-11|2", "2026-12|1"}
