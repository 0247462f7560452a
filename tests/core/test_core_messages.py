"""Message templates (issue 2, "Message"): sandbox, filters, sources, errors with lines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from core_helpers import customer, run_cli, sha256, write_book

from tagihlite.core.formats import periode, rupiah, tanggal
from tagihlite.core.messages import (
    MessageTemplate,
    TemplateError,
    TemplateSource,
    default_template,
    load_template,
    row_context,
    template_from_sheet_lines,
)


def _ctx(**over):
    ctx = row_context(name="Toko Melati", customer_id="0141234560001", amount=1250000,
                      due_date=dt.date(2026, 11, 20), period="2026-11", level=1,
                      rupiah_style="puebi")
    ctx.update(company="PT Telkom Indonesia", branch="Dumai", contact="147")
    ctx.update(over)
    return ctx


def _tpl(text: str, **kw) -> MessageTemplate:
    return MessageTemplate(TemplateSource(text, "berkas 'uji.j2'"), **kw)


@pytest.mark.parametrize(("n", "style", "text"), [
    (1250000, "puebi", "Rp1.250.000"), (1250000, "spasi", "Rp 1.250.000"),
    (1250000, "angka", "1.250.000"), (750, "puebi", "Rp750"), (0, "puebi", "Rp0"),
])
def test_rupiah(n, style, text):
    assert rupiah(n, style) == text


def test_indonesian_dates():
    assert tanggal(dt.date(2026, 11, 20)) == "20 November 2026"
    assert tanggal(dt.date(2026, 8, 1)) == "1 Agustus 2026"
    assert periode("2026-02") == "Februari 2026"


def test_default_template_has_the_official_parts():
    tpl = load_template(constants={"company": "PT Telkom Indonesia", "branch": "Dumai",
                                   "contact": "147"})
    assert tpl.source.origin == default_template().origin
    text = tpl.render(_ctx())
    for part in ("Toko Melati", "0141234560001", "Rp1.250.000", "20 November 2026",
                 "PT Telkom Indonesia", "abaikan"):
        assert part in text, part
    assert "bayar" in text.lower()
    no_due = tpl.render(_ctx(due_date=None, due_date_text=""))
    assert "jatuh tempo" not in no_due and "Rp1.250.000" in no_due


def test_rupiah_style_reaches_the_filter():
    tpl = _tpl("{{ amount | rupiah }}", rupiah_style="spasi")
    assert tpl.render(_ctx()) == "Rp 1.250.000"


def test_customer_data_is_data():
    tpl = load_template(constants={"company": "X", "branch": "Y", "contact": "Z"})
    text = tpl.render(_ctx(name="Toko {{ 7*7 }} {% if true %}A{% endif %}"))
    assert "Toko {{ 7*7 }} {% if true %}A{% endif %}" in text
    assert "49" not in text


def test_unknown_variable_is_reported_with_its_line():
    with pytest.raises(TemplateError) as exc:
        _tpl("Yth. {{ name }},\n\ntagihan {{ nomor }}\n")
    msg = str(exc.value)
    assert "nomor" in msg and "baris 3" in msg and "uji.j2" in msg


def test_syntax_error_is_reported_with_its_line():
    with pytest.raises(TemplateError) as exc:
        _tpl("Yth. {{ name }},\n{% if due_date %}\njatuh tempo\n")
    assert "baris" in str(exc.value)
    with pytest.raises(TemplateError) as exc:
        _tpl("baris satu\nbaris dua {{ name }\n")
    assert "baris 2" in str(exc.value)


def test_unknown_filter_is_an_error_with_its_line():
    with pytest.raises(TemplateError) as exc:
        _tpl("Yth. {{ name }},\n{{ amount | rupiahh }}")
    assert "baris 2" in str(exc.value)


@pytest.mark.parametrize("text", [
    "{{ name.__class__.__mro__ }}",
    "{{ ''.__class__.__subclasses__() }}",
    "{{ name * 100000 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ range(10) }}",
    "{{ lipsum() }}",
])
def test_sandbox_refuses_code(text):
    with pytest.raises(TemplateError):
        _tpl(text)


def test_template_sheet_error_names_the_sheet_row():
    src = template_from_sheet_lines(["Yth. {{ name }},", "", "tagihan {{ jumlah }}"],
                                    sheet="Template", first_row=3)
    assert src is not None
    with pytest.raises(TemplateError) as exc:
        MessageTemplate(src)
    msg = str(exc.value)
    assert "Template" in msg and "baris 5" in msg  # template line 3 is sheet row 5


def test_empty_template_sheet_means_no_sheet_template():
    assert template_from_sheet_lines([None, "  ", None]) is None


# --- sources through the command line ---------------------------------------------------

def _book(tmp_path, template_lines=None):
    return write_book(tmp_path / "t.xlsx", [customer(1), customer(2)],
                      template_lines=template_lines)


def _messages(out: str) -> list[str]:
    return [r["message"] for r in json.loads(out)["rows"] if r["eligible"]]


def test_default_template_when_no_other(tmp_path):
    code, out, err = run_cli("preview", _book(tmp_path), "--json")
    assert code == 0, err
    data = json.loads(out)
    # one packaged text per level (tagihlite/templates/levelN.j2)
    assert data["template"] == "; ".join(f"template bawaan tingkat {n}" for n in range(4))
    assert all("Toko Fiktif" in m for m in _messages(out))


def test_template_file_beats_the_default(tmp_path):
    f = tmp_path / "pesan.j2"
    f.write_text("Halo {{ name }}: {{ amount | rupiah }}", encoding="utf-8")
    code, out, err = run_cli("preview", _book(tmp_path), "--json", "--template", f)
    assert code == 0, err
    assert _messages(out) == ["Halo Toko Fiktif 1: Rp101.000", "Halo Toko Fiktif 2: Rp102.000"]


def test_template_sheet_beats_the_default(tmp_path):
    path = _book(tmp_path, ["Salam {{ name }},", "tagihan {{ customer_id }}"])
    code, out, err = run_cli("preview", path, "--json")
    assert code == 0, err
    assert _messages(out)[0] == "Salam Toko Fiktif 1,\ntagihan 141234500001"


def test_explicit_template_file_beats_the_template_sheet(tmp_path):
    """Issue 9: a workbook from elsewhere must not change the operator's chosen template
    (e.g. the bank account); every preview and send names the template it used."""
    path = _book(tmp_path, ["Salam {{ name }}"])
    f = tmp_path / "pesan.j2"
    f.write_text("Halo {{ name }}", encoding="utf-8")
    code, out, err = run_cli("preview", path, "--json", "--template", f)
    assert code == 0, err
    assert _messages(out)[0] == "Halo Toko Fiktif 1"
    assert json.loads(out)["template"] == f"berkas '{f}'"
    code, out, _ = run_cli("preview", path)
    assert "Salam Toko Fiktif 1" in out and "template: sheet 'Template'" in out
    code, out, _ = run_cli("send", path, "--yes", "--template", f, "--outbox", tmp_path / "o")
    assert code == 0 and f"template: berkas '{f}'" in out
    assert "Halo Toko Fiktif 1" in (tmp_path / "o" / "outbox.jsonl").read_text(encoding="utf-8")


def test_broken_template_sheet_stops_send_before_anything_goes(tmp_path):
    path = _book(tmp_path, ["Salam {{ name }},", "{{ jumlah }}"])
    before = sha256(path)
    code, _out, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 2
    assert "baris 4" in err and "Template" in err and "Traceback" not in err
    assert sha256(path) == before
    assert not (tmp_path / "ob" / "outbox.jsonl").exists()


def test_broken_template_file_stops_send(tmp_path):
    path = _book(tmp_path)
    f = tmp_path / "rusak.j2"
    f.write_text("Halo {{ name }\n", encoding="utf-8")
    before = sha256(path)
    code, _, err = run_cli("send", path, "--yes", "--template", f, "--outbox", tmp_path / "ob")
    assert code == 2 and "rusak.j2" in err and "baris 1" in err
    assert sha256(path) == before
    assert not (tmp_path / "ob").exists()
