"""build_vba_project: read back by olefile (strict) and oletools' olevba (strict dir parsing),
with the PROJECT, PROJECTwm and dir streams checked against each other and the streams."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Parser, VBA_Project, decompress_stream

from tagihlite.addin.ovba import encrypt
from tagihlite.addin.vbaproject import VbaModule, build_vba_project, header_attributes

QUICKSTART = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
OFFICE_GUID = "{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}"
STDOLE_GUID = "{00020430-0000-0000-C000-000000000046}"

MODULES = [
    VbaModule("ThisWorkbook", "document", ""),
    VbaModule(
        "Sheet1",
        "document",
        'Private Sub Worksheet_Activate()\n    Me.Range("A1").Select\nEnd Sub\n',
    ),
    VbaModule(
        "TagihLite",
        "standard",
        "Option Explicit\r\n\r\nSub OnRibbon(control As IRibbonControl)\r\n"
        '    RunPython "import tagihlite.excel as tx; tx.on_ribbon(\'" & control.Id & "\')"\r\n'
        "End Sub",
    ),
    VbaModule(
        "Dictionary", "class", "Option Explicit\nPrivate pCount As Long\n' café – ok in cp1252\n"
    ),
    VbaModule("Sheet2", "document", ""),
]


def _crlf(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def _expected_text(module: VbaModule) -> str:
    return "\r\n".join(header_attributes(module)) + "\r\n" + _crlf(module.source)


def _ole(data: bytes) -> olefile.OleFileIO:
    assert olefile.isOleFile(data=data)
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_POTENTIAL)
    assert ole.parsing_issues == []
    return ole


def _dir_records(ole: olefile.OleFileIO) -> list[tuple[int, bytes]]:
    """The decompressed dir stream as (id, payload), per the record layouts of 2.3.4.2."""
    data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    records, pos = [], 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        if rid == 0x0009:  # PROJECTVERSION: Reserved=4 but 6 bytes follow
            assert size == 4
            size = 6
        records.append((rid, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    assert pos == len(data)
    assert records[-1] == (0x0010, b"")
    return records


def _decrypt(hex_text: str, project_id: str) -> bytes:
    """2.4.3.3 Decryption, written from the spec independently of the encoder."""
    data = bytes.fromhex(hex_text)
    seed, version_enc, proj_key_enc = data[:3]
    assert seed ^ version_enc == 2
    assert seed ^ proj_key_enc == sum(project_id.encode()) & 0xFF
    unenc1, enc1, enc2 = seed ^ proj_key_enc, proj_key_enc, version_enc
    plain = bytearray()
    for byte in data[3:]:
        value = byte ^ ((enc2 + unenc1) & 0xFF)
        plain.append(value)
        enc2, enc1, unenc1 = enc1, byte, value
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    body = bytes(plain[ignored + 4 :])
    assert len(body) == length
    return body


def _project_text(ole: olefile.OleFileIO) -> str:
    return ole.openstream("PROJECT").read().decode("cp1252")


def test_olevba_extracts_every_module_with_exactly_our_source() -> None:
    data = build_vba_project(MODULES)
    parser = VBA_Parser("vbaProject.bin", data=data, relaxed=False)
    assert parser.detect_vba_macros()
    extracted = {stream: code for _, stream, _, code in parser.extract_macros()}
    assert set(extracted) == {f"VBA/{m.name}" for m in MODULES}
    for module in MODULES:
        code = extracted[f"VBA/{module.name}"]
        assert code == _expected_text(module)
        body = re.sub(r"\A(Attribute [^\r\n]*\r\n)+", "", code)
        assert body == _crlf(module.source)
    parser.close()


def test_streams_and_stream_sizes() -> None:
    ole = _ole(build_vba_project(MODULES))
    streams = {"/".join(p) for p in ole.listdir(streams=True, storages=False)}
    assert streams == {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"} | {
        f"VBA/{m.name}" for m in MODULES
    }
    # Source only: 7-byte _VBA_PROJECT, version 0xFFFF, no performance cache.
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    ole.close()


def test_project_dir_and_projectwm_agree() -> None:
    ole = _ole(build_vba_project(MODULES, project_name="TagihLiteVBA"))
    text = _project_text(ole)
    lines = text.split("\r\n")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")

    # PROJECT: module lines in order, with the kinds the API asked for.
    kinds = {"standard": "Module", "class": "Class", "document": "Document"}
    module_lines = [ln for ln in lines if ln.split("=")[0] in {"Document", "Module", "Class"}]
    assert module_lines == [
        f"Document={m.name}/&H00000000" if m.kind == "document" else f"{kinds[m.kind]}={m.name}"
        for m in MODULES
    ]
    assert 'Name="TagihLiteVBA"' in lines
    assert "[Host Extender Info]" in lines and "[Workspace]" in lines
    workspace = lines[lines.index("[Workspace]") + 1 : -1]
    assert [w.split("=")[0] for w in workspace] == [m.name for m in MODULES]
    project_id = re.fullmatch(r'ID="(\{[0-9A-F-]{36}\})"', lines[0]).group(1)
    fields = dict(
        re.fullmatch(r'(CMG|DPB|GC)="([0-9A-F]+)"', ln).groups()
        for ln in lines
        if re.fullmatch(r'(CMG|DPB|GC)="([0-9A-F]+)"', ln)
    )
    assert _decrypt(fields["CMG"], project_id) == bytes(4)  # not protected
    assert _decrypt(fields["DPB"], project_id) == b"\x00"  # no password
    assert _decrypt(fields["GC"], project_id) == b"\xff"  # visible

    # PROJECTwm: MBCS + UTF-16 name pairs in the same order, then a 0x0000 terminator.
    wm = ole.openstream("PROJECTwm").read()
    expected_wm = b"".join(
        m.name.encode("cp1252") + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in MODULES
    )
    assert wm == expected_wm + b"\0\0"

    # dir: project info, both references, one module record set per module.
    records = _dir_records(ole)
    by_id: dict[int, list[bytes]] = {}
    for rid, payload in records:
        by_id.setdefault(rid, []).append(payload)
    assert by_id[0x0003] == [struct.pack("<H", 1252)]
    assert by_id[0x0004] == [b"TagihLiteVBA"]
    assert by_id[0x0016] == [b"stdole", b"Office"]
    libids = [p[4 : 4 + struct.unpack_from("<I", p)[0]].decode() for p in by_id[0x000D]]
    assert libids[0].startswith(f"*\\G{STDOLE_GUID}#2.0#0#")
    assert libids[1].startswith(f"*\\G{OFFICE_GUID}#2.0#0#")
    assert all(lib.count("#") == 4 for lib in libids)
    assert by_id[0x000F] == [struct.pack("<H", len(MODULES))]
    assert [p.decode() for p in by_id[0x0019]] == [m.name for m in MODULES]
    assert [p.decode("utf-16-le") for p in by_id[0x0047]] == [m.name for m in MODULES]
    assert [p.decode() for p in by_id[0x001A]] == [m.name for m in MODULES]
    assert by_id[0x0031] == [bytes(4)] * len(MODULES)  # MODULEOFFSET 0
    types = [rid for rid, _ in records if rid in (0x0021, 0x0022)]
    assert types == [0x0021 if m.kind == "standard" else 0x0022 for m in MODULES]

    # oletools' own strict dir parser agrees.
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    assert project.projectname == "TagihLiteVBA"
    assert project.codepage == 1252
    project.parse_project_stream()
    assert project.module_ext == {
        m.name.lower(): "bas" if m.kind == "standard" else "cls" for m in MODULES
    }
    parsed = list(project.parse_modules())
    assert len(parsed) == len(MODULES)
    assert [(m.name, m.streamname, m.textoffset) for m in project.modules] == [
        (m.name, m.name, 0) for m in MODULES
    ]
    ole.close()


def test_header_attributes_per_kind() -> None:
    ole = _ole(build_vba_project(MODULES))
    code = {
        m.name: bytes(decompress_stream(bytearray(ole.openstream(f"VBA/{m.name}").read())))
        for m in MODULES
    }
    assert code["TagihLite"].startswith(b'Attribute VB_Name = "TagihLite"\r\nOption Explicit')
    assert b'VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in code["ThisWorkbook"]
    assert b'VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in code["Sheet1"]
    assert b"VB_PredeclaredId = True" in code["Sheet2"]
    for attr in (
        b"VB_GlobalNameSpace = False",
        b"VB_Creatable = False",
        b"VB_PredeclaredId = False",
        b"VB_Exposed = False",
        b"VB_Customizable = False",
    ):
        assert attr in code["Dictionary"]
    assert "café – ok".encode("cp1252") in code["Dictionary"]
    ole.close()


def test_deterministic_and_sensitive_to_input() -> None:
    first = build_vba_project(MODULES)
    assert first == build_vba_project(list(MODULES))
    changed = [*MODULES[:-1], VbaModule("Sheet2", "document", "' changed\n")]
    assert build_vba_project(changed) != first


def test_project_encryption_reproduces_the_spec_example() -> None:
    # [MS-OVBA] 3.1.6 PROJECT stream example: decrypt, then re-encrypt with the same seed
    # and filler bytes; the encoder must give back the spec's text exactly.
    project_id = "{917DED54-440B-4FD1-A5C1-74ACF261E600}"
    for hex_text, plain in (
        ("0705D8E3D8EDDBF1DBF1DBF1DBF1", bytes(4)),
        ("0E0CD1ECDFF4E7F5E7F5E7", b"\x00"),
        ("1517CAF1D6F9D7F9D706", b"\xff"),
    ):
        assert _decrypt(hex_text, project_id) == plain
        raw = bytes.fromhex(hex_text)
        filler = _filler(raw, project_id)  # the spec's arbitrary bytes, recovered
        assert encrypt(plain, project_id, seed=raw[0], ignored=filler) == hex_text


def _filler(raw: bytes, project_id: str) -> bytes:
    seed, version_enc, proj_key_enc = raw[:3]
    unenc1, enc1, enc2 = seed ^ proj_key_enc, proj_key_enc, version_enc
    out = bytearray()
    for byte in raw[3 : 3 + (seed & 6) // 2]:
        value = byte ^ ((enc2 + unenc1) & 0xFF)
        out.append(value)
        enc2, enc1, unenc1 = enc1, byte, value
    return bytes(out)


def test_rejects_text_outside_cp1252_with_a_clear_message() -> None:
    bad = VbaModule("TagihLite", "standard", 'Sub A()\n    MsgBox "Rp ✓"\nEnd Sub\n')
    with pytest.raises(ValueError, match=r"TagihLite.*U\+2713.*line 2.*1252"):
        build_vba_project([bad])


@pytest.mark.parametrize(
    "modules, message",
    [
        ([VbaModule("1abc", "standard", "")], "not a VBA identifier"),
        ([VbaModule("has space", "standard", "")], "not a VBA identifier"),
        ([VbaModule("A" * 32, "standard", "")], "not a VBA identifier"),
        ([VbaModule("Mod", "standard", ""), VbaModule("MOD", "class", "")], "duplicate"),
        ([VbaModule("Mod", "form", "")], "unknown kind"),
        ([VbaModule("VBAProject", "standard", "")], "project's name"),
        ([VbaModule("Dir", "standard", "")], "dir"),  # type: ignore[arg-type]
        (
            [VbaModule("Mod", "standard", 'Attribute VB_Name = "Mod"\nSub A()\nEnd Sub\n')],
            "VB_Name",
        ),
        ([VbaModule("Cls", "class", "Attribute VB_Exposed = True\n")], "VB_Exposed"),
    ],
)
def test_rejects_invalid_modules(modules: list[VbaModule], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_vba_project(modules)


def test_other_leading_attributes_are_kept() -> None:
    module = VbaModule(
        "Dictionary", "class", 'Attribute VB_Description = "Dict"\nOption Explicit\n'
    )
    data = build_vba_project([module])
    parser = VBA_Parser("vbaProject.bin", data=data, relaxed=False)
    (code,) = [c for _, _, _, c in parser.extract_macros()]
    assert code == _expected_text(module)
    parser.close()


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_xlsm(path: Path, vba_project: bytes, sheet_codenames: list[str]) -> None:
    """The smallest macro-enabled workbook: one sheet per code name, and the VBA part."""
    count = len(sheet_codenames)
    sheet_ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_ct}"/>'
            for i in range(1, count + 1)
        )
        + "</Types>"
    )
    root_rels = (
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    sheets = "".join(
        f'<sheet name="Lembar{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, count + 1)
    )
    workbook = (
        f'<workbook {_NS} xmlns:r="{_REL_NS}"><workbookPr codeName="ThisWorkbook"/>'
        f"<sheets>{sheets}</sheets></workbook>"
    )
    book_rels = (
        f'<Relationships xmlns="{_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        + f'<Relationship Id="rId{count + 1}" '
        'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        'Target="vbaProject.bin"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", types)
        book.writestr("_rels/.rels", root_rels)
        book.writestr("xl/workbook.xml", workbook)
        book.writestr("xl/_rels/workbook.xml.rels", book_rels)
        for i, codename in enumerate(sheet_codenames, start=1):
            book.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<worksheet {_NS}><sheetPr codeName="{codename}"/><sheetData/></worksheet>',
            )
        book.writestr("xl/vbaProject.bin", vba_project)


def test_olevba_reads_it_inside_an_xlsm_without_a_stomping_alarm(tmp_path: Path) -> None:
    # Source-only modules have no p-code; olevba must not take that for VBA stomping.
    book = tmp_path / "book.xlsm"
    write_xlsm(book, build_vba_project(MODULES), ["Sheet1", "Sheet2"])
    parser = VBA_Parser(str(book), relaxed=False)
    assert parser.type == "OpenXML"
    assert parser.detect_vba_macros()
    assert parser.detect_vba_stomping() is False
    found = {stream: code for _, stream, _, code in parser.extract_macros()}
    assert found == {f"VBA/{m.name}": _expected_text(m) for m in MODULES}
    parser.close()


def _quickstart_modules() -> list[VbaModule]:
    """The xlwings standalone quickstart's modules as olevba reads them, header attributes
    (the ones build_vba_project writes) removed."""
    with zipfile.ZipFile(QUICKSTART) as book:
        data = book.read("xl/vbaProject.bin")
    parser = VBA_Parser("quickstart.bin", data=data)
    ole = _ole(data)
    project_lines = _project_text(ole).split("\r\n")
    ole.close()
    kinds = {}
    for line in project_lines:
        key, _, value = line.partition("=")
        if key in ("Document", "Module", "Class"):
            kinds[value.split("/")[0]] = {
                "Document": "document",
                "Module": "standard",
                "Class": "class",
            }[key]
    ours = {
        "vb_name",
        "vb_base",
        "vb_globalnamespace",
        "vb_creatable",
        "vb_predeclaredid",
        "vb_exposed",
        "vb_templatederived",
        "vb_customizable",
    }
    modules = []
    for _, stream, _, code in parser.extract_macros():
        name = stream.split("/")[-1]
        lines = code.replace("\r\n", "\n").split("\n")
        while (
            lines
            and lines[0].startswith("Attribute ")
            and (lines[0][len("Attribute ") :].split("=")[0].strip().lower() in ours)
        ):
            lines.pop(0)
        modules.append(VbaModule(name, kinds[name], "\n".join(lines)))  # type: ignore[arg-type]
    parser.close()
    return modules


def test_rebuild_xlwings_quickstart_modules() -> None:
    modules = _quickstart_modules()
    assert {m.name for m in modules} >= {"xlwings", "Dictionary", "ThisWorkbook"}
    assert len(next(m for m in modules if m.name == "xlwings").source) > 40_000
    data = build_vba_project(modules)
    parser = VBA_Parser("rebuilt.bin", data=data, relaxed=False)
    rebuilt = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    parser.close()
    assert set(rebuilt) == {m.name for m in modules}
    for module in modules:
        assert rebuilt[module.name] == _expected_text(module)
    # The Dictionary class keeps its VB_Description, after our header.
    assert 'Attribute VB_Description = "Drop-in replacement' in rebuilt["Dictionary"]
