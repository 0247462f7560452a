"""``[[levels]]`` in the settings file, ``--level`` and the per-level templates."""

from __future__ import annotations

import json

import pytest
from core.core_helpers import customer, run_cli, write_book

from tagihlite import clock


@pytest.fixture(autouse=True)
def _unpin():
    yield
    clock.pin(None)


def _settings(text: str) -> None:
    from tagihlite.paths import settings_file

    settings_file().write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("toml", "key"), [
    ('[[levels]]\nnumber = 0\nname = "A"\nfrom_day = 5\nto_day = 1\n', "levels[0].to_day"),
    ('[[levels]]\nnumber = 0\nname = "A"\nfrom_day = -3\nto_day = 5\n'
     '[[levels]]\nnumber = 1\nname = "B"\nfrom_day = 4\n', "levels[1].from_day"),
    ('[[levels]]\nnumber = 0\nname = "A"\nfrom_day = -3\ncolor = "red"\n', "levels[0].color"),
    ('[[levels]]\nnumber = "1"\nname = "A"\nfrom_day = 1\n', "levels[0].number"),
    ('[[levels]]\nname = "A"\nfrom_day = 1\n', "levels[0].number"),
    ('[[levels]]\nnumber = 1\nname = "A"\nfrom_day = 1\nto_day = 3\n'
     '[[levels]]\nnumber = 1\nname = "B"\nfrom_day = 4\n', "levels[1].number"),
    ('reminder_level = 7\n', "reminder_level"),
])
def test_bad_levels_name_the_key(tmp_path, toml, key):
    _settings(toml)
    code, _, err = run_cli("check", write_book(tmp_path / "b.xlsx", [customer(1)]))
    assert code == 2 and f"'{key}'" in err and "Traceback" not in err


def test_custom_levels_and_level_zero_on_the_command_line(tmp_path):
    _settings('[[levels]]\nnumber = 0\nname = "Awal"\nfrom_day = -5\nto_day = 2\n'
              '[[levels]]\nnumber = 4\nname = "Akhir"\nfrom_day = 3\n')
    book = write_book(tmp_path / "b.xlsx", [customer(1, Periode="2026-11")])
    code, out, err = run_cli("--today", "2026-11-24", "check", book, "--json")
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert (row["level"], row["days_overdue"], row["next_reminder"]) == (4, 4, "2026-11-24")
    code, out, _ = run_cli("--today", "2026-11-24", "check", book, "--json", "--level", "0")
    assert code == 0 and json.loads(out)["rows"][0]["level"] == 0  # level 0 is a level
    code, _, err = run_cli("check", book, "--level", "1")
    assert code == 2 and "'1' (--level) tidak berlaku" in err and "(0, 4;" in err


def test_each_level_renders_its_own_template_and_sheet_columns_override(tmp_path):
    book = write_book(tmp_path / "b.xlsx", [customer(1, Periode="2026-11")])
    code, out, err = run_cli("--today", "2026-11-18", "preview", book, "--json")
    assert code == 0, err
    message = json.loads(out)["rows"][0]["message"]
    assert "jatuh tempo pada 20 November 2026" in message  # level 0 text
    assert "Rp5.050" in message  # 5% of 101,000, at least Rp5.000
    assert "Bayar hanya melalui saluran resmi" in message  # the anti-fraud line
    code, out, _ = run_cli("--today", "2027-01-05", "preview", book, "--json")
    message = json.loads(out)["rows"][0]["message"]
    assert "PEMBERITAHUAN TERAKHIR" in message and "20 Januari 2027" in message  # level 3
    # a Template sheet with a column for level 3 only: level 3 uses it, others the default
    import openpyxl

    wb = openpyxl.load_workbook(book)
    tpl = wb.create_sheet("Template")
    tpl["B2"], tpl["B3"] = "Tingkat 3 - Pemutusan", "Terakhir, {{ name }} ({{ level_name }})"
    wb.save(book)
    code, out, _ = run_cli("--today", "2027-01-05", "preview", book, "--json")
    data = json.loads(out)
    assert data["rows"][0]["message"] == "Terakhir, Toko Fiktif 1 (Pemutusan)"
    assert "sheet 'Template' kolom 'B'" in data["template"]
    code, out, _ = run_cli("--today", "2026-11-18", "preview", book, "--json")
    assert "jatuh tempo pada" in json.loads(out)["rows"][0]["message"]
