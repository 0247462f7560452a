"""The ribbon XML and the VBA it calls: schema-valid, ids stable, every callback present."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

from tagihlite.addin import build
from tagihlite.addin.ribbon_ids import RIBBON_IDS
from tagihlite.core import vocab

SCHEMA = Path(__file__).resolve().parent / "schemas" / "customui14.xsd"  # see its README
CONTROL_IDS = SCHEMA.with_name("office-control-ids.txt")  # every valid imageMso
CUSTOMUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
EXPECTED_LABELS = {
    "tl_login": "Masuk", "tl_logout": "Keluar", "tl_import": "Impor Data",
    "tl_import_payments": "Impor Pembayaran",
    "tl_mark": "Tandai Belum Bayar", "tl_check": "Periksa Data", "tl_columns": "Atur Kolom",
    "tl_preview": "Pratinjau Pesan", "tl_send_selected": "Kirim Terpilih",
    "tl_send_all": "Kirim Semua", "tl_report": "Laporan", "tl_help": "Petunjuk",
    "tl_approve_template": "Setujui Template", "tl_send_test": "Kirim Uji",
    "tl_doctor": "Periksa Instalasi",
}
RIBBON_CALLBACK = re.compile(
    r"^(?P<scope>Public |Private )?Sub (?P<name>\w+)\((?:ByRef |ByVal )?control As "
    r"IRibbonControl\)\s*$", re.MULTILINE | re.IGNORECASE)


def _root() -> ET.Element:
    return ET.fromstring(build.ribbon_xml())


def _our_vba() -> str:
    return build.our_vba_sources()["TagihLite"]


def test_ribbon_validates_against_customui14_schema() -> None:
    schema = xmlschema.XMLSchema(str(SCHEMA))
    schema.validate(str(build.RIBBON_PATH))  # raises with the offending element if invalid


def test_ribbon_ids_constant_matches_the_xml() -> None:
    ids = [b.get("id") for b in _root().iter(f"{CUSTOMUI}button")]
    assert tuple(ids) == RIBBON_IDS
    every_id = [e.get("id") for e in _root().iter() if e.get("id")]
    assert len(every_id) == len(set(every_id))


def test_tab_and_labels() -> None:
    tabs = list(_root().iter(f"{CUSTOMUI}tab"))
    assert [t.get("label") for t in tabs] == ["TagihLite"]
    assert len(list(tabs[0].iter(f"{CUSTOMUI}group"))) >= 3
    buttons = {b.get("id"): b for b in _root().iter(f"{CUSTOMUI}button")}
    assert {i: b.get("label") for i, b in buttons.items()} == EXPECTED_LABELS
    for button in buttons.values():
        assert button.get("imageMso"), button.get("id")
    large = {i for i, b in buttons.items() if b.get("size") == "large"}
    assert {"tl_login", "tl_mark", "tl_send_selected", "tl_send_all"} <= large


def test_every_image_mso_is_an_office_control_id() -> None:
    """A made-up imageMso (e.g. "MailSendMessage") shows no icon at all in Excel."""
    valid = set(CONTROL_IDS.read_text(encoding="utf-8").split())
    assert len(valid) > 8000
    images = {e.get("id"): e.get("imageMso") for e in _root().iter() if e.get("imageMso")}
    assert images, "no imageMso in the ribbon"
    assert {i: img for i, img in images.items() if img not in valid} == {}


def test_every_on_action_is_a_public_ribbon_sub_in_our_vba() -> None:
    callbacks = {m["name"]: m["scope"] for m in RIBBON_CALLBACK.finditer(_our_vba())}
    actions = {b.get("onAction") for b in _root().iter() if b.get("onAction")}
    assert actions == {"TagihLiteRibbon"}
    for action in actions:
        assert action in callbacks, f"no 'Sub {action}(control As IRibbonControl)' in our VBA"
        assert (callbacks[action] or "Public ").strip().lower() == "public"
    # the name must be unique across the whole project, or VBA cannot resolve it
    for module in build.vba_modules():
        if module.name != "TagihLite":
            assert not re.search(rf"\b(Sub|Function) {'|'.join(actions)}\b", module.source)


def test_ribbon_sub_hands_the_control_id_to_python() -> None:
    body = _our_vba().split("Sub TagihLiteRibbon(", 1)[1].split("End Sub", 1)[0]
    assert ('RunPython "import tagihlite.excel as tx; tx.on_ribbon(\'" & control.Id & "\')"'
            in body)
    xlwings_vba = {m.name: m.source for m in build.vba_modules()}["xlwings"]
    assert "Public Function RunPython(PythonCommand As String)" in xlwings_vba


def _const(name: str) -> str:
    match = re.search(rf'^Private Const {name} As String = "([^"]*)"$', _our_vba(), re.MULTILINE)
    assert match, f"{name} not found in TagihLite.bas"
    return match.group(1)


def test_highlight_statuses_and_fills_match_vocab() -> None:
    assert _const("TODO_STATUSES").split("|") == list(vocab.Status.TODO)
    assert _const("PROBLEM_STATUSES").split("|") == list(vocab.Status.PROBLEM)
    assert _const("DONE_STATUSES").split("|") == list(vocab.Status.DONE)
    for group in ("todo", "problem", "done"):
        assert _const(f"{group.upper()}_FILL").upper() == vocab.HIGHLIGHT_FILLS[group].upper()


def test_highlight_macro_signature_python_calls() -> None:
    assert re.search(r"^Public Sub TagihLiteApplyHighlight\(sheetName As String, rangeAddress "
                     r"As String, statusColumn As String\)$", _our_vba(), re.MULTILINE)


def test_our_vba_is_well_formed() -> None:
    source = _our_vba()
    assert source.startswith("'") and "\nOption Explicit\n" in source
    source.encode("cp1252")  # VBA stores source in code page 1252
    code = [line.split("'", 1)[0].strip() for line in source.splitlines()]
    for kind in ("Sub", "Function"):
        opened = sum(bool(re.match(rf"(Public |Private )?{kind} \w+\(", c)) for c in code)
        closed = code.count(f"End {kind}")
        assert opened == closed > 0, kind
    assert sum(c.startswith("For ") for c in code) == sum(
        c == "Next" or c.startswith("Next ") for c in code)
    assert "Attribute VB_Name" not in source  # the vbaProject builder writes the header
