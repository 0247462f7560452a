"""Click-to-chat links: exact wa.me URLs, Excel-sized HYPERLINK formulas, honest outcomes."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from tagihlite.channels import get_channel
from tagihlite.channels.base import Reminder
from tagihlite.channels.link import (
    HYPERLINK_URL_MAX,
    LinkChannel,
    hyperlink_formula,
    link_cell,
    wa_me_url,
)
from tagihlite.core.vocab import JournalState
from tagihlite.settings import Settings

FORMULA = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$')
TRICKY = "Yth. Bpk/Ibu \"Andi\" & rekan:\ntagihan #12 = Rp1.250.000 (100%) ✅ ?ok"


def split_formula(formula: str) -> tuple[str, str]:
    m = FORMULA.match(formula)
    assert m, formula
    return m.group(1).replace('""', '"'), m.group(2).replace('""', '"')


def test_wa_me_url_is_digits_and_the_exact_message() -> None:
    url = wa_me_url("+6281234567801", TRICKY)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281234567801")
    assert parse_qs(parts.query) == {"text": [TRICKY]}
    assert " " not in url and "\n" not in url and "&" not in parts.query.removeprefix("text=")
    assert wa_me_url("+62 812-3456-7801", "") == "https://wa.me/6281234567801"
    with pytest.raises(ValueError):
        wa_me_url("+", "x")


def test_short_message_rides_in_the_link() -> None:
    cell = link_cell("+6281234567801", "Tagihan Rp150.000, mohon dibayar.")
    url, label = split_formula(cell.formula)
    assert cell.with_text and label == "Buka WhatsApp"
    assert url == cell.url == wa_me_url("+6281234567801", "Tagihan Rp150.000, mohon dibayar.")
    assert "belum dikirim" in cell.note


def test_long_message_opens_the_chat_and_says_to_paste(
        reminder_factory: Callable[..., Reminder]) -> None:
    message = reminder_factory(1).message * 3
    cell = link_cell("+6281234567801", message)
    url, label = split_formula(cell.formula)
    assert not cell.with_text
    assert url == "https://wa.me/6281234567801" and label == "Buka chat WhatsApp"
    assert parse_qs(urlsplit(cell.url).query) == {"text": [message]}  # full link kept
    assert "kolom Pesan" in cell.note and "belum dikirim" in cell.note


def test_the_255_character_boundary_is_exact() -> None:
    base = len(wa_me_url("+6281234567801", "")) + len("?text=")
    fits = "a" * (HYPERLINK_URL_MAX - base)
    assert len(wa_me_url("+6281234567801", fits)) == HYPERLINK_URL_MAX
    assert link_cell("+6281234567801", fits).with_text
    assert not link_cell("+6281234567801", fits + "a").with_text
    assert not link_cell("+6281234567801", "a" * (len(fits) - 2) + " ").with_text  # %20


def test_hyperlink_formula_escapes_quotes_and_refuses_what_excel_cannot_hold() -> None:
    assert hyperlink_formula("https://wa.me/62", 'Buka "WA"') == \
        '=HYPERLINK("https://wa.me/62","Buka ""WA""")'
    with pytest.raises(ValueError):
        hyperlink_formula("https://wa.me/62?text=" + "a" * 240)
    with pytest.raises(ValueError):
        hyperlink_formula("https://wa.me/62", "x" * 256)


def test_channel_queues_with_an_honest_note(reminder_factory: Callable[..., Reminder]) -> None:
    ch = get_channel("link", Settings())
    assert isinstance(ch, LinkChannel) and ch.concurrency == 1
    ch.open()
    short = reminder_factory(1, message="Halo, tagihan Anda Rp150.000.")
    long = reminder_factory(2, message=reminder_factory(2).message * 3)
    out_short, out_long = ch.send(short), ch.send(long)
    ch.close()
    assert out_short.state == out_long.state == JournalState.QUEUED
    assert out_short.note == link_cell(short.phone, short.message).note
    assert "kolom Pesan" in out_long.note and out_long.provider_id is None


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) not installed: Debian libreoffice-calc-nogui")
def test_a_spreadsheet_engine_evaluates_the_formulas(tmp_path: Path,
                                                    reminder_factory: Callable[..., Reminder]
                                                    ) -> None:
    cells = [link_cell("+6281234567801", "Halo \"Andi\", tagihan Rp150.000 & denda 0%."),
             link_cell("+6281234567802", reminder_factory(1).message * 2)]
    wb = openpyxl.Workbook()
    for i, cell in enumerate(cells, start=1):
        wb.active.cell(i, 1, cell.formula)
    src = tmp_path / "links.xlsx"
    wb.save(src)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "csv", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=120)
    with (tmp_path / "links.csv").open(newline="", encoding="utf-8") as fh:
        values = [row[0] for row in csv.reader(fh)]
    assert values == ["Buka WhatsApp", "Buka chat WhatsApp"]
