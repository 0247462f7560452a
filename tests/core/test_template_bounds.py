"""Issue 9: templates are bounded in memory and time, refuse method access, and a message
too long for WhatsApp is one row's reason (message_too_long), not a template error."""

from __future__ import annotations

import json

import pytest
from core_helpers import customer, run_cli, write_book

from tagihlite.core.messages import MessageTemplate, TemplateError, TemplateSource

DOUBLING = "\n".join(["{% set a = name ~ name %}"]
                     + ["{% set a = a ~ a %}"] * 31 + ["{{ a }}"])


def _template(text: str) -> MessageTemplate:
    return MessageTemplate(TemplateSource(text, "berkas 'bom.j2'"))


@pytest.mark.parametrize(("text", "line", "words"), [
    (DOUBLING, 1, "{% set %}"),
    ('Halo {{ "%0999999999d" | format(1) }}', 1, "filter 'format'"),
    ("Halo\n{{ name.upper }}", 2, "atribut/metode"),
    ("Halo\n{{ name['upper'] }}", 2, "indeks"),
    ("{% with a = name ~ name %}{{ a }}{% endwith %}", 1, "{% with %}"),
    ("{{ name | attr('upper') }}", 1, "filter 'attr'"),
    ("Halo\n\n{{ name | center(999999999) }}", 3, "terlalu besar"),
])
def test_bombs_are_refused_up_front_naming_the_line(text, line, words):
    with pytest.raises(TemplateError) as exc:  # (time and memory: benchmarks/template_bounds)
        _template(text)
    message = str(exc.value)
    assert f"baris {line}" in message and words in message and "'bom.j2'" in message


@pytest.mark.parametrize("text", [
    '{{ name | replace("", name) }}',  # quadratic: the name between every character
    "{{ name | replace(' ', name) }}",
    "{{ name * 4 + name * 4 + name * 4 + name * 4 }}",
    "{{ name + name + name + name + name }}",
])
def test_growth_at_render_time_is_stopped_with_its_line(text):
    tpl = _template("Yth.\n" + text)
    ctx = {"name": "x " * 2000, "customer_id": "1", "amount": 1, "amount_rupiah": "Rp1",
           "due_date": None, "due_date_text": "", "period": "2026-11",
           "period_text": "November 2026", "level": 1}
    with pytest.raises(TemplateError, match="baris 2"):
        tpl.render(ctx)


def test_oversized_template_is_refused():
    with pytest.raises(TemplateError, match="terlalu panjang"):
        _template("{{ name }} " * 2000)


def test_a_32767_character_name_is_that_rows_reason_others_still_go(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [customer(1, **{"Nama Pelanggan": "N" * 32767}),
                                            customer(2)])
    code, out, err = run_cli("preview", path, "--json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert rows[0]["reason_code"] == "message_too_long" and not rows[0]["eligible"]
    assert rows[1]["eligible"] and rows[1]["message"].startswith("Yth. Bapak/Ibu Toko")
    ob = tmp_path / "ob"
    code, out, err = run_cli("send", path, "--yes", "--outbox", ob)
    assert code == 0, err
    sent = (ob / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["row"] for x in sent] == [3]
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[1]]
    status, note = header.index("Status Kirim") + 1, header.index("Catatan") + 1
    assert ws.cell(2, status).value == "DILEWATI"
    assert "4.096 karakter" in ws.cell(2, note).value
